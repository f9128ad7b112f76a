package gitfile

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// lines is the format of a manual target's record: one identity a line
// (for the shipped systems, an email address), optionally followed by a
// comment after a blank and a #; lines that start with # are comments.
// Comment lines, blank lines and line ends stay as they are.
type lines struct{}

func (lines) scan(content []byte) (listing, error) {
	l := &lineList{content: content, at: len(content)}
	for start := 0; start < len(content); start = nextLine(content, start) {
		text := string(content[start:lineEnd(content, start)])
		body := strings.TrimLeft(text, " \t")
		if body == "" || body[0] == '#' {
			continue
		}
		token, rest, _ := strings.Cut(strings.ReplaceAll(body, "\t", " "), " ")
		if rest = strings.TrimLeft(rest, " \t"); rest != "" && rest[0] != '#' {
			return nil, fmt.Errorf("line %d: %q holds more than one identity; write one a line, and a comment after a #", lineNumber(content, start), strings.TrimSpace(text))
		}
		if err := checkIdentity(token); err != nil {
			return nil, fmt.Errorf("line %d: %v", lineNumber(content, start), err)
		}
		label := strings.TrimSpace(strings.TrimPrefix(rest, "#"))
		at := start + len(text) - len(body)
		l.list = append(l.list, item{Entry: outcome.Entry{Subject: token, Label: label}, start: at, end: at + len(token)})
	}
	var style *labelStyle
	l.line = func(anchor *item, c outcome.Change) (string, error) {
		if err := checkIdentity(c.Subject); err != nil {
			return "", err
		}
		if err := checkLabel(c.Name); err != nil {
			return "", err
		}
		if style == nil {
			style = fileLabelStyle(content, l.list, false)
		}
		line := c.Subject
		if anchor != nil {
			line = string(content[lineStart(content, anchor.start):anchor.start]) + line
		}
		if style.sep != "" && c.Name != "" {
			line += style.sep + c.Name
		}
		return line, nil
	}
	return l, nil
}

// checkIdentity refuses what cannot be an entry of a lines file, or would
// be read back as something else: text with blanks, a # (which starts a
// comment), or characters that are invisible or act on a terminal.
func checkIdentity(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%q is not valid UTF-8", s)
	}
	for _, r := range s {
		if r == '#' || unicode.IsSpace(r) || model.TerminalUnsafe(r) || !unicode.IsGraphic(r) || unicode.Is(unicode.Cf, r) {
			return fmt.Errorf("%q holds %q, which an identity in a record may not hold; prodaccess will not guess what it means", s, r)
		}
	}
	if s == "" {
		return fmt.Errorf("an empty identity")
	}
	return nil
}
