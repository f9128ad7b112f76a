package gitfile

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// recipients is the gpg-recipients format of hiera-eyaml-gpg: one
// fingerprint a line, usually with "# Name" after it, between comment
// lines and blank lines.
type recipients struct{}

func (recipients) scan(content []byte) (listing, error) {
	return scanFingerprints(content, true)
}

// gpgID is the gpg-id format of pass's .gpg-id. pass cuts each line at the
// first #, so comment lines and "FINGERPRINT # Alice" lines are as valid
// as bare fingerprints.
type gpgID struct{}

func (gpgID) scan(content []byte) (listing, error) {
	l, err := scanFingerprints(content, false)
	if err != nil {
		return nil, err
	}
	// pass reads .gpg-id with "while read -r", which skips a last line
	// that has no line end: the file and pass would disagree about who
	// can read new secrets.
	if items := l.items(); len(items) > 0 {
		last := items[len(items)-1]
		if nextLine(content, last.end) == len(content) && content[len(content)-1] != '\n' {
			return nil, fmt.Errorf("line %d: the file does not end with a line feed, and pass ignores a last line without one; end the file with a line feed", lineNumber(content, last.start))
		}
	}
	return l, nil
}

// scanFingerprints reads a file of fingerprint lines. On each line, what
// comes before the first # (without the blanks around it) is the entry,
// the rest is its comment.
func scanFingerprints(content []byte, alwaysComment bool) (*lineList, error) {
	l := &lineList{content: content, at: len(content)}
	for start := 0; start < len(content); start = nextLine(content, start) {
		text := string(content[start:lineEnd(content, start)])
		body, comment, _ := strings.Cut(text, "#")
		token := strings.Trim(body, " \t")
		if token == "" {
			continue
		}
		fp, err := readFingerprint(token)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v; prodaccess only manages full fingerprints and will not guess", lineNumber(content, start), err)
		}
		at := start + strings.Index(body, token)
		l.list = append(l.list, item{Entry: outcome.Entry{Subject: fp, Label: strings.TrimSpace(comment)}, start: at, end: at + len(token)})
	}
	var style *labelStyle
	l.line = func(anchor *item, c outcome.Change) (string, error) {
		if style == nil {
			style = fileLabelStyle(content, l.list, alwaysComment)
		}
		return fingerprintLine(content, anchor, c, *style)
	}
	return l, nil
}

// labelStyle is how a new entry's comment is written: sep is what goes
// between the fingerprint and the name ("" for no comment).
type labelStyle struct {
	sep       string
	withEmail bool
}

// fileLabelStyle reads how the file writes comments. In a recipients
// file a new entry gets "# Name <email>"; in a .gpg-id, "# Name" when its
// entries carry comments, with the email when one of them holds one. The
// comment starts as the last commented entry's does (" # " when none has
// one).
func fileLabelStyle(content []byte, entries []item, alwaysComment bool) *labelStyle {
	s := &labelStyle{withEmail: alwaysComment}
	for _, e := range entries {
		rest := string(content[e.end:lineEnd(content, e.end)])
		if blanks, comment, ok := strings.Cut(rest, "#"); ok && strings.TrimSpace(comment) != "" {
			s.sep = blanks + "#" + comment[:len(comment)-len(strings.TrimLeft(comment, " \t"))]
		}
		s.withEmail = s.withEmail || strings.Contains(e.Label, "@")
	}
	if s.sep == "" && alwaysComment {
		s.sep = " # "
	}
	return s
}

// spacedFingerprint is a fingerprint as gpg prints it: ten groups of four
// digits, one space between groups and two after the fifth. gpg reads it
// with one space there too, but not with tabs or other spacing.
var spacedFingerprint = regexp.MustCompile(`^[0-9A-Fa-f]{4}( [0-9A-Fa-f]{4}){4} {1,2}[0-9A-Fa-f]{4}( [0-9A-Fa-f]{4}){4}$`)

// readFingerprint reads a fingerprint written in one of the ways gpg reads
// one (checked with gpg 2.2): 40 hex digits in either case, optionally
// after 0x, or spaced as gpg prints them. Anything else is refused rather
// than read another way than gpg, hiera-eyaml-gpg and pass read it.
func readFingerprint(s string) (string, error) {
	hex, prefixed := strings.CutPrefix(s, "0x")
	switch {
	case !strings.ContainsAny(s, " \t"):
		return model.NormalizeFingerprint(hex)
	case prefixed:
		return "", fmt.Errorf("%q is not a fingerprint gpg reads: it reads 0x only before the 40 digits written together", s)
	case spacedFingerprint.MatchString(s):
		return model.NormalizeFingerprint(s)
	}
	if _, err := model.NormalizeFingerprint(strings.ReplaceAll(s, "\t", " ")); err != nil {
		return "", err
	}
	return "", fmt.Errorf("%q is spaced in a way gpg does not read as a fingerprint; gpg reads the 40 digits written together, or in ten groups of four separated by single spaces", s)
}

// fingerprintLine writes the line for a new entry as the file's entries
// are written: the last entry gives the indentation and the spelling of
// the fingerprint (grouping, case, 0x); the comment is as style says.
func fingerprintLine(content []byte, anchor *item, c outcome.Change, style labelStyle) (string, error) {
	fp, err := model.NormalizeFingerprint(c.Subject)
	if err != nil {
		return "", err
	}
	if err := checkLabel(c.Name + c.Email); err != nil {
		return "", err
	}
	line := fp
	if anchor != nil {
		line = string(content[lineStart(content, anchor.start):anchor.start]) + respell(string(content[anchor.start:anchor.end]), fp)
	}
	if label := personLabel(c, style.withEmail); style.sep != "" && label != "" {
		line += style.sep + label
	}
	return line, nil
}

// personLabel is the name for a comment, with the email in angle brackets
// when withEmail (or when there is no name).
func personLabel(c outcome.Change, withEmail bool) string {
	switch {
	case c.Email == "":
		return c.Name
	case c.Name == "":
		return "<" + c.Email + ">"
	case withEmail:
		return c.Name + " <" + c.Email + ">"
	}
	return c.Name
}

// respell writes fingerprint fp the way written is spelled: its 0x, its
// spaces, lower case when its letters are.
func respell(written, fp string) string {
	var b strings.Builder
	if rest, ok := strings.CutPrefix(written, "0x"); ok {
		b.WriteString("0x")
		written = rest
	}
	lower := strings.ContainsAny(written, "abcdef") && !strings.ContainsAny(written, "ABCDEF")
	i := 0
	for _, r := range written {
		if r == ' ' || i >= len(fp) {
			b.WriteRune(r)
			continue
		}
		d := fp[i]
		if lower && d >= 'A' && d <= 'F' {
			d += 'a' - 'A'
		}
		b.WriteByte(d)
		i++
	}
	return b.String()
}
