package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/testclock"
	"github.com/prodaccess/prodaccess/providers/github"
)

const teamMembers = "/orgs/alphagov/teams/gov-uk-production/members"

// readFailed checks that a run failed on a read of the team, said why, and
// changed nothing of the team (the other targets go ahead); it wrote
// nothing anywhere.
func (w *stack) readFailed(t *testing.T, r result, why string) {
	t.Helper()
	if r.code != 1 || !strings.Contains(r.stdout, "FAILED") || !strings.Contains(r.stdout, why) {
		t.Errorf("exit %d, want 1 with %q\nstdout:\n%s\nstderr:\n%s", r.code, why, r.stdout, r.stderr)
	}
	for _, req := range w.gh.Requests() {
		if strings.Contains(req.Path, "/memberships/") && req.Method != "GET" {
			t.Errorf("the team whose read failed was changed: %s %s", req.Method, req.Path)
		}
	}
}

// TestRedirectToAnotherHost: an API that redirects a read to another host
// gets no token there, and the other host's empty list is not taken for
// the team.
func TestRedirectToAnotherHost(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path+" Authorization="+r.Header.Get("Authorization"))
		mu.Unlock()
		fmt.Fprint(w, "[]")
	}))
	defer other.Close()
	for _, status := range []int{301, 302, 307, 308} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			w := faultStack(t)
			w.gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: teamMembers, Status: status, Header: http.Header{"Location": {other.URL + "/steal"}}, Hostile: true})
			w.readFailed(t, w.run("apply"), "with a redirect to another host, port or scheme ("+other.URL+")")
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 0 {
		t.Errorf("the other host was asked: %q", seen)
	}
}

// TestEmptyAnswerIsNoTeam: a 200 with an empty body or null is a failed
// read, not a team with nobody in it (which would keep the leaver carol).
func TestEmptyAnswerIsNoTeam(t *testing.T) {
	for _, body := range []string{"", "null", "{}"} {
		t.Run(fmt.Sprintf("%q", body), func(t *testing.T) {
			t.Parallel()
			w := faultStack(t)
			w.gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: teamMembers, Status: 200, Body: body})
			w.readFailed(t, w.run("apply"), "not a JSON list")
		})
	}
}

// TestHostileLinkHeader: a Link header that names an absurd last page
// fails the read, quickly, with exit status 1, never 2.
func TestHostileLinkHeader(t *testing.T) {
	for _, last := range []string{"9223372036854775807", "100000000", "1001"} {
		t.Run(last, func(t *testing.T) {
			t.Parallel()
			w := faultStack(t)
			link := fmt.Sprintf(`<%s%s?page=2>; rel="next", <%s%s?page=%s>; rel="last"`, w.gh.URL(), teamMembers, w.gh.URL(), teamMembers, last)
			w.gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: teamMembers, Status: 200, Header: http.Header{"Link": {link}}, Body: `[{"login":"alice-gh","id":1}]`, Times: 1})
			w.readFailed(t, w.run("plan"), "as the last page; prodaccess reads at most 1000 pages")
			if n := w.gh.Count("GET", teamMembers); n != 1 {
				t.Errorf("%d requests for the members", n)
			}
		})
	}
}

// TestHostileLogins: a login from the API that is not a GitHub login
// fails the read; in particular no request is ever built from it, such as
// DELETE /orgs/alphagov/teams/admin from "../../admin".
func TestHostileLogins(t *testing.T) {
	for _, login := range []string{"../../admin", "..", "carol-gh/../../admin", "carol-gh?x", "evil\nPlan for 2020-01-01"} {
		t.Run(fmt.Sprintf("%q", login), func(t *testing.T) {
			t.Parallel()
			w := faultStack(t)
			body := fmt.Sprintf(`[{"login":"alice-gh","id":1},{"login":%q,"id":66}]`, login)
			w.gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: teamMembers, Status: 200, Body: body, Times: 1})
			w.readFailed(t, w.run("apply"), "which is not a GitHub login")
			for _, r := range w.gh.Requests() {
				if strings.HasPrefix(r.Path, "/orgs/") && r.Method != "GET" || r.Path == "/orgs/alphagov/teams/admin" || strings.Contains(r.Path, "..") {
					t.Errorf("request %s %s", r.Method, r.Path)
				}
			}
		})
	}
}

// TestTokenInAnswers: an API that quotes the token back, in an error on
// a read or on a write, does not get it printed. (run fails the test if
// the token appears in any output.)
func TestTokenInAnswers(t *testing.T) {
	t.Parallel()
	echo := `{"message":"Resource not accessible by integration (token ` + testToken + `)"}`
	w := faultStack(t)
	w.gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: teamMembers, Status: 403, Body: echo, Times: 1})
	w.readFailed(t, w.run("plan"), "Resource not accessible by integration (token ***)")

	w.gh.SetFaults(&fakegithub.Fault{Method: "PUT", Status: 422, Body: echo})
	r := w.run("apply")
	if r.code != 1 || !strings.Contains(r.stdout, "(token ***)") {
		t.Errorf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestAPIURLWithUserInfo: credentials in GITHUB_API_URL are refused, and
// not printed.
func TestAPIURLWithUserInfo(t *testing.T) {
	t.Parallel()
	w := faultStack(t)
	api := strings.Replace(w.gh.URL(), "http://", "http://someone:hunter2@", 1)
	w.gh.SetFaults(&fakegithub.Fault{Method: "GET", Status: 403, Body: `{"message":"Forbidden"}`})
	r := prodaccessEnv(t, w.people, []string{"GITHUB_TOKEN=" + testToken, "GITHUB_API_URL=" + api, appLoginEnv}, "plan")
	if r.code != 1 || strings.Contains(r.stdout+r.stderr, "hunter2") || strings.Contains(r.stdout+r.stderr, "someone") || !strings.Contains(r.stderr, "holds a user name or password") {
		t.Errorf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestRetryAfterZero: "Retry-After: 0" is waited out a second at a time,
// ten times at most, and then the run fails, rather than asking again
// and again.
func TestRetryAfterZero(t *testing.T) {
	t.Parallel()
	w := faultStack(t)
	w.gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: teamMembers, Status: 429, Header: http.Header{"Retry-After": {"0"}}, Body: `{"message":"slow down"}`, Times: 50})
	c := &testclock.Sleeps{}
	r := w.runIn(c, "plan")
	w.readFailed(t, r, "429")
	var want []time.Duration
	for range github.DefaultMaxRateLimitRetries {
		want = append(want, time.Second)
	}
	if diff := cmp.Diff(want, c.All()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	if n := w.gh.Count("GET", teamMembers); n != 1+github.DefaultMaxRateLimitRetries {
		t.Errorf("%d requests", n)
	}
}

// TestTricklingAnswer: an answer whose body trickles in fails the run
// with a clear error once the request's deadline passes.
func TestTricklingAnswer(t *testing.T) {
	t.Parallel()
	w := faultStack(t)
	w.gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: teamMembers, Status: 200, Body: `[{"login":"alice-gh","id":1}` + strings.Repeat(" ", 400) + "]", HoldBody: true})
	r := w.runWithTransport(func() *github.Transport {
		return &github.Transport{Expire: w.gh.Expire, Sleep: (&testclock.Sleeps{}).Sleep}
	}, "plan")
	w.readFailed(t, r, "GitHub did not finish its answer to GET /api/v3"+teamMembers+" within 30s (the body was still arriving)")
}
