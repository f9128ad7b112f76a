package model

import (
	"regexp"

	"go.yaml.in/yaml/v3"
)

// kind is the type of a field's value.
type kind int

// The kinds of value a file may hold.
const (
	kindText    kind = iota + 1 // text, quoted or not
	kindDate                    // a day written YYYY-MM-DD
	kindBool                    // true or false, unquoted
	kindInt                     // a whole number written in decimal digits, unquoted
	kindNumber                  // a number, unquoted
	kindList                    // a list of items of one shape
	kindMapping                 // a mapping of named fields
)

// shape is what the value of a field must look like. The decoder checks
// values against it and the JSON Schemas are written from it: the enum
// that a reader accepts, the pattern it matches and the range it allows
// are the ones the schema states.
type shape struct {
	kind kind
	doc  string   // what the field means, for people and editors
	with []string // fields that must be given whenever this one is

	// Text.
	pattern   *regexp.Regexp // the whole value matches (the expression is anchored)
	maxLength int            // at most this many characters; 0 for no limit
	what      string         // what a value that does not match should be, as in "is not <what>"
	enum      []string       // the value is one of these

	// Numbers.
	min, max       float64
	hasMin, hasMax bool

	// Lists.
	items    *shape
	minItems int
	unique   bool // no item appears twice

	// Mappings.
	fields func() []field // the fields, built without anywhere to read them into
	rules  []rule         // fields required or refused by the value of another
}

// rule requires or refuses fields of a mapping when one field has one of
// some values.
type rule struct {
	field   string
	values  []string
	require []string // these fields must be given
	only    []string // no other fields may be given (when not nil)
	refuse  []string // these fields may not be given
	why     string   // what the message of a format rule adds
}

// withDoc is a copy of the shape with another description.
func (s *shape) withDoc(doc string) *shape {
	c := *s
	c.doc = doc
	return &c
}

func text(doc string) *shape { return &shape{kind: kindText, doc: doc} }

func textMatching(re *regexp.Regexp, maxLength int, what, doc string) *shape {
	return &shape{kind: kindText, pattern: re, maxLength: maxLength, what: what, doc: doc}
}

func oneOf[T ~string](doc string, values ...T) *shape {
	s := &shape{kind: kindText, doc: doc}
	for _, v := range values {
		s.enum = append(s.enum, string(v))
	}
	return s
}

func date(doc string) *shape { return &shape{kind: kindDate, doc: doc} }

func boolean(doc string) *shape { return &shape{kind: kindBool, doc: doc} }

func integerIn(min, max int, doc string) *shape {
	return &shape{kind: kindInt, min: float64(min), hasMin: true, max: float64(max), hasMax: true, doc: doc}
}

func numberIn(min, max float64, doc string) *shape {
	return &shape{kind: kindNumber, min: min, hasMin: true, max: max, hasMax: true, doc: doc}
}

func listOf(items *shape, doc string) *shape { return &shape{kind: kindList, items: items, doc: doc} }

func mappingOf(fields func() []field, doc string) *shape {
	return &shape{kind: kindMapping, fields: fields, doc: doc}
}

// matches reports whether text v has the shape's pattern and length; it
// records a problem when it does not.
func (d *decoder) matches(n *yaml.Node, path, v string, is *shape) bool {
	if is.maxLength > 0 && len([]rune(v)) > is.maxLength || is.pattern != nil && !is.pattern.MatchString(v) {
		d.problem(n, path, "%q is not %s", v, is.what)
		return false
	}
	return true
}

// textField reads text that has the shape is, and passes check when one is
// given, into dst.
func (d *decoder) textField(name string, required bool, is *shape, dst *string, check func(n *yaml.Node, path, v string) bool) field {
	return field{name: name, required: required, is: is, read: func(n *yaml.Node, path string) {
		if v, ok := d.text(n, path); ok && (check == nil || check(n, path, v)) && d.matches(n, path, v, is) {
			*dst = v
		}
	}}
}

// enumField reads one of the shape's values into dst.
func enumField[T ~string](d *decoder, name string, required bool, is *shape, dst *T) field {
	return field{name: name, required: required, is: is, read: func(n *yaml.Node, path string) {
		if v, ok := d.enum(n, path, is.enum...); ok {
			*dst = T(v)
		}
	}}
}

// dayField reads a day into dst.
func (d *decoder) dayField(name string, required bool, is *shape, dst **Day) field {
	return field{name: name, required: required, is: is, read: func(n *yaml.Node, path string) {
		if v, ok := d.day(n, path); ok {
			*dst = &v
		}
	}}
}
