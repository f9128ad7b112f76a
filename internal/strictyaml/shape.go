package strictyaml

import (
	"regexp"
	"sync"

	"github.com/prodaccess/prodaccess/model"
	"go.yaml.in/yaml/v3"
)

// Kind is the type of a field's value.
type Kind int

// The kinds of value a file may hold.
const (
	KindText    Kind = iota + 1 // text, quoted or not
	KindDate                    // a day written YYYY-MM-DD
	KindBool                    // true or false, unquoted
	KindInt                     // a whole number written in decimal digits, unquoted
	KindNumber                  // a number, unquoted
	KindList                    // a list of items of one shape
	KindMapping                 // a mapping of named fields
)

// Shape is what the value of a field must look like. The decoder checks
// values against it and the JSON Schemas are written from it: the enum
// that a reader accepts, the pattern it matches and the range it allows
// are the ones the schema states.
type Shape struct {
	Kind Kind
	Doc  string   // what the field means, for people and editors
	With []string // fields that must be given whenever this one is

	// Text.
	Pattern   Pattern           // the whole value matches (the expression is anchored)
	Match     func(string) bool // when set, decides Pattern's match, faster; it must accept exactly what Pattern does
	MaxLength int               // at most this many characters; 0 for model.MaxTextLength
	What      string            // what a value that does not match should be, as in "is not <what>"
	Enum      []string          // the value is one of these

	// Numbers.
	Min, Max       float64
	HasMin, HasMax bool

	// Lists.
	Items    *Shape
	MinItems int
	Unique   bool // no item appears twice

	// Mappings.
	Fields func() []Field // the fields, built without anywhere to read them into
	Rules  []Rule         // fields required or refused by the value of another
}

// Rule requires or refuses fields of a mapping when one field has one of
// some values.
type Rule struct {
	Field   string
	Values  []string
	Require []string // these fields must be given
	Only    []string // no other fields may be given (when not nil)
	Refuse  []string // these fields may not be given
	Why     string   // what the message of a format rule adds
}

// WithDoc is a copy of the shape with another description.
func (s *Shape) WithDoc(doc string) *Shape {
	c := *s
	c.Doc = doc
	return &c
}

// Text is free text of at most model.MaxTextLength characters.
func Text(doc string) *Shape { return TextUpTo(model.MaxTextLength, doc) }

// TextUpTo is free text of at most maxLength characters.
func TextUpTo(maxLength int, doc string) *Shape {
	return &Shape{Kind: KindText, MaxLength: maxLength, Doc: doc}
}

// Pattern is a regular expression a text value must match:
// a *regexp.Regexp, or one compiled when first used (Lazy).
type Pattern interface {
	MatchString(s string) bool
	String() string
}

// LazyRegexp is a regular expression compiled when it is first used.
type LazyRegexp struct {
	src string
	re  func() *regexp.Regexp
}

// Lazy is the regular expression src, compiled when first used: for a
// pattern that a shape's Match decides, which is then compiled only for
// the tests that compare the two, not at the start of every command
// (the AWS user ARN's, whose {1,512} unrolls into 512 instructions, took
// 5 ms of each start). src must compile: a test must use each one.
func Lazy(src string) *LazyRegexp {
	return &LazyRegexp{src: src, re: sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(src) })}
}

// MatchString reports whether s matches, compiling the expression the
// first time.
func (l *LazyRegexp) MatchString(s string) bool { return l.re().MatchString(s) }

// String is the expression's source, as regexp.Regexp's String is.
func (l *LazyRegexp) String() string { return l.src }

// TextMatching is text that matches re, of at most maxLength characters
// (0: model.MaxTextLength).
func TextMatching(re Pattern, maxLength int, what, doc string) *Shape {
	if maxLength <= 0 {
		maxLength = model.MaxTextLength
	}
	return &Shape{Kind: KindText, Pattern: re, MaxLength: maxLength, What: what, Doc: doc}
}

func OneOf[T ~string](doc string, values ...T) *Shape {
	s := &Shape{Kind: KindText, Doc: doc}
	for _, v := range values {
		s.Enum = append(s.Enum, string(v))
	}
	return s
}

func Date(doc string) *Shape { return &Shape{Kind: KindDate, Doc: doc} }

func Boolean(doc string) *Shape { return &Shape{Kind: KindBool, Doc: doc} }

func IntegerIn(min, max int, doc string) *Shape {
	return &Shape{Kind: KindInt, Min: float64(min), HasMin: true, Max: float64(max), HasMax: true, Doc: doc}
}

func NumberIn(min, max float64, doc string) *Shape {
	return &Shape{Kind: KindNumber, Min: min, HasMin: true, Max: max, HasMax: true, Doc: doc}
}

func ListOf(items *Shape, doc string) *Shape { return &Shape{Kind: KindList, Items: items, Doc: doc} }

func MappingOf(fields func() []Field, doc string) *Shape {
	return &Shape{Kind: KindMapping, Fields: fields, Doc: doc}
}

// Matches reports whether text v has the shape's length and pattern; it
// records a problem when it does not. A value too long is not printed.
func (d *Decoder) Matches(n *yaml.Node, path, v string, is *Shape) bool {
	tooLong := model.CheckLength(v, is.maxLength())
	switch {
	case tooLong != "" && (is.What == "" || model.CheckLength(v, model.MaxTextLength) != ""):
		d.Problem(n, path, "%s", tooLong)
		return false
	case tooLong != "" || !is.matches(v):
		d.Problem(n, path, "%q is not %s", v, is.What)
		return false
	}
	return true
}

// matches reports whether v matches the shape's pattern, if it has one.
func (s *Shape) matches(v string) bool {
	switch {
	case s.Match != nil:
		return s.Match(v)
	case s.Pattern != nil:
		return s.Pattern.MatchString(v)
	}
	return true
}

// MatchedBy sets the shape's Match, for a pattern on the path of every
// file read, and returns the shape.
func (s *Shape) MatchedBy(match func(string) bool) *Shape {
	s.Match = match
	return s
}

// maxLength is the most characters a text value of the shape may hold.
func (s *Shape) maxLength() int {
	if s.MaxLength > 0 {
		return s.MaxLength
	}
	return model.MaxTextLength
}

// TextField reads text that has the shape is, and passes check when one is
// given, into dst.
func (d *Decoder) TextField(name string, required bool, is *Shape, dst *string, check func(n *yaml.Node, path, v string) bool) Field {
	return Field{Name: name, Required: required, Is: is, Read: func(n *yaml.Node, path string) {
		if v, ok := d.Text(n, path); ok && (check == nil || check(n, path, v)) && d.Matches(n, path, v, is) {
			*dst = v
		}
	}}
}

// EnumField reads one of the shape's values into dst.
func EnumField[T ~string](d *Decoder, name string, required bool, is *Shape, dst *T) Field {
	return Field{Name: name, Required: required, Is: is, Read: func(n *yaml.Node, path string) {
		if v, ok := d.Enum(n, path, is.Enum...); ok {
			*dst = T(v)
		}
	}}
}

// DayField reads a day into dst.
func (d *Decoder) DayField(name string, required bool, is *Shape, dst **model.Day) Field {
	return Field{Name: name, Required: required, Is: is, Read: func(n *yaml.Node, path string) {
		if v, ok := d.Day(n, path); ok {
			*dst = &v
		}
	}}
}
