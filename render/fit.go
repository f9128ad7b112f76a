package render

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/prodaccess/prodaccess/outcome"
)

// MaxBodyChars is the most characters GitHub takes in the body of a pull
// request, an issue or a comment; it refuses a longer one with 422 ("body
// is too long"). It counts Unicode code points, as Ruby's String#length
// does: 65,536 € pass, 65,537 é do not.
const MaxBodyChars = 65536

// BodyFits reports whether GitHub takes body whole.
func BodyFits(body string) bool {
	return len(body) <= MaxBodyChars || utf8.RuneCountInString(body) <= MaxBodyChars
}

// FitBody returns body when GitHub takes it whole, and otherwise a body
// of at most MaxBodyChars characters that says first what the whole holds
// and where it is: the HTML comment that marks the body as prodaccess's,
// if it starts with one, stays first; then summary; then a note that the
// text is cut, with pointer, which says where the whole is; then as many
// whole lines of body as fit (a code block left open is closed), and how
// many lines were left out. summary and pointer are markdown.
func FitBody(body, summary, pointer string) string {
	if BodyFits(body) {
		return body
	}
	marker, rest := "", body
	if strings.HasPrefix(body, "<!--") {
		if end := strings.Index(body, "-->"); end >= 0 {
			marker, rest = body[:end+3]+"\n", strings.TrimPrefix(body[end+3:], "\n")
		}
	}
	head := marker + strings.TrimSpace(summary) + "\n\n> **This description is cut to fit GitHub's limit of 65,536 characters.** " +
		strings.TrimSpace(pointer) + "\n\n"
	lines := strings.SplitAfter(rest, "\n")
	tail := func(left int) string {
		return fmt.Sprintf("\n*… and %s more, in the whole description.*\n", plural(left, "line", "lines"))
	}
	// Room for the longest tail there can be, and a fence to close a
	// code block.
	budget := MaxBodyChars - utf8.RuneCountInString(head) - utf8.RuneCountInString(tail(len(lines))) - len("```\n")
	var b strings.Builder
	b.WriteString(head)
	used, kept, fenced := 0, 0, false
	for _, l := range lines {
		n := utf8.RuneCountInString(l)
		if used+n > budget {
			break
		}
		b.WriteString(l)
		used += n
		kept++
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fenced = !fenced
		}
	}
	if kept > 0 && !strings.HasSuffix(b.String(), "\n") {
		b.WriteString("\n")
	}
	if fenced {
		b.WriteString("```\n")
	}
	b.WriteString(tail(len(lines) - kept))
	out := b.String()
	if !BodyFits(out) {
		// Only a summary or pointer longer than the limit comes here.
		out = string([]rune(out)[:MaxBodyChars])
	}
	return out
}

// ChangesSummary says in one line what changes a pull request makes, by
// target: "500 changes: hieradata: 250 additions; ssh: 250 additions",
// with removal and addition naming the kinds of change.
func ChangesSummary(changes []outcome.Change, removal, addition string) string {
	var order []string
	by := map[string][]outcome.Change{}
	for _, c := range changes {
		if by[c.Target] == nil {
			order = append(order, c.Target)
		}
		by[c.Target] = append(by[c.Target], c)
	}
	parts := make([]string, len(order))
	for i, t := range order {
		parts[i] = mdText(t) + ": " + countChanges(by[t], removal, addition)
	}
	return plural(len(changes), "change", "changes") + " (" + strings.Join(parts, "; ") + ")"
}
