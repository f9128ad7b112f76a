package openapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// desc is a small description with what Compile must read: parameters
// of the path and the operation, by reference and not, in the query (a
// list, an exploded scalar, a required one), in a header and in the
// path; responses by reference with a body and headers.
const desc = `{
  "openapi": "3.0.2",
  "paths": {
    "/schedules/{id}": {
      "parameters": [{"$ref": "#/components/parameters/id"}],
      "get": {
        "operationId": "getSchedule",
        "parameters": [
          {"name": "Accept", "in": "header", "required": true, "schema": {"type": "string"}},
          {"name": "schedule_ids[]", "in": "query", "explode": true, "schema": {"type": "array", "items": {"type": "string"}, "uniqueItems": true}},
          {"name": "include[]", "in": "query", "explode": true, "schema": {"type": "string", "enum": ["users", "teams"]}},
          {"name": "limit", "in": "query", "schema": {"type": "integer"}},
          {"name": "since", "in": "query", "explode": false, "schema": {"type": "string", "format": "date-time"}},
          {"name": "need", "in": "query", "required": true, "schema": {"type": "boolean"}}
        ],
        "responses": {
          "200": {"description": "ok", "headers": {"ratelimit-reset": {"schema": {"type": "integer"}}},
            "content": {"application/json": {"schema": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}}}},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      },
      "delete": {"operationId": "deleteSchedule", "responses": {"204": {"description": "gone"}}}
    },
    "/schedules/overrides": {"get": {"operationId": "listOverrides", "responses": {"200": {"description": "ok"}}}},
    "/users/{n}": {"get": {"operationId": "getUser", "parameters": [{"name": "n", "in": "path", "required": true, "schema": {"type": "integer"}}], "responses": {"200": {"description": "ok"}}}}
  },
  "components": {
    "parameters": {"id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}},
    "responses": {"NotFound": {"description": "no", "content": {"application/json": {"schema": {"type": "object"}}}}}
  }
}`

func compiled(t *testing.T) *Description {
	t.Helper()
	return compile(t, desc)
}

// compile compiles a description a test holds.
func compile(t *testing.T, description string) *Description {
	t.Helper()
	doc, err := Decode([]byte(description))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Compile(doc, "test.invalid")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCompile(t *testing.T) {
	d := compiled(t)
	var ops []string
	for _, op := range d.Operations {
		ops = append(ops, op.String())
	}
	if diff := cmp.Diff([]string{"listOverrides (GET /schedules/overrides)", "deleteSchedule (DELETE /schedules/{id})", "getSchedule (GET /schedules/{id})", "getUser (GET /users/{n})"}, ops); diff != "" {
		t.Errorf("operations (-want +got):\n%s", diff)
	}
	op, _ := d.Match("GET", "/schedules/P1")
	type p struct {
		Name, Type, ItemType string
		Required, Explode    bool
	}
	var got []p
	for _, m := range []map[string]*Param{op.PathParams, op.QueryParams, op.HeaderParams} {
		for _, name := range []string{"id", "Accept", "schedule_ids[]", "include[]", "limit", "since", "need"} {
			if x := m[name]; x != nil {
				got = append(got, p{x.Name, x.Type, x.ItemType, x.Required, x.Explode})
			}
		}
	}
	want := []p{
		{"id", "string", "", true, false},
		{"schedule_ids[]", "array", "string", false, true},
		{"include[]", "string", "", false, true},
		{"limit", "integer", "", false, false},
		{"since", "string", "", false, false},
		{"need", "boolean", "", true, false},
		{"Accept", "string", "", true, false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parameters (-want +got):\n%s", diff)
	}
	if got := op.Statuses(); got != "200, 404" {
		t.Errorf("statuses %q", got)
	}
	if r := op.Responses[200]; r.Media != "application/json" || r.Schema == nil || r.Headers["Ratelimit-Reset"] == nil {
		t.Errorf("200: %+v", r)
	}
	if r := op.Responses[404]; r.Schema == nil {
		t.Errorf("404 by reference: %+v", r)
	}
}

func TestMatch(t *testing.T) {
	d := compiled(t)
	tests := []struct {
		method, path string
		want         string
		methods      []string
	}{
		{"GET", "/schedules/P1", "getSchedule", nil},
		{"GET", "/schedules/overrides", "listOverrides", nil},
		{"DELETE", "/schedules/P1", "deleteSchedule", []string{"GET"}},
		{"PUT", "/schedules/P1", "", []string{"DELETE", "GET"}},
		{"GET", "/users/12", "getUser", nil},
		{"GET", "/users/twelve", "", nil},
		{"GET", "/schedules", "", nil},
		{"GET", "/schedules/P1/users", "", nil},
	}
	for _, tt := range tests {
		op, methods := d.Match(tt.method, tt.path)
		got := ""
		if op != nil {
			got = op.ID
		}
		if got != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.method, tt.path, got, tt.want)
		}
		if tt.want == "" && !cmp.Equal(methods, tt.methods) {
			t.Errorf("%s %s: methods %v, want %v", tt.method, tt.path, methods, tt.methods)
		}
	}
}

func TestCheckQuery(t *testing.T) {
	op, _ := compiled(t).Match("GET", "/schedules/P1")
	tests := []struct {
		query string
		want  []string
	}{
		{"need=true&schedule_ids[]=P1&schedule_ids[]=P2&include[]=users&include[]=teams&limit=100&since=2026-11-01T00:00:00Z", nil},
		{"need=true&other=1", []string{`the request's query parameter "other" is not documented`}},
		{"", []string{"the request has no query parameter need, which is required"}},
		{"need=yes", []string{`the request's query parameter need="yes" is not a boolean`}},
		{"need=true&limit=1&limit=2", []string{"the request's query parameter limit is given 2 times; it takes one value"}},
		{"need=true&limit=ten", []string{`the request's query parameter limit="ten" is not a integer`}},
		{"need=true&schedule_ids[]=P1&schedule_ids[]=P1", []string{`the request's query parameter schedule_ids[]=["P1" "P1"] at "": items at 0 and 1 are equal`}},
		{"need=true&include[]=users&include[]=users", []string{`the request's query parameter include[]="users" is given twice`}},
		{"need=true&include[]=everything", []string{`the request's query parameter include[]="everything" at "": value must be one of 'users', 'teams'`}},
		{"need=true&since=2026-11-01&since=2026-11-02T00:00:00Z", []string{
			"the request's query parameter since is given 2 times; it takes one value",
			`the request's query parameter since="2026-11-01" at "": '2026-11-01' is not valid date-time`,
		}},
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		var p Problems
		op.CheckQuery(&p, q)
		for i, w := range tt.want {
			if i >= len(p.List) || !strings.HasPrefix(p.List[i], w) {
				t.Errorf("%q: problems %q, want %q", tt.query, p.List, tt.want)
				break
			}
		}
		if len(p.List) != len(tt.want) {
			t.Errorf("%q: problems %q, want %q", tt.query, p.List, tt.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"an undescribed path parameter", `{"paths": {"/users/{id}": {"get": {"responses": {}}}}}`, "GET /users/{id}: path parameter id is not described"},
		{"a response that is not a status", `{"paths": {"/user": {"get": {"responses": {"default": {}}}}}}`, `GET /user: response "default" is not a status code`},
		{"a schema that does not compile", `{"paths": {"/user": {"get": {"parameters": [{"name": "a", "in": "query", "schema": {"type": 7}}], "responses": {}}}}}`, "GET /user: schema at /paths/~1user/get/parameters/0/schema: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Decode([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Compile(doc, "test.invalid")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %v, want one starting %q", err, tt.want)
			}
		})
	}
	if _, err := Decode([]byte(`[]`)); err == nil || err.Error() != "not a JSON object" {
		t.Errorf("a list: error %v", err)
	}
}

// TestChecker: each exchange is recorded as the client saw it (the status
// and headers when the status was written, the whole body) and checked
// after the handler has returned; Stop waits for every check.
func TestChecker(t *testing.T) {
	var got []string
	c := NewChecker(func(x *Exchange) string {
		return x.Request.Method + " " + x.Request.URL.Path + " " + string(x.RequestBody) + " → " + http.StatusText(x.Status) + " " + x.Header.Get("X-A") + " " + x.Body.String()
	}, func(msg string) { got = append(got, msg) })
	srv := httptest.NewServer(c.Wrap(func(w http.ResponseWriter, r *http.Request, x *Exchange) {
		b, _ := io.ReadAll(r.Body) // the handler still reads the body
		if r.URL.Path == "/implicit" {
			io.WriteString(w, "hello")
			return
		}
		w.Header().Set("X-A", "before")
		w.WriteHeader(http.StatusTeapot)
		w.Header().Set("X-A", "after")
		w.Write(b)
	}))
	for _, path := range []string{"/implicit", "/teapot"} {
		resp, err := http.Post(srv.URL+path, "text/plain", strings.NewReader("tea"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	srv.Close()
	c.Stop()
	want := []string{"POST /implicit tea → OK  hello", "POST /teapot tea → I'm a teapot before tea"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
