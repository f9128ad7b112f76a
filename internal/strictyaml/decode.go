package strictyaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/prodaccess/prodaccess/model"
	"go.yaml.in/yaml/v3"
)

// Decoder reads one YAML file strictly, collecting every problem it finds
// with its line and column instead of stopping at the first.
//
// It accepts a deliberately small part of YAML: one document holding plain
// mappings, lists and scalars. Anchors, aliases, merge keys and explicit
// tags are refused, as are unquoted values that a YAML 1.1 reader (such as
// sigs.k8s.io/yaml, which much of the ecosystem uses) would turn into
// something other than the text written.
type Decoder struct {
	File     string
	Problems model.Problems
}

func (d *Decoder) problemAt(line, col int, format string, args ...any) {
	d.Problems = append(d.Problems, model.Problem{File: d.File, Line: line, Col: col, Message: fmt.Sprintf(format, args...)})
}

func (d *Decoder) Problem(n *yaml.Node, path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	d.problemAt(n.Line, n.Column, "%s", msg)
}

var yamlLineError = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Document parses data as exactly one YAML document and returns its root
// node, after checking that the text is UTF-8 and that nothing in it uses
// the YAML features prodaccess refuses. It returns nil when the file cannot
// be read as one document at all.
func (d *Decoder) Document(data []byte) *yaml.Node {
	if !utf8.Valid(data) {
		line, col, b := firstInvalidUTF8(data)
		d.problemAt(line, col, "the file is not UTF-8 text (byte 0x%02x)", b)
		return nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		d.problemAt(1, 1, "the file is empty")
		return nil
	}
	var doc yaml.Node
	if !hasDocumentMarker(data) {
		// One document for certain: the plain parser is cheaper.
		if err := yaml.Unmarshal(data, &doc); err != nil {
			d.syntaxError(err, data)
			return nil
		}
		if doc.Kind == 0 {
			d.problemAt(1, 1, "the file holds no YAML document, only comments")
			return nil
		}
	} else if !d.firstOfMany(data, &doc) {
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		d.problemAt(1, 1, "the file holds no YAML document")
		return nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		d.problemAt(root.Line, root.Column, "the document is empty")
		return nil
	}
	d.refuseFeatures(root)
	return root
}

// hasDocumentMarker reports whether a line starts with "---" or "...",
// which is the only way a YAML stream can hold a second document.
func hasDocumentMarker(data []byte) bool {
	for rest := data; len(rest) > 0; {
		if bytes.HasPrefix(rest, []byte("---")) || bytes.HasPrefix(rest, []byte("...")) {
			return true
		}
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		rest = rest[i+1:]
	}
	return false
}

// firstOfMany reads the first document of a stream that may hold more,
// and reports a problem if it does.
func (d *Decoder) firstOfMany(data []byte, doc *yaml.Node) bool {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.problemAt(1, 1, "the file holds no YAML document, only comments")
		} else {
			d.syntaxError(err, data)
		}
		return false
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		d.problemAt(extra.Line, extra.Column, "a second YAML document starts here; the file must hold exactly one")
		return false
	case !errors.Is(err, io.EOF):
		d.syntaxError(err, data)
		return false
	}
	return true
}

func (d *Decoder) syntaxError(err error, data []byte) {
	msg := err.Error()
	if strings.Contains(msg, "tab character") {
		// The parser names the line of the value it was reading, which may
		// be the line before; find the tab itself.
		for i, line := range strings.Split(string(data), "\n") {
			indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
			if col := strings.IndexByte(indent, '\t'); col >= 0 {
				d.problemAt(i+1, col+1, "YAML syntax: a tab character indents this line; indent with spaces")
				return
			}
		}
	}
	if m := yamlLineError.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		d.problemAt(line, 1, "YAML syntax: %s", m[2])
		return
	}
	d.problemAt(1, 1, "YAML syntax: %s", strings.TrimPrefix(msg, "yaml: "))
}

func firstInvalidUTF8(data []byte) (line, col int, b byte) {
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return line, col, data[i]
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return line, col, 0
}

// refuseFeatures reports anchors, aliases, merge keys and explicit tags
// anywhere under n.
func (d *Decoder) refuseFeatures(n *yaml.Node) {
	if n.Anchor != "" {
		d.problemAt(n.Line, n.Column, "anchors (&%s) are not allowed; write each value out in full", n.Anchor)
	}
	if n.Kind == yaml.AliasNode {
		d.problemAt(n.Line, n.Column, "aliases (*%s) are not allowed; write each value out in full", n.Value)
		return
	}
	if n.Style&yaml.TaggedStyle != 0 {
		d.problemAt(n.Line, n.Column, "explicit tags (%s) are not allowed", n.Tag)
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				d.problemAt(k.Line, k.Column, "merge keys (<<) are not allowed; write each field out in full")
			}
		}
	}
	for _, c := range n.Content {
		d.refuseFeatures(c)
	}
}

// Field describes one field of a mapping: how to read its value, and what
// the value must look like. The same tables decide what the loader accepts
// and write the JSON Schemas (see schema.go), so the two cannot drift.
type Field struct {
	Name     string
	Required bool
	Is       *Shape
	Read     func(n *yaml.Node, path string)
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// Mapping reads n as a mapping with exactly the given fields. Each field's
// reader is called with the value node; unknown, repeated, case-variant and
// missing required fields are problems. It reports whether n was a mapping.
func (d *Decoder) Mapping(n *yaml.Node, path, what string, fields []Field) bool {
	if n.Kind == yaml.AliasNode {
		return false // already reported
	}
	if n.Kind != yaml.MappingNode {
		d.Problem(n, path, "expected %s (a mapping of fields), found %s", what, describeNode(n))
		return false
	}
	var keys []*yaml.Node // the keys read so far; mappings are small
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
			if k.Tag != "!!merge" && k.Kind != yaml.AliasNode {
				d.Problem(k, path, "field names must be plain words, found %s", describeNode(k))
			}
			continue
		}
		name := k.Value
		if first := findKey(keys, name, false); first != nil {
			d.Problem(k, joinPath(path, name), "the field appears twice (first at line %d)", first.Line)
			continue
		}
		if first := findKey(keys, name, true); first != nil {
			d.Problem(k, joinPath(path, name), "%q differs only in case from %q at line %d", name, first.Value, first.Line)
			continue
		}
		keys = append(keys, k)
		f := findField(fields, name)
		if f == nil {
			d.Problem(k, path, "unknown field %q%s", name, suggestField(fields, name))
			continue
		}
		f.Read(v, joinPath(path, name))
	}
	for _, f := range fields {
		if f.Required && findKey(keys, f.Name, false) == nil {
			d.Problem(n, path, "missing required field %q", f.Name)
		}
		if k := findKey(keys, f.Name, false); k != nil && f.Is != nil {
			for _, w := range f.Is.With {
				if findKey(keys, w, false) == nil {
					d.Problem(k, joinPath(path, f.Name), "given without %s; give %s too", w, w)
				}
			}
		}
	}
	return true
}

// findKey returns the key named name, or with fold one whose name differs
// only in case.
func findKey(keys []*yaml.Node, name string, fold bool) *yaml.Node {
	for _, k := range keys {
		if k.Value == name || fold && strings.EqualFold(k.Value, name) {
			return k
		}
	}
	return nil
}

func findField(fields []Field, name string) *Field {
	for i := range fields {
		if fields[i].Name == name {
			return &fields[i]
		}
	}
	return nil
}

func suggestField(fields []Field, name string) string {
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "-", "_") }
	for _, f := range fields {
		if norm(f.Name) == norm(name) {
			return fmt.Sprintf("; did you mean %q?", f.Name)
		}
	}
	return ""
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "an empty value"
		}
		return fmt.Sprintf("the value %q", n.Value)
	}
	return "something else"
}

// List reads n as a list and calls each for every item.
func (d *Decoder) List(n *yaml.Node, path string, each func(i int, item *yaml.Node, path string)) {
	if n.Kind == yaml.AliasNode {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.Problem(n, path, "expected a list, found %s", describeNode(n))
		return
	}
	for i, item := range n.Content {
		each(i, item, fmt.Sprintf("%s[%d]", path, i))
	}
}

// Scalar returns the text of a scalar node that is not empty.
func (d *Decoder) Scalar(n *yaml.Node, path string) (string, bool) {
	if n.Kind == yaml.AliasNode {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.Problem(n, path, "expected a single value, found %s", describeNode(n))
		return "", false
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 && n.Tag == "!!null" {
		d.Problem(n, path, "the value is empty; give a value or remove the field")
		return "", false
	}
	return n.Value, true
}

func Plain(n *yaml.Node) bool {
	return n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0
}

// Text reads a string. An unquoted value that YAML 1.1 or YAML 1.2 would
// read as something other than text (no, on, 0123, 1e3, a long number) is a
// problem: different tools would see different values.
func (d *Decoder) Text(n *yaml.Node, path string) (string, bool) {
	s, ok := d.Scalar(n, path)
	if !ok {
		return "", false
	}
	if msg := model.CheckLength(s, model.MaxTextLength); msg != "" {
		d.Problem(n, path, "%s", msg)
		return "", false
	}
	if Plain(n) {
		if kind := YAML11Kind(s); kind != "" {
			d.Problem(n, path, "unquoted %s is read as %s by some YAML tools; put it in quotes (%q) if it is meant as text", s, kind, s)
			return "", false
		}
		if n.Tag != "!!str" {
			d.Problem(n, path, "unquoted %s is not text; put it in quotes (%q) if it is meant as text", s, s)
			return "", false
		}
	}
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		s = strings.TrimRight(s, "\n") // a block scalar ends with a line break
	}
	if strings.TrimSpace(s) == "" {
		d.Problem(n, path, "the value is blank")
		return "", false
	}
	if msg := model.CheckFreeText(s); msg != "" {
		d.Problem(n, path, "%s", msg)
		return "", false
	}
	return s, true
}

var (
	yaml11Bools = map[string]bool{
		"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
		"n": true, "N": true, "no": true, "No": true, "NO": true,
		"true": true, "True": true, "TRUE": true, "false": true, "False": true, "FALSE": true,
		"on": true, "On": true, "ON": true, "off": true, "Off": true, "OFF": true,
	}
	yaml11Nulls = map[string]bool{"~": true, "null": true, "Null": true, "NULL": true}
	// The patterns are compiled when a text value first starts as a
	// number does, which few do, not at every start (0.5 ms).
	yaml11Int    = Lazy(`^[-+]?(0b[01_]+|0[0-7_]+|(0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)$`)
	yaml11Float  = Lazy(`^([-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$`)
	yaml11Stamp  = Lazy(`^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)?$`)
	numericStart = "0123456789+-."
)

// YAML11Kind names what a YAML 1.1 reader would make of an unquoted value
// other than text, or returns "" when it stays text. It follows the YAML 1.1
// type repository and the looser number parsing of go-yaml v2, which
// sigs.k8s.io/yaml uses.
func YAML11Kind(s string) string {
	if s == "" {
		return "null"
	}
	if !strings.ContainsRune(numericStart, rune(s[0])) {
		// Only booleans and nulls can start with anything else.
		switch {
		case yaml11Bools[s]:
			return "a boolean"
		case yaml11Nulls[s]:
			return "null"
		}
		return ""
	}
	switch {
	case yaml11Bools[s]:
		return "a boolean"
	case yaml11Nulls[s]:
		return "null"
	case yaml11Int.MatchString(s):
		return "a number"
	case yaml11Float.MatchString(s):
		return "a number"
	case yaml11Stamp.MatchString(s):
		return "a timestamp"
	}
	if _, err := strconv.ParseInt(s, 0, 64); err == nil {
		return "a number"
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return "a number"
	}
	return ""
}

// Day reads a YYYY-MM-DD date, quoted or not.
func (d *Decoder) Day(n *yaml.Node, path string) (model.Day, bool) {
	s, ok := d.Scalar(n, path)
	if !ok {
		return 0, false
	}
	v, err := model.ParseDay(s)
	if err != nil {
		d.Problem(n, path, "%v", err)
		return 0, false
	}
	return v, true
}

// Boolean reads true or false, unquoted.
func (d *Decoder) Boolean(n *yaml.Node, path string) (bool, bool) {
	s, ok := d.Scalar(n, path)
	if !ok {
		return false, false
	}
	if Plain(n) && (s == "true" || s == "false") {
		return s == "true", true
	}
	if !Plain(n) {
		d.Problem(n, path, "expected true or false without quotes, found %q", s)
	} else {
		d.Problem(n, path, "expected true or false, found %s", s)
	}
	return false, false
}

// PositiveInt reads a positive decimal integer, unquoted.
func (d *Decoder) PositiveInt(n *yaml.Node, path string) (int64, bool) {
	s, ok := d.Scalar(n, path)
	if !ok {
		return 0, false
	}
	if !Plain(n) {
		d.Problem(n, path, "expected a number without quotes, found %q", s)
		return 0, false
	}
	if s == "" || strings.Trim(s, "0123456789") != "" || s[0] == '0' {
		d.Problem(n, path, "expected a positive whole number written in decimal digits, found %s", s)
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		d.Problem(n, path, "%s is too large", s)
		return 0, false
	}
	return v, true
}

// Enum reads a text value that must be one of allowed.
func (d *Decoder) Enum(n *yaml.Node, path string, allowed ...string) (string, bool) {
	s, ok := d.Text(n, path)
	if !ok {
		return "", false
	}
	for _, a := range allowed {
		if s == a {
			return s, true
		}
	}
	d.Problem(n, path, "unknown value %q; expected one of %s", s, strings.Join(allowed, ", "))
	return "", false
}
