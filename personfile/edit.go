package personfile

import (
	"errors"
	"fmt"
	"path"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/prodaccess/prodaccess/internal/strictyaml"
	"github.com/prodaccess/prodaccess/model"
	"go.yaml.in/yaml/v3"
)

// A person file is changed by people reviewing a pull request, so an edit
// made for them must read as one a careful person would make by hand: it
// adds or changes only the lines it must, in the file's own style, and
// leaves every other byte (comments, blank lines, key order, quoting,
// indentation, line endings) as it was. This file makes such edits from
// the positions yaml.v3 gives each node, never by printing the file
// again, and refuses any edit that does not read back as intended.

// ValueKind says how a value is written in a person file.
type ValueKind int

// Kinds of value.
const (
	TextValue   ValueKind = iota // text: plain when every YAML reader reads it back as the same text, quoted otherwise
	QuotedValue                  // text always in double quotes, as the example files write fingerprints and ARNs
	DayValue                     // a YYYY-MM-DD day: quoted only when the file's other dates are
	BoolValue                    // true or false, never quoted
	NumberValue                  // a whole number, never quoted
)

// FieldValue is a field of a person file and the value to write in it.
type FieldValue struct {
	Name  string
	Value string
	Kind  ValueKind
}

// TextField is a field holding text.
func TextField(name, v string) FieldValue { return FieldValue{Name: name, Value: v, Kind: TextValue} }

// DayField is a field holding a day.
func DayField(name string, d model.Day) FieldValue {
	return FieldValue{Name: name, Value: d.String(), Kind: DayValue}
}

// BoolField is a field holding true or false.
func BoolField(name string, b bool) FieldValue {
	return FieldValue{Name: name, Value: fmt.Sprint(b), Kind: BoolValue}
}

// personFieldOrder is the order of the fields in the contract and the
// example files; a field that is added goes after the last one before it.
var personFieldOrder = []string{
	"name", "email", "github", "github_id", "gpg_fingerprint", "ssh_username", "aws_user_arn",
	"programme", "role", "employment", "clearance", "start_date", "last_day", "probation_passed",
	"shifts", "temporary_access", "absences", "reinstated",
}

type editOp int

const (
	appendEntry editOp = iota
	setField
	setEntryField
)

// Edit is one change to a person file.
type Edit struct {
	op     editOp
	list   string // the list field of appendEntry and setEntryField
	index  int    // the entry of setEntryField
	values []FieldValue
}

// AppendEntry adds an entry with the given fields at the end of a list
// field (shifts, temporary_access, absences, reinstated), creating the
// list if the file has none. The entry's keys follow the order of the
// list's other entries, then the order given.
func AppendEntry(list string, entry ...FieldValue) Edit {
	return Edit{op: appendEntry, list: list, values: entry}
}

// SetField sets a top-level field with a single value, adding it if the
// file has none.
func SetField(v FieldValue) Edit { return Edit{op: setField, values: []FieldValue{v}} }

// SetEntryField sets a field of the entry at index of a list field.
func SetEntryField(list string, index int, v FieldValue) Edit {
	return Edit{op: setEntryField, list: list, index: index, values: []FieldValue{v}}
}

// Apply makes the edit in data, the text of the person file named file.
// It refuses a file that has problems, a value that is not one line of
// visible text, and any result that does not read back, with the strict
// loader, as the old file with exactly this change and no problem.
func (e Edit) Apply(file string, data []byte) ([]byte, error) {
	id := strings.TrimSuffix(path.Base(file), ".yaml")
	if p := decodePerson(file, id, data); len(p.Problems) > 0 {
		return nil, fmt.Errorf("%s has problems; fix them before changing it:\n%w", file, p.Problems)
	}
	if err := checkValues(e.values); err != nil {
		return nil, err
	}
	t, err := parseYAMLText(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	switch e.op {
	case appendEntry:
		err = t.appendEntry(e.list, e.values)
	case setField:
		err = t.setField(e.values[0])
	case setEntryField:
		err = t.setEntryField(e.list, e.index, e.values[0])
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	out := t.bytes()
	if err := checkResult(file, id, data, out, e.applyTo); err != nil {
		return nil, err
	}
	return out, nil
}

// applyTo makes the edit in the plain form of a file (see plainValue).
func (e Edit) applyTo(m map[string]any) {
	switch e.op {
	case appendEntry:
		l, _ := m[e.list].([]any)
		m[e.list] = append(l, valuesMap(e.values))
	case setField:
		m[e.values[0].Name] = e.values[0].Value
	case setEntryField:
		if l, ok := m[e.list].([]any); ok && e.index < len(l) {
			if entry, ok := l[e.index].(map[string]any); ok {
				entry[e.values[0].Name] = e.values[0].Value
			}
		}
	}
}

// NewPersonFile writes a new person file holding the fields, in the order
// and shape of the example files. It refuses a result the strict loader
// does not read back as exactly these fields with no problem.
func NewPersonFile(file string, fields []FieldValue) ([]byte, error) {
	if err := checkValues(fields); err != nil {
		return nil, err
	}
	sorted := slices.Clone(fields)
	slices.SortStableFunc(sorted, func(a, b FieldValue) int {
		return slices.Index(personFieldOrder, a.Name) - slices.Index(personFieldOrder, b.Name)
	})
	st := fileStyle{textQuote: '"'}
	var b strings.Builder
	for _, f := range sorted {
		fmt.Fprintf(&b, "%s: %s\n", f.Name, st.format(f, false))
	}
	out := []byte(b.String())
	id := strings.TrimSuffix(path.Base(file), ".yaml")
	if err := checkResult(file, id, nil, out, func(m map[string]any) {
		for _, f := range fields {
			m[f.Name] = f.Value
		}
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// checkValues refuses values that a person file may not hold: text must
// be one line of visible characters.
func checkValues(values []FieldValue) error {
	for _, v := range values {
		if v.Kind != TextValue && v.Kind != QuotedValue {
			continue
		}
		if strings.TrimSpace(v.Value) == "" {
			return fmt.Errorf("%s: the value is blank", v.Name)
		}
		if msg := model.CheckFreeText(v.Value); msg != "" {
			return fmt.Errorf("%s: %s", v.Name, msg)
		}
	}
	return nil
}

// checkResult reads out back with the strict loader and checks that it
// has no problem and holds what before held (nil: nothing) with change
// made.
func checkResult(file, id string, before, out []byte, change func(map[string]any)) error {
	if len(out) > MaxPersonFileSize {
		return fmt.Errorf("the change would make %s larger than %d KiB, the most a person file may be, so it is not made", file, MaxPersonFileSize>>10)
	}
	if p := decodePerson(file, id, out); len(p.Problems) > 0 {
		return fmt.Errorf("the change would make %s invalid, so it is not made:\n%w", file, p.Problems)
	}
	want := map[string]any{}
	if before != nil {
		v, err := plainDocument(before)
		if err != nil {
			return err
		}
		want = v
	}
	change(want)
	got, err := plainDocument(out)
	if err != nil {
		return err
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Errorf("%s would not read back as intended after the change, so it is not made; change it by hand", file)
	}
	return nil
}

// plainDocument reads a file as nested maps, lists and strings: what it
// says, without how it is written.
func plainDocument(data []byte) (map[string]any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) != 1 {
		return nil, errors.New("the file does not read as YAML")
	}
	m, ok := plainValue(doc.Content[0]).(map[string]any)
	if !ok {
		return nil, errors.New("the file is not a mapping of fields")
	}
	return m, nil
}

func plainValue(n *yaml.Node) any {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = plainValue(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			l = append(l, plainValue(c))
		}
		return l
	}
	return n.Value
}

func valuesMap(values []FieldValue) map[string]any {
	m := make(map[string]any, len(values))
	for _, v := range values {
		m[v.Name] = v.Value
	}
	return m
}

// yamlText is a YAML file as lines, with its parsed nodes.
type yamlText struct {
	lines []string // each with its line ending, if it has one
	eol   string   // the file's line ending: "\n" or "\r\n"
	root  *yaml.Node
}

func parseYAMLText(data []byte) (*yamlText, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("the file is not a mapping of fields")
	}
	if isFlow(doc.Content[0]) {
		return nil, errors.New("the file is written as one flow mapping ({...}); change it by hand")
	}
	s := string(data)
	t := &yamlText{root: doc.Content[0], eol: "\n", lines: strings.SplitAfter(s, "\n")}
	if t.lines[len(t.lines)-1] == "" {
		t.lines = t.lines[:len(t.lines)-1]
	}
	if i := strings.IndexByte(s, '\n'); i > 0 && s[i-1] == '\r' {
		t.eol = "\r\n"
	}
	return t, nil
}

func (t *yamlText) bytes() []byte { return []byte(strings.Join(t.lines, "")) }

// line returns line n (counted from 1) without its line ending.
func (t *yamlText) line(n int) string {
	return strings.TrimRight(t.lines[n-1], "\r\n")
}

// setLine replaces the text of line n, keeping its line ending.
func (t *yamlText) setLine(n int, s string) {
	l := t.lines[n-1]
	t.lines[n-1] = s + l[len(strings.TrimRight(l, "\r\n")):]
}

// insert puts lines after line n (0: before the first). Inserted after
// a last line that has no line ending, the last of them has none either.
func (t *yamlText) insert(n int, lines []string) {
	add := make([]string, len(lines))
	for i, l := range lines {
		add[i] = l + t.eol
	}
	if n > 0 && n == len(t.lines) && !strings.HasSuffix(t.lines[n-1], "\n") {
		t.lines[n-1] += t.eol
		add[len(add)-1] = lines[len(lines)-1]
	}
	t.lines = slices.Insert(t.lines, n, add...)
}

// remove deletes line n.
func (t *yamlText) remove(n int) { t.lines = slices.Delete(t.lines, n-1, n) }

func indentOf(s string) int    { return len(s) - len(strings.TrimLeft(s, " ")) }
func isBlank(s string) bool    { return strings.TrimSpace(s) == "" }
func spaces(n int) string      { return strings.Repeat(" ", max(n, 0)) }
func isFlow(n *yaml.Node) bool { return n.Style&yaml.FlowStyle != 0 }

// lastLine is the last line on which n or anything in it starts.
func lastLine(n *yaml.Node) int {
	l := n.Line
	for _, c := range n.Content {
		l = max(l, lastLine(c))
	}
	return l
}

// extend returns the last line of what ends on or after line from: the
// lines after it that are indented more than indent (the rest of a value
// written over several lines, or a comment inside it) belong to it; blank
// lines do only when more of it follows.
func (t *yamlText) extend(from, indent int) int {
	end := from
	for i := from + 1; i <= len(t.lines); i++ {
		l := t.line(i)
		if isBlank(l) {
			continue
		}
		if indentOf(l) <= indent {
			break
		}
		end = i
	}
	return end
}

// at returns the line node n starts on, and the offset in it of n's
// first character. yaml.v3 counts columns in characters, and does not
// count the byte-order mark a file may start with.
func (t *yamlText) at(n *yaml.Node) (string, int) {
	l := t.line(n.Line)
	i := 0
	if n.Line == 1 {
		i = len(l) - len(strings.TrimPrefix(l, "\ufeff"))
	}
	for c := 1; c < n.Column && i < len(l); c++ {
		_, size := utf8.DecodeRuneInString(l[i:])
		i += size
	}
	return l, i
}

// closing returns the offset of the bracket that closes the one at open
// in line, or -1 when it is not on this line. Quoted scalars are skipped.
func closing(line string, open int) int {
	depth := 0
	prev := byte('{') // the last character that is not a space
	for i := open; i < len(line); i++ {
		c := line[i]
		switch {
		case (c == '"' || c == '\'') && strings.IndexByte("[{,:", prev) >= 0:
			end := quotedEnd(line, i)
			if end < 0 {
				return -1
			}
			i = end - 1
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			if depth--; depth == 0 {
				return i
			}
		case c == '#' && i > 0 && line[i-1] == ' ':
			return -1 // a comment: the collection goes on over the next line
		}
		if c != ' ' {
			prev = c
		}
	}
	return -1
}

// quotedEnd returns the offset just past the quoted scalar that starts at
// i, or -1 when it does not end on this line.
func quotedEnd(line string, i int) int {
	if i >= len(line) {
		return -1
	}
	q := line[i]
	for j := i + 1; j < len(line); j++ {
		switch {
		case q == '"' && line[j] == '\\':
			j++
		case line[j] == q && q == '\'' && j+1 < len(line) && line[j+1] == '\'':
			j++
		case line[j] == q:
			return j + 1
		}
	}
	return -1
}

// field returns the key and value of a top-level field, or nils.
func (t *yamlText) field(name string) (k, v *yaml.Node) {
	for i := 0; i+1 < len(t.root.Content); i += 2 {
		if t.root.Content[i].Value == name {
			return t.root.Content[i], t.root.Content[i+1]
		}
	}
	return nil, nil
}

func (t *yamlText) topIndent() int { return t.root.Column - 1 }

// fieldInsertPoint is the line after which a new top-level field goes:
// after the last field present that comes before it in the usual order,
// or before the first field.
func (t *yamlText) fieldInsertPoint(name string) int {
	rank := slices.Index(personFieldOrder, name)
	best, bestRank := -1, -1
	for i := 0; i+1 < len(t.root.Content); i += 2 {
		r := slices.Index(personFieldOrder, t.root.Content[i].Value)
		if r >= 0 && r < rank && r > bestRank {
			best, bestRank = i, r
		}
	}
	if best < 0 {
		return t.root.Content[0].Line - 1
	}
	return t.extend(lastLine(t.root.Content[best+1]), t.topIndent())
}

// fileStyle is how a file writes its values.
type fileStyle struct {
	dateQuote byte // 0 (plain), '"' or '\''
	textQuote byte // '"' or '\''
}

// styles finds how the file quotes its dates and its quoted text.
func (t *yamlText) styles() fileStyle {
	var dates [3]int // plain, double, single
	var double, single int
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 1; i < len(n.Content); i += 2 {
				walk(n.Content[i])
			}
			return
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c)
			}
			return
		}
		dq, sq := n.Style&yaml.DoubleQuotedStyle != 0, n.Style&yaml.SingleQuotedStyle != 0
		if _, err := model.ParseDay(n.Value); err == nil {
			switch {
			case dq:
				dates[1]++
			case sq:
				dates[2]++
			default:
				dates[0]++
			}
			return
		}
		if dq {
			double++
		} else if sq {
			single++
		}
	}
	walk(t.root)
	st := fileStyle{textQuote: '"'}
	if single > double {
		st.textQuote = '\''
	}
	switch {
	case dates[1] > dates[0] && dates[1] >= dates[2]:
		st.dateQuote = '"'
	case dates[2] > dates[0] && dates[2] > dates[1]:
		st.dateQuote = '\''
	}
	return st
}

// format writes a value in the file's style; flow says whether it goes
// inside a flow mapping ({...}), where more characters need quotes.
func (st fileStyle) format(v FieldValue, flow bool) string {
	switch v.Kind {
	case BoolValue, NumberValue:
		return v.Value
	case DayValue:
		return quote(v.Value, st.dateQuote)
	case QuotedValue:
		return quote(v.Value, '"')
	}
	if plainText(v.Value, flow) {
		return v.Value
	}
	return quote(v.Value, st.textQuote)
}

func quote(s string, q byte) string {
	switch q {
	case '\'':
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	case '"':
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	return s
}

// plainText reports whether s can be written without quotes and be read
// back as the same text by every YAML reader, YAML 1.1 ones included.
func plainText(s string, flow bool) bool {
	switch {
	case s == "" || strings.TrimSpace(s) != s || strictyaml.YAML11Kind(s) != "":
		return false
	case strings.ContainsAny(s[:1], "-?:,[]{}#&*!|>'\"%@`"):
		return false
	case strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":"):
		return false
	case flow && strings.ContainsAny(s, ",[]{}"):
		return false
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(s), &doc); err != nil || len(doc.Content) != 1 {
		return false
	}
	n := doc.Content[0]
	return n.Kind == yaml.ScalarNode && n.Tag == "!!str" && n.Value == s
}

// listStyle is how a list's entries are written.
type listStyle struct {
	dash int      // how far the dash is indented past the list's key (0: an indentless list)
	gap  int      // spaces between the dash and the entry
	flow bool     // entries are flow mappings: - {start: ..., end: ...}
	pad  bool     // flow mappings have spaces inside the braces: { start: ... }
	keys []string // the key order of the list's last entry
}

var defaultListStyle = listStyle{dash: 2, gap: 1}

// listStyleOf reads the style of a block list with at least one entry.
func (t *yamlText) listStyleOf(k, seq *yaml.Node) listStyle {
	last := seq.Content[len(seq.Content)-1]
	st := listStyle{dash: seq.Column - k.Column, gap: max(last.Column-seq.Column-1, 1), flow: isFlow(last)}
	if last.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(last.Content); i += 2 {
			st.keys = append(st.keys, last.Content[i].Value)
		}
	}
	if st.flow {
		l, i := t.at(last)
		st.pad = i+1 < len(l) && l[i+1] == ' '
	}
	return st
}

// fileListStyle is the style of the file's other block lists of mappings,
// for a list the file does not have yet; the example files' style when
// it has none.
func (t *yamlText) fileListStyle() listStyle {
	for i := 0; i+1 < len(t.root.Content); i += 2 {
		k, v := t.root.Content[i], t.root.Content[i+1]
		if v.Kind == yaml.SequenceNode && !isFlow(v) && len(v.Content) > 0 && v.Content[0].Kind == yaml.MappingNode {
			st := t.listStyleOf(k, v)
			st.keys = nil
			return st
		}
	}
	return defaultListStyle
}

// order puts values in the key order of the list's entries; keys they do
// not have keep the order given, after them.
func (st listStyle) order(values []FieldValue) []FieldValue {
	out := make([]FieldValue, 0, len(values))
	for _, k := range st.keys {
		if i := slices.IndexFunc(values, func(v FieldValue) bool { return v.Name == k }); i >= 0 {
			out = append(out, values[i])
		}
	}
	for _, v := range values {
		if !slices.Contains(st.keys, v.Name) {
			out = append(out, v)
		}
	}
	return out
}

// entryLines writes a new list entry whose dash is indented by indent.
func (st listStyle) entryLines(indent int, values []FieldValue, fs fileStyle) []string {
	values = st.order(values)
	if st.flow {
		return []string{spaces(indent) + "-" + spaces(st.gap) + st.flowMapping(values, fs)}
	}
	out := make([]string, len(values))
	for i, v := range values {
		prefix := spaces(indent + 1 + st.gap)
		if i == 0 {
			prefix = spaces(indent) + "-" + spaces(st.gap)
		}
		out[i] = prefix + v.Name + ": " + fs.format(v, false)
	}
	return out
}

func (st listStyle) flowMapping(values []FieldValue, fs fileStyle) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = v.Name + ": " + fs.format(v, true)
	}
	if st.pad {
		return "{ " + strings.Join(parts, ", ") + " }"
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func (t *yamlText) appendEntry(list string, values []FieldValue) error {
	fs := t.styles()
	k, v := t.field(list)
	switch {
	case k == nil:
		st := t.fileListStyle()
		lines := append([]string{spaces(t.topIndent()) + list + ":"}, st.entryLines(t.topIndent()+st.dash, values, fs)...)
		t.insert(t.fieldInsertPoint(list), lines)
	case v.Kind != yaml.SequenceNode:
		return fmt.Errorf("line %d: %s is not a list", v.Line, list)
	case !isFlow(v):
		st := t.listStyleOf(k, v)
		end := t.extend(lastLine(v.Content[len(v.Content)-1]), v.Column-1)
		t.insert(end, st.entryLines(v.Column-1, values, fs))
	case len(v.Content) == 0:
		return t.fillEmptyList(k, v, values, fs)
	default:
		l, open := t.at(v)
		end := closing(l, open)
		if end < 0 || lastLine(v) != v.Line {
			return fmt.Errorf("line %d: %s is a flow list ([...]) written over several lines; add the entry by hand", v.Line, list)
		}
		last := v.Content[len(v.Content)-1]
		st := listStyle{flow: true}
		if last.Kind == yaml.MappingNode {
			st = t.listStyleOf(k, v)
		}
		t.setLine(v.Line, l[:end]+", "+st.flowMapping(st.order(values), fs)+l[end:])
	}
	return nil
}

// fillEmptyList turns "list: []" into a block list holding one entry.
func (t *yamlText) fillEmptyList(k, v *yaml.Node, values []FieldValue, fs fileStyle) error {
	l, open := t.at(v)
	end := closing(l, open)
	if end < 0 {
		return fmt.Errorf("line %d: cannot find the end of the empty list %s; add the entry by hand", v.Line, k.Value)
	}
	rest := strings.TrimRight(l[:open], " ") + l[end+1:]
	st := t.fileListStyle()
	lines := st.entryLines(k.Column-1+st.dash, values, fs)
	if isBlank(rest) {
		t.remove(v.Line)
		t.insert(v.Line-1, lines)
		return nil
	}
	t.setLine(v.Line, rest)
	t.insert(v.Line, lines)
	return nil
}

func (t *yamlText) setField(v FieldValue) error {
	k, n := t.field(v.Name)
	if k == nil {
		t.insert(t.fieldInsertPoint(v.Name), []string{spaces(t.topIndent()) + v.Name + ": " + t.styles().format(v, false)})
		return nil
	}
	return t.replaceScalar(n, v, false)
}

func (t *yamlText) setEntryField(list string, index int, v FieldValue) error {
	_, seq := t.field(list)
	if seq == nil || seq.Kind != yaml.SequenceNode || index < 0 || index >= len(seq.Content) {
		return fmt.Errorf("%s has no entry %d", list, index)
	}
	item := seq.Content[index]
	if item.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: %s[%d] is not a mapping", item.Line, list, index)
	}
	for i := 0; i+1 < len(item.Content); i += 2 {
		if item.Content[i].Value == v.Name {
			return t.replaceScalar(item.Content[i+1], v, isFlow(item))
		}
	}
	fs := t.styles()
	if isFlow(item) {
		l, open := t.at(item)
		end := closing(l, open)
		if end < 0 {
			return fmt.Errorf("line %d: %s[%d] is written over several lines; change it by hand", item.Line, list, index)
		}
		j := end
		for j > open+1 && l[j-1] == ' ' {
			j--
		}
		t.setLine(item.Line, l[:j]+", "+v.Name+": "+fs.format(v, true)+l[j:])
		return nil
	}
	end := t.extend(lastLine(item), seq.Column-1)
	t.insert(end, []string{spaces(item.Column-1) + v.Name + ": " + fs.format(v, false)})
	return nil
}

// replaceScalar writes v in place of the scalar n, quoted as n is.
func (t *yamlText) replaceScalar(n *yaml.Node, v FieldValue, flow bool) error {
	start, end, ok := t.scalarSpan(n, flow)
	if !ok {
		return fmt.Errorf("line %d: the value of %s is not written on one line; change it by hand", n.Line, v.Name)
	}
	var text string
	switch {
	case v.Kind == BoolValue:
		text = v.Value
	case n.Style&yaml.DoubleQuotedStyle != 0:
		text = quote(v.Value, '"')
	case n.Style&yaml.SingleQuotedStyle != 0:
		text = quote(v.Value, '\'')
	default:
		text = fileStyle{textQuote: t.styles().textQuote}.format(v, flow)
	}
	l := t.line(n.Line)
	t.setLine(n.Line, l[:start]+text+l[end:])
	return nil
}

// scalarSpan finds where the scalar n is written on its line; ok is false
// when it is not written on one line.
func (t *yamlText) scalarSpan(n *yaml.Node, flow bool) (start, end int, ok bool) {
	if n.Kind != yaml.ScalarNode || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return 0, 0, false
	}
	l, start := t.at(n)
	switch {
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		if end = quotedEnd(l, start); end < 0 {
			return 0, 0, false
		}
	default:
		end = len(l)
		if i := strings.Index(l[start:], " #"); i >= 0 {
			end = start + i
		}
		if flow {
			if i := strings.IndexAny(l[start:end], ",}]"); i >= 0 {
				end = start + i
			}
		}
		end = start + len(strings.TrimRight(l[start:end], " "))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(l[start:end]), &doc); err != nil || len(doc.Content) != 1 || doc.Content[0].Value != n.Value {
		return 0, 0, false
	}
	return start, end, true
}
