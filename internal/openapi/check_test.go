package openapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// writes is a small description of what the checks of a request's body
// and an answer's headers read: a write whose body is required, one whose
// body is not, and a file path that takes the rest of the path.
const writes = `{
  "openapi": "3.0.3",
  "paths": {
    "/things": {"post": {
      "operationId": "createThing",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {
        "type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}}},
      "responses": {"201": {"description": "made",
        "headers": {
          "Location": {"schema": {"type": "string"}},
          "X-Count": {"required": true, "schema": {"type": "integer", "minimum": 1}},
          "Link": {"schema": {"type": "string"}}
        },
        "content": {"application/json": {"schema": {"type": "object"}}}}}
    }},
    "/things/{id}": {"patch": {
      "operationId": "updateThing",
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
      "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
      "responses": {"200": {"description": "ok"}}
    }},
    "/files/{path}": {"get": {
      "operationId": "getFile",
      "parameters": [{"name": "path", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "ok"}}
    }},
    "/files/{path}/raw": {"get": {"operationId": "getRaw", "parameters": [{"name": "path", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "ok"}}}}
  }
}`

func compiledWrites(t *testing.T) *Description {
	t.Helper()
	return compile(t, writes)
}

// TestFind: a request matches its operation, a file path taking the
// segments left; one that matches none says why.
func TestFind(t *testing.T) {
	d := compiledWrites(t)
	tests := []struct {
		method, path string
		op, why      string
	}{
		{"GET", "/files/README.md", "getFile", ""},
		{"GET", "/files/people/alice.yaml", "getFile", ""},
		{"GET", "/files/a/b/c", "getFile", ""},
		// Only the last segment takes the rest.
		{"GET", "/files/a/raw", "getRaw", ""},
		{"GET", "/files", "", "no operation in the description matches GET /files (add it to openapi-operations.txt if Example has it)"},
		{"PUT", "/things/7", "", "PUT is not documented on /things/7 (documented: PATCH)"},
		{"PATCH", "/things/seven", "", "no operation in the description matches PATCH /things/seven (add it to openapi-operations.txt if Example has it)"},
	}
	for _, tt := range tests {
		op, why := d.Find(tt.method, tt.path, "Example")
		got := ""
		if op != nil {
			got = op.ID
		}
		if got != tt.op || why != tt.why {
			t.Errorf("%s %s: %q, %q; want %q, %q", tt.method, tt.path, got, why, tt.op, tt.why)
		}
	}
}

// exchangeOf is a request with a body and its answer.
func exchangeOf(method, target, contentType, body string, status int) *Exchange {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return &Exchange{Request: r, RequestBody: []byte(body), Status: status, Header: http.Header{}}
}

func TestReport(t *testing.T) {
	d := compiledWrites(t)
	x := exchangeOf("POST", "/api/things?dry=1", "application/json", `{}`, 201)
	if got := Report(x, nil, nil, "Example", "Example's description"); got != "" {
		t.Errorf("no problems: %q", got)
	}
	op, _ := d.Find("POST", "/things", "Example")
	got := Report(x, op, []string{"one", "two"}, "Example", "Example's description (v1)")
	want := "the Example stand-in answered POST /api/things?dry=1 with 201, which Example's description (v1) does not allow for createThing (POST /things):\n\tone\n\ttwo"
	if got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
	got = Report(x, nil, []string{"one"}, "Example", "Example's description")
	want = "the Example stand-in answered POST /api/things?dry=1 with 201, which Example's description does not allow:\n\tone"
	if got != want {
		t.Errorf("report with no operation:\n%s\nwant:\n%s", got, want)
	}
}

// TestCheckRequestBody: a write's body is there if required, JSON, sent
// as JSON and valid against the schema; what is JSON is returned for
// further checks, schema errors or not.
func TestCheckRequestBody(t *testing.T) {
	d := compiledWrites(t)
	tests := []struct {
		name, method, path, contentType, body string
		want                                  []string
		decoded                               bool
	}{
		{"as documented", "POST", "/things", "application/json; charset=utf-8", `{"name":"a"}`, nil, true},
		{"against the schema", "POST", "/things", "application/json", `{"name":1}`, []string{`request body at "/name": got number, want string`}, true},
		{"no body where one is required", "POST", "/things", "", " ", []string{"the request has no body; it needs a JSON one"}, false},
		{"no body where none is required", "PATCH", "/things/7", "", "", nil, false},
		{"not JSON", "PATCH", "/things/7", "application/json", `name=a`, []string{"the request body is not JSON: "}, false},
		{"JSON sent as a form", "PATCH", "/things/7", "application/x-www-form-urlencoded", `{}`, []string{`the request's Content-Type is "application/x-www-form-urlencoded", not application/json`}, true},
		{"an operation that takes no body", "GET", "/files/a", "text/plain", `anything`, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, why := d.Find(tt.method, tt.path, "Example")
			if op == nil {
				t.Fatal(why)
			}
			var p Problems
			_, decoded := op.CheckRequestBody(&p, exchangeOf(tt.method, tt.path, tt.contentType, tt.body, 200))
			wantPrefixes(t, p.List, tt.want)
			if decoded != tt.decoded {
				t.Errorf("decoded %v, want %v", decoded, tt.decoded)
			}
		})
	}
}

func TestJSONBody(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		want                    []string
		decoded                 any
	}{
		{"JSON", "application/json; charset=utf-8", `{"a":true}`, nil, map[string]any{"a": true}},
		{"another media type", "text/html", `{}`, []string{`Content-Type is "text/html", not application/json`}, map[string]any{}},
		{"not JSON", "application/json", `<html>`, []string{"the body is not JSON: "}, nil},
		{"nothing", "", ``, []string{`Content-Type is "", not application/json`, "the body is not JSON: "}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := exchangeOf("GET", "/x", "", "", 200)
			if tt.contentType != "" {
				x.Header.Set("Content-Type", tt.contentType)
			}
			x.Body.WriteString(tt.body)
			var p Problems
			v, ok := JSONBody(&p, x, "application/json")
			wantPrefixes(t, p.List, tt.want)
			if diff := cmp.Diff(tt.decoded, v); diff != "" || ok != (tt.decoded != nil) {
				t.Errorf("decoded %v, %v (-want +got):\n%s", v, ok, diff)
			}
		})
	}
}

// TestCheckHeaders: a documented header that is there is of its type and
// within its schema; a missing one is a problem where the description
// requires it, or where the caller says the service always sends it.
func TestCheckHeaders(t *testing.T) {
	op, _ := compiledWrites(t).Find("POST", "/things", "Example")
	resp := op.Responses[201]
	notLink := func(name string) bool { return name != "Link" }
	tests := []struct {
		name   string
		header map[string]string
		always func(string) bool
		want   []string
	}{
		{"as documented", map[string]string{"Location": "/things/1", "X-Count": "3", "Link": "<x>"}, notLink, nil},
		{"optional ones missing", map[string]string{"X-Count": "3"}, nil, nil},
		{"a required one missing", map[string]string{"Location": "/things/1"}, nil, []string{"header X-Count is missing"}},
		{"one the service always sends missing", map[string]string{"X-Count": "1"}, notLink, []string{"header Location is missing"}},
		{"of the wrong type", map[string]string{"X-Count": "three"}, nil, []string{`header X-Count: "three" is not a integer`}},
		{"outside its schema", map[string]string{"X-Count": "0"}, nil, []string{`header X-Count at "": minimum: got 0, want 1`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			var p Problems
			resp.CheckHeaders(&p, h, tt.always)
			wantPrefixes(t, p.List, tt.want)
		})
	}
}

// wantPrefixes fails the test unless the problems are as many as want
// and each starts with its want, in order.
func wantPrefixes(t *testing.T, got, want []string) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = strings.HasPrefix(got[i], want[i])
	}
	if !ok {
		t.Errorf("problems:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}
