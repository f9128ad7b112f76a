package fakegithub

import (
	"bytes"
	_ "embed"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// subsetJSON is the part of GitHub's REST description the stand-in
// serves; go generate makes it (see generate.go).
//
//go:embed testdata/openapi-subset.json
var subsetJSON []byte

// subsetURL names the description for the schema compiler; nothing is
// fetched from it.
const subsetURL = "https://fakegithub.invalid/openapi-subset.json"

// description is GitHub's REST description, compiled for checking.
type description struct {
	source     string // the package and version it came from
	operations []*operation
	basicError *jsonschema.Schema // the body of an error GitHub may give on any operation
}

// operation is one documented operation.
type operation struct {
	id, method, path string
	segments         []string // of path; "{name}" for a parameter
	pathParams       map[string]*param
	queryParams      map[string]*param
	request          *jsonschema.Schema // the JSON body of a write, if it has one
	requestRequired  bool
	responses        map[int]*response
}

func (o *operation) String() string { return o.id + " (" + o.method + " " + o.path + ")" }

// param is a path or query parameter.
type param struct {
	typ    string // the schema's type
	schema *jsonschema.Schema
}

// response is a documented response of an operation.
type response struct {
	media   string             // the documented media type, if it has a body
	schema  *jsonschema.Schema // of the body
	headers map[string]*header // by canonical name
}

type header struct {
	typ    string
	schema *jsonschema.Schema
}

// loadDescription compiles the embedded description once.
var loadDescription = sync.OnceValues(func() (*description, error) {
	return compileDescription(subsetJSON)
})

// compileDescription turns an OpenAPI 3.0 description into operations
// with compiled JSON Schemas (see toJSONSchema for the differences).
func compileDescription(data []byte) (*description, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("openapi subset: %w", err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("openapi subset: not a JSON object")
	}
	convertSchemas(doc)
	closeRequestSchemas(doc)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(subsetURL, doc); err != nil {
		return nil, fmt.Errorf("openapi subset: %w", err)
	}
	d := &description{}
	if src, ok := lookup(doc, "info", "x-source").(map[string]any); ok {
		d.source = fmt.Sprint(src["package"], " ", src["version"])
	}
	compile := func(ptr []string) (*jsonschema.Schema, error) {
		s, err := c.Compile((&url.URL{Scheme: "https", Host: "fakegithub.invalid", Path: "/openapi-subset.json", Fragment: pointer(ptr)}).String())
		if err != nil {
			return nil, fmt.Errorf("openapi subset: schema at %s: %w", pointer(ptr), err)
		}
		return s, nil
	}
	if d.basicError, err = compile([]string{"components", "schemas", "basic-error"}); err != nil {
		return nil, err
	}
	paths, _ := doc["paths"].(map[string]any)
	for _, path := range sortedKeys(paths) {
		item, _ := paths[path].(map[string]any)
		for _, method := range sortedKeys(item) {
			if method == "parameters" {
				continue
			}
			op, err := compileOperation(doc, compile, path, method, item)
			if err != nil {
				return nil, fmt.Errorf("openapi subset: %s %s: %w", strings.ToUpper(method), path, err)
			}
			d.operations = append(d.operations, op)
		}
	}
	return d, nil
}

func compileOperation(doc map[string]any, compile func([]string) (*jsonschema.Schema, error), path, method string, item map[string]any) (*operation, error) {
	at := []string{"paths", path, method}
	raw, _ := item[method].(map[string]any)
	op := &operation{
		method:      strings.ToUpper(method),
		path:        path,
		segments:    strings.Split(strings.Trim(path, "/"), "/"),
		pathParams:  map[string]*param{},
		queryParams: map[string]*param{},
		responses:   map[int]*response{},
	}
	op.id, _ = raw["operationId"].(string)

	// Parameters of the path, then of the operation.
	var params [][]string
	for _, base := range [][]string{{"paths", path, "parameters"}, append(slices.Clone(at), "parameters")} {
		list, _ := lookup(doc, base...).([]any)
		for i := range list {
			params = append(params, append(slices.Clone(base), strconv.Itoa(i)))
		}
	}
	for _, ptr := range params {
		ptr, p := resolve(doc, ptr)
		name, _ := p["name"].(string)
		in, _ := p["in"].(string)
		if _, ok := p["schema"]; !ok || (in != "path" && in != "query") {
			continue
		}
		s, err := compile(append(ptr, "schema"))
		if err != nil {
			return nil, err
		}
		typ, _ := lookup(p, "schema", "type").(string)
		if in == "path" {
			op.pathParams[name] = &param{typ: typ, schema: s}
		} else {
			op.queryParams[name] = &param{typ: typ, schema: s}
		}
	}
	for _, seg := range op.segments {
		if name, ok := paramName(seg); ok && op.pathParams[name] == nil {
			return nil, fmt.Errorf("path parameter %s is not described", name)
		}
	}

	if _, ok := raw["requestBody"]; ok {
		ptr, body := resolve(doc, append(slices.Clone(at), "requestBody"))
		op.requestRequired, _ = body["required"].(bool)
		if _, ok := lookup(body, "content", "application/json", "schema").(map[string]any); ok {
			s, err := compile(append(ptr, "content", "application/json", "schema"))
			if err != nil {
				return nil, err
			}
			op.request = s
		}
	}

	responses, _ := raw["responses"].(map[string]any)
	for _, code := range sortedKeys(responses) {
		status, err := strconv.Atoi(code)
		if err != nil {
			return nil, fmt.Errorf("response %q is not a status code", code)
		}
		ptr, r := resolve(doc, append(slices.Clone(at), "responses", code))
		resp := &response{headers: map[string]*header{}}
		content, _ := r["content"].(map[string]any)
		if _, ok := content["application/json"]; ok {
			resp.media = "application/json"
		} else if len(content) == 1 {
			resp.media = sortedKeys(content)[0]
		}
		if _, ok := lookup(content, resp.media, "schema").(map[string]any); ok {
			if resp.schema, err = compile(append(ptr, "content", resp.media, "schema")); err != nil {
				return nil, err
			}
		}
		hs, _ := r["headers"].(map[string]any)
		for _, name := range sortedKeys(hs) {
			hptr, h := resolve(doc, append(slices.Clone(ptr), "headers", name))
			s, err := compile(append(hptr, "schema"))
			if err != nil {
				return nil, err
			}
			typ, _ := lookup(h, "schema", "type").(string)
			resp.headers[http.CanonicalHeaderKey(name)] = &header{typ: typ, schema: s}
		}
		op.responses[status] = resp
	}
	return op, nil
}

// resolve follows a $ref at ptr, if there is one, to the object it names
// and its pointer.
func resolve(doc map[string]any, ptr []string) ([]string, map[string]any) {
	for range 10 {
		m, _ := lookup(doc, ptr...).(map[string]any)
		ref, ok := m["$ref"].(string)
		if !ok {
			return ptr, m
		}
		ptr = unpointer(strings.TrimPrefix(ref, "#"))
	}
	return ptr, nil
}

func paramName(seg string) (string, bool) {
	if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
		return seg[1 : len(seg)-1], true
	}
	return "", false
}

// lookup follows keys (JSON pointer tokens) into v.
func lookup(v any, keys ...string) any {
	for _, k := range keys {
		switch c := v.(type) {
		case map[string]any:
			v = c[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

var (
	pointerEscape   = strings.NewReplacer("~", "~0", "/", "~1")
	pointerUnescape = strings.NewReplacer("~1", "/", "~0", "~")
)

// pointer makes a JSON pointer of keys.
func pointer(keys []string) string {
	var b strings.Builder
	for _, k := range keys {
		b.WriteString("/" + pointerEscape.Replace(k))
	}
	return b.String()
}

func unpointer(p string) []string {
	keys := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, k := range keys {
		keys[i] = pointerUnescape.Replace(k)
	}
	return keys
}

// convertSchemas rewrites, in place, every schema of an OpenAPI 3.0
// description as the JSON Schema (2020-12) that means the same.
func convertSchemas(doc map[string]any) {
	schemas, _ := lookup(doc, "components", "schemas").(map[string]any)
	for name, s := range schemas {
		schemas[name] = toJSONSchema(s)
	}
	// Everywhere else, a schema is the "schema" of a parameter, a header
	// or a media type.
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if k == "schema" {
					v[k] = toJSONSchema(e)
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
		walk(lookup(doc, "components", kind))
	}
}

// toJSONSchema rewrites an OpenAPI 3.0 schema object as the JSON Schema
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
func toJSONSchema(v any) any {
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
				m[n] = toJSONSchema(e)
			}
		}
	}
	for _, k := range []string{"items", "additionalProperties", "not"} {
		if e, ok := s[k].(map[string]any); ok {
			s[k] = toJSONSchema(e)
		}
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if a, ok := s[k].([]any); ok {
			for i := range a {
				a[i] = toJSONSchema(a[i])
			}
		}
	}
	if d, ok := s["discriminator"].(map[string]any); ok {
		name, _ := d["propertyName"].(string)
		mapping, _ := d["mapping"].(map[string]any)
		all, _ := s["allOf"].([]any)
		for _, value := range sortedKeys(mapping) {
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

// strictSchemas is where closeRequestSchemas keeps the closed copies of
// the shared schemas that request bodies use; the originals stay as they
// are for the answers.
const strictSchemas = "x-request-schemas"

// closeRequestSchemas closes, in place, the JSON schema of every
// operation's request body: an object may have only the properties the
// description lists, where the schema does not say otherwise
// (additionalProperties, unevaluatedProperties or patternProperties), and
// so may every object inside it. GitHub ignores a field it does not know,
// so a client that sends one believes it asked for something it did not
// get.
func closeRequestSchemas(doc map[string]any) {
	paths, _ := doc["paths"].(map[string]any)
	for _, path := range sortedKeys(paths) {
		item, _ := paths[path].(map[string]any)
		for _, method := range sortedKeys(item) {
			if _, ok := lookup(item, method, "requestBody").(map[string]any); !ok {
				continue
			}
			_, body := resolve(doc, []string{"paths", path, method, "requestBody"})
			if media, ok := lookup(body, "content", "application/json").(map[string]any); ok && media["schema"] != nil {
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
		parts = append(parts, lookup(doc, unpointer(strings.TrimPrefix(ref, "#"))...))
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
			strict[name] = closedInside(doc, lookup(doc, "components", "schemas", name))
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
