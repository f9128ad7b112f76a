package openapi

import (
	"maps"
	"slices"
	"strings"
)

// strictSchemas is where CloseRequestSchemas keeps the closed copies of
// the shared schemas that request bodies use; the originals stay as they
// are for the answers.
const strictSchemas = "x-request-schemas"

// CloseRequestSchemas closes, in place, the JSON schema of every
// operation's request body: an object may have only the properties the
// description lists, where the schema does not say otherwise
// (additionalProperties, unevaluatedProperties or patternProperties), and
// so may every object inside it. GitHub ignores a field it does not know,
// so a client that sends one believes it asked for something it did not
// get.
func CloseRequestSchemas(doc map[string]any) {
	paths, _ := doc["paths"].(map[string]any)
	for _, path := range sortedKeys(paths) {
		item, _ := paths[path].(map[string]any)
		for _, method := range sortedKeys(item) {
			if _, ok := Lookup(item, method, "requestBody").(map[string]any); !ok {
				continue
			}
			_, body := Resolve(doc, []string{"paths", path, method, "requestBody"})
			if media, ok := Lookup(body, "content", "application/json").(map[string]any); ok && media["schema"] != nil {
				media["schema"] = closedObject(doc, media["schema"])
			}
		}
	}
}

// closedObject closes a schema where a value of its own stands (a body, a
// property, a list's items): it and what is inside it may have only the
// properties they list. Properties that the parts of an allOf, anyOf or
// oneOf, or a $ref, list are named beside them, so that
// additionalProperties, which sees only its own schema's properties,
// counts them too.
func closedObject(doc map[string]any, v any) any {
	s, ok := closedInside(doc, v).(map[string]any)
	if !ok {
		return s
	}
	names, open := propertyNames(doc, s, nil)
	if open || len(names) == 0 && s["type"] != "object" && !slices.Contains(anySlice(s["type"]), "object") {
		return s
	}
	props, _ := s["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	for _, n := range names {
		if _, ok := props[n]; !ok {
			props[n] = map[string]any{} // any value: the part that lists it checks it
		}
	}
	s["properties"] = props
	s["additionalProperties"] = false
	return s
}

// propertyNames lists the properties a schema and the parts it is made of
// (allOf, anyOf, oneOf, $ref) name; open is true if any says it takes
// others.
func propertyNames(doc map[string]any, s map[string]any, seen []string) (names []string, open bool) {
	for _, k := range []string{"additionalProperties", "unevaluatedProperties", "patternProperties"} {
		if _, says := s[k]; says {
			return nil, true
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		names = append(names, sortedKeys(props)...)
	}
	var parts []any
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		parts = append(parts, anySlice(s[k])...)
	}
	if ref, ok := s["$ref"].(string); ok && !slices.Contains(seen, ref) {
		seen = append(seen, ref)
		// A closed copy names what the original does, and may be
		// being made.
		if name, ok := strings.CutPrefix(ref, "#/"+strictSchemas+"/"); ok {
			ref = "#/components/schemas/" + name
		}
		parts = append(parts, Lookup(doc, Unpointer(strings.TrimPrefix(ref, "#"))...))
	}
	for _, p := range parts {
		m, ok := p.(map[string]any)
		if !ok {
			continue
		}
		more, o := propertyNames(doc, m, seen)
		if o {
			return nil, true
		}
		for _, n := range more {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names, false
}

// closedInside returns a copy of a schema whose values (properties,
// items) are closed; it is not closed itself, as it may be one part of an
// allOf. A $ref names the closed copy of the schema it names, which is
// closed inside only, like a part.
func closedInside(doc map[string]any, v any) any {
	s, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := make(map[string]any, len(s))
	for k, e := range s {
		out[k] = e
	}
	if ref, ok := s["$ref"].(string); ok {
		const prefix = "#/components/schemas/"
		name, shared := strings.CutPrefix(ref, prefix)
		if !shared {
			return out
		}
		strict, _ := doc[strictSchemas].(map[string]any)
		if strict == nil {
			strict = map[string]any{}
			doc[strictSchemas] = strict
		}
		if _, done := strict[name]; !done {
			strict[name] = true // a schema that refers to itself is closed once
			strict[name] = closedInside(doc, Lookup(doc, "components", "schemas", name))
		}
		out["$ref"] = "#/" + strictSchemas + "/" + pointerEscape.Replace(name)
		return out
	}
	if props, ok := s["properties"].(map[string]any); ok {
		closed := make(map[string]any, len(props))
		for n, e := range props {
			closed[n] = closedObject(doc, e)
		}
		out["properties"] = closed
	}
	for _, k := range []string{"items", "additionalProperties"} {
		if e, ok := s[k].(map[string]any); ok {
			out[k] = closedObject(doc, e)
		}
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if list, ok := s[k].([]any); ok {
			closed := make([]any, len(list))
			for i, e := range list {
				closed[i] = closedInside(doc, e)
			}
			out[k] = closed
		}
	}
	for _, k := range []string{"if", "then", "else"} {
		if e, ok := s[k].(map[string]any); ok {
			out[k] = closedInside(doc, e)
		}
	}
	return out
}

func anySlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
