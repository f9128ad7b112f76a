package gitfile

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// format is one kind of list file. Reading and editing both go through
// scan, which finds every entry and the bytes that are it: so whatever
// prodaccess reads as an entry, it can also remove, and an edit touches
// only the entries' own lines.
type format interface {
	scan(content []byte) (listing, error)
}

// listing is a list file as read: its entries in file order, where each
// is written, and how to change them.
type listing interface {
	items() []item
	// edits returns the byte changes that remove the items for which
	// remove is true and add the additions after the last item, written
	// as the file's other entries are written.
	edits(remove func(item) bool, add []outcome.Change) ([]edit, error)
}

// item is one entry and where it is written: content[start:end] is the
// entry itself (the fingerprint, or the string with its quotes), without
// its line's indentation, separator or comment.
type item struct {
	outcome.Entry
	start, end int
}

// edit replaces content[start:end] with text.
type edit struct {
	start, end int
	text       string
}

func formatFor(t *config.Target) (format, error) {
	switch t.Format {
	case config.GPGRecipients:
		return recipients{}, nil
	case config.GPGID:
		return gpgID{}, nil
	case config.YAMLList:
		return yamlList{key: t.Key}, nil
	case config.TFVarsList:
		return tfvarsList{name: t.Key, file: t.Path}, nil
	case config.Lines:
		return lines{}, nil
	}
	return nil, fmt.Errorf("target %s: unknown format %q", t.Name, t.Format)
}

// readEntries reads the entries of a file.
func readEntries(f format, content []byte) ([]outcome.Entry, error) {
	l, err := f.scan(content)
	if err != nil {
		return nil, err
	}
	var out []outcome.Entry
	for _, it := range l.items() {
		out = append(out, it.Entry)
	}
	return out, nil
}

// rewrite applies the changes for target t to content and checks the
// result by reading it back: the file must now hold exactly the entries
// intended, or nothing is written.
func rewrite(t *config.Target, content []byte, changes []outcome.Change) ([]byte, error) {
	f, err := formatFor(t)
	if err != nil {
		return nil, err
	}
	l, err := f.scan(content)
	if err != nil {
		return nil, err
	}
	remove := map[string]bool{}
	var add []outcome.Change
	for _, c := range changes {
		if c.Action == outcome.Remove {
			remove[t.SubjectKey(c.Subject)] = true
		} else {
			add = append(add, c)
		}
	}
	edits, err := l.edits(func(it item) bool { return remove[t.SubjectKey(it.Subject)] }, add)
	if err != nil {
		return nil, err
	}
	out, err := applyEdits(content, edits)
	if err != nil {
		return nil, err
	}
	var want []string
	for _, it := range l.items() {
		if !remove[t.SubjectKey(it.Subject)] {
			want = append(want, t.SubjectKey(it.Subject))
		}
	}
	for _, c := range add {
		want = append(want, t.SubjectKey(c.Subject))
	}
	after, err := readEntries(f, out)
	if err != nil {
		return nil, fmt.Errorf("%s: the rewritten file does not read back: %w", t.Path, err)
	}
	var got []string
	for _, e := range after {
		got = append(got, t.SubjectKey(e.Subject))
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		return nil, fmt.Errorf("%s: the rewritten file holds %v, not the intended %v; nothing was written", t.Path, got, want)
	}
	return out, nil
}

// applyEdits makes the edits, which must not overlap; an insertion
// (start == end) at the same place as a deletion goes before it.
func applyEdits(content []byte, edits []edit) ([]byte, error) {
	edits = slices.Clone(edits)
	sort.SliceStable(edits, func(i, j int) bool {
		if edits[i].start != edits[j].start {
			return edits[i].start < edits[j].start
		}
		return edits[i].end < edits[j].end
	})
	var out []byte
	at := 0
	for _, e := range edits {
		if e.start < at || e.end < e.start || e.end > len(content) {
			return nil, fmt.Errorf("internal error: edits at %d-%d overlap or leave the file", e.start, e.end)
		}
		out = append(out, content[at:e.start]...)
		out = append(out, e.text...)
		at = e.end
	}
	return append(out, content[at:]...), nil
}

// lineStart is the offset of the start of the line holding pos.
func lineStart(content []byte, pos int) int {
	for pos > 0 && content[pos-1] != '\n' {
		pos--
	}
	return pos
}

// lineEnd is the offset of the line end (\r\n or \n) of the line holding
// pos, or the end of the file when the line has none.
func lineEnd(content []byte, pos int) int {
	for pos < len(content) && content[pos] != '\n' {
		pos++
	}
	if pos < len(content) && pos > 0 && content[pos-1] == '\r' {
		return pos - 1
	}
	return pos
}

// nextLine is the offset of the start of the line after the one holding
// pos, or the end of the file.
func nextLine(content []byte, pos int) int {
	for pos < len(content) && content[pos] != '\n' {
		pos++
	}
	if pos < len(content) {
		pos++
	}
	return pos
}

// lineNumber is the 1-based number of the line holding pos.
func lineNumber(content []byte, pos int) int {
	return strings.Count(string(content[:pos]), "\n") + 1
}

// eolAt is the line end the line holding pos is written with; for a last
// line without one, the file's first line end; "\n" for a file of one line.
func eolAt(content []byte, pos int) string {
	end := pos
	for end < len(content) && content[end] != '\n' {
		end++
	}
	if end == len(content) {
		end = strings.IndexByte(string(content), '\n')
		if end < 0 {
			return "\n"
		}
	}
	if end > 0 && content[end-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// insertLines is the edit that puts new lines at offset at, the start of
// a line or the end of the file, ending each with eol. A file whose last
// line has no line end keeps that shape: the new lines go after a line end
// and the last of them has none.
func insertLines(content []byte, at int, newLines []string, eol string) edit {
	var b strings.Builder
	open := at == len(content) && at > 0 && content[at-1] != '\n'
	if open {
		b.WriteString(eol)
	}
	for i, l := range newLines {
		b.WriteString(l)
		if !open || i < len(newLines)-1 {
			b.WriteString(eol)
		}
	}
	return edit{start: at, end: at, text: b.String()}
}

// isBlank reports whether s holds only spaces and tabs.
func isBlank(s string) bool {
	return strings.Trim(s, " \t") == ""
}

// checkLabel refuses a name or email that would write more than a comment
// into a file: a line end would start a new line, and other control and
// direction characters hide what the line says.
func checkLabel(s string) error {
	for _, r := range s {
		if r == '\n' || model.TerminalUnsafe(r) {
			return fmt.Errorf("the name %q holds a control character; prodaccess will not write it into a file", s)
		}
	}
	return nil
}
