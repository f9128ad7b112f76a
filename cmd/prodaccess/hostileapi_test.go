package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/testclock"
	"github.com/prodaccess/prodaccess/providers/github"
)

const teamMembers = "/orgs/alphagov/teams/gov-uk-production/members"

// readFailed checks that a run failed on a read, said why, and wrote
// nothing anywhere.
func (w *stack) readFailed(t *testing.T, r result, why string) {
	t.Helper()
	if r.code != 1 || !strings.Contains(r.stderr, "nothing was planned, because a read failed") || !strings.Contains(r.stderr, why) {
		t.Errorf("exit %d, want 1 with %q\nstdout:\n%s\nstderr:\n%s", r.code, why, r.stdout, r.stderr)
	}
	if n := w.gh.Writes(); n != 0 || branchHead(t, w.secrets) != "" {
		t.Errorf("a failed read was followed by %d GitHub writes and branch %q", n, branchHead(t, w.secrets))
	}
}

// TestRetryAfterZero: "Retry-After: 0" is waited out a second at a time,
// ten times at most, and then the run fails, rather than asking again
// and again.
func TestRetryAfterZero(t *testing.T) {
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
	w := faultStack(t)
	w.gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: teamMembers, Status: 200, Body: `[{"login":"alice-gh","id":1}` + strings.Repeat(" ", 400) + "]", Trickle: 20 * time.Millisecond})
	r := w.runWithTransport(func() *github.Transport {
		return &github.Transport{RequestTimeout: 200 * time.Millisecond, Sleep: (&testclock.Sleeps{}).Sleep}
	}, "plan")
	w.readFailed(t, r, "GitHub did not finish its answer to GET /api/v3"+teamMembers+" within 200ms (the body was still arriving)")
}
