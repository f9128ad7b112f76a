package main

import (
	"bytes"

	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/testclock"
	"github.com/prodaccess/prodaccess/providers/github"
)

// runIn runs prodaccess in this process against the stack, with waits
// recorded rather than slept.
func (w *stack) runIn(c *testclock.Sleeps, args ...string) result {
	return w.runWithTransport(func() *github.Transport {
		return &github.Transport{Expire: w.gh.Expire, Sleep: c.Sleep, Now: time.Now}
	}, args...)
}

// runWithTransport is runIn with the GitHub transport that tr makes.
func (w *stack) runWithTransport(tr func() *github.Transport, args ...string) result {
	var stdout, stderr bytes.Buffer
	o := &options{
		stdout: &stdout, stderr: &stderr, now: time.Now,
		getenv: func(k string) string {
			return map[string]string{"GITHUB_API_URL": w.gh.URL(), "GITHUB_TOKEN": testToken, loginEnv: appLogin}[k]
		},
		newTransport: tr,
	}
	code := runWith(o, append(args, "--config", filepath.Join(w.people, "prodaccess.yaml")))
	r := result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	if strings.Contains(r.stdout+r.stderr, testToken) {
		w.t.Fatalf("the token appears in the output of %v", args)
	}
	return r
}

// faultStack: alice stays, bob is added to the team and the recipients
// (his file gives his GitHub id, so apply looks him up first), carol is
// removed from both.
func faultStack(t *testing.T) *stack {
	w := newStack(t, map[string]string{
		"alice": permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""),
		"bob":   permanentFile("Bob Brown", "bob-gh", 2, fingerprint('B'), "bob", ""),
		"carol": permanentFile("Carol Gone", "carol-gh", 0, fingerprint('C'), "carol", "last_day: 2020-12-31\n"),
	}, []string{keepKey, fingerprint('A'), fingerprint('C')}, []string{"alice", "bob"})
	for i, u := range []string{"alice-gh", "bob-gh", "carol-gh"} {
		w.gh.AddUser(u, int64(i+1), true)
	}
	w.gh.SetMember("gov-uk-production", "alice-gh", "member")
	w.gh.SetMember("gov-uk-production", "carol-gh", "member")
	return w
}

// converged checks the desired state: the team, and one open pull request
// with the recipients on its branch.
func (w *stack) converged(t *testing.T) {
	t.Helper()
	if diff := cmp.Diff([]string{"alice-gh", "bob-gh"}, w.gh.Members("gov-uk-production")); diff != "" {
		t.Errorf("team (-want +got):\n%s", diff)
	}
	if prs := w.gh.OpenPulls("alphagov/govuk-secrets"); len(prs) != 1 {
		t.Errorf("%d open pull requests, want 1", len(prs))
	}
	if got := show(t, w.secrets, "prodaccess/sync", "hiera.rcp"); !strings.Contains(got, fingerprint('B')) || strings.Contains(got, fingerprint('C')) {
		t.Errorf("recipients on the branch:\n%s", got)
	}
}

// TestFaults makes every read and every write fail in turn, in every way
// GitHub fails, and checks what happens: transient read failures and rate
// limits are waited out (at least as long as GitHub asks, a bounded number
// of times) and the run succeeds; any other read failure stops the run
// before any write; a failed write fails that change only and the run; and
// the next run, with GitHub well again, finishes the job with one pull
// request.
func TestFaults(t *testing.T) {
	type endpoint struct {
		name, method, path, message string
		write, planTime             bool
	}
	endpoints := []endpoint{
		{"list members", "GET", "/orgs/alphagov/teams/gov-uk-production/members", "team alphagov/gov-uk-production", false, true},
		{"list child teams", "GET", "/orgs/alphagov/teams/gov-uk-production/teams", "list the child teams of alphagov/gov-uk-production", false, true},
		{"list team invitations", "GET", "/orgs/alphagov/teams/gov-uk-production/invitations", "list the pending invitations of team", false, true},
		{"list org invitations", "GET", "/orgs/alphagov/invitations", "list the pending invitations of organisation alphagov", false, true},
		{"find the pull request", "GET", "/repos/alphagov/govuk-secrets/pulls", "find the open pull request", false, true},
		{"look up a user", "GET", "/users/bob-gh", "look up user bob-gh", false, false},
		{"remove a member", "DELETE", "/orgs/alphagov/teams/gov-uk-production/memberships/carol-gh", "remove carol-gh from", true, false},
		{"add a member", "PUT", "/orgs/alphagov/teams/gov-uk-production/memberships/bob-gh", "add bob-gh to", true, false},
		{"open a pull request", "POST", "/repos/alphagov/govuk-secrets/pulls", "open a pull request in alphagov/govuk-secrets", true, false},
	}
	secondary := `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`
	type fault struct {
		name      string
		f         fakegithub.Fault
		transient bool            // a read is retried after it
		limit     bool            // a rate limit: waited out, reads and writes alike
		wait      []time.Duration // the waits GitHub asks for
	}
	faults := []fault{
		{name: "500", f: fakegithub.Fault{Status: 500}, transient: true, wait: []time.Duration{time.Second}},
		{name: "502", f: fakegithub.Fault{Status: 502}, transient: true, wait: []time.Duration{time.Second}},
		{name: "timeout", f: fakegithub.Fault{Status: 200, Hold: true}, transient: true, wait: []time.Duration{time.Second}},
		{name: "403 secondary limit with retry-after", f: fakegithub.Fault{Status: 403, Header: http.Header{"Retry-After": {"7"}}, Body: secondary}, limit: true, wait: []time.Duration{7 * time.Second}},
		{name: "403 secondary limit without retry-after", f: fakegithub.Fault{Status: 403, Body: secondary}, limit: true, wait: []time.Duration{time.Minute}},
		{name: "429", f: fakegithub.Fault{Status: 429, Body: `{"message":"Too many requests"}`}, limit: true, wait: []time.Duration{time.Minute}},
		{name: "403 missing permission", f: fakegithub.Fault{Status: 403, Body: `{"message":"Resource not accessible by integration"}`}},
		{name: "404", f: fakegithub.Fault{Status: 404, Body: `{"message":"Not Found"}`}},
	}
	for _, ep := range endpoints {
		for _, fl := range faults {
			t.Run(ep.name+"/"+fl.name, func(t *testing.T) {
				t.Parallel()
				w := faultStack(t)
				f := fl.f
				f.Method, f.PathPrefix, f.Times = ep.method, ep.path, 1
				w.gh.SetFaults(&f)
				c := &testclock.Sleeps{}
				r := w.runIn(c, "apply")
				tries := w.gh.Count(ep.method, ep.path)
				if tries > 1+github.DefaultMaxRetries {
					t.Errorf("%d requests to %s %s: retries are not bounded", tries, ep.method, ep.path)
				}
				recovers := fl.limit || (fl.transient && !ep.write)
				switch {
				case recovers:
					if r.code != 0 {
						t.Fatalf("exit %d after a fault that should be waited out\n%s\n%s", r.code, r.stdout, r.stderr)
					}
					if diff := cmp.Diff(fl.wait, c.All()); diff != "" {
						t.Errorf("waits (-asked +waited):\n%s", diff)
					}
					w.converged(t)
				case ep.planTime:
					// A failed read touches only its own target: it
					// stays as it is, the run fails naming it, and the
					// other target's changes, removals first, are made.
					if r.code != 1 || !strings.Contains(r.stdout, "FAILED") || !strings.Contains(r.stdout, ep.message) {
						t.Errorf("exit %d; stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
					}
					if strings.HasPrefix(ep.path, "/orgs/") {
						if diff := cmp.Diff([]string{"alice-gh", "carol-gh"}, w.gh.Members("gov-uk-production")); diff != "" {
							t.Errorf("the team whose read failed was changed (-want +got):\n%s", diff)
						}
						if got := show(t, w.secrets, "prodaccess/sync", "hiera.rcp"); strings.Contains(got, fingerprint('C')) || !strings.Contains(got, fingerprint('B')) {
							t.Errorf("the recipients, which read well, were not changed:\n%s", got)
						}
					} else {
						if diff := cmp.Diff([]string{"alice-gh", "bob-gh"}, w.gh.Members("gov-uk-production")); diff != "" {
							t.Errorf("the team, which read well, was not changed (-want +got):\n%s", diff)
						}
						if b := branchHead(t, w.secrets); b != "" {
							t.Errorf("the repository whose read failed got branch %q", b)
						}
					}
				default:
					if r.code != 1 || !strings.Contains(r.stdout, ep.message) {
						t.Errorf("exit %d; the failure is not named (%q):\n%s\n%s", r.code, ep.message, r.stdout, r.stderr)
					}
				}
				if n := len(w.gh.OpenPulls("alphagov/govuk-secrets")); n > 1 {
					t.Errorf("%d open pull requests", n)
				}
				// GitHub is well again: the next run finishes the job.
				w.gh.SetFaults()
				if r := w.runIn(&testclock.Sleeps{}, "apply"); r.code != 0 {
					t.Fatalf("the run after the fault: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
				}
				w.converged(t)
			})
		}
	}
}

// TestPushRejected: a rejected push (a protected or diverged branch) fails
// the file target's changes and the run, says so, and opens no pull
// request; the team changes still happen; the next run converges.
func TestPushRejected(t *testing.T) {
	w := faultStack(t)
	hook := filepath.Join(w.secrets, ".git", "hooks", "pre-receive")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\necho 'non-fast-forward update rejected' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := w.runIn(&testclock.Sleeps{}, "apply")
	if r.code != 1 || !strings.Contains(r.stdout, "push prodaccess/sync to "+w.secrets) {
		t.Errorf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if n := len(w.gh.OpenPulls("alphagov/govuk-secrets")); n != 0 {
		t.Errorf("%d pull requests opened for a branch that was not pushed", n)
	}
	if diff := cmp.Diff([]string{"alice-gh", "bob-gh"}, w.gh.Members("gov-uk-production")); diff != "" {
		t.Errorf("team (-want +got):\n%s", diff)
	}
	if err := os.Remove(hook); err != nil {
		t.Fatal(err)
	}
	if r := w.runIn(&testclock.Sleeps{}, "apply"); r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	w.converged(t)
}
