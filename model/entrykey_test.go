package model

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// TestKeyIsJSON: an entry's key is what json.Marshal writes of it, for
// entries of every kind with and without each optional field, and text
// that json.Marshal escapes or that is not ASCII; plain entries are
// written without json.Marshal.
func TestKeyIsJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	plainTexts := []string{"", "alex-lee", "Alex Lee", "~ !#$%'()*+,-./:;=?@[]^_`{|}"}
	escaped := []string{`say "yes"`, `back\slash`, "<b>", "a & b", "Zoë", "tab\there", "\u2028", "\xff", "\x7f"}
	text := func() string {
		if rng.IntN(40) == 0 {
			return escaped[rng.IntN(len(escaped))]
		}
		return plainTexts[rng.IntN(len(plainTexts))]
	}
	day := func() *Day {
		if rng.IntN(3) == 0 {
			return nil
		}
		d := Day(rng.IntN(40000) - 1000)
		return &d
	}
	strs := func() []string {
		switch rng.IntN(3) {
		case 0:
			return nil
		case 1:
			return []string{}
		}
		l := make([]string, 1+rng.IntN(3))
		for i := range l {
			l[i] = text()
		}
		return l
	}
	kinds := []EntryKind{TemporaryEntry, ReinstatedEntry, ApproverEntry, PolicyEntry, ShiftEntry, HeldEntry, CertificationEntry, ""}
	plain := 0
	for range 20000 {
		e := EntryRef{Person: text(), Kind: kinds[rng.IntN(len(kinds))], Start: day(), End: day(), Date: day(),
			ApprovedBy: text(), Supervisor: text(), Reason: text(), Shift: ShiftType(text()), Level: Level(rng.IntN(4)),
			Targets: strs(), Period: text(), Certifiers: strs()}
		if b := rng.IntN(3); b < 2 {
			agreed := b == 1
			e.Agreed = &agreed
		}
		want, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Key(); got != string(want) {
			t.Fatalf("Key() = %s\njson.Marshal: %s", got, want)
		}
		if b, ok := e.appendKey(nil); ok {
			plain++
			if string(b) != string(want) {
				t.Fatalf("appendKey = %s\njson.Marshal: %s", b, want)
			}
		}
	}
	if plain < 1000 {
		t.Errorf("only %d of 20,000 entries were written without json.Marshal", plain)
	}
}
