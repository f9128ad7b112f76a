package render

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestShellCommand(t *testing.T) {
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{[]string{"prodaccess", "shift", "dan", "--from", "2027-02-01"}, "prodaccess shift dan --from 2027-02-01"},
		{[]string{"prodaccess", "grant", "chris", "--reason", "Search migration: phase 2"}, "prodaccess grant chris --reason 'Search migration: phase 2'"},
		{[]string{"x", "it's", ""}, `x 'it'\''s' ''`},
		{[]string{"x", "$HOME", "a;b", "*", "~", "!x", "a\nb"}, "x '$HOME' 'a;b' '*' '~' '!x' 'a\nb'"},
		{[]string{"--name", "Zoë Ω"}, "--name 'Zoë Ω'"},
	} {
		if diff := cmp.Diff(ShellCommand(tc.words...), tc.want); diff != "" {
			t.Errorf("%q (-got +want):\n%s", tc.words, diff)
		}
	}
}

// TestShellCommandRoundTrip: a shell given the line gets the words back.
func TestShellCommandRoundTrip(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	words := []string{"a b", "it's", "", "$HOME", "`id`", `\`, `"q"`, "a\nb", "*", "Zoë"}
	out, err := exec.Command(sh, "-c", "set -- "+ShellCommand(words...)+`; for w in "$@"; do printf '%s\0' "$w"; done`).Output()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if diff := cmp.Diff(got, words); diff != "" {
		t.Errorf("words back from sh (-got +want):\n%s", diff)
	}
}
