package render

import (
	"fmt"
	"io"
	"strings"
)

// contextLines is how many unchanged lines a diff shows around a change.
const contextLines = 3

// WriteDiff writes the change from a to b of the file name as a unified
// diff, as git diff would show it. The commands that write person files
// change one run of lines, so the lines that differ are those between
// the longest common start and the longest common end.
func WriteDiff(w io.Writer, name string, a, b []byte) {
	if string(a) == string(b) {
		return
	}
	x, y := splitLines(a), splitLines(b)
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	from := max(pre-contextLines, 0)
	toX, toY := min(len(x)-suf+contextLines, len(x)), min(len(y)-suf+contextLines, len(y))
	if a == nil {
		fmt.Fprintf(w, "--- /dev/null\n")
	} else {
		fmt.Fprintf(w, "--- a/%s\n", name)
	}
	fmt.Fprintf(w, "+++ b/%s\n", name)
	fmt.Fprintf(w, "@@ -%s +%s @@\n", hunkRange(from, toX-from), hunkRange(from, toY-from))
	line := func(prefix, l string) {
		fmt.Fprintf(w, "%s%s", prefix, l)
		if !strings.HasSuffix(l, "\n") {
			fmt.Fprintf(w, "\n\\ No newline at end of file\n")
		}
	}
	for _, l := range x[from:pre] {
		line(" ", l)
	}
	for _, l := range x[pre : len(x)-suf] {
		line("-", l)
	}
	for _, l := range y[pre : len(y)-suf] {
		line("+", l)
	}
	for _, l := range x[len(x)-suf : toX] {
		line(" ", l)
	}
}

// hunkRange writes where a hunk starts and how many lines it has, as
// unified diffs do: a hunk of no lines names the line before it.
func hunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprint(start + 1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// splitLines splits text into lines that keep their line endings.
func splitLines(b []byte) []string {
	lines := strings.SplitAfter(string(b), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}
