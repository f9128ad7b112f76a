package fakegithub

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prodaccess/prodaccess/internal/openapi"
)

// TestProseValues: a value GitHub documents only in prose, outside the
// list, is a problem in an answer and in a request, wherever the pointer
// pattern reaches it; the documented values are not.
func TestProseValues(t *testing.T) {
	d := loaded(t)
	gh := New(t, "alphagov")
	alex := gh.AddUser("alexlead-gds", 11, true)
	pr := &PullRequest{ID: 1, Number: 1, Head: "h", Base: "main", Title: "t", State: "open", CreatedAt: time.Unix(1.7e9, 0), UpdatedAt: time.Unix(1.7e9, 0)}
	is := &Issue{ID: 2, Number: 2, Title: "t", State: "open", CreatedAt: time.Unix(1.7e9, 0), UpdatedAt: time.Unix(1.7e9, 0)}
	review := func(state string) map[string]any {
		return valid(t, gh.reviewJSON("alphagov/people", pr, &Review{ID: 3, User: alex, State: state, CommitID: "abc", SubmittedAt: time.Unix(1.7e9, 0)}))
	}
	spoilt := func(m map[string]any, k string, v any) map[string]any {
		m[k] = v
		return m
	}
	pull := valid(t, gh.pullJSON("alphagov/people", pr, false))
	issue := valid(t, gh.issueJSON("alphagov/people", is))
	tests := []struct {
		name string
		x    *openapi.Exchange
		want []string
	}{
		{
			name: "every review state GitHub documents",
			x: answer("GET", "/repos/alphagov/people/pulls/1/reviews", "", 200, js(t, []any{
				review("APPROVED"), review("CHANGES_REQUESTED"), review("COMMENTED"), review("DISMISSED"), review("PENDING"),
			})),
		},
		{
			name: "a review state GitHub does not document, in the second review",
			x:    answer("GET", "/repos/alphagov/people/pulls/1/reviews", "", 200, js(t, []any{review("APPROVED"), review("approved")})),
			want: []string{`response body at "/1/state": "approved" is not one of the values GitHub documents in prose: APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING`},
		},
		{
			name: "a pull request in a list that is merged, not closed",
			x:    answer("GET", "/repos/alphagov/people/pulls", "", 200, js(t, []any{spoilt(pull, "state", "merged")})),
			want: []string{`response body at "/0/state": "merged" is not one of the values GitHub documents in prose: open, closed`},
		},
		{
			name: "an issue updated to a state GitHub does not have",
			x:    answer("PATCH", "/repos/alphagov/people/issues/2", `{"title":"t"}`, 200, js(t, spoilt(issue, "state", "OPEN"))),
			want: []string{`response body at "/state": "OPEN" is not one of the values GitHub documents in prose: open, closed`},
		},
		{
			name: "a fault's body is the test's choice",
			x:    asFault(answer("GET", "/repos/alphagov/people/pulls/1/reviews", "", 500, js(t, []any{review("SUBMITTED")}))),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := d.check(tt.x)
			wantProblems(t, got, tt.want)
		})
	}
}

// TestProseRulesAreInTheDescription: each prose rule names an operation
// of the description, and its pointer reaches a string in that
// operation's request or answer schema, so that a rule cannot silently
// check nothing.
func TestProseRulesAreInTheDescription(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(subsetJSON, &doc); err != nil {
		t.Fatal(err)
	}
	for _, rule := range proseRules {
		var schemas []any
		for _, item := range doc["paths"].(map[string]any) {
			for _, op := range item.(map[string]any) {
				op, _ := op.(map[string]any)
				if op["operationId"] != rule.op {
					continue
				}
				if rule.request {
					schemas = append(schemas, openapi.Lookup(op, "requestBody", "content", "application/json", "schema"))
					continue
				}
				for code, resp := range op["responses"].(map[string]any) {
					if strings.HasPrefix(code, "2") {
						schemas = append(schemas, openapi.Lookup(resp, "content", "application/json", "schema"))
					}
				}
			}
		}
		var types []string
		for _, s := range schemas {
			for _, s := range schemasAt(doc, s, openapi.Unpointer(rule.at)) {
				if typ, ok := s["type"].(string); ok && !slices.Contains(types, typ) {
					types = append(types, typ)
				}
			}
		}
		if !slices.Equal(types, []string{"string"}) {
			t.Errorf("%v: the description's schemas there are of types %q, want one string", rule, types)
		}
	}
}

// schemasAt returns the schemas that the pointer tokens reach from s,
// following $ref, allOf, anyOf and oneOf; a "*" token is a list's items.
func schemasAt(doc map[string]any, s any, tokens []string) []map[string]any {
	m, ok := s.(map[string]any)
	if !ok {
		return nil
	}
	if ref, ok := m["$ref"].(string); ok {
		return schemasAt(doc, openapi.Lookup(doc, openapi.Unpointer(strings.TrimPrefix(ref, "#"))...), tokens)
	}
	var out []map[string]any
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		list, _ := m[k].([]any)
		for _, sub := range list {
			out = append(out, schemasAt(doc, sub, tokens)...)
		}
	}
	switch {
	case len(tokens) == 0:
		if _, ok := m["type"]; ok {
			out = append(out, m)
		}
	case tokens[0] == "*":
		out = append(out, schemasAt(doc, m["items"], tokens[1:])...)
	default:
		out = append(out, schemasAt(doc, openapi.Lookup(m, "properties", tokens[0]), tokens[1:])...)
	}
	return out
}

// TestProseVerificationReason: why a commit's signature is or is not
// verified is one of the reasons GitHub's description lists in prose.
func TestProseVerificationReason(t *testing.T) {
	d := loaded(t)
	gh := New(t, "alphagov")
	cy := gh.AddUser("cy-gh", 22, true)
	commit := func(reason string) map[string]any {
		m := valid(t, gh.commitJSON("alphagov/people", PullCommit{SHA: fakeSHA("c"), Author: cy, Committer: cy, SignedBy: cy}))
		if reason != "" {
			m["commit"].(map[string]any)["verification"].(map[string]any)["reason"] = reason
		}
		return m
	}
	_, got := d.check(answer("GET", "/repos/alphagov/people/pulls/1/commits", "", 200, js(t, []any{commit(""), commit("trusted")})))
	want := []string{`response body at "/1/commit/verification/reason": "trusted" is not one of the values GitHub documents in prose: expired_key, `}
	if len(got) != len(want) || !strings.HasPrefix(got[0], want[0]) {
		t.Errorf("problems %q, want %q", got, want)
	}
}
