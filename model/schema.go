package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// SchemaBase is where the published JSON Schemas live; each schema's $id
// is its file name under it.
const SchemaBase = "https://raw.githubusercontent.com/prodaccess/prodaccess/main/schema/"

// datePattern is what a day looks like to an editor; the loader also
// checks that the day is in the calendar.
var datePattern = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`)

var configShape = mappingOf(configTable, "The configuration: the people folder, the policy time zone, the parameters of the rules, the safety limits and the targets.")

// PersonSchema is the JSON Schema (draft 2020-12) of a person file,
// written from the tables the loader reads person files with.
func PersonSchema() ([]byte, error) {
	return writeSchema("person.schema.json", "prodaccess person file", personShape)
}

// ConfigSchema is the JSON Schema (draft 2020-12) of prodaccess.yaml,
// written from the tables the loader reads it with.
func ConfigSchema() ([]byte, error) {
	return writeSchema("config.schema.json", "prodaccess configuration", configShape)
}

// schemaNode is one JSON Schema, its keywords in the order they are
// written.
type schemaNode struct {
	Schema               string              `json:"$schema,omitempty"`
	ID                   string              `json:"$id,omitempty"`
	Title                string              `json:"title,omitempty"`
	Description          string              `json:"description,omitempty"`
	Type                 string              `json:"type,omitempty"`
	Const                string              `json:"const,omitempty"`
	Enum                 []string            `json:"enum,omitempty"`
	Format               string              `json:"format,omitempty"`
	Pattern              string              `json:"pattern,omitempty"`
	MaxLength            int                 `json:"maxLength,omitempty"`
	Minimum              *float64            `json:"minimum,omitempty"`
	Maximum              *float64            `json:"maximum,omitempty"`
	Items                *schemaNode         `json:"items,omitempty"`
	MinItems             int                 `json:"minItems,omitempty"`
	UniqueItems          bool                `json:"uniqueItems,omitempty"`
	Properties           properties          `json:"properties,omitempty"`
	Required             []string            `json:"required,omitempty"`
	DependentRequired    map[string][]string `json:"dependentRequired,omitempty"`
	PropertyNames        *schemaNode         `json:"propertyNames,omitempty"`
	AdditionalProperties *bool               `json:"additionalProperties,omitempty"`
	AllOf                []*schemaNode       `json:"allOf,omitempty"`
	If                   *schemaNode         `json:"if,omitempty"`
	Then                 *schemaNode         `json:"then,omitempty"`
}

// property is one entry of properties: a schema, or false for a field
// that must not be given.
type property struct {
	name   string
	schema *schemaNode // nil: false
}

// properties keeps the fields in the order of the table they come from,
// which is the order of the documentation.
type properties []property

func (ps properties) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := encodeJSON(&b, p.name); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		var v any = false
		if p.schema != nil {
			v = p.schema
		}
		if err := encodeJSON(&b, v); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// encodeJSON writes v without escaping <, > and &, which descriptions use.
func encodeJSON(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // the newline Encode adds
	return nil
}

func writeSchema(file, title string, root *shape) ([]byte, error) {
	n, err := schemaOf(root, "")
	if err != nil {
		return nil, err
	}
	n.Schema = "https://json-schema.org/draft/2020-12/schema"
	n.ID = SchemaBase + file
	n.Title = title
	var b bytes.Buffer
	if err := encodeJSON(&b, n); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return asciiJSON(out.Bytes()), nil
}

// asciiJSON writes every character of JSON text outside printable ASCII as
// a \u escape, so that the invisible characters a pattern names can be
// read in the file.
func asciiJSON(b []byte) []byte {
	var out bytes.Buffer
	for _, r := range string(b) {
		switch {
		case r < 0x7f:
			out.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&out, "\\u%04x\\u%04x", r1, r2)
		default:
			fmt.Fprintf(&out, "\\u%04x", r)
		}
	}
	return out.Bytes()
}

// freeTextPattern matches text the loader accepts: at least one character
// that is not a space, and none of the characters it refuses, which are
// found by asking the loader's own check of every character.
var freeTextPattern = sync.OnceValue(func() string {
	var class strings.Builder
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) || checkFreeText(string(r)) == "" {
			continue
		}
		end := r
		for end+1 <= unicode.MaxRune && utf8.ValidRune(end+1) && checkFreeText(string(end+1)) != "" {
			end++
		}
		class.WriteRune(r)
		if end > r {
			class.WriteRune('-')
			class.WriteRune(end)
		}
		r = end
	}
	c := class.String()
	return "^[^" + c + "]*[^\\s" + c + "][^" + c + "]*$"
})

// schemaOf writes the JSON Schema of a shape; path names it in errors.
func schemaOf(s *shape, path string) (*schemaNode, error) {
	if s == nil {
		return nil, fmt.Errorf("%s: the field has no shape, so no schema can be written for it", path)
	}
	n := &schemaNode{Description: s.doc}
	num := func(v float64) *float64 { return &v }
	switch s.kind {
	case kindText:
		n.Type = "string"
		n.Enum = s.enum
		switch {
		case s.pattern != nil:
			n.Pattern = s.pattern.String()
		case s.enum == nil:
			n.Pattern = freeTextPattern()
		}
		n.MaxLength = s.maxLength
	case kindDate:
		n.Type, n.Format, n.Pattern = "string", "date", datePattern.String()
	case kindBool:
		n.Type = "boolean"
	case kindInt, kindNumber:
		n.Type = "integer"
		if s.kind == kindNumber {
			n.Type = "number"
		}
		if s.hasMin {
			n.Minimum = num(s.min)
		}
		if s.hasMax {
			n.Maximum = num(s.max)
		}
	case kindList:
		n.Type = "array"
		n.MinItems, n.UniqueItems = s.minItems, s.unique
		items, err := schemaOf(s.items, path+"[]")
		if err != nil {
			return nil, err
		}
		n.Items = items
	case kindMapping:
		n.Type = "object"
		n.AdditionalProperties = new(bool)
		n.Properties = properties{}
		for _, f := range s.fields() {
			p, err := schemaOf(f.is, joinPath(path, f.name))
			if err != nil {
				return nil, err
			}
			n.Properties = append(n.Properties, property{name: f.name, schema: p})
			if f.required {
				n.Required = append(n.Required, f.name)
			}
			if f.is.with != nil {
				if n.DependentRequired == nil {
					n.DependentRequired = map[string][]string{}
				}
				n.DependentRequired[f.name] = f.is.with
			}
		}
		for _, r := range s.rules {
			when := &schemaNode{Properties: properties{{name: r.field, schema: &schemaNode{Enum: r.values}}}, Required: []string{r.field}}
			if len(r.values) == 1 {
				when.Properties[0].schema = &schemaNode{Const: r.values[0]}
			}
			then := &schemaNode{Required: r.require}
			if r.only != nil {
				then.PropertyNames = &schemaNode{Enum: r.only}
			}
			for _, name := range r.refuse {
				then.Properties = append(then.Properties, property{name: name})
			}
			n.AllOf = append(n.AllOf, &schemaNode{If: when, Then: then})
		}
	default:
		return nil, fmt.Errorf("%s: the field's shape has no kind", path)
	}
	return n, nil
}
