package secrets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/internal/testgpg"
	"github.com/prodaccess/prodaccess/internal/testkeys"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// TestScanStores reads a gpg-id target's whole store as pass sees it:
// each file judged against the nearest .gpg-id above it, and a file that
// cannot be read (too large, or named with control characters) one
// unreadable secret, named with escapes, while the others go on.
func TestScanStores(t *testing.T) {
	w := newSecretsWorld(t)
	w.write("pass/team/deeper/.gpg-id", w.keys["alice"].Fingerprint+"\n")
	w.write("pass/team/deeper/x.gpg", string(w.sender.Encrypt("x\n", w.keysOf("alice"))))
	w.write("pass/team/notes/y.gpg", string(w.sender.Encrypt("y\n", w.keysOf("bob"))))
	for _, name := range []string{"ci\ttoken.gpg", "a\nb.gpg", "esc\x1b[31m.gpg", "rtl\u202e.gpg"} {
		w.write("pass/"+name, "whatever")
	}
	big := make([]byte, 17<<20)
	w.write("pass/big.gpg", string(big))

	scan, err := ScanSecrets(os.DirFS(w.dir), worldTarget)
	if err != nil {
		t.Fatal(err)
	}
	type got struct{ File, Store, Problem string }
	var gots []got
	for _, s := range scan.Secrets {
		if s.Format != model.OpenPGPFiles {
			continue
		}
		p, _, _ := strings.Cut(s.Problem, ";")
		gots = append(gots, got{s.File, s.Store, p})
	}
	want := []got{
		{`pass/a\nb.gpg`, "", "its name holds a line break (character 7)"},
		{"pass/armored.gpg", "", ""},
		{"pass/big.gpg", "", "it is 17825792 bytes, larger than the 16 MiB read, so it is not read"},
		{`pass/ci\ttoken.gpg`, "", "its name holds the control character U+0009 (character 8)"},
		{`pass/esc\x1b[31m.gpg`, "", "its name holds the control character U+001B (character 9)"},
		{"pass/production/api.gpg", "", ""},
		{"pass/production/db.gpg", "", ""},
		{`pass/rtl\u202e.gpg`, "", "its name holds U+202E (character 9), which changes how the text around it is shown"},
		{"pass/team/deeper/x.gpg", "pass/team/deeper", ""},
		{"pass/team/notes/y.gpg", "pass/team", ""},
		{"pass/team/other.gpg", "pass/team", ""},
	}
	if diff := cmp.Diff(want, gots); diff != "" {
		t.Errorf("secrets (-want +got):\n%s", diff)
	}
	dirs, err := SubStoreDirs(os.DirFS(w.dir), worldTarget)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"pass/team", "pass/team/deeper"}, dirs); diff != "" {
		t.Errorf("sub-stores (-want +got):\n%s", diff)
	}
}

// TestSubkeysThatMayNotBeUsed: a secret encrypted to a revoked subkey of
// a holder is stale (whoever holds that key may read it: rotate it), one
// encrypted to an expired subkey must be re-encrypted to the holder's
// current key; neither is current, and neither makes the holder missing.
func TestSubkeysThatMayNotBeUsed(t *testing.T) {
	now := time.Now()
	alice, err := testkeys.New("alice", testkeys.Good, now.Add(-72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	stolen := alice.Entity.Subkeys[0]
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Curve: packet.Curve25519, Time: func() time.Time { return now.Add(-48 * time.Hour) }, KeyLifetimeSecs: 3600}
	if err := alice.Entity.AddEncryptionSubkey(cfg); err != nil {
		t.Fatal(err)
	}
	expired := alice.Entity.Subkeys[1]
	cfg = &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Curve: packet.Curve25519, Time: func() time.Time { return now.Add(-24 * time.Hour) }}
	if err := alice.Entity.AddEncryptionSubkey(cfg); err != nil {
		t.Fatal(err)
	}
	if err := alice.Entity.RevokeSubkey(&alice.Entity.Subkeys[0], packet.KeyCompromised, "laptop stolen", cfg); err != nil {
		t.Fatal(err)
	}
	current := alice.Entity.Subkeys[2]
	id := func(sk openpgp.Subkey) string { return fmt.Sprintf("%016X", sk.PublicKey.KeyId) }
	ring := NewKeyRing([]*PublicKey{{Holder: "alice", Fingerprint: alice.Fingerprint, Entity: alice.Entity}}, now)
	stores := map[string][]outcome.Holder{"": {{Name: "alice", Fingerprint: alice.Fingerprint}}}
	rep := CheckSecrets("pass", []outcome.Secret{
		{File: "current.gpg", KeyIDs: []string{id(current)}},
		{File: "stolen.gpg", KeyIDs: []string{id(stolen)}},
		{File: "expired.gpg", KeyIDs: []string{id(expired)}},
	}, stores, ring, nil)
	type brief struct{ File, Stale, Retired, Missing string }
	var got []brief
	for _, c := range rep.Secrets {
		got = append(got, brief{c.File, strings.Join(c.Stale, ","), strings.Join(c.Retired, ","), strings.Join(c.Missing, ",")})
	}
	want := []brief{
		{"stolen.gpg", "alice's revoked key " + id(stolen), "", ""},
		{"expired.gpg", "", "alice's expired key " + id(expired), ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if rep.Counts.Current != 1 || rep.Counts.Stale != 2 {
		t.Errorf("counts %+v", rep.Counts)
	}
	if !rep.Secrets[0].Rotate() || rep.Secrets[1].Rotate() {
		t.Errorf("rotate: revoked %v, expired %v; want true, false", rep.Secrets[0].Rotate(), rep.Secrets[1].Rotate())
	}
}

// TestReencryptNeverWidens refuses, naming each file and what to do, a
// secret that a holder of its store cannot read now (it would be given to
// them), a file whose encrypted message is a copy of another file's, and
// a file holding the same value as another; --widen names the files
// allowed anyway.
func TestReencryptNeverWidens(t *testing.T) {
	w := newSecretsWorld(t)
	// bob's break-glass token in his own sub-store, copied into the
	// shared store by someone who can write there.
	breakGlass := w.sender.Encrypt("break-glass\n", w.keysOf("bob"))
	w.write("pass/team/break-glass.gpg", string(breakGlass))
	w.write("pass/ci-token.gpg", string(breakGlass))
	// One value stored twice, each a leaver could read.
	w.write("pass/dup-a.gpg", string(w.sender.Encrypt("same value\n", w.keysOf("alice", "bob", "carol"))))
	w.write("pass/dup-b.gpg", string(w.sender.Encrypt("same value\n", w.keysOf("alice", "bob", "carol"))))
	dec := &fakeDecrypter{keys: openpgp.EntityList{w.keys["alice"].Entity, w.keys["bob"].Entity}}

	res, report, err := reencryptWith(w, dec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, r := range res.Refused {
		reasons[r.File] = r.Reason
	}
	for file, want := range map[string]string{
		"pass/ci-token.gpg":       "its encrypted message is the same as one in pass/team/break-glass.gpg: it is a copy, perhaps from a store with other readers. Insert the value again on purpose where it belongs, or run again with --widen pass/ci-token.gpg if the copy is meant",
		"pass/dup-b.gpg":          "it holds the same value as pass/dup-a.gpg",
		"pass/armored.gpg":        "bob cannot read it now",
		"pass/production/db.gpg":  "bob cannot read it now",
		"pass/production/api.gpg": "bob cannot read it now",
	} {
		if !strings.Contains(reasons[file], want) {
			t.Errorf("%s: refused for %q, want %q", file, reasons[file], want)
		}
	}
	if _, ok := res.Files["pass/dup-a.gpg"]; !ok || len(res.Files) != 1 {
		t.Errorf("changed %v, want pass/dup-a.gpg alone", slices.Sorted(mapsKeys(res.Files)))
	}
	if c := findCheck(report, "pass/ci-token.gpg"); c == nil || !slices.Equal(c.Missing, []string{"alice"}) {
		t.Errorf("ci-token: %+v", c)
	}

	// Not a copy of any other file's message, it is still refused: alice
	// cannot read it now.
	res, _, err = reencryptWith(w, dec, Options{Copies: map[string][]string{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Refused {
		if r.File == "pass/ci-token.gpg" && !strings.Contains(r.Reason, "could widen who can read it: alice cannot read it now. prodaccess re-encrypts only to remove readers. If it was copied here from a narrower store, move it back; if they should read it, insert the value again on purpose, or run again with --widen pass/ci-token.gpg") {
			t.Errorf("ci-token refused for %q", r.Reason)
		}
	}
	// Named with --widen, it is re-encrypted to its store's recipients.
	res, _, err = reencryptWith(w, dec, Options{Widen: setOf("pass/ci-token.gpg")})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := res.Files["pass/ci-token.gpg"]; !ok {
		t.Errorf("--widen pass/ci-token.gpg: not re-encrypted: %v", res.Refused)
	}
}

func mapsKeys(m map[string][]byte) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func findCheck(r *outcome.SecretsReport, file string) *outcome.SecretCheck {
	for i := range r.Secrets {
		if r.Secrets[i].File == file {
			return &r.Secrets[i]
		}
	}
	return nil
}

// TestHiddenRecipientsStayHidden: a message with hidden recipients is not
// current (who they are cannot be told), re-encrypting it is widening
// unless named, and once prodaccess has written it again, to holders it
// records in the ledger, it stays hidden and is current.
func TestHiddenRecipientsStayHidden(t *testing.T) {
	w := newSecretsWorld(t)
	w.write("pass/hidden.gpg", string(w.sender.Encrypt("hidden\n", w.keysOf("alice", "bob", "carol"), "--throw-keyids")))
	// bob's packet is not the first: gpg fails on alice's before it opens
	// his, and exits with status 2 though it decrypted the message.
	bob := testgpg.New(t)
	bob.Import(w.keys["bob"])
	dec := GPG{Home: bob.Home}

	res, report, err := reencryptWith(w, dec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := findCheck(report, "pass/hidden.gpg")
	if c == nil || !slices.Equal(c.Stale, []string{"3 hidden recipient(s) not accounted for"}) || !c.Rotate() {
		t.Fatalf("hidden: %+v", c)
	}
	if i := slices.IndexFunc(res.Refused, func(r Refusal) bool { return r.File == "pass/hidden.gpg" }); i < 0 || !strings.Contains(res.Refused[i].Reason, "its recipients are hidden") {
		t.Errorf("not refused as hidden: %v", res.Refused)
	}

	res, _, err = reencryptWith(w, dec, Options{Widen: setOf("pass/hidden.gpg")})
	if err != nil {
		t.Fatal(err)
	}
	msg := res.Files["pass/hidden.gpg"]
	h, err := readMessage(msg)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{HiddenKeyID, HiddenKeyID}, h.keyIDs); diff != "" {
		t.Errorf("the new message's key ids (-want +got):\n%s", diff)
	}
	if len(res.Hidden) != 1 || res.Hidden[0].File != "pass/hidden.gpg" || res.Hidden[0].SHA256 != digest(msg) {
		t.Fatalf("hidden records %+v", res.Hidden)
	}
	for name, can := range map[string]bool{"alice": true, "bob": true, "carol": false} {
		home := testgpg.New(t)
		home.Import(w.keys[name])
		if got := home.Decrypts(msg, "hidden"); got != can {
			t.Errorf("%s decrypts the new message: %v, want %v", name, got, can)
		}
	}

	// Written back with its record in the ledger, it is current.
	w.write("pass/hidden.gpg", string(msg))
	ledger := CloneLedger(nil)
	SetHidden(ledger, res.Hidden[0].File, res.Hidden[0].Key, res.Hidden[0].SHA256, res.Hidden[0].KeyIDs)
	data, err := MarshalLedger(worldTarget.Name, ledger)
	if err != nil {
		t.Fatal(err)
	}
	w.write(LedgerPath(worldTarget.Name), string(data))
	_, report, err = reencryptWith(w, dec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c := findCheck(report, "pass/hidden.gpg"); c != nil {
		t.Errorf("after: %+v, want current", c)
	}
}

// TestDecompressionBomb: a message of 1 MiB that expands to 1 GiB is
// refused by the plaintext limit, naming the file, in memory bounded by
// the limit, and nothing of it is kept.
func TestDecompressionBomb(t *testing.T) {
	w := newSecretsWorld(t)
	bomb, err := testgpg.Bomb(w.keysOf("alice", "carol"), 1024)
	if err != nil {
		t.Fatal(err)
	}
	if len(bomb) > 2<<20 {
		t.Fatalf("the bomb is %d bytes", len(bomb))
	}
	alice := testgpg.New(t)
	alice.Import(w.keys["alice"])
	limit := 4 << 20
	dec := GPG{Home: alice.Home, MaxPlaintext: limit}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = dec.Decrypt(context.Background(), bomb)
	runtime.ReadMemStats(&after)
	var tooLarge *TooLargeError
	if !errors.As(err, &tooLarge) {
		t.Fatalf("decrypting the bomb: %v", err)
	}
	// The plaintext is read as it comes, growing to the limit and no
	// further: some times the limit (more under the race detector), and
	// far from the 1 GiB the bomb expands to.
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > uint64(16*limit) {
		t.Errorf("decrypting the bomb allocated %d bytes; the limit is %d", allocated, limit)
	}

	w.write("pass/bomb.gpg", string(bomb))
	res, _, err := reencryptWith(w, dec, Options{Widen: setOf("pass/bomb.gpg"), MaxPlaintext: limit})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(res.Refused, func(r Refusal) bool { return r.File == "pass/bomb.gpg" })
	if i < 0 || res.Refused[i].Reason != "it decrypts to more than 4 MiB, the most secrets.max_plaintext_bytes allows; gpg was stopped and nothing of it kept" {
		t.Errorf("refused: %v", res.Refused)
	}
	if _, changed := res.Files["pass/bomb.gpg"]; changed {
		t.Error("the bomb was re-encrypted")
	}
}

// TestLedger writes a ledger and reads it back, and refuses a ledger with
// a bad value, naming its line.
func TestLedger(t *testing.T) {
	rotated := model.DayFromDate(2026, 2, 1)
	l := &outcome.SecretsLedger{
		Rotate: []outcome.RotationEntry{
			{File: "pass/db.gpg", Readers: []string{"carol"}, Due: model.DayFromDate(2026, 1, 5), ReadableAt: strings.Repeat("a", 40)},
			{File: "hieradata/x.yaml", Key: "govuk::db", Readers: []string{"carol", "key id 0123456789ABCDEF (no known public key has it)"}, Due: model.DayFromDate(2026, 1, 5), ReadableAt: strings.Repeat("b", 40), Rotated: &rotated, RotatedAt: strings.Repeat("c", 40)},
		},
		Hidden: []outcome.HiddenRecipients{{File: "pass/hidden.gpg", SHA256: strings.Repeat("d", 64), KeyIDs: []string{"0123456789ABCDEF"}}},
	}
	data, err := MarshalLedger("pass", l)
	if err != nil {
		t.Fatal(err)
	}
	got, problems := ParseLedger("l.yaml", data)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if diff := cmp.Diff(l, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	if open := got.Open(); len(open) != 1 || open[0].File != "pass/db.gpg" {
		t.Errorf("open: %+v", open)
	}
	for _, tt := range []struct{ text, want string }{
		{"rotate:\n  - file: a.gpg\n    readers: [carol]\n    due: 2026-13-01\n    readable_at: " + strings.Repeat("a", 40) + "\n", `l.yaml:2: rotate[0]: due: "2026-13-01" is not a day (YYYY-MM-DD)`},
		{"rotate:\n  - file: a.gpg\n    readers: [carol]\n    due: 2026-01-01\n    readable_at: main\n", `l.yaml:2: rotate[0]: readable_at: "main" is not a commit (40 hexadecimal digits)`},
		{"hidden:\n  - file: a.gpg\n    sha256: " + strings.Repeat("d", 64) + "\n    key_ids: [0]\n", "l.yaml:2: hidden[0]: key_ids: each must be a key id of 16 upper-case hexadecimal digits"},
		{"rotate: []\nextra: 1\n", "l.yaml: line 2: field extra not found in type secrets.ledgerFile"},
	} {
		if _, problems := ParseLedger("l.yaml", []byte(tt.text)); len(problems) != 1 || problems[0] != tt.want {
			t.Errorf("%q: %v, want %s", tt.text, problems, tt.want)
		}
	}
}

// TestCheckRotation decrypts the version a leaver could read and the
// current one, and says the value has changed only when it has.
func TestCheckRotation(t *testing.T) {
	w := newSecretsWorld(t)
	enc := func(v string) []byte { return w.sender.Encrypt(v, w.keysOf("alice")) }
	then := fstest.MapFS{"a.gpg": {Data: enc("one\n")}, "b.gpg": {Data: enc("two\n")}, "gone.gpg": {Data: enc("three\n")}}
	now := fstest.MapFS{"a.gpg": {Data: enc("one\n")}, "b.gpg": {Data: enc("changed\n")}}
	commit := strings.Repeat("a", 40)
	entries := []outcome.RotationEntry{{File: "a.gpg", ReadableAt: commit}, {File: "b.gpg", ReadableAt: commit}, {File: "gone.gpg", ReadableAt: commit}, {File: "a.gpg", ReadableAt: strings.Repeat("b", 40)}}
	trees := func(c string) (fs.FS, error) {
		if c == commit {
			return then, nil
		}
		return nil, errors.New("no such commit")
	}
	dec := &fakeDecrypter{keys: openpgp.EntityList{w.keys["alice"].Entity}}
	var got []string
	for _, c := range CheckRotation(context.Background(), entries, now, trees, dec) {
		s := fmt.Sprintf("%s changed %v", c.Entry.File, c.Changed)
		if c.Err != nil {
			s += ": " + c.Err.Error()
		}
		got = append(got, s)
	}
	want := []string{
		"a.gpg changed false",
		"b.gpg changed true",
		"gone.gpg changed false: it is no longer in the repository: change the value where it is used, then take its entry out of the ledger in a reviewed pull request",
		"a.gpg changed false: the version its readers could read (commit bbbbbbbbbbbb) cannot be read: no such commit",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rotation (-want +got):\n%s", diff)
	}
	if dec.calls != 4 {
		t.Errorf("%d decryptions, want 4", dec.calls)
	}
}

// TestSealChecksItself: a message made by seal reads back with its own
// session key, and a message changed after it was made does not.
func TestSealChecksItself(t *testing.T) {
	keys := secretKeys(t)
	now := time.Now()
	r, err := NewRecipients([]*PublicKey{{Holder: "alice", Entity: keys["alice"].Entity}, {Holder: "bob", Entity: keys["bob"].Entity}}, now)
	if err != nil {
		t.Fatal(err)
	}
	s, err := r.seal([]byte("value"), false, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.check(s, false, 1<<20); err != nil {
		t.Fatal(err)
	}
	if err := r.check(s, true, 1<<20); err == nil || !strings.Contains(err.Error(), "names key ids") {
		t.Errorf("checked as hidden: %v", err)
	}
	tampered := *s
	tampered.message = bytes.Clone(s.message)
	tampered.message[len(tampered.message)-5] ^= 1
	if err := r.check(&tampered, false, 1<<20); err == nil {
		t.Error("a changed message checks")
	}
	other := *s
	other.sum[0] ^= 1
	if err := r.check(&other, false, 1<<20); err == nil || err.Error() != "the re-encrypted message decrypts to something else" {
		t.Errorf("another plaintext: %v", err)
	}
	// And the real gpg opens it.
	home := testgpg.New(t)
	home.Import(keys["bob"])
	if !home.Decrypts(s.message, "value") {
		t.Error("gpg does not decrypt the sealed message")
	}
}
