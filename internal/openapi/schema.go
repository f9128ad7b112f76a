package openapi

import (
	"maps"
	"slices"
)

// ConvertSchemas rewrites, in place, every schema of an OpenAPI 3.0
// description as the JSON Schema (2020-12) that means the same.
func ConvertSchemas(doc map[string]any) {
	schemas, _ := Lookup(doc, "components", "schemas").(map[string]any)
	for name, s := range schemas {
		schemas[name] = ToJSONSchema(s)
	}
	// Everywhere else, a schema is the "schema" of a parameter, a header
	// or a media type.
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if k == "schema" {
					v[k] = ToJSONSchema(e)
				} else {
					walk(e)
				}
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(doc["paths"])
	for _, kind := range []string{"parameters", "responses", "headers", "requestBodies"} {
		walk(Lookup(doc, "components", kind))
	}
}

// ToJSONSchema rewrites an OpenAPI 3.0 schema object as the JSON Schema
// 2020-12 that means the same, where the two differ:
//
//   - nullable: true adds "null" to type (and to enum, if any); on a
//     schema without a type (allOf, anyOf, oneOf), the schema becomes
//     anyOf [the schema, {type: null}].
//   - A $ref stands alone: OpenAPI 3.0 ignores the keywords beside it,
//     JSON Schema would apply them.
//   - discriminator maps a property's value to the one schema of oneOf
//     that applies: each mapping becomes an if/then.
//
// The keywords that are only annotations in JSON Schema (example,
// description, readOnly, deprecated, x-...) are left; format is asserted
// by the compiler for the formats it knows (date-time, uri, email), and
// the others (int64, repo.nwo) are not checked.
func ToJSONSchema(v any) any {
	s, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if ref, ok := s["$ref"]; ok {
		return map[string]any{"$ref": ref}
	}
	for _, k := range []string{"properties", "patternProperties"} {
		if m, ok := s[k].(map[string]any); ok {
			for n, e := range m {
				m[n] = ToJSONSchema(e)
			}
		}
	}
	for _, k := range []string{"items", "additionalProperties", "not"} {
		if e, ok := s[k].(map[string]any); ok {
			s[k] = ToJSONSchema(e)
		}
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if a, ok := s[k].([]any); ok {
			for i := range a {
				a[i] = ToJSONSchema(a[i])
			}
		}
	}
	if d, ok := s["discriminator"].(map[string]any); ok {
		name, _ := d["propertyName"].(string)
		mapping, _ := d["mapping"].(map[string]any)
		all, _ := s["allOf"].([]any)
		for _, value := range slices.Sorted(maps.Keys(mapping)) {
			all = append(all, map[string]any{
				"if":   map[string]any{"properties": map[string]any{name: map[string]any{"const": value}}, "required": []any{name}},
				"then": map[string]any{"$ref": mapping[value]},
			})
		}
		if len(all) > 0 {
			s["allOf"] = all
		}
		delete(s, "discriminator")
	}
	if s["nullable"] == true {
		delete(s, "nullable")
		t, ok := s["type"].(string)
		if !ok {
			return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
		}
		s["type"] = []any{t, "null"}
		if e, ok := s["enum"].([]any); ok && !slices.Contains(e, nil) {
			s["enum"] = append(e, nil)
		}
	}
	delete(s, "nullable")
	return s
}
