package gitfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/prodaccess/prodaccess/outcome"
)

// yamlList is the yaml-list format: a list of strings under one top-level
// key of a YAML file, such as users::usernames in puppet's hieradata. The
// list may be a block list ("- alice" lines), a flow list ([alice, bob]),
// or empty (the key with no value). Only the entries' lines change; the
// rest of the file, comments included, stays byte for byte.
type yamlList struct{ key string }

// blockItemPrefix is what comes before an item of a block list on its line.
var blockItemPrefix = regexp.MustCompile(`^[ \t]*-[ \t]+$`)

func (y yamlList) scan(content []byte) (listing, error) {
	root, err := yamlRoot(content)
	if err != nil {
		return nil, err
	}
	var key, list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == y.key {
			if list != nil {
				return nil, fmt.Errorf("key %s appears twice", y.key)
			}
			key, list = root.Content[i], root.Content[i+1]
		}
	}
	if list == nil {
		return nil, fmt.Errorf("no top-level key %s", y.key)
	}
	pos := newPositions(content)
	switch {
	case list.Kind == yaml.AliasNode:
		return nil, fmt.Errorf("line %d: %s is an alias (*%s) of a list written elsewhere; prodaccess edits a list only where it is written", list.Line, y.key, list.Value)
	case list.Kind == yaml.ScalarNode && list.Tag == "!!null":
		return y.empty(content, pos, root, key, list)
	case list.Kind != yaml.SequenceNode:
		return nil, fmt.Errorf("line %d: %s is not a list", list.Line, y.key)
	}
	if err := y.checkAliases(root, list); err != nil {
		return nil, err
	}
	flow := list.Style&yaml.FlowStyle != 0
	var items []item
	for _, n := range list.Content {
		if n.Kind != yaml.ScalarNode || n.Tag != "!!str" || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			return nil, fmt.Errorf("line %d: an item of %s is not a plain string; prodaccess will not guess what it means", n.Line, y.key)
		}
		if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.TaggedStyle) == 0 && yaml11Special(n.Value) {
			return nil, fmt.Errorf("line %d: the item %s of %s is a boolean or null to YAML 1.1 readers such as puppet; quote it", n.Line, n.Value, y.key)
		}
		start := pos.offset(n.Line, n.Column)
		end, err := scalarEnd(content, start, flow)
		if err != nil || !sameScalar(content[start:end], n) {
			return nil, fmt.Errorf("line %d: an item of %s is written over several lines; prodaccess edits items written on one line", n.Line, y.key)
		}
		items = append(items, item{Entry: outcome.Entry{Subject: n.Value}, start: start, end: end})
	}
	value := func(anchor *item, s string) (string, error) { return yamlValue(content, anchor, s), nil }
	if flow {
		open := skipProperties(content, pos.offset(list.Line, list.Column), true)
		from := open + 1
		if len(items) > 0 {
			from = items[len(items)-1].end
		}
		if open >= len(content) || content[open] != '[' {
			return nil, fmt.Errorf("line %d: prodaccess cannot find where the list of %s begins", list.Line, y.key)
		}
		g, err := scanGap(content, from, len(content), yamlComments)
		if err != nil || g.end >= len(content) || content[g.end] != ']' {
			return nil, fmt.Errorf("line %d: prodaccess cannot find where the list of %s ends", list.Line, y.key)
		}
		return newBracketList(content, open, g.end, items, yamlComments, y.key, value)
	}
	for _, it := range items {
		ls, le := lineStart(content, it.start), lineEnd(content, it.end)
		rest := strings.TrimLeft(string(content[it.end:le]), " \t")
		if !blockItemPrefix.Match(content[ls:it.start]) || rest != "" && rest[0] != '#' {
			return nil, fmt.Errorf("line %d: the items of %s must each be on a line of their own", lineNumber(content, it.start), y.key)
		}
	}
	l := &lineList{content: content, list: items, at: nextLine(content, pos.offset(list.Line, list.Column))}
	l.line = func(anchor *item, c outcome.Change) (string, error) {
		prefix := blockPrefix(content, pos, root)
		if anchor != nil {
			prefix = string(content[lineStart(content, anchor.start):anchor.start])
		}
		v, err := value(anchor, c.Subject)
		return prefix + v, err
	}
	return l, nil
}

// empty is a key with no value, or a null such as ~: an empty list. The
// first entries make it a block list under the key, indented as the
// file's other block lists are ("  - " when it has none); a null written
// out goes.
func (y yamlList) empty(content []byte, pos positions, root, key, value *yaml.Node) (listing, error) {
	if root.Style&yaml.FlowStyle != 0 || value.Line != key.Line {
		return nil, fmt.Errorf("line %d: %s is null in a way prodaccess cannot add a list to; write it as \"%s: []\"", value.Line, y.key, y.key)
	}
	start := pos.offset(value.Line, value.Column)
	end, err := scalarEnd(content, start, false)
	if err != nil {
		return nil, err
	}
	l := &lineList{content: content, at: nextLine(content, start)}
	if end > start {
		if !sameScalar(content[start:end], value) {
			return nil, fmt.Errorf("line %d: prodaccess cannot tell how the null of %s is written", value.Line, y.key)
		}
		cut := start
		for cut > 0 && (content[cut-1] == ' ' || content[cut-1] == '\t') {
			cut--
		}
		l.cut = &edit{start: cut, end: end}
	}
	l.line = func(_ *item, c outcome.Change) (string, error) {
		return blockPrefix(content, pos, root) + yamlValue(content, nil, c.Subject), nil
	}
	return l, nil
}

// checkAliases refuses a list that another key uses through an alias:
// editing it would change what both keys hold.
func (y yamlList) checkAliases(root, list *yaml.Node) error {
	anchored := map[*yaml.Node]bool{}
	for _, n := range append([]*yaml.Node{list}, list.Content...) {
		if n.Anchor != "" {
			anchored[n] = true
		}
	}
	if len(anchored) == 0 {
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if a := findAlias(root.Content[i+1], anchored); a != nil {
			other := root.Content[i].Value
			return fmt.Errorf("line %d: %s carries the anchor &%s, and %s uses it at line %d (*%s): editing the list would change both keys; prodaccess changes exactly one key's list, so write the list of %s out in full", list.Line, y.key, a.Value, other, a.Line, a.Value, other)
		}
	}
	return nil
}

func findAlias(n *yaml.Node, anchored map[*yaml.Node]bool) *yaml.Node {
	if n.Kind == yaml.AliasNode && anchored[n.Alias] {
		return n
	}
	for _, c := range n.Content {
		if a := findAlias(c, anchored); a != nil {
			return a
		}
	}
	return nil
}

// yamlRoot reads a file that must hold exactly one YAML document, a
// mapping.
func yamlRoot(content []byte) (*yaml.Node, error) {
	for i, c := range string(content) {
		if c == '\r' && !bytes.HasPrefix(content[i:], []byte("\r\n")) || c == '\u0085' || c == '\u2028' || c == '\u2029' {
			return nil, fmt.Errorf("line %d: a line break other than a line feed (%U); prodaccess cannot place lines in this file", lineNumber(content, i), c)
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(content))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("the file is not a YAML mapping")
	}
	var more yaml.Node
	switch err := dec.Decode(&more); {
	case err == nil:
		return nil, fmt.Errorf("line %d: a second YAML document starts here; the file must hold exactly one", more.Line)
	case !errors.Is(err, io.EOF):
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	return doc.Content[0], nil
}

// positions turns yaml.v3's lines and columns, which count characters,
// into byte offsets.
type positions struct {
	content []byte
	starts  []int
}

func newPositions(content []byte) positions {
	p := positions{content: content, starts: []int{0}}
	if bytes.HasPrefix(content, []byte("\ufeff")) {
		p.starts[0] = 3
	}
	for i, c := range content {
		if c == '\n' {
			p.starts = append(p.starts, i+1)
		}
	}
	return p
}

func (p positions) offset(line, col int) int {
	if line < 1 || line > len(p.starts) {
		return len(p.content)
	}
	i := p.starts[line-1]
	for c := 1; c < col && i < len(p.content) && p.content[i] != '\n'; c++ {
		_, size := utf8.DecodeRune(p.content[i:])
		i += size
	}
	return i
}

// skipProperties skips an anchor (&a) and a tag (!!str) before a node.
func skipProperties(content []byte, i int, flow bool) int {
	for i < len(content) && (content[i] == '&' || content[i] == '!') {
		for i < len(content) && !strings.ContainsRune(" \t\r\n", rune(content[i])) && !(flow && strings.IndexByte(",[]{}", content[i]) >= 0) {
			i++
		}
		for i < len(content) && (content[i] == ' ' || content[i] == '\t') {
			i++
		}
	}
	return i
}

var errSeveralLines = errors.New("written over several lines")

// scalarEnd finds the end of the scalar that starts at start, anchor and
// tag included: the closing quote, or for a plain scalar the end of the
// line, a comment, or in a flow list the next indicator. A scalar that
// goes on to another line is refused.
func scalarEnd(content []byte, start int, flow bool) (int, error) {
	i := skipProperties(content, start, flow)
	if i < len(content) && (content[i] == '\'' || content[i] == '"') {
		q := content[i]
		for j := i + 1; j < len(content); j++ {
			switch c := content[j]; {
			case c == '\n':
				return 0, errSeveralLines
			case q == '"' && c == '\\':
				j++
			case c == q && q == '\'' && j+1 < len(content) && content[j+1] == '\'':
				j++
			case c == q:
				return j + 1, nil
			}
		}
		return 0, errSeveralLines
	}
	j := i
	for j < len(content) {
		c := content[j]
		if c == '\n' || c == '\r' || flow && strings.IndexByte(",[]{}", c) >= 0 || (c == ' ' || c == '\t') && j+1 < len(content) && content[j+1] == '#' {
			break
		}
		j++
	}
	for j > i && (content[j-1] == ' ' || content[j-1] == '\t') {
		j--
	}
	return j, nil
}

// sameScalar reports whether text, read alone, is the scalar n: the check
// that the bytes prodaccess takes for an item are the item. A plain scalar
// on one line is its own text.
func sameScalar(text []byte, n *yaml.Node) bool {
	if n.Style == 0 && string(text) == n.Value {
		return true
	}
	var doc yaml.Node
	if yaml.Unmarshal(text, &doc) != nil || len(doc.Content) != 1 {
		return false
	}
	s := doc.Content[0]
	return s.Kind == yaml.ScalarNode && s.Tag == n.Tag && s.Value == n.Value
}

// blockPrefix is how the file's first block list of strings starts its
// items ("  - " when it has none).
func blockPrefix(content []byte, pos positions, root *yaml.Node) string {
	for i := 1; i < len(root.Content); i += 2 {
		v := root.Content[i]
		if v.Kind != yaml.SequenceNode || v.Style&yaml.FlowStyle != 0 || len(v.Content) == 0 {
			continue
		}
		start := pos.offset(v.Content[0].Line, v.Content[0].Column)
		if p := content[lineStart(content, start):start]; blockItemPrefix.Match(p) {
			return string(p)
		}
	}
	return "  - "
}

// yamlValue writes s quoted as the item anchor is: in single or double
// quotes like it, or plain when it is plain and s can be written plain.
// With no anchor, plain when that is certain, double quotes otherwise.
func yamlValue(content []byte, anchor *item, s string) string {
	var quote byte
	if anchor != nil {
		if i := skipProperties(content, anchor.start, true); i < anchor.end {
			quote = content[i]
		}
	}
	switch quote {
	case '\'':
		if printable(s) {
			return "'" + strings.ReplaceAll(s, "'", "''") + "'"
		}
	case '"':
		return strconv.Quote(s)
	}
	return yamlScalar(s)
}

func printable(s string) bool {
	for _, r := range s {
		if !strconv.IsPrint(r) {
			return false
		}
	}
	return utf8.ValidString(s)
}

var plainSafe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.@/-]*$`)

// yamlScalar writes s so that every YAML reader reads it back as the same
// string: plain when that is certain, quoted otherwise.
func yamlScalar(s string) string {
	if plainSafe.MatchString(s) {
		var n yaml.Node
		if yaml.Unmarshal([]byte(s), &n) == nil && len(n.Content) == 1 && n.Content[0].Tag == "!!str" && !yaml11Special(s) {
			return s
		}
	}
	return strconv.Quote(s)
}

// yaml11Special reports words that YAML 1.1 readers take for booleans.
func yaml11Special(s string) bool {
	switch strings.ToLower(s) {
	case "y", "yes", "n", "no", "on", "off", "true", "false", "null", "~":
		return true
	}
	return false
}
