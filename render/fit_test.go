package render

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// longBody is a pull request body of a first adoption: a marker, a table
// of n changes with names of wide characters, and a code block.
func longBody(n int) string {
	var b strings.Builder
	b.WriteString("<!-- prodaccess:test -->\nprodaccess opened this pull request.\n\n```\nkept as it is\n```\n\n| target | change | entry | person |\n|---|---|---|---|\n")
	for i := range n {
		fmt.Fprintf(&b, "| hieradata | add | `%040X` | person-%03d (Zoë Ångström-Ñúñez €€€ %d) |\n", i, i, i)
	}
	b.WriteString("\nprodaccess updates this pull request in place.\n")
	return b.String()
}

// TestFitBodyGolden: a body that fits is sent as it is; one that does not
// is cut to GitHub's limit (counted in code points, as GitHub counts), its
// marker first, then the summary and the pointer, then whole lines, then
// how many were left out.
func TestFitBodyGolden(t *testing.T) {
	const summary, pointer = "This pull request adds 1,200 entries to hieradata.", "The whole description is in `.prodaccess/sync.md` on the branch `prodaccess/sync`."
	fits := longBody(3)
	if got := FitBody(fits, summary, pointer); got != fits {
		t.Errorf("a body that fits was changed:\n%s", got)
	}
	golden(t, filepath.Join("testdata", "golden", "fit", "fits.md"), []byte(FitBody(fits, summary, pointer)))

	long := longBody(1200)
	if BodyFits(long) {
		t.Fatalf("the long body fits: %d characters", utf8.RuneCountInString(long))
	}
	cut := FitBody(long, summary, pointer)
	if n := utf8.RuneCountInString(cut); n > MaxBodyChars || n < MaxBodyChars-200 {
		t.Errorf("the cut body has %d characters; want at most %d, and not much less", n, MaxBodyChars)
	}
	if len(cut) <= MaxBodyChars {
		t.Errorf("the test's body is not wider in bytes than in characters: %d bytes", len(cut))
	}
	if !strings.HasPrefix(cut, "<!-- prodaccess:test -->\n"+summary+"\n\n> **This description is cut") {
		t.Errorf("the cut body does not start with the marker and the summary:\n%.300s", cut)
	}
	// The golden holds the start and the end; the middle is whole lines
	// of the body.
	lines := strings.Split(cut, "\n")
	for _, l := range lines[12 : len(lines)-4] {
		if !strings.Contains(long, l+"\n") {
			t.Fatalf("a line of the cut body is not a whole line of the body: %q", l)
		}
	}
	shown := strings.Join(lines[:14], "\n") + "\n[...]\n" + strings.Join(lines[len(lines)-5:], "\n")
	golden(t, filepath.Join("testdata", "golden", "fit", "cut.md"), []byte(shown))

	// A code block open where the body is cut is closed.
	fenced := "```\n" + strings.Repeat("x\n", MaxBodyChars)
	if got := FitBody(fenced, "s", "p"); !strings.Contains(got, "x\n```\n\n*… and ") || utf8.RuneCountInString(got) > MaxBodyChars {
		t.Errorf("an open code block: %q", got[len(got)-80:])
	}
}
