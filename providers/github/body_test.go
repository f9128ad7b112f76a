package github

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// TestReadBody: readBody gives what io.ReadAll of at most limit+1 bytes
// gives, whatever length the answer said it had.
func TestReadBody(t *testing.T) {
	const limit = 100
	body := strings.Repeat("0123456789", 5) // 50 bytes
	long := strings.Repeat("x", 150)
	for _, tt := range []struct {
		name string
		body string
		size int64
	}{
		{"length known", body, 50},
		{"length unknown", body, -1},
		{"said shorter", body, 10},
		{"said longer", body, 80},
		{"said nothing and empty", "", 0},
		{"empty, length unknown", "", -1},
		{"too large, said", long, 150},
		{"too large, said less", long, 90},
		{"too large, unknown", long, -1},
		{"exactly the limit", long[:limit], limit},
		{"one over the limit, said the limit", long[:limit+1], limit},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want, wantErr := io.ReadAll(io.LimitReader(strings.NewReader(tt.body), limit+1))
			// One byte a read, the hardest case for the loop.
			got, err := readBody(iotest.OneByteReader(strings.NewReader(tt.body)), tt.size, limit)
			if diff := cmp.Diff(string(got), string(want)); diff != "" || err != wantErr {
				t.Errorf("readBody = %q, %v; want %q, %v", got, err, want, wantErr)
			}
			if got == nil {
				t.Error("readBody gave nil, which io.ReadAll never does")
			}
		})
	}
	failed := errors.New("connection reset")
	if _, err := readBody(iotest.ErrReader(failed), 50, limit); !errors.Is(err, failed) {
		t.Errorf("a failed read gave %v; want %v", err, failed)
	}
	if _, err := readBody(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(failed)), -1, limit); !errors.Is(err, failed) {
		t.Errorf("a failed read of unknown length gave %v; want %v", err, failed)
	}
}

// decodeWithDecoder is how decodeOne decoded before: with a Decoder, and
// nothing after the value.
func decodeWithDecoder(data []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(out); err != nil {
		return errors.New("GitHub's answer is not valid JSON: " + err.Error())
	}
	if dec.InputOffset() != int64(len(data)) {
		return errors.New("GitHub's answer has more after its JSON value")
	}
	return nil
}

// TestDecodeOneAsDecoder: decodeOne accepts exactly what a Decoder
// accepts, into the same value, with the same message for what it
// refuses.
func TestDecodeOneAsDecoder(t *testing.T) {
	type member struct {
		Login string `json:"login"`
		ID    int64  `json:"id"`
	}
	for _, in := range []string{
		`[{"login":"a","id":1},{"login":"b","id":2,"site_admin":false}]`,
		`[]`,
		`[{"login":"a","id":1}] [{"login":"b"}]`,
		`[{"login":"a","id":1}]x`,
		`[{"login":"a","id":"one"}]`,
		`[{"login":"a","id":1},{"login":2,"id":2}]`,
		`[{"login":"a","id":1`,
		`[{"login":"a","id":1}]]`,
		`{"login":"a"}`,
		`[1e999]`,
		`[{"login":"\ud800","id":1}]`,
	} {
		var got, want []member
		gotErr, wantErr := decodeOne([]byte(in), &got), decodeWithDecoder([]byte(in), &want)
		if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Errorf("%s: error %v; want %v", in, gotErr, wantErr)
		}
		if wantErr == nil {
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("%s: decoded (-got +want):\n%s", in, diff)
			}
		}
	}
}

// TestReadBodyInMemory: a body try read whole is given as it is, once;
// one partly read gives the rest; and answers of unknown length, read
// through the kept buffers, never share memory with one another.
func TestReadBodyInMemory(t *testing.T) {
	data := []byte(`[{"login":"a","id":1}]`)
	mb := newMemBody(data)
	got, err := readBody(mb, int64(len(data)), 100)
	if err != nil || &got[0] != &data[0] {
		t.Errorf("an unread body in memory: %q, %v; want its own bytes, not a copy", got, err)
	}
	if rest, err := io.ReadAll(mb); err != nil || len(rest) != 0 {
		t.Errorf("the body after readBody took it: %q, %v; want nothing more", rest, err)
	}
	mb = newMemBody(data)
	if _, err := mb.Read(make([]byte, 3)); err != nil {
		t.Fatal(err)
	}
	if got, err := readBody(mb, -1, 100); err != nil || string(got) != string(data[3:]) {
		t.Errorf("a body read in part: %q, %v; want %q", got, err, data[3:])
	}
	if got, err := readBody(newMemBody(data), -1, 5); err != nil || string(got) != string(data[:6]) {
		t.Errorf("a body in memory over the limit: %q, %v; want its first limit+1 bytes", got, err)
	}
	first, err := readBody(strings.NewReader(strings.Repeat("a", 70<<10)), -1, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	second, err := readBody(strings.NewReader(strings.Repeat("b", 70<<10)), -1, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(first), "a") != 70<<10 || strings.Count(string(second), "b") != 70<<10 {
		t.Error("two answers of unknown length read one after another share memory")
	}
}
