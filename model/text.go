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
// prodaccess reads (CheckFreeText), and everything it writes shows them
// escaped (TerminalUnsafe, Printable).

// TerminalUnsafe reports whether r can change what a terminal, an editor
// or a web page shows rather than show itself, or shows as nothing at all:
// control characters other than tab and line feed (ESC, CR, DEL, the C1
// set), the line and paragraph separators, and every Hidden character
// (among them the characters that change the direction of text, such as
// U+202E RIGHT-TO-LEFT OVERRIDE).
func TerminalUnsafe(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case unicode.IsControl(r):
		return true
	case r == 0x2028 || r == 0x2029:
		return true
	}
	return Hidden(r)
}

// Hidden reports whether r shows as nothing, or changes how the text
// around it is shown, and so can make two names that look the same
// differ, or one text look like another: every Default_Ignorable_Code_Point
// of Unicode (zero-width spaces and joiners, the soft hyphen, the byte
// order mark, the tag characters U+E0000 to U+E0FFF, the variation
// selectors, the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0, the
// Mongolian vowel separator), and every other format character (Cf),
// which include the characters that change the direction of text.
// Variation selectors are refused even after an emoji: prodaccess has no
// use for them, and one rule for every text is easier to trust.
func Hidden(r rune) bool {
	return unicode.In(r, unicode.Other_Default_Ignorable_Code_Point, unicode.Cf, unicode.Variation_Selector)
}

// bidiControl reports whether r changes the direction of the text around
// it.
func bidiControl(r rune) bool {
	return r == 0x061C || r == 0x200E || r == 0x200F || r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069
}

// CheckFreeText returns a problem with a text value read from a file, a
// flag or a branch name, or "" when it has none: a value is one line of
// visible text. The problem names the first character refused, as U+XXXX,
// and its position (counted in characters from 1).
func CheckFreeText(s string) string {
	// Printable ASCII holds none of the characters refused below (a test
	// asks each of them), and is nearly every value of every file: it is
	// let through a byte at a time.
	if printableASCIIOnly(s) {
		return ""
	}
	return checkFreeTextRunes(s)
}

// printableASCIIOnly reports whether s is all characters from space to ~.
func printableASCIIOnly(s string) bool {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// checkFreeTextRunes is CheckFreeText asking of every character.
func checkFreeTextRunes(s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8; only visible text is allowed"
	}
	n := 0
	for _, r := range s {
		n++
		switch {
		case r == '\n' || r == '\r':
			return fmt.Sprintf("holds a line break (character %d); write the value on one line", n)
		case unicode.IsControl(r):
			return fmt.Sprintf("holds the control character U+%04X (character %d); only visible text is allowed", r, n)
		case bidiControl(r) || r == 0x2028 || r == 0x2029:
			return fmt.Sprintf("holds U+%04X (character %d), which changes how the text around it is shown; only visible text is allowed", r, n)
		case Hidden(r):
			return fmt.Sprintf("holds the invisible character U+%04X (character %d); only visible text is allowed", r, n)
		}
	}
	return ""
}

// PrintableASCII reports whether text is all ASCII that TerminalUnsafe
// lets through (the printable characters, tab and line feed), which
// Printable leaves as it is: a byte at a time, much faster than asking
// TerminalUnsafe of every character, for output of megabytes.
func PrintableASCII[T string | []byte](text T) bool {
	for i := range len(text) {
		if c := text[i]; (c < 0x20 || c > 0x7e) && c != '\n' && c != '\t' {
			return false
		}
	}
	return true
}

// Printable returns s with every character that TerminalUnsafe reports
// written as a \uXXXX escape, so that it shows rather than acts; a
// character beyond U+FFFF is written as its two UTF-16 halves
// (\udb40\udc41), so that in JSON the escape is the same string.
func Printable(s string) string {
	if PrintableASCII(s) || strings.IndexFunc(s, TerminalUnsafe) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if TerminalUnsafe(r) {
			b.WriteString(EscapeRune(r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// EscapeRune writes r as a JSON-style escape: \uXXXX, or for a character
// beyond U+FFFF its two UTF-16 halves.
func EscapeRune(r rune) string {
	if r <= 0xFFFF {
		return fmt.Sprintf("\\u%04x", r)
	}
	r -= 0x10000
	return fmt.Sprintf("\\u%04x\\u%04x", 0xD800+(r>>10), 0xDC00+(r&0x3FF))
}

// ShortSHA is a commit id as people read it: its first twelve digits.
func ShortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
