package render

import (
	"strings"
	"unicode"

	"github.com/prodaccess/prodaccess/model"
)

// mdText makes text safe to put anywhere in a line of markdown, including
// a table cell and the start of a list item: nothing in it can start a
// heading, a list, a link, an image, emphasis, a code span, a table cell,
// an HTML tag or entity, an @mention or an automatic link, and line
// breaks become spaces. It renders as the text itself.
//
// GitHub links an @ followed by a login (and a team, @org/team) after
// many characters, punctuation among them (.@acme/admins, x-@lead), and
// turns http://, https:// and www. into links, and name@host into a mail
// link, without any markup. So every @ followed by a character a login
// may start with gets a zero-width space after it, and so do http, https
// and www before their ":" or ".": the text reads the same and acts as
// none of these.
func mdText(s string) string { return mdEscape(s, false) }

// mdOwnText is mdText for text prodaccess composes from what it knows
// itself, not from files: the addresses of pull requests GitHub gave it
// stay links. @mentions are inert all the same.
func mdOwnText(s string) string { return mdEscape(s, true) }

// mdEscape is mdText, leaving http and https links whole with keepLinks.
func mdEscape(s string, keepLinks bool) string {
	var b strings.Builder
	start := true // at the start of the value: list and heading markers matter
	digits := false
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			r = ' '
		case model.TerminalUnsafe(r):
			b.WriteString(model.EscapeRune(r))
			start, digits = false, false
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
			if i+1 < len(rs) && loginRune(rs[i+1]) {
				b.WriteRune(zeroWidthSpace) // no @mention, no mail link
			}
		default:
			b.WriteRune(r)
			if !keepLinks && autolinkAhead(rs, i) {
				b.WriteRune(zeroWidthSpace)
			}
		}
		digits = (start || digits) && r >= '0' && r <= '9'
		start = start && r == ' '
	}
	return b.String()
}

// zeroWidthSpace breaks a mention or a link without changing how the text
// reads.
const zeroWidthSpace = 0x200B

// loginRune reports whether r may follow an @ in something GitHub links:
// a login or an organisation (letters, digits and hyphens), and, to be
// safe, any letter, digit or underscore.
func loginRune(r rune) bool {
	return r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// autolinkAhead reports whether rs[i] ends the scheme of an http or https
// link (the next characters are "://"), or "www" before a dot: GitHub
// links both without any markup.
func autolinkAhead(rs []rune, i int) bool {
	word := func(w string) bool {
		n := len([]rune(w))
		return i+1 >= n && strings.EqualFold(string(rs[i+1-n:i+1]), w)
	}
	rest := string(rs[i+1:])
	switch {
	case (word("http") || word("https")) && strings.HasPrefix(rest, "://"):
		return true
	case word("www") && strings.HasPrefix(rest, "."):
		return true
	}
	return false
}

// mdCode writes s as a markdown code span when that shows it exactly, in
// a table cell or out of one, and as escaped text otherwise.
func mdCode(s string) string {
	if s == "" || strings.ContainsAny(s, "`|\n\r") || strings.IndexFunc(s, model.TerminalUnsafe) >= 0 || strings.TrimSpace(s) != s {
		return mdText(s)
	}
	return "`" + s + "`"
}
