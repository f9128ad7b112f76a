package openapi

import (
	"bytes"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// What a stand-in's checker holds an exchange to that its service's
// description says: the operation, the request's body, the answer's
// documented headers, a JSON body's media type; and the report of what
// is wrong. The query is CheckQuery's.

// Find matches a request's method and path (below where the stand-in
// serves the API) to its operation. If none matches, it says why: the
// methods the path has, or that the description has no such path, which
// it asks to add if the service (such as "GitHub") has it.
func (d *Description) Find(method, path, service string) (*Operation, string) {
	op, methods := d.Match(method, path)
	switch {
	case op != nil:
		return op, ""
	case len(methods) > 0:
		return nil, fmt.Sprintf("%s is not documented on %s (documented: %s)", method, path, strings.Join(methods, ", "))
	}
	return nil, "no operation in the description matches " + method + " " + path + " (add it to openapi-operations.txt if " + service + " has it)"
}

// Report says what is wrong with an exchange, for the test that caused
// it: which stand-in answered what with which status, what (rules) does
// not allow it, the operation if one matched, and each problem. It is ""
// if there are none.
func Report(x *Exchange, op *Operation, problems []string, standIn, rules string) string {
	if len(problems) == 0 {
		return ""
	}
	what := ""
	if op != nil {
		what = " for " + op.String()
	}
	return fmt.Sprintf("the %s stand-in answered %s %s with %d, which %s does not allow%s:\n\t%s",
		standIn, x.Request.Method, x.Request.URL.RequestURI(), x.Status, rules, what, strings.Join(problems, "\n\t"))
}

// CheckRequestBody checks the body of a request to an operation that
// takes a JSON one: it is there if the description requires it, sent as
// application/json, JSON, and valid against the operation's request
// schema. It returns the body, decoded, if it is JSON, for what the
// service holds it to beyond its schema.
func (o *Operation) CheckRequestBody(p *Problems, x *Exchange) (any, bool) {
	if o.Request == nil {
		return nil, false
	}
	if len(bytes.TrimSpace(x.RequestBody)) == 0 {
		if o.RequestRequired {
			p.Addf("the request has no body; it needs a JSON one")
		}
		return nil, false
	}
	if mt, _, _ := mime.ParseMediaType(x.Request.Header.Get("Content-Type")); mt != "application/json" {
		p.Addf("the request's Content-Type is %q, not application/json", x.Request.Header.Get("Content-Type"))
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(x.RequestBody))
	if err != nil {
		p.Addf("the request body is not JSON: %v", err)
		return nil, false
	}
	if err := o.Request.Validate(v); err != nil {
		p.AddSchema("request body", err)
	}
	return v, true
}

// JSONBody reads an answer's body as JSON, checking that its
// Content-Type is media.
func JSONBody(p *Problems, x *Exchange, media string) (any, bool) {
	ct := x.Header.Get("Content-Type")
	if mt, _, _ := mime.ParseMediaType(ct); mt != media {
		p.Addf("Content-Type is %q, not %s", ct, media)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(x.Body.Bytes()))
	if err != nil {
		p.Addf("the body is not JSON: %v", err)
		return nil, false
	}
	return v, true
}

// CheckHeaders checks an answer's headers against the response's: each
// documented header that is there is of its type and within its schema.
// One that is missing is a problem if the description requires it, or if
// always (which may be nil) says the service sends it on every such
// answer, as GitHub sends Location on a 201 its description does not mark
// required.
func (r *Response) CheckHeaders(p *Problems, h http.Header, always func(name string) bool) {
	for _, name := range slices.Sorted(maps.Keys(r.Headers)) {
		d := r.Headers[name]
		v := h.Get(name)
		if v == "" {
			if d.Required || (always != nil && always(name)) {
				p.Addf("header %s is missing", name)
			}
			continue
		}
		tv, ok := typed(d.Type, v)
		if !ok {
			p.Addf("header %s: %q is not a %s", name, v, d.Type)
			continue
		}
		if err := d.Schema.Validate(tv); err != nil {
			p.AddSchema("header "+name, err)
		}
	}
}
