package render

import (
	"bytes"
	"encoding/json"
	"testing"
)

// indentSeeds are compact JSON values json.Marshal writes, with the
// punctuation inside strings that indentJSON must copy as it is.
var indentSeeds = []string{
	`{}`, `[]`, `""`, `0`, `null`, `true`,
	`{"a":[]}`, `{"a":{}}`, `[[],{},[{}],{"b":[]}]`,
	`{"people":[{"id":"alex-lee","level":"permanent","why":["a shift, then: \"primary\" {x} [y], z"]}]}`,
	`["\\", "\\\\\"", "a\"b", "\u003ctag\u003e", "\u2028", "é", ":", ",", "{", "}", "[", "]"]`,
	`{"n":-1.5e+10,"m":{"k":[1,2,[3,[4]]]}}`,
}

// TestIndentJSON: indentJSON writes what json.Indent writes, for the
// seeds and for what WriteJSON is given, and WriteJSON writes what an
// indenting json.Encoder does.
func TestIndentJSON(t *testing.T) {
	for _, seed := range indentSeeds {
		var compact bytes.Buffer
		if err := json.Compact(&compact, []byte(seed)); err != nil {
			t.Fatalf("%s: %v", seed, err)
		}
		sameAsIndent(t, compact.Bytes())
	}
	values := []any{
		WhoJSON{People: []WhoJSONRow{}},
		map[string]any{"a": []any{}, "b": map[string]any{}, "c": "<&>", "d": []any{map[string]any{"e": nil}}},
		[]string{"quote \" and backslash \\", "line\nbreak"},
	}
	for _, v := range values {
		var got, want bytes.Buffer
		if err := WriteJSON(&got, v); err != nil {
			t.Fatal(err)
		}
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("WriteJSON(%#v):\n%s\nan indenting json.Encoder:\n%s", v, got.String(), want.String())
		}
	}
}

// sameAsIndent fails the test if indentJSON and json.Indent differ on
// compact, with the newline json.Encoder ends it with.
func sameAsIndent(t *testing.T, compact []byte) {
	t.Helper()
	src := append(bytes.Clone(compact), '\n')
	var want bytes.Buffer
	if err := json.Indent(&want, src, "", "  "); err != nil {
		t.Fatalf("%s: %v", compact, err)
	}
	if got := indentJSON(nil, src); string(got) != want.String() {
		t.Errorf("indentJSON(%s):\n%s\njson.Indent:\n%s", compact, got, want.String())
	}
}

// FuzzIndentJSON: `go test ./render -fuzz FuzzIndentJSON`.
func FuzzIndentJSON(f *testing.F) {
	for _, seed := range indentSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var compact bytes.Buffer
		if json.Compact(&compact, data) != nil {
			return
		}
		sameAsIndent(t, compact.Bytes())
	})
}
