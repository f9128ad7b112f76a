package fakegithub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/openapi"
)

func loaded(t *testing.T) *description {
	t.Helper()
	d, err := loadDescription()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// answer makes an exchange: a request and the answer to it, with the
// headers GitHub always sends (and an ETag on reads).
func answer(method, target, reqBody string, status int, body string) *openapi.Exchange {
	r := httptest.NewRequest(method, Prefix+target, strings.NewReader(reqBody))
	if reqBody != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	x := &openapi.Exchange{Request: r, RequestBody: []byte(reqBody), Status: status, Header: http.Header{}}
	x.Header.Set("X-Ratelimit-Limit", "5000")
	x.Header.Set("X-Ratelimit-Remaining", "4999")
	x.Header.Set("X-Ratelimit-Used", "1")
	x.Header.Set("X-Ratelimit-Reset", "1800000000")
	x.Header.Set("X-Ratelimit-Resource", "core")
	if body != "" {
		x.Header.Set("Content-Type", "application/json; charset=utf-8")
		x.Body.WriteString(body)
	}
	if method == http.MethodGet && (status == http.StatusOK || status == http.StatusNotModified) {
		x.Header.Set("ETag", `"abc"`)
	}
	return x
}

// valid returns what the stand-in's own builder makes, as generic JSON
// that a test may spoil.
func valid(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func js(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCheckFindsDifferences: each answer differs from GitHub's
// description in one way, and the checker names the operation and says
// where. Each want is a part of one problem, in order; there must be no
// other problem.
func TestCheckFindsDifferences(t *testing.T) {
	d := loaded(t)
	gh := New(t, "alphagov")
	gh.AddTeam("prod", "")
	gh.AddTeam("prod-oncall", "prod")
	u := gh.AddUser("alice", 7, true)
	gh.Invite("bob", "prod")

	user := func(spoil func(m map[string]any)) string {
		m := valid(t, gh.publicUserJSON(u))
		spoil(m)
		return js(t, m)
	}
	pr := &PullRequest{ID: 1, Number: 1, Head: "h", Base: "main", Title: "t", State: "open", CreatedAt: time.Unix(1.7e9, 0), UpdatedAt: time.Unix(1.7e9, 0)}
	pulls := func(spoil func(m map[string]any)) string {
		m := valid(t, gh.pullJSON("alphagov/repo", pr, false))
		spoil(m)
		return js(t, []any{m})
	}
	members := `[` + js(t, gh.userJSON(u)) + `]`
	team := valid(t, gh.teamJSON(gh.Teams["prod-oncall"]))
	withHeader := func(x *openapi.Exchange, kv ...string) *openapi.Exchange {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				x.Header.Del(kv[i])
			} else {
				x.Header.Set(kv[i], kv[i+1])
			}
		}
		return x
	}
	withRequestHeader := func(x *openapi.Exchange, k, v string) *openapi.Exchange {
		x.Request.Header.Set(k, v)
		return x
	}
	tests := []struct {
		name string
		x    *openapi.Exchange
		op   string // the operation matched
		want []string
	}{
		{
			name: "as GitHub answers",
			x:    answer("GET", "/users/alice", "", 200, user(func(map[string]any) {})),
			op:   "users/get-by-username",
		},
		{
			name: "a path GitHub does not have",
			x:    answer("GET", "/orgs/alphagov/teams/prod/everyone", "", 200, "[]"),
			want: []string{"no operation in the description matches GET /orgs/alphagov/teams/prod/everyone"},
		},
		{
			name: "a method GitHub does not have on the path",
			x:    answer("POST", "/orgs/alphagov/teams/prod/members", "", 201, "{}"),
			want: []string{"POST is not documented on /orgs/alphagov/teams/prod/members (documented: GET)"},
		},
		{
			name: "outside the prefix",
			x:    &openapi.Exchange{Request: httptest.NewRequest("GET", "/users/alice", nil), Status: 404},
			want: []string{"outside /api/v3"},
		},
		{
			name: "a path parameter of the wrong type matches nothing",
			x:    answer("GET", "/repos/alphagov/repo/pulls/first", "", 200, "{}"),
			want: []string{"no operation in the description matches GET /repos/alphagov/repo/pulls/first"},
		},
		{
			name: "a status the operation does not document",
			x:    answer("DELETE", "/orgs/alphagov/teams/prod/memberships/alice", "", 200, ""),
			op:   "teams/remove-membership-for-user-in-org",
			want: []string{"status 200 is not documented (documented: 204, 403)"},
		},
		{
			name: "a required property missing",
			x:    answer("GET", "/users/alice", "", 200, user(func(m map[string]any) { delete(m, "node_id") })),
			op:   "users/get-by-username",
			// Once from the discriminator's choice, once from oneOf's
			// other choice.
			want: []string{`response body at "": missing property 'node_id'`, `response body at "": missing properties 'node_id', 'collaborators'`},
		},
		{
			name: "null where GitHub sends []",
			x:    answer("GET", "/repos/alphagov/repo/pulls", "", 200, pulls(func(m map[string]any) { m["labels"] = nil })),
			op:   "pulls/list",
			want: []string{`response body at "/0/labels": got null, want array`},
		},
		{
			name: "a nested property of the wrong type",
			x:    answer("GET", "/repos/alphagov/repo/pulls", "", 200, pulls(func(m map[string]any) { m["head"].(map[string]any)["repo"].(map[string]any)["id"] = "1" })),
			op:   "pulls/list",
			want: []string{`response body at "/0/head/repo/id": got string, want integer`},
		},
		{
			name: "a property the schema does not allow",
			x:    answer("GET", "/users/alice", "", 200, user(func(m map[string]any) { m["secret"] = "free" })),
			op:   "users/get-by-username",
			want: []string{`response body at "": additional properties 'secret' not allowed`, `response body at "": missing properties 'collaborators'`},
		},
		{
			name: "a value not in the enum",
			x:    answer("GET", "/orgs/alphagov/teams/prod/memberships/alice", "", 200, `{"url":"https://x.example/m","role":"owner","state":"active"}`),
			op:   "teams/get-membership-for-user-in-org",
			want: []string{`response body at "/role": value must be one of 'member', 'maintainer'`},
		},
		{
			name: "a string that is not the format",
			x:    answer("GET", "/orgs/alphagov/teams/prod/memberships/alice", "", 200, `{"url":"not a url","role":"member","state":"active"}`),
			op:   "teams/get-membership-for-user-in-org",
			want: []string{`response body at "/url": 'not a url' is not valid uri`},
		},
		{
			name: "nullable: null is allowed where the description says so",
			x:    answer("GET", "/orgs/alphagov/teams/prod/teams", "", 200, js(t, []any{team})),
			op:   "teams/list-child-in-org",
		},
		{
			name: "no body where the description documents one",
			x:    answer("GET", "/users/alice", "", 200, ""),
			op:   "users/get-by-username",
			want: []string{`Content-Type is "", not application/json`, "the body is not JSON"},
		},
		{
			name: "a body on a 204",
			x:    withHeader(answer("DELETE", "/orgs/alphagov/teams/prod/memberships/alice", "", 204, `{}`)),
			op:   "teams/remove-membership-for-user-in-org",
			want: []string{"the answer has a body, and the description documents none"},
		},
		{
			name: "a 304 to a request that was not conditional",
			x:    answer("GET", "/orgs/alphagov/teams/prod/members", "", 304, ""),
			op:   "teams/list-members-in-org",
			want: []string{"status 304 is not documented (documented: 200)"},
		},
		{
			name: "a 304 to a conditional request",
			x:    withRequestHeader(answer("GET", "/orgs/alphagov/teams/prod/members", "", 304, ""), "If-None-Match", `"abc"`),
			op:   "teams/list-members-in-org",
		},
		{
			name: "a 304 with another ETag than the one asked about",
			x:    withRequestHeader(answer("GET", "/orgs/alphagov/teams/prod/members", "", 304, ""), "If-None-Match", `"def"`),
			op:   "teams/list-members-in-org",
			want: []string{`a 304 with ETag "abc", which the request's If-None-Match "def" does not name`},
		},
		{
			name: "a 404 any operation may give, with GitHub's error",
			x:    answer("GET", "/orgs/alphagov/teams/gone/members", "", 404, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}`),
			op:   "teams/list-members-in-org",
		},
		{
			name: "a 404 whose body is not GitHub's error",
			x:    answer("GET", "/orgs/alphagov/teams/gone/members", "", 404, `{"message":404}`),
			op:   "teams/list-members-in-org",
			want: []string{`response body at "/message": got number, want string`},
		},
		{
			name: "a write's body the request schema refuses",
			x:    answer("PUT", "/orgs/alphagov/teams/prod/memberships/alice", `{"role":"owner"}`, 200, `{"url":"https://x.example/m","role":"member","state":"active"}`),
			op:   "teams/add-or-update-membership-for-user-in-org",
			want: []string{`request body at "/role": value must be one of 'member', 'maintainer'`},
		},
		{
			name: "a write's body that is not JSON",
			x:    answer("PATCH", "/repos/alphagov/repo/pulls/1", `title=x`, 200, js(t, gh.pullJSON("alphagov/repo", pr, true))),
			op:   "pulls/update",
			want: []string{"the request body is not JSON"},
		},
		{
			name: "a query parameter out of its enum, and one GitHub does not know",
			x:    answer("GET", "/orgs/alphagov/teams/prod/members?role=owner&perpage=5", "", 200, members),
			op:   "teams/list-members-in-org",
			want: []string{`the request's query parameter "perpage" is not documented`, `the request's query parameter role="owner" at "": value must be one of 'member', 'maintainer', 'all'`},
		},
		{
			name: "a query parameter of the wrong type",
			x:    answer("GET", "/orgs/alphagov/teams/prod/members?page=two", "", 200, members),
			op:   "teams/list-members-in-org",
			want: []string{`the request's query parameter page="two" is not a integer`},
		},
		{
			name: "page links as GitHub writes them",
			x: withHeader(answer("GET", "/orgs/alphagov/teams/prod/members?page=2&per_page=1", "", 200, members),
				"Link", `<http://example.com/api/v3/orgs/alphagov/teams/prod/members?page=3&per_page=1>; rel="next", <http://example.com/api/v3/orgs/alphagov/teams/prod/members?page=5&per_page=1>; rel="last", <http://example.com/api/v3/orgs/alphagov/teams/prod/members?page=1&per_page=1>; rel="first", <http://example.com/api/v3/orgs/alphagov/teams/prod/members?page=1&per_page=1>; rel="prev"`),
			op: "teams/list-members-in-org",
		},
		{
			name: "page links in another format",
			x:    withHeader(answer("GET", "/orgs/alphagov/teams/prod/members", "", 200, members), "Link", `<http://example.com/api/v3/orgs/alphagov/teams/prod/members?page=2>; rel=next`),
			op:   "teams/list-members-in-org",
			want: []string{`header Link: "<http://example.com/api/v3/orgs/alphagov/teams/prod/members?page=2>; rel=next" is not <URL>; rel="first|prev|next|last"`},
		},
		{
			name: "page links to another list, losing per_page, with next and no last",
			x: withHeader(answer("GET", "/orgs/alphagov/teams/prod/members?per_page=1", "", 200, members),
				"Link", `<http://example.com/api/v3/orgs/alphagov/invitations?page=2&per_page=1>; rel="prev", <http://example.com/api/v3/orgs/alphagov/teams/prod/members?page=3>; rel="next"`),
			op: "teams/list-members-in-org",
			want: []string{
				`header Link: rel="prev": "http://example.com/api/v3/orgs/alphagov/invitations?page=2&per_page=1" is not an absolute URL of /api/v3/orgs/alphagov/teams/prod/members on this server`,
				`header Link: rel="next": the query "" is not the request's "per_page=1" with another page`,
				`header Link: rel="next" is page 3, not 2`,
				`header Link: rel="next" without a rel="last" after it`,
			},
		},
		{
			name: "page links on an answer that is not a list",
			x:    withHeader(answer("GET", "/users/alice", "", 200, user(func(map[string]any) {})), "Link", `<http://example.com/api/v3/users/alice?page=2>; rel="next"`),
			op:   "users/get-by-username",
			want: []string{"header Link on an answer that is not paginated"},
		},
		{
			name: "a read with no ETag",
			x:    withHeader(answer("GET", "/users/alice", "", 200, user(func(map[string]any) {})), "ETag", ""),
			op:   "users/get-by-username",
			want: []string{"header ETag is missing"},
		},
		{
			name: "an ETag that is not quoted",
			x:    withHeader(answer("GET", "/users/alice", "", 200, user(func(map[string]any) {})), "ETag", "abc"),
			op:   "users/get-by-username",
			want: []string{`header ETag: "abc" is not a quoted entity tag`},
		},
		{
			name: "a created pull request with no Location",
			x:    answer("POST", "/repos/alphagov/repo/pulls", `{"title":"t","head":"h","base":"main"}`, 201, js(t, gh.pullJSON("alphagov/repo", pr, true))),
			op:   "pulls/create",
			want: []string{"header Location is missing"},
		},
		{
			name: "rate-limit headers missing, of the wrong type, and not adding up",
			x:    withHeader(answer("GET", "/users/alice", "", 200, user(func(map[string]any) {})), "X-Ratelimit-Resource", "", "X-Ratelimit-Reset", "soon", "X-Ratelimit-Used", "5"),
			op:   "users/get-by-username",
			want: []string{
				"header X-Ratelimit-Resource is missing",
				`header X-Ratelimit-Reset: "soon" is not a whole number of at least 0`,
				"headers X-Ratelimit-Used (5) and X-Ratelimit-Remaining (4999) do not add up to X-Ratelimit-Limit (5000)",
			},
		},
		{
			name: "a fault's hostile body and rate limit are the test's choice",
			x:    asFault(withHeader(answer("GET", "/orgs/alphagov/teams/prod/members", "", 429, `{"message":`), "X-Ratelimit-Remaining", "0", "Retry-After", "7", "ETag", "")),
			op:   "teams/list-members-in-org",
		},
		{
			name: "a fault's status must still be one GitHub gives",
			x:    asFault(answer("GET", "/orgs/alphagov/teams/prod/members", "", 418, `{}`)),
			op:   "teams/list-members-in-org",
			want: []string{"status 418 is not documented (documented: 200)"},
		},
		{
			name: "a fault's rate-limit headers must be of their types",
			x:    asFault(withHeader(answer("GET", "/orgs/alphagov/teams/prod/members", "", 403, `{}`), "X-Ratelimit-Reset", "in a minute", "Retry-After", "-1")),
			op:   "teams/list-members-in-org",
			want: []string{`header X-Ratelimit-Reset: "in a minute" is not a whole number`, `header Retry-After: "-1" is not a whole number`},
		},
		{
			name: "a 403 rate limit is a fault's only",
			x:    answer("GET", "/orgs/alphagov/teams/prod/members", "", 403, `{"message":"API rate limit exceeded"}`),
			op:   "teams/list-members-in-org",
			want: []string{"status 403 is not documented (documented: 200)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, got := d.check(tt.x)
			var opID string
			if op != nil {
				opID = op.ID
			}
			if opID != tt.op {
				t.Errorf("matched %q, want %q", opID, tt.op)
			}
			wantProblems(t, got, tt.want)
		})
	}
}

// asFault marks an exchange as answered by a Fault.
func asFault(x *openapi.Exchange) *openapi.Exchange {
	x.Injected = true
	return x
}

// wantProblems fails the test unless the problems are as many as want and
// each contains its want, in order.
func wantProblems(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("problems:\n\t%s\nwant %d:\n\t%s", strings.Join(got, "\n\t"), len(want), strings.Join(want, "\n\t"))
	}
	for i := range got {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("problem %d is %q, want one containing %q", i, got[i], want[i])
		}
	}
}

// TestLateFaultIsNotChecked: a Fault that holds its answer stands for one
// the client never reads, so its status is not held to the description;
// the request still is.
func TestLateFaultIsNotChecked(t *testing.T) {
	d := loaded(t)
	x := answer("POST", "/repos/alphagov/repo/pulls", `{"head":1,"base":"main"}`, 200, "")
	x.Injected, x.Late = true, true
	_, got := d.check(x)
	if len(got) != 1 || !strings.Contains(got[0], `request body at "/head": got number, want string`) {
		t.Errorf("problems: %q", got)
	}
}

// recorder stands in for a test, to see what New reports.
type recorder struct {
	testing.TB
	mu       sync.Mutex
	errors   []string
	cleanups []func()
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

func (r *recorder) end() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

// TestNewReportsToTheTest: a stand-in made with New reports each answer
// GitHub would not give to the test that asked, by the time the test
// ends, naming the request, the operation and the problem; and Close may
// be called as well.
func TestNewReportsToTheTest(t *testing.T) {
	rec := &recorder{TB: t}
	gh := New(rec, "alphagov")
	gh.AddTeam("prod", "")
	get := func(path string) {
		resp, err := http.Get(gh.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	get("/orgs/alphagov/teams/prod/members")
	get("/orgs/alphagov/teams/prod/repos")
	gh.SetFaults(&Fault{Method: "GET", PathPrefix: "/users/", Status: http.StatusTeapot})
	get("/users/alice")
	gh.Close()
	rec.end()
	want := []string{
		"the GitHub stand-in answered GET /api/v3/orgs/alphagov/teams/prod/repos with 404, which GitHub's REST description (@octokit/openapi 23.0.2) does not allow:\n" +
			"\tno operation in the description matches GET /orgs/alphagov/teams/prod/repos (add it to openapi-operations.txt if GitHub has it)",
		"the GitHub stand-in answered GET /api/v3/users/alice with 418, which GitHub's REST description (@octokit/openapi 23.0.2) does not allow for users/get-by-username (GET /users/{username}):\n" +
			"\tstatus 418 is not documented (documented: 200, 404)",
	}
	if diff := cmp.Diff(want, rec.errors); diff != "" {
		t.Errorf("reports (-want +got):\n%s", diff)
	}
}

// TestNewUncheckedRefusesTests: no test can use a stand-in that checks
// nothing.
func TestNewUncheckedRefusesTests(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewUnchecked started in a test")
		}
	}()
	NewUnchecked("alphagov").Close()
}

// TestSameAnswerSameVerdict: an answer body identical to one checked
// before, against the same response and with the same Content-Type, gets
// the verdict remembered from the first check; any difference in what the
// check depends on checks it afresh.
func TestSameAnswerSameVerdict(t *testing.T) {
	shared := loaded(t)
	d := &description{Description: shared.Description, source: shared.source, basicError: shared.basicError}
	page := func(body, contentType string) *openapi.Exchange {
		x := answer(http.MethodGet, "/orgs/alphagov/teams/prod/members", "", http.StatusOK, body)
		x.Header.Set("Content-Type", contentType)
		return x
	}
	gh := New(t, "alphagov")
	user := valid(t, gh.account("octocat", 1, "User"))
	good := js(t, []any{user})
	user["id"] = "one"
	bad := js(t, []any{user})
	user["id"] = "two"
	otherBad := js(t, []any{user})
	const jsonType = "application/json; charset=utf-8"
	first := d.problems(page(bad, jsonType))
	if first == "" {
		t.Fatal("an id that is a string was not found")
	}
	if again := d.problems(page(bad, jsonType)); again != first {
		t.Errorf("the same answer again:\n%s\nwant, as the first time:\n%s", again, first)
	}
	if n := len(d.verdicts.seen); n != 1 {
		t.Errorf("%d verdicts remembered after one answer twice, want 1", n)
	}
	// What is remembered is what is reported: spoil it, and the same
	// answer is told the spoiled verdict.
	for k := range d.verdicts.seen {
		d.verdicts.seen[k] = []string{"remembered"}
	}
	if got := d.problems(page(bad, jsonType)); !strings.Contains(got, "remembered") {
		t.Errorf("the same answer was checked again, not given its remembered verdict:\n%s", got)
	}
	// Each thing the check depends on is part of what is remembered.
	for _, x := range []*openapi.Exchange{
		page(bad, "text/plain"),
		page(otherBad, jsonType),
		answer(http.MethodGet, "/orgs/alphagov/teams/prod/members", "", http.StatusNotFound, bad),
	} {
		if got := d.problems(x); strings.Contains(got, "remembered") {
			t.Errorf("%s %d %q given the verdict of another answer", x.Header.Get("Content-Type"), x.Status, x.Body.String())
		}
	}
	if got := d.problems(page(good, jsonType)); got != "" {
		t.Errorf("a good page: %s", got)
	}
}
