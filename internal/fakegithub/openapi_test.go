package fakegithub

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/openapisubset"
)

// TestSubsetIsTheList: the committed subset holds exactly the operations
// and schemas openapi-operations.txt names, so that a line added to the
// list without go generate fails here, and says where it came from.
func TestSubsetIsTheList(t *testing.T) {
	f, err := os.Open("openapi-operations.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	list, err := openapisubset.ParseList("openapi-operations.txt", f)
	if err != nil {
		t.Fatal(err)
	}
	var subset struct {
		Info struct {
			Source openapisubset.Source `json:"x-source"`
		}
		Paths      map[string]map[string]json.RawMessage
		Components struct{ Schemas map[string]json.RawMessage }
	}
	if err := json.Unmarshal(subsetJSON, &subset); err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, op := range list.Operations {
		want = append(want, op.String())
	}
	for path, item := range subset.Paths {
		for method := range item {
			if method != "parameters" {
				got = append(got, openapisubset.Operation{Method: strings.ToUpper(method), Path: path}.String())
			}
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("operations in testdata/openapi-subset.json (-listed +present); run go generate ./internal/fakegithub:\n%s", diff)
	}
	for _, s := range list.Schemas {
		if subset.Components.Schemas[s] == nil {
			t.Errorf("schema %s is listed but not in the subset; run go generate ./internal/fakegithub", s)
		}
	}
	src := subset.Info.Source
	if src.Package != openapisubset.Package || src.Version == "" || src.File != openapisubset.File || len(src.Integrity) < len("sha512-")+80 {
		t.Errorf("the subset does not say where it came from: %+v", src)
	}
	d := loaded(t)
	if len(d.operations) != len(list.Operations) || d.source != src.Package+" "+src.Version {
		t.Errorf("compiled %d operations from %q, want %d from %s %s", len(d.operations), d.source, len(list.Operations), src.Package, src.Version)
	}
}

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
			if diff := cmp.Diff(want, toJSONSchema(in)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestCompileDescriptionErrors: a description the checker cannot use is
// refused, saying where.
func TestCompileDescriptionErrors(t *testing.T) {
	basic := `"components": {"schemas": {"basic-error": {"type": "object"}}}`
	tests := []struct {
		name, doc, want string
	}{
		{"not JSON", `{`, "openapi subset: "},
		{"no basic-error", `{"paths": {}}`, "openapi subset: schema at /components/schemas/basic-error: "},
		{"an undescribed path parameter", `{"paths": {"/users/{username}": {"get": {"responses": {}}}}, ` + basic + `}`,
			"openapi subset: GET /users/{username}: path parameter username is not described"},
		{"a response that is not a status", `{"paths": {"/user": {"get": {"responses": {"default": {}}}}}, ` + basic + `}`,
			`openapi subset: GET /user: response "default" is not a status code`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := compileDescription([]byte(tt.doc))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %v, want one starting %q", err, tt.want)
			}
		})
	}
}
