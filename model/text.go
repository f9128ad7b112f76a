package model

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text that prodaccess reads from files anyone can propose (names,
// reasons, entries in target files, commit messages) ends up on terminals,
// in pull requests and in job summaries. This file holds the two rules
// that keep it from acting there: some characters are refused in what
// prodaccess reads, and everything it writes is escaped for where it goes.

// TerminalUnsafe reports whether r can change what a terminal or an editor
// shows rather than show itself: control characters other than tab and
// line feed (ESC, CR, DEL, the C1 set), the characters that change the
// direction of text (U+202E RIGHT-TO-LEFT OVERRIDE and its kin), and the
// line and paragraph separators.
func TerminalUnsafe(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case unicode.IsControl(r):
		return true
	case r == 0x061C, r == 0x200E, r == 0x200F, r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true // bidirectional formatting
	case r == 0x2028 || r == 0x2029:
		return true
	}
	return false
}

// hiddenRune reports whether r is invisible in text, and so can make two
// names that look the same differ: zero-width spaces and joiners, and the
// byte-order mark.
func hiddenRune(r rune) bool {
	return r >= 0x200B && r <= 0x200D || r == 0x2060 || r == 0xFEFF
}

// CheckFreeText returns a problem with a text value read from a file, or
// "" when it has none: a value is one line of visible text.
func CheckFreeText(s string) string {
	for i, r := range s {
		switch {
		case r == '\n' || r == '\r':
			return fmt.Sprintf("holds a line break (character %d); write the value on one line", utf8.RuneCountInString(s[:i])+1)
		case unicode.IsControl(r):
			return fmt.Sprintf("holds the control character U+%04X (character %d); only visible text is allowed", r, utf8.RuneCountInString(s[:i])+1)
		case TerminalUnsafe(r):
			return fmt.Sprintf("holds U+%04X (character %d), which changes how the text around it is shown; only visible text is allowed", r, utf8.RuneCountInString(s[:i])+1)
		case hiddenRune(r):
			return fmt.Sprintf("holds the invisible character U+%04X (character %d); only visible text is allowed", r, utf8.RuneCountInString(s[:i])+1)
		}
	}
	return ""
}

// Printable returns s with every character that TerminalUnsafe reports
// written as a \uXXXX escape, so that it shows rather than acts.
func Printable(s string) string {
	if strings.IndexFunc(s, TerminalUnsafe) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if TerminalUnsafe(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
