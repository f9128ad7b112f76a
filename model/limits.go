package model

import (
	"fmt"
	"unicode/utf8"
)

// The longest values prodaccess takes, counted in characters (Unicode
// code points), from person files, the configuration and the command
// line. A longer value is refused with an error that gives its length,
// and never printed back. docs/person-files.md and
// docs/requesting-access.md list them.
const (
	// MaxTextLength bounds any text value of a person file or of the
	// configuration, and any flag, that has no lower limit of its own.
	MaxTextLength = 1000
	// MaxNameLength bounds a person's name.
	MaxNameLength = 200
	// MaxEmailLength bounds an email address (RFC 5321's 254).
	MaxEmailLength = 254
	// MaxReasonLength bounds the reason of a temporary_access entry.
	MaxReasonLength = 500
)

// CheckLength returns a problem when s holds more than max characters,
// or "" when it does not. The problem gives the length, not the value.
func CheckLength(s string, max int) string {
	if len(s) <= max {
		return "" // at most max bytes: at most max characters
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Sprintf("is %d characters long; at most %d are allowed", n, max)
	}
	return ""
}
