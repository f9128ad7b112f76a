package fakegithub

import (
	"strings"
	"testing"
	"time"

	"github.com/prodaccess/prodaccess/internal/openapi"
)

// TestRequestBodiesAreClosed: a write's body may have only the fields the
// operation's request schema lists, at every depth, as GitHub ignores the
// others; a Fault's answer does not excuse the request.
func TestRequestBodiesAreClosed(t *testing.T) {
	d := loaded(t)
	gh := New(t, "alphagov")
	pr := &PullRequest{ID: 1, Number: 1, Head: "h", Base: "main", Title: "t", State: "open", CreatedAt: time.Unix(1.7e9, 0), UpdatedAt: time.Unix(1.7e9, 0)}
	is := &Issue{ID: 2, Number: 2, Title: "t", State: "open", CreatedAt: time.Unix(1.7e9, 0), UpdatedAt: time.Unix(1.7e9, 0)}
	pull, issue := js(t, gh.pullJSON("alphagov/people", pr, true)), js(t, gh.issueJSON("alphagov/people", is))
	membership := `{"url":"https://x.example/m","role":"member","state":"active"}`
	tests := []struct {
		name string
		x    *openapi.Exchange
		want []string
	}{
		{
			name: "every field of a pull request's update",
			x:    answer("PATCH", "/repos/alphagov/people/pulls/1", `{"title":"t","body":"b","state":"closed","base":"main","maintainer_can_modify":false}`, 200, pull),
		},
		{
			name: "labels on a new pull request, which GitHub does not take",
			x:    asFault(answer("POST", "/repos/alphagov/people/pulls", `{"title":"t","head":"h","base":"main","labels":["access"]}`, 500, "")),
			want: []string{`request body at "": additional properties 'labels' not allowed`},
		},
		{
			name: "a field of a team membership GitHub does not have",
			x:    answer("PUT", "/orgs/alphagov/teams/prod/memberships/alice", `{"role":"member","permission":"admin"}`, 200, membership),
			want: []string{`request body at "": additional properties 'permission' not allowed`},
		},
		{
			name: "a label object with a field GitHub does not have, inside a list and a oneOf",
			x:    answer("PATCH", "/repos/alphagov/people/issues/2", `{"labels":["a",{"name":"b","colour":"red"}]}`, 200, issue),
			want: []string{`request body at "/labels/1": additional properties 'colour' not allowed`},
		},
		{
			name: "the fields of an issue, as documented",
			x:    answer("PATCH", "/repos/alphagov/people/issues/2", `{"title":"t","body":null,"state":"closed","state_reason":"completed","labels":["a",{"name":"b","color":"f00"}],"assignees":[]}`, 200, issue),
		},
		{
			name: "reviewers and teams",
			x:    answer("POST", "/repos/alphagov/people/pulls/1/requested_reviewers", `{"reviewers":["alex"],"team_reviewers":[],"team":"leads"}`, 201, js(t, gh.pullJSON("alphagov/people", pr, false))),
			want: []string{`request body at "": additional properties 'team' not allowed`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := d.check(tt.x)
			wantProblems(t, got, tt.want)
		})
	}
}

// TestCloseRequestSchemas: closing a request schema counts the properties
// of every part of an allOf, follows $ref to a closed copy of a shared
// schema (which answers still use as it is), leaves an object that says
// what else it takes, and ends on a schema that refers to itself.
func TestCloseRequestSchemas(t *testing.T) {
	doc := `{
		"paths": {"/things": {"post": {
			"requestBody": {"content": {"application/json": {"schema": {
				"allOf": [{"properties": {"a": {"type": "string"}}}, {"properties": {"b": {"$ref": "#/components/schemas/thing"}}}]
			}}}},
			"responses": {"201": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/thing"}}}}}
		}}},
		"components": {"schemas": {
			"basic-error": {"type": "object"},
			"thing": {"type": "object", "properties": {"name": {"type": "string"}, "tags": {"type": "object", "additionalProperties": {"type": "string"}}, "child": {"$ref": "#/components/schemas/thing"}}}
		}}
	}`
	d, err := compileDescription([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, req, resp string
		want            []string
	}{
		{name: "the properties of both parts", req: `{"a":"x","b":{"name":"n","tags":{"any":"t"},"child":{"name":"c"}}}`, resp: `{"name":"n"}`},
		{name: "one more at the top", req: `{"a":"x","c":1}`, resp: `{}`, want: []string{`request body at "": additional properties 'c' not allowed`}},
		{name: "one more in the shared schema, twice down", req: `{"b":{"child":{"nick":"c"}}}`, resp: `{}`, want: []string{`request body at "/b/child": additional properties 'nick' not allowed`}},
		{name: "the answer is held to the schema as it is", req: `{}`, resp: `{"name":"n","nick":"c"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := answer("POST", "/things", tt.req, 201, tt.resp)
			x.Request.URL.Path = Prefix + "/things"
			_, got := d.check(x)
			var notLocation []string
			for _, p := range got {
				if p != "header Location is missing" && !strings.Contains(p, "X-Ratelimit") {
					notLocation = append(notLocation, p)
				}
			}
			if strings.Join(notLocation, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n\t%s\nwant:\n\t%s", strings.Join(notLocation, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
		})
	}
}
