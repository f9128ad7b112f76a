package render

import (
	"strings"
	"unicode"

	"github.com/prodaccess/prodaccess/model"
)

// mdText makes text safe to put anywhere in a line of markdown, including
// a table cell and the start of a list item: nothing in it can start a
// heading, a list, a link, an image, emphasis, a code span, a table cell,
// an HTML tag or entity, or an @mention, and line breaks become spaces.
// It renders as the text itself.
func mdText(s string) string {
	var b strings.Builder
	start := true // at the start of the value: list and heading markers matter
	digits := false
	prevWord := false
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			r = ' '
		case model.TerminalUnsafe(r):
			b.WriteString(model.EscapeRune(r))
			start, digits, prevWord = false, false, true
			continue
		}
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\\', '`', '*', '_', '~', '[', ']', '|', '#':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '-', '+', '=':
			if start {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		case '.', ')':
			if digits {
				b.WriteByte('\\') // "1." or "1)" would start a numbered list
			}
			b.WriteRune(r)
		case '@':
			b.WriteRune(r)
			if !prevWord {
				b.WriteRune(0x200B) // a zero-width space: no @mention
			}
		default:
			b.WriteRune(r)
		}
		digits = (start || digits) && r >= '0' && r <= '9'
		start = start && r == ' '
		prevWord = unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '.' || r == '-'
	}
	return b.String()
}

// mdCode writes s as a markdown code span when that shows it exactly, in
// a table cell or out of one, and as escaped text otherwise.
func mdCode(s string) string {
	if s == "" || strings.ContainsAny(s, "`|\n\r") || strings.IndexFunc(s, model.TerminalUnsafe) >= 0 || strings.TrimSpace(s) != s {
		return mdText(s)
	}
	return "`" + s + "`"
}
