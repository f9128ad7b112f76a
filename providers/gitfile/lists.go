package gitfile

import (
	"fmt"
	"strings"

	"github.com/prodaccess/prodaccess/outcome"
)

// lineList is a list written one entry a line: gpg recipients, a .gpg-id,
// a YAML block list. An entry goes with its whole line, end-of-line comment
// included; new entries are new lines after the last entry's line. Comment
// lines, blank lines and everything else stay byte for byte.
type lineList struct {
	content []byte
	list    []item
	// at is where new lines go when there is no entry yet: the start of a
	// line, or the end of the file.
	at int
	// cut, when set, is removed when entries are added to an empty list
	// (a YAML null written out, such as ~).
	cut *edit
	// line writes the line of a new entry, without its line end, after
	// the entry anchor (nil when the list is empty).
	line func(anchor *item, c outcome.Change) (string, error)
}

func (l *lineList) items() []item { return l.list }

func (l *lineList) edits(remove func(item) bool, add []outcome.Change) ([]edit, error) {
	out := removeLines(l.content, l.list, remove)
	if len(add) == 0 {
		return out, nil
	}
	at, eolPos := l.at, max(l.at-1, 0)
	var anchor *item
	if n := len(l.list); n > 0 {
		anchor = &l.list[n-1]
		at, eolPos = nextLine(l.content, anchor.end), anchor.start
	} else if l.cut != nil {
		out = append(out, *l.cut)
	}
	var lines []string
	for _, c := range add {
		s, err := l.line(anchor, c)
		if err != nil {
			return nil, err
		}
		lines = append(lines, s)
	}
	eol := eolAt(l.content, eolPos)
	if anchor != nil && remove(*anchor) && at == len(l.content) && l.content[at-1] != '\n' {
		// The file's last line goes, and it had no line end: the new
		// lines take its place, the last of them without one.
		ls := lineStart(l.content, anchor.start)
		return append(out, edit{start: ls, end: ls, text: strings.Join(lines, eol)}), nil
	}
	return append(out, insertLines(l.content, at, lines, eol)), nil
}

// removeLines deletes the whole line of each removed item, its line end
// included.
func removeLines(content []byte, items []item, remove func(item) bool) []edit {
	var out []edit
	for _, it := range items {
		if remove(it) {
			out = append(out, edit{start: lineStart(content, it.start), end: nextLine(content, it.end)})
		}
	}
	return out
}

// commentStyle is how comments are written between a list's brackets.
type commentStyle int

const (
	yamlComments commentStyle = iota // # to the end of the line
	hclComments                      // # or // to the end of the line, and /* */
)

// bracketList is a list in brackets: a YAML flow sequence or a Terraform
// list. Written one item a line with the brackets on lines of their own,
// it is edited line by line as a lineList is, comments kept. Written
// inline, the text between the brackets is rebuilt from the kept items,
// exactly as they were written, and the list's own separators.
type bracketList struct {
	content     []byte
	open, close int // offsets of [ and ]
	list        []item
	// gaps are what lies before the first item, between the items and
	// after the last: len(list)+1 of them.
	gaps   []gap
	byLine bool
	// value writes a new item after the item anchor (nil when there is
	// none).
	value func(anchor *item, s string) (string, error)
}

// gap is the text between two items of a list, or between a bracket and
// an item: blanks, line ends, comments and at most one comma.
type gap struct {
	start, end int
	comma      int // offset of the comma, or -1
	comment    bool
	newline    bool
}

// scanGap reads a gap from start up to limit, stopping early at a ].
func scanGap(content []byte, start, limit int, style commentStyle) (gap, error) {
	g := gap{start: start, end: limit, comma: -1}
	for i := start; i < limit; {
		c := content[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '\n':
			g.newline = true
			i++
		case c == ',' && g.comma < 0:
			g.comma = i
			i++
		case c == ']':
			g.end = i
			return g, nil
		case c == '#' || style == hclComments && c == '/' && i+1 < limit && content[i+1] == '/':
			g.comment = true
			for i < limit && content[i] != '\n' {
				i++
			}
		case style == hclComments && c == '/' && i+1 < limit && content[i+1] == '*':
			j := strings.Index(string(content[i+2:limit]), "*/")
			if j < 0 {
				return g, fmt.Errorf("line %d: a comment that does not end", lineNumber(content, i))
			}
			g.comment = true
			g.newline = g.newline || strings.Contains(string(content[i:i+2+j]), "\n")
			i += j + 4
		default:
			return g, fmt.Errorf("line %d: unexpected %q between the items", lineNumber(content, i), c)
		}
	}
	return g, nil
}

func (g gap) text(content []byte) string { return string(content[g.start:g.end]) }

// newBracketList checks the text around the items and chooses how the list
// is edited. A list that mixes several items on a line with comments
// between the items is refused: rebuilding it would move a comment away
// from the item it belongs to.
func newBracketList(content []byte, open, close int, items []item, style commentStyle, key string, value func(*item, string) (string, error)) (*bracketList, error) {
	b := &bracketList{content: content, open: open, close: close, list: items, value: value}
	bounds := []int{open + 1}
	for _, it := range items {
		bounds = append(bounds, it.start, it.end)
	}
	bounds = append(bounds, close)
	n := len(items)
	for k := 0; k < len(bounds); k += 2 {
		g, err := scanGap(content, bounds[k], bounds[k+1], style)
		// No comma before the first item, one between two items, and
		// at most one after the last.
		commaOK := g.comma < 0
		if i := k / 2; i > 0 && i < n {
			commaOK = g.comma >= 0
		} else if i > 0 {
			commaOK = true
		}
		if err != nil || g.end != bounds[k+1] || !commaOK {
			return nil, fmt.Errorf("line %d: prodaccess cannot tell where the items of %s begin and end", lineNumber(content, bounds[k]), key)
		}
		b.gaps = append(b.gaps, g)
	}
	b.byLine = n == 0 && b.gaps[0].newline
	if n > 0 {
		b.byLine = true
		for k := range items {
			b.byLine = b.byLine && b.ownLine(k, style)
		}
	}
	if !b.byLine {
		for _, g := range b.gaps[1:max(n, 1)] {
			if g.comment {
				return nil, fmt.Errorf("line %d: %s has several items on a line and comments between them; prodaccess cannot edit it without moving a comment away from its item: write one item a line", lineNumber(content, g.start), key)
			}
		}
	}
	return b, nil
}

// ownLine reports whether item k is alone on its line: nothing before it
// but blanks, after it only its comma and a comment, and the brackets and
// the next item on other lines.
func (b *bracketList) ownLine(k int, style commentStyle) bool {
	it := b.list[k]
	ls, le := lineStart(b.content, it.start), lineEnd(b.content, it.end)
	next := b.gaps[k+1]
	if ls <= b.open || !isBlank(string(b.content[ls:it.start])) || next.end <= le || next.comma > le {
		return false
	}
	rest, err := scanGap(b.content, it.end, le, style)
	return err == nil && rest.end == le
}

func (b *bracketList) items() []item { return b.list }

func (b *bracketList) edits(remove func(item) bool, add []outcome.Change) ([]edit, error) {
	if b.byLine {
		return b.lineEdits(remove, add)
	}
	return b.inlineEdits(remove, add)
}

// lineEdits removes the removed items' lines and adds a line for each new
// item after the last item's line, with its indentation and comma style.
// A last item without a trailing comma gets one, since a new item follows.
func (b *bracketList) lineEdits(remove func(item) bool, add []outcome.Change) ([]edit, error) {
	out := removeLines(b.content, b.list, remove)
	if len(add) == 0 {
		return out, nil
	}
	n := len(b.list)
	var anchor *item
	at, eol, trailing := nextLine(b.content, b.open), eolAt(b.content, b.open), true
	closeLine := string(b.content[lineStart(b.content, b.close):b.close])
	indent := closeLine[:len(closeLine)-len(strings.TrimLeft(closeLine, " \t"))] + "  "
	if n > 0 {
		anchor = &b.list[n-1]
		at, eol = nextLine(b.content, anchor.end), eolAt(b.content, anchor.start)
		indent = string(b.content[lineStart(b.content, anchor.start):anchor.start])
		trailing = b.gaps[n].comma >= 0
		if !trailing && !remove(*anchor) {
			out = append(out, edit{start: anchor.end, end: anchor.end, text: ","})
		}
	}
	var lines []string
	for i, c := range add {
		v, err := b.value(anchor, c.Subject)
		if err != nil {
			return nil, err
		}
		if trailing || i < len(add)-1 {
			v += ","
		}
		lines = append(lines, indent+v)
	}
	return append(out, insertLines(b.content, at, lines, eol)), nil
}

// inlineEdits rebuilds the text between the brackets: the kept items as
// they were written, then the new ones, joined by the list's own
// separators in order (the last one repeated, ", " when there was none),
// with the text before the first item and after the last kept as it was.
func (b *bracketList) inlineEdits(remove func(item) bool, add []outcome.Change) ([]edit, error) {
	n := len(b.list)
	var anchor *item
	if n > 0 {
		anchor = &b.list[n-1]
	}
	var ys []string
	for _, it := range b.list {
		if !remove(it) {
			ys = append(ys, string(b.content[it.start:it.end]))
		}
	}
	for _, c := range add {
		v, err := b.value(anchor, c.Subject)
		if err != nil {
			return nil, err
		}
		ys = append(ys, v)
	}
	inner := string(b.content[b.open+1 : b.close])
	var text string
	switch {
	case n == 0:
		text = strings.Join(ys, ", ") + inner
	case len(ys) == 0 && !b.gaps[0].comment && !b.gaps[n].comment:
		text = ""
	case len(ys) == 0:
		last := b.gaps[n]
		text = b.gaps[0].text(b.content) + last.text(b.content)
		if last.comma >= 0 {
			text = b.gaps[0].text(b.content) + string(b.content[last.start:last.comma]) + string(b.content[last.comma+1:last.end])
		}
	default:
		var s strings.Builder
		s.WriteString(b.gaps[0].text(b.content))
		for i, y := range ys {
			if i > 0 {
				s.WriteString(b.separator(i - 1))
			}
			s.WriteString(y)
		}
		s.WriteString(b.gaps[n].text(b.content))
		text = s.String()
	}
	if text == inner {
		return nil, nil
	}
	return []edit{{start: b.open + 1, end: b.close, text: text}}, nil
}

// separator is the i-th separator of the rebuilt list.
func (b *bracketList) separator(i int) string {
	seps := b.gaps[1:len(b.list)]
	switch {
	case i < len(seps):
		return seps[i].text(b.content)
	case len(seps) > 0:
		return seps[len(seps)-1].text(b.content)
	}
	return ", "
}
