// Package openapi reads an OpenAPI 3.0 description for the checkers of
// the stand-ins (internal/fakegithub, internal/fakepagerduty): its schemas
// rewritten as the JSON Schema (2020-12) that means the same and compiled,
// its operations with their parameters and responses, the matching of a
// request to its operation, the checks of a request and an answer against
// the operation, and the recording of exchanges to check them off the
// requests' path. What a service's answers must hold beyond its
// description stays with the stand-in of that service.
package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Description is an OpenAPI description compiled for checking.
type Description struct {
	// Doc is the description as decoded, its schemas rewritten as JSON
	// Schema (see ConvertSchemas).
	Doc        map[string]any
	Operations []*Operation

	compiler *jsonschema.Compiler
	base     url.URL
}

// Operation is one documented operation.
type Operation struct {
	ID, Method, Path string
	Segments         []string // of Path; "{name}" for a parameter
	PathParams       map[string]*Param
	QueryParams      map[string]*Param
	HeaderParams     map[string]*Param  // by canonical header name
	Request          *jsonschema.Schema // the JSON body of a write, if it has one
	RequestRequired  bool
	Responses        map[int]*Response
}

func (o *Operation) String() string { return o.ID + " (" + o.Method + " " + o.Path + ")" }

// Statuses lists the documented statuses, in order.
func (o *Operation) Statuses() string {
	var s []string
	for _, c := range slices.Sorted(maps.Keys(o.Responses)) {
		s = append(s, strconv.Itoa(c))
	}
	return strings.Join(s, ", ")
}

// Param is a parameter of an operation, or a header of a response.
type Param struct {
	Name     string
	Type     string // its schema's type; "array" for a list
	ItemType string // for a list, the type of its items
	Required bool
	// Explode: a list, or an exploded parameter, is sent as the parameter
	// repeated, once a value.
	Explode bool
	Schema  *jsonschema.Schema
	// Raw is the schema as JSON, for its default and enum.
	Raw map[string]any
}

// Response is a documented response of an operation.
type Response struct {
	Media   string             // the documented media type, if it has a body
	Schema  *jsonschema.Schema // of the body
	Headers map[string]*Param  // by canonical name
}

// Decode reads a description and rewrites its schemas as JSON Schema.
func Decode(data []byte) (map[string]any, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a JSON object")
	}
	ConvertSchemas(doc)
	return doc, nil
}

// Compile compiles the operations of a decoded description. host names
// the description for the schema compiler (https://HOST/openapi.json);
// nothing is fetched from it.
func Compile(doc map[string]any, host string) (*Description, error) {
	d := &Description{Doc: doc, compiler: jsonschema.NewCompiler(), base: url.URL{Scheme: "https", Host: host, Path: "/openapi.json"}}
	d.compiler.AssertFormat()
	if err := d.compiler.AddResource(d.base.String(), doc); err != nil {
		return nil, err
	}
	paths, _ := doc["paths"].(map[string]any)
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		item, _ := paths[path].(map[string]any)
		for _, method := range slices.Sorted(maps.Keys(item)) {
			if !isMethod(method) {
				continue
			}
			op, err := d.compileOperation(path, method, item)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", strings.ToUpper(method), path, err)
			}
			d.Operations = append(d.Operations, op)
		}
	}
	return d, nil
}

func isMethod(m string) bool {
	return slices.Contains([]string{"get", "head", "post", "put", "patch", "delete", "options", "trace"}, m)
}

// Schema compiles the schema at a JSON pointer (as keys) of the
// description.
func (d *Description) Schema(keys ...string) (*jsonschema.Schema, error) {
	u := d.base
	u.Fragment = Pointer(keys)
	s, err := d.compiler.Compile(u.String())
	if err != nil {
		return nil, fmt.Errorf("schema at %s: %w", Pointer(keys), err)
	}
	return s, nil
}

func (d *Description) compileOperation(path, method string, item map[string]any) (*Operation, error) {
	at := []string{"paths", path, method}
	raw, _ := item[method].(map[string]any)
	op := &Operation{
		Method:       strings.ToUpper(method),
		Path:         path,
		Segments:     strings.Split(strings.Trim(path, "/"), "/"),
		PathParams:   map[string]*Param{},
		QueryParams:  map[string]*Param{},
		HeaderParams: map[string]*Param{},
		Responses:    map[int]*Response{},
	}
	op.ID, _ = raw["operationId"].(string)

	// Parameters of the path, then of the operation, which may override
	// them.
	var params [][]string
	for _, base := range [][]string{{"paths", path, "parameters"}, append(slices.Clone(at), "parameters")} {
		list, _ := Lookup(d.Doc, base...).([]any)
		for i := range list {
			params = append(params, append(slices.Clone(base), strconv.Itoa(i)))
		}
	}
	for _, ptr := range params {
		ptr, p := Resolve(d.Doc, ptr)
		in, _ := p["in"].(string)
		if _, ok := p["schema"]; !ok {
			continue
		}
		param, err := d.param(ptr, p)
		if err != nil {
			return nil, err
		}
		switch in {
		case "path":
			op.PathParams[param.Name] = param
		case "query":
			op.QueryParams[param.Name] = param
		case "header":
			param.Name = http.CanonicalHeaderKey(param.Name)
			op.HeaderParams[param.Name] = param
		}
	}
	for _, seg := range op.Segments {
		if name, ok := paramName(seg); ok && op.PathParams[name] == nil {
			return nil, fmt.Errorf("path parameter %s is not described", name)
		}
	}

	if _, ok := raw["requestBody"]; ok {
		ptr, body := Resolve(d.Doc, append(slices.Clone(at), "requestBody"))
		op.RequestRequired, _ = body["required"].(bool)
		if _, ok := Lookup(body, "content", "application/json", "schema").(map[string]any); ok {
			s, err := d.Schema(append(ptr, "content", "application/json", "schema")...)
			if err != nil {
				return nil, err
			}
			op.Request = s
		}
	}

	responses, _ := raw["responses"].(map[string]any)
	for _, code := range slices.Sorted(maps.Keys(responses)) {
		status, err := strconv.Atoi(code)
		if err != nil {
			return nil, fmt.Errorf("response %q is not a status code", code)
		}
		ptr, r := Resolve(d.Doc, append(slices.Clone(at), "responses", code))
		resp := &Response{Headers: map[string]*Param{}}
		content, _ := r["content"].(map[string]any)
		if _, ok := content["application/json"]; ok {
			resp.Media = "application/json"
		} else if len(content) == 1 {
			resp.Media = slices.Sorted(maps.Keys(content))[0]
		}
		if _, ok := Lookup(content, resp.Media, "schema").(map[string]any); ok {
			if resp.Schema, err = d.Schema(append(ptr, "content", resp.Media, "schema")...); err != nil {
				return nil, err
			}
		}
		hs, _ := r["headers"].(map[string]any)
		for _, name := range slices.Sorted(maps.Keys(hs)) {
			hptr, h := Resolve(d.Doc, append(slices.Clone(ptr), "headers", name))
			param, err := d.param(hptr, h)
			if err != nil {
				return nil, err
			}
			param.Name = http.CanonicalHeaderKey(name)
			resp.Headers[param.Name] = param
		}
		op.Responses[status] = resp
	}
	return op, nil
}

// param compiles the parameter (or header) p found at ptr.
func (d *Description) param(ptr []string, p map[string]any) (*Param, error) {
	s, err := d.Schema(append(ptr, "schema")...)
	if err != nil {
		return nil, err
	}
	raw, _ := p["schema"].(map[string]any)
	param := &Param{Schema: s, Raw: raw}
	param.Name, _ = p["name"].(string)
	param.Required, _ = p["required"].(bool)
	param.Type = schemaType(raw)
	if param.Type == "array" {
		param.ItemType = schemaType(Lookup(raw, "items"))
	}
	// OpenAPI's default style for a query parameter is form, which
	// explodes a list; a single value is exploded into more than one only
	// where the description says so (PagerDuty's include[]).
	explode, set := p["explode"].(bool)
	param.Explode = explode || (!set && p["in"] == "query" && param.Type == "array")
	return param, nil
}

// schemaType is the type a (converted) schema gives, without "null".
func schemaType(v any) string {
	switch t := Lookup(v, "type").(type) {
	case string:
		return t
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok && s != "null" {
				return s
			}
		}
	}
	return ""
}

// Match finds the operation for a request: the method, and a path whose
// segments equal the template's, a parameter matching any segment its
// schema allows, and a last parameter named path (a file's, as in
// GitHub's contents API) the segments left, slashes and all. Where two
// templates match, the one with a literal segment before the other's
// parameter wins, as GitHub routes. If none matches, methods lists those
// documented on the path.
func (d *Description) Match(method, path string) (best *Operation, methods []string) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, op := range d.Operations {
		if !op.matches(segs) {
			continue
		}
		if op.Method != method {
			methods = append(methods, op.Method)
			continue
		}
		if best == nil || moreLiteral(op, best) {
			best = op
		}
	}
	return best, methods
}

func (o *Operation) matches(segs []string) bool {
	if n := len(o.Segments); n > 0 && o.Segments[n-1] == "{path}" && len(segs) > n {
		segs = append(segs[:n-1:n-1], strings.Join(segs[n-1:], "/"))
	}
	if len(segs) != len(o.Segments) {
		return false
	}
	for i, t := range o.Segments {
		name, ok := paramName(t)
		if !ok {
			if segs[i] != t {
				return false
			}
			continue
		}
		p := o.PathParams[name]
		v, ok := typed(p.Type, segs[i])
		if segs[i] == "" || !ok || p.Schema.Validate(v) != nil {
			return false
		}
	}
	return true
}

// moreLiteral reports whether a has a literal segment where b, which
// matches the same path, first has a parameter. A file path that takes
// the segments left is a parameter at each of them.
func moreLiteral(a, b *Operation) bool {
	at := func(o *Operation, i int) bool {
		_, p := paramName(o.Segments[min(i, len(o.Segments)-1)])
		return p
	}
	for i := range max(len(a.Segments), len(b.Segments)) {
		if pa, pb := at(a, i), at(b, i); pa != pb {
			return pb
		}
	}
	return false
}

// paramName returns the name of a path template's segment "{name}".
func paramName(seg string) (string, bool) {
	if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
		return seg[1 : len(seg)-1], true
	}
	return "", false
}

// typed reads a parameter's value as its schema's type.
func typed(typ, s string) (any, bool) {
	switch typ {
	case "integer", "number":
		var n json.Number
		if json.Unmarshal([]byte(s), &n) != nil {
			return nil, false
		}
		return n, true
	case "boolean":
		return s == "true", s == "true" || s == "false"
	}
	return s, true
}

// CheckQuery checks a request's query against the operation's
// parameters: each is documented, of its type and within its schema; a
// list is checked as a whole (its values unique where the schema says
// so); a parameter that is not exploded comes once.
func (o *Operation) CheckQuery(p *Problems, q url.Values) {
	for _, name := range slices.Sorted(maps.Keys(q)) {
		qp := o.QueryParams[name]
		values := q[name]
		switch {
		case qp == nil:
			p.Addf("the request's query parameter %q is not documented", name)
		case qp.Type == "array":
			list := make([]any, 0, len(values))
			ok := true
			for _, s := range values {
				v, good := typed(qp.ItemType, s)
				if !good {
					p.Addf("the request's query parameter %s=%q is not a %s", name, s, qp.ItemType)
					ok = false
				}
				list = append(list, v)
			}
			if err := qp.Schema.Validate(list); ok && err != nil {
				p.AddSchema(fmt.Sprintf("the request's query parameter %s=%q", name, values), err)
			}
		default:
			if len(values) > 1 && !qp.Explode {
				p.Addf("the request's query parameter %s is given %d times; it takes one value", name, len(values))
			}
			seen := map[string]bool{}
			for _, s := range values {
				if seen[s] {
					p.Addf("the request's query parameter %s=%q is given twice", name, s)
				}
				seen[s] = true
				v, ok := typed(qp.Type, s)
				if !ok {
					p.Addf("the request's query parameter %s=%q is not a %s", name, s, qp.Type)
					continue
				}
				if err := qp.Schema.Validate(v); err != nil {
					p.AddSchema(fmt.Sprintf("the request's query parameter %s=%q", name, s), err)
				}
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(o.QueryParams)) {
		if o.QueryParams[name].Required && len(q[name]) == 0 {
			p.Addf("the request has no query parameter %s, which is required", name)
		}
	}
}

// Resolve follows a $ref at ptr, if there is one, to the object it names
// and its pointer.
func Resolve(doc map[string]any, ptr []string) ([]string, map[string]any) {
	for range 10 {
		m, _ := Lookup(doc, ptr...).(map[string]any)
		ref, ok := m["$ref"].(string)
		if !ok {
			return ptr, m
		}
		ptr = Unpointer(strings.TrimPrefix(ref, "#"))
	}
	return ptr, nil
}

// Lookup follows keys (JSON pointer tokens) into v.
func Lookup(v any, keys ...string) any {
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

var (
	pointerEscape   = strings.NewReplacer("~", "~0", "/", "~1")
	pointerUnescape = strings.NewReplacer("~1", "/", "~0", "~")
)

// Pointer makes a JSON pointer of keys.
func Pointer(keys []string) string {
	var b strings.Builder
	for _, k := range keys {
		b.WriteString("/" + pointerEscape.Replace(k))
	}
	return b.String()
}

// Unpointer splits a JSON pointer into its keys.
func Unpointer(p string) []string {
	keys := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, k := range keys {
		keys[i] = pointerUnescape.Replace(k)
	}
	return keys
}
