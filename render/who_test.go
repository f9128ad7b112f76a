package render

import (
	"bytes"
	"testing"

	"github.com/prodaccess/prodaccess/internal/example"
)

// TestReportsGolden renders who (text and JSON) and explain for every
// example person on the demo day and compares them with testdata/golden.
// Run with -update to rewrite them, then review the diff.
func TestReportsGolden(t *testing.T) {
	cfg, r := example.Roster(t)
	d := day(example.Day)
	decisions := r.Evaluate(d)

	var text, js bytes.Buffer
	if err := WriteWho(&text, d, cfg.Timezone, decisions); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&js, NewWhoJSON(d, decisions)); err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/golden/who.txt", text.Bytes())
	golden(t, "testdata/golden/who.json", js.Bytes())
	for _, dc := range decisions {
		var b bytes.Buffer
		if err := WriteExplanation(&b, dc); err != nil {
			t.Fatal(err)
		}
		golden(t, "testdata/golden/explain/"+dc.Person.ID+".txt", b.Bytes())
	}
}
