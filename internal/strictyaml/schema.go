package strictyaml

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

	"github.com/prodaccess/prodaccess/model"
)

// SchemaBase is where the published JSON Schemas live; each schema's $id
// is its file name under it.
const SchemaBase = "https://raw.githubusercontent.com/prodaccess/prodaccess/main/schema/"

// datePattern is what a day looks like to an editor; the loader also
// checks that the day is in the calendar.
var datePattern = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`)

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

func WriteSchema(file, title string, root *Shape) ([]byte, error) {
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
		if !utf8.ValidRune(r) || model.CheckFreeText(string(r)) == "" {
			continue
		}
		end := r
		for end+1 <= unicode.MaxRune && utf8.ValidRune(end+1) && model.CheckFreeText(string(end+1)) != "" {
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
func schemaOf(s *Shape, path string) (*schemaNode, error) {
	if s == nil {
		return nil, fmt.Errorf("%s: the field has no shape, so no schema can be written for it", path)
	}
	n := &schemaNode{Description: s.Doc}
	num := func(v float64) *float64 { return &v }
	switch s.Kind {
	case KindText:
		n.Type = "string"
		n.Enum = s.Enum
		switch {
		case s.Pattern != nil:
			n.Pattern = s.Pattern.String()
		case s.Enum == nil:
			n.Pattern = freeTextPattern()
		}
		if s.Enum == nil {
			n.MaxLength = s.maxLength()
		}
	case KindDate:
		n.Type, n.Format, n.Pattern = "string", "date", datePattern.String()
	case KindBool:
		n.Type = "boolean"
	case KindInt, KindNumber:
		n.Type = "integer"
		if s.Kind == KindNumber {
			n.Type = "number"
		}
		if s.HasMin {
			n.Minimum = num(s.Min)
		}
		if s.HasMax {
			n.Maximum = num(s.Max)
		}
	case KindList:
		n.Type = "array"
		n.MinItems, n.UniqueItems = s.MinItems, s.Unique
		items, err := schemaOf(s.Items, path+"[]")
		if err != nil {
			return nil, err
		}
		n.Items = items
	case KindMapping:
		n.Type = "object"
		n.AdditionalProperties = new(bool)
		n.Properties = properties{}
		for _, f := range s.Fields() {
			p, err := schemaOf(f.Is, joinPath(path, f.Name))
			if err != nil {
				return nil, err
			}
			n.Properties = append(n.Properties, property{name: f.Name, schema: p})
			if f.Required {
				n.Required = append(n.Required, f.Name)
			}
			if f.Is.With != nil {
				if n.DependentRequired == nil {
					n.DependentRequired = map[string][]string{}
				}
				n.DependentRequired[f.Name] = f.Is.With
			}
		}
		for _, r := range s.Rules {
			when := &schemaNode{Properties: properties{{name: r.Field, schema: &schemaNode{Enum: r.Values}}}, Required: []string{r.Field}}
			if len(r.Values) == 1 {
				when.Properties[0].schema = &schemaNode{Const: r.Values[0]}
			}
			then := &schemaNode{Required: r.Require}
			if r.Only != nil {
				then.PropertyNames = &schemaNode{Enum: r.Only}
			}
			for _, name := range r.Refuse {
				then.Properties = append(then.Properties, property{name: name})
			}
			n.AllOf = append(n.AllOf, &schemaNode{If: when, Then: then})
		}
	default:
		return nil, fmt.Errorf("%s: the field's shape has no kind", path)
	}
	return n, nil
}
