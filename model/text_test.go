package model

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPrintable(t *testing.T) {
	got := []string{
		Printable("plain\ttext\n"),
		Printable("\x1b[2J\rclear"),
		Printable("abc\u202edef\u2066"),
		Printable("del\x7f c1\u0085"),
	}
	want := []string{"plain\ttext\n", `\u001b[2J\u000dclear`, `abc\u202edef\u2066`, `del\u007f c1\u0085`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Printable (-want +got):\n%s", diff)
	}
}
