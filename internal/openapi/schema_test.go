package openapi

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestToJSONSchema: the OpenAPI 3.0 keywords JSON Schema reads otherwise
// are rewritten to mean what OpenAPI means.
func TestToJSONSchema(t *testing.T) {
	tests := []struct {
		name     string
		in, want string
	}{
		{
			name: "nullable with a type",
			in:   `{"type": "string", "nullable": true, "format": "date-time"}`,
			want: `{"type": ["string", "null"], "format": "date-time"}`,
		},
		{
			name: "nullable with an enum",
			in:   `{"type": "string", "enum": ["a", "b"], "nullable": true}`,
			want: `{"type": ["string", "null"], "enum": ["a", "b", null]}`,
		},
		{
			name: "nullable without a type",
			in:   `{"nullable": true, "oneOf": [{"type": "string"}, {"type": "integer"}]}`,
			want: `{"anyOf": [{"oneOf": [{"type": "string"}, {"type": "integer"}]}, {"type": "null"}]}`,
		},
		{
			name: "nullable: false",
			in:   `{"type": "integer", "nullable": false}`,
			want: `{"type": "integer"}`,
		},
		{
			name: "a $ref stands alone",
			in:   `{"$ref": "#/components/schemas/x", "nullable": true, "description": "ignored by OpenAPI 3.0"}`,
			want: `{"$ref": "#/components/schemas/x"}`,
		},
		{
			name: "nested schemas",
			in:   `{"type": "object", "properties": {"a": {"type": "string", "nullable": true}}, "items": {"type": "integer", "nullable": true}, "additionalProperties": {"type": "boolean", "nullable": true}, "allOf": [{"type": "string", "nullable": true}], "not": {"type": "string", "nullable": true}}`,
			want: `{"type": "object", "properties": {"a": {"type": ["string", "null"]}}, "items": {"type": ["integer", "null"]}, "additionalProperties": {"type": ["boolean", "null"]}, "allOf": [{"type": ["string", "null"]}], "not": {"type": ["string", "null"]}}`,
		},
		{
			name: "a property named like a keyword is a property",
			in:   `{"type": "object", "properties": {"nullable": {"type": "boolean"}, "discriminator": {"type": "string"}}}`,
			want: `{"type": "object", "properties": {"nullable": {"type": "boolean"}, "discriminator": {"type": "string"}}}`,
		},
		{
			name: "a discriminator chooses the schema",
			in:   `{"discriminator": {"propertyName": "kind", "mapping": {"b": "#/components/schemas/b", "a": "#/components/schemas/a"}}, "oneOf": [{"$ref": "#/components/schemas/a"}, {"$ref": "#/components/schemas/b"}]}`,
			want: `{"oneOf": [{"$ref": "#/components/schemas/a"}, {"$ref": "#/components/schemas/b"}], "allOf": [
				{"if": {"properties": {"kind": {"const": "a"}}, "required": ["kind"]}, "then": {"$ref": "#/components/schemas/a"}},
				{"if": {"properties": {"kind": {"const": "b"}}, "required": ["kind"]}, "then": {"$ref": "#/components/schemas/b"}}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in, want any
			if err := json.Unmarshal([]byte(tt.in), &in); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, ToJSONSchema(in)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
