package github

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/testclock"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/reconciler"
)

var clock = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// testToken is long enough that scrubbing it from messages changes no
// other word.
const testToken = "ghs_test_token_0123456789"

func newTestClient(t *testing.T, gh *fakegithub.Server, sl *testclock.Sleeps) *Client {
	t.Helper()
	// A try times out when, and only when, the stand-in holds its answer.
	c, err := NewClient(gh.URL(), testToken, ClientOptions{Transport: &Transport{
		Expire: gh.Expire,
		Sleep:  sl.Sleep,
		Now:    func() time.Time { return clock },
	}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func teamTarget() *config.Target {
	return &config.Target{Name: "team", Type: model.GitHubTeam, Org: "alphagov", Team: "prod", Levels: model.AccessLevels}
}

func bigTeam(t *testing.T, n int) *fakegithub.Server {
	gh := fakegithub.New(t, "alphagov")
	gh.AddTeam("prod", "")
	for i := range n {
		login := fmt.Sprintf("user-%04d", i)
		gh.AddUser(login, int64(i+1), true)
		gh.SetMember("prod", login, "member")
	}
	return gh
}

// TestReadCountsRequests: a team of 2,000 takes 20 member pages (100 a
// page) plus one request each for child teams, team invitations and
// organisation invitations, and no writes.
func TestReadCountsRequests(t *testing.T) {
	gh := bigTeam(t, 2000)
	team := NewTeam(newTestClient(t, gh, &testclock.Sleeps{}), teamTarget())
	states, err := team.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(states[0].Entries); n != 2000 {
		t.Fatalf("read %d entries, want 2000", n)
	}
	got := map[string]int{}
	for _, r := range gh.Requests() {
		got[r.Method+" "+r.Path]++
		if pp := r.Query.Get("per_page"); pp != "100" {
			t.Errorf("%s %s asked for %q per page", r.Method, r.Path, pp)
		}
	}
	want := map[string]int{
		"GET /orgs/alphagov/teams/prod/members":     20,
		"GET /orgs/alphagov/teams/prod/teams":       1,
		"GET /orgs/alphagov/teams/prod/invitations": 1,
		"GET /orgs/alphagov/invitations":            1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// TestKChangesKWrites: k membership changes make exactly k writes.
func TestKChangesKWrites(t *testing.T) {
	gh := bigTeam(t, 300)
	gh.AddUser("new-1", 9001, true)
	gh.AddUser("new-2", 9002, false)
	team := NewTeam(newTestClient(t, gh, &testclock.Sleeps{}), teamTarget())
	if _, err := team.Read(context.Background()); err != nil {
		t.Fatal(err)
	}
	gh.ResetRequests()
	changes := []outcome.Change{
		{Target: "team", Action: outcome.Remove, Subject: "user-0001"},
		{Target: "team", Action: outcome.Remove, Subject: "USER-0002"},
		{Target: "team", Action: outcome.Add, Subject: "new-1"},
		{Target: "team", Action: outcome.Add, Subject: "new-2"},
	}
	res := team.Apply(context.Background(), nil, changes)
	var statuses []outcome.Status
	for _, r := range res {
		statuses = append(statuses, r.Status)
	}
	if diff := cmp.Diff([]outcome.Status{outcome.Done, outcome.Done, outcome.Done, outcome.Pending}, statuses); diff != "" {
		t.Errorf("results (-want +got):\n%s\n%+v", diff, res)
	}
	if n, all := gh.Writes(), len(gh.Requests()); n != 4 || all != 4 {
		t.Errorf("%d writes in %d requests, want 4 and 4", n, all)
	}
}

func TestRateLimitsAndRetries(t *testing.T) {
	members := "/orgs/alphagov/teams/prod/members"
	h := func(kv ...string) http.Header {
		hd := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			hd.Set(kv[i], kv[i+1])
		}
		return hd
	}
	tests := []struct {
		name      string
		fault     fakegithub.Fault
		wantWaits []time.Duration
		wantErr   string
	}{
		{
			name:      "429 with retry-after: wait as long as asked",
			fault:     fakegithub.Fault{Status: 429, Header: h("Retry-After", "7"), Body: `{"message":"You have exceeded a secondary rate limit"}`, Times: 1},
			wantWaits: []time.Duration{7 * time.Second},
		},
		{
			name:      "403 primary limit: wait until the reset",
			fault:     fakegithub.Fault{Status: 403, Header: h("X-Ratelimit-Remaining", "0", "X-Ratelimit-Reset", fmt.Sprint(clock.Add(90*time.Second).Unix())), Body: `{"message":"API rate limit exceeded"}`, Times: 1},
			wantWaits: []time.Duration{91 * time.Second},
		},
		{
			name:      "429 primary limit: go-github v60 does not know it, the transport does",
			fault:     fakegithub.Fault{Status: 429, Header: h("X-Ratelimit-Remaining", "0", "X-Ratelimit-Reset", fmt.Sprint(clock.Add(30*time.Second).Unix())), Times: 1},
			wantWaits: []time.Duration{31 * time.Second},
		},
		{
			name:      "403 secondary limit without retry-after: at least a minute",
			fault:     fakegithub.Fault{Status: 403, Body: `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`, Times: 2},
			wantWaits: []time.Duration{time.Minute, time.Minute},
		},
		{
			name:    "403 missing permission: no retry",
			fault:   fakegithub.Fault{Status: 403, Body: `{"message":"Resource not accessible by integration"}`, Times: 1},
			wantErr: "403 Resource not accessible by integration",
		},
		{
			name:      "500 on a read: retried with backoff",
			fault:     fakegithub.Fault{Status: 500, Times: 2},
			wantWaits: []time.Duration{time.Second, 2 * time.Second},
		},
		{
			name:      "502 on every try: bounded, then an error",
			fault:     fakegithub.Fault{Status: 502},
			wantWaits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second},
			wantErr:   "502",
		},
		{
			name:      "a timeout on a read: retried",
			fault:     fakegithub.Fault{Status: 200, Hold: true, Times: 1},
			wantWaits: []time.Duration{time.Second},
		},
		{
			name:      "a rate limit longer than the budget: not waited for",
			fault:     fakegithub.Fault{Status: 429, Header: h("Retry-After", "3600")},
			wantWaits: nil,
			wantErr:   "429",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gh := bigTeam(t, 3)
			f := tt.fault
			f.Method, f.PathPrefix = "GET", members
			gh.SetFaults(&f)
			sl := &testclock.Sleeps{}
			team := NewTeam(newTestClient(t, gh, sl), teamTarget())
			states, err := team.Read(context.Background())
			switch {
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v", err)
			case tt.wantErr == "" && len(states[0].Entries) != 3:
				t.Errorf("read %d entries, want 3", len(states[0].Entries))
			}
			if diff := cmp.Diff(tt.wantWaits, sl.All()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWritesAreNotRetriedOnServerErrors: a 5xx on a write may have taken
// effect, so it is reported, not repeated; a rate limit on a write is
// waited out, since GitHub did not act on it.
func TestWritesAreNotRetriedOnServerErrors(t *testing.T) {
	gh := bigTeam(t, 3)
	gh.AddUser("new", 99, true)
	sl := &testclock.Sleeps{}
	team := NewTeam(newTestClient(t, gh, sl), teamTarget())
	gh.SetFaults(
		&fakegithub.Fault{Method: "DELETE", Status: 502, Times: 1},
		&fakegithub.Fault{Method: "PUT", Status: 429, Header: http.Header{"Retry-After": {"5"}}, Times: 1},
	)
	res := team.Apply(context.Background(), nil, []outcome.Change{
		{Target: "team", Action: outcome.Remove, Subject: "user-0001"},
		{Target: "team", Action: outcome.Add, Subject: "new"},
	})
	if res[0].Status != outcome.Failed || !strings.Contains(res[0].Detail, "502") || res[1].Status != outcome.Done {
		t.Errorf("results: %+v", res)
	}
	if gh.Count("DELETE", "") != 1 || gh.Count("PUT", "") != 2 {
		t.Errorf("requests: %+v", gh.Requests())
	}
	if diff := cmp.Diff([]time.Duration{5 * time.Second}, sl.All()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

// TestTeamStates covers what counts as holding access: members,
// pending invitations, and child-team members that must not be removed.
func TestTeamStates(t *testing.T) {
	gh := fakegithub.New(t, "alphagov")
	gh.AddTeam("prod", "")
	gh.AddTeam("prod-oncall", "prod")
	for i, u := range []string{"Direct", "child", "both", "invited", "org-invited"} {
		gh.AddUser(u, int64(i+1), u != "invited" && u != "org-invited")
	}
	gh.SetMember("prod", "Direct", "maintainer")
	gh.SetMember("prod-oncall", "child", "member")
	gh.SetMember("prod", "both", "member")
	gh.SetMember("prod-oncall", "both", "member")
	gh.Invite("invited", "prod")
	gh.Invite("org-invited", "other-team")
	states, err := NewTeam(newTestClient(t, gh, &testclock.Sleeps{}), teamTarget()).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []outcome.Entry{
		{Subject: "both", Protected: "a member through child team alphagov/prod-oncall", ChildTeam: "prod-oncall"},
		{Subject: "child", Protected: "a member through child team alphagov/prod-oncall", ChildTeam: "prod-oncall"},
		{Subject: "Direct"},
		{Subject: "invited", Pending: true},
		{Subject: "org-invited", Pending: true, Protected: "invited to organisation alphagov; prodaccess does not cancel organisation invitations"},
	}
	if diff := cmp.Diff(want, states[0].Entries); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}

// BenchmarkNoOpRead2000 reads a team of 2,000 members with 20 ms added to
// every response, as a no-op plan does; it reports the requests made.
func BenchmarkNoOpRead2000(b *testing.B) {
	gh := fakegithub.New(b, "alphagov")
	gh.AddTeam("prod", "")
	for i := range 2000 {
		login := fmt.Sprintf("user-%04d", i)
		gh.AddUser(login, int64(i+1), true)
		gh.SetMember("prod", login, "member")
	}
	gh.SetLatency(20 * time.Millisecond)
	c, err := NewClient(gh.URL(), "tok", ClientOptions{})
	if err != nil {
		b.Fatal(err)
	}
	team := NewTeam(c, teamTarget())
	gh.ResetRequests()
	b.ResetTimer()
	for b.Loop() {
		if _, err := team.Read(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(gh.Requests()))/float64(b.N), "requests/op")
	b.ReportMetric(float64(gh.Writes())/float64(b.N), "writes/op")
}

// TestAddFailuresGoOn: a user who does not exist or is blocked is reported
// and the other changes are made.
func TestAddFailuresGoOn(t *testing.T) {
	gh := bigTeam(t, 2)
	u := gh.AddUser("blocked-user", 50, true)
	gh.Lock()
	u.Blocked = true
	gh.Unlock()
	gh.AddUser("fine-user", 51, true)
	team := NewTeam(newTestClient(t, gh, &testclock.Sleeps{}), teamTarget())
	res := team.Apply(context.Background(), nil, []outcome.Change{
		{Target: "team", Action: outcome.Add, Subject: "no-such-user"},
		{Target: "team", Action: outcome.Add, Subject: "blocked-user"},
		{Target: "team", Action: outcome.Add, Subject: "fine-user"},
	})
	var got []string
	for _, r := range res {
		got = append(got, string(r.Status))
	}
	if diff := cmp.Diff([]string{"failed", "failed", "done"}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if !strings.Contains(res[0].Detail, "no such user, or the team or organisation is not visible") || !strings.Contains(res[1].Detail, "they may be blocked") {
		t.Errorf("details: %q, %q", res[0].Detail, res[1].Detail)
	}
}

// TestUserIDsCheckedBeforeAnyWrite: through reconciler.Apply, the GitHub
// user id of every login to be added is looked up once, before the first
// write; the writes come after, removals first; a login whose id changed
// is refused.
func TestUserIDsCheckedBeforeAnyWrite(t *testing.T) {
	gh := bigTeam(t, 20)
	for i := range 10 {
		gh.AddUser(fmt.Sprintf("new-%d", i), int64(9000+i), true)
	}
	client := newTestClient(t, gh, &testclock.Sleeps{})
	team := NewTeam(client, teamTarget())
	plan := &outcome.Plan{Targets: []outcome.TargetPlan{{Target: "team", Changes: []outcome.Change{
		{Target: "team", Action: outcome.Remove, Subject: "user-0001"},
		{Target: "team", Action: outcome.Remove, Subject: "user-0002"},
	}}}}
	for i := range 10 {
		id := int64(9000 + i)
		if i == 7 {
			id = 1 // the login now belongs to someone else
		}
		plan.Targets[0].Changes = append(plan.Targets[0].Changes, outcome.Change{Target: "team", Action: outcome.Add, Subject: fmt.Sprintf("new-%d", i), GitHubID: id})
	}
	report, err := reconciler.Apply(context.Background(), plan, []reconciler.Provider{team})
	if err != nil {
		t.Fatal(err)
	}
	firstWrite, lookups := -1, 0
	for i, r := range gh.Requests() {
		switch {
		case r.Method == "GET" && strings.HasPrefix(r.Path, "/users/"):
			lookups++
			if firstWrite >= 0 {
				t.Errorf("%s %s after the first write", r.Method, r.Path)
			}
		case r.Method != "GET" && firstWrite < 0:
			firstWrite = i
		}
	}
	if lookups != 10 || gh.Writes() != 11 {
		t.Errorf("%d lookups and %d writes, want 10 and 11", lookups, gh.Writes())
	}
	var refused []string
	for _, res := range report.Results {
		if res.Status == outcome.Refused {
			refused = append(refused, res.Change.Subject)
		}
	}
	if diff := cmp.Diff([]string{"new-7"}, refused); diff != "" {
		t.Errorf("refused (-want +got):\n%s", diff)
	}
}

func TestGitHost(t *testing.T) {
	for api, want := range map[string]string{
		"":                                     "github.com:443",
		"https://api.github.com":               "github.com:443",
		"https://api.github.com/":              "github.com:443",
		"https://api.acme.ghe.com":             "acme.ghe.com:443",
		"https://ghes.example.org/api/v3":      "ghes.example.org:443",
		"https://GHES.example.org:8443/api/v3": "ghes.example.org:8443",
		"http://127.0.0.1:4000/api/v3":         "127.0.0.1:4000",
	} {
		got, err := GitHost(api)
		if err != nil || got != want {
			t.Errorf("GitHost(%q) = %q, %v; want %q", api, got, err, want)
		}
	}
}

// allInFlight holds every GET /users/ request until n of them are in
// flight together, so that a test can tell n lookups made at once from n
// made in rounds without depending on time; the wait is bounded only to
// end a hang.
type allInFlight struct {
	base     http.RoundTripper
	n        int
	mu       sync.Mutex
	inFlight int
	all      chan struct{}
}

func (a *allInFlight) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.Contains(req.URL.Path, "/users/") {
		a.mu.Lock()
		if a.inFlight++; a.inFlight == a.n {
			close(a.all)
		}
		a.mu.Unlock()
		select {
		case <-a.all:
		case <-time.After(30 * time.Second):
			return nil, fmt.Errorf("fewer than %d user lookups were made at once", a.n)
		}
	}
	return a.base.RoundTrip(req)
}

// TestTenLookupsInOneRound: the github_id checks of ten additions are all
// sent before any of them is answered.
func TestTenLookupsInOneRound(t *testing.T) {
	gh := bigTeam(t, 2)
	var changes []outcome.Change
	for i := range 10 {
		gh.AddUser(fmt.Sprintf("new-%d", i), int64(9000+i), true)
		changes = append(changes, outcome.Change{Target: "team", Action: outcome.Add, Subject: fmt.Sprintf("new-%d", i), GitHubID: int64(9000 + i)})
	}
	gate := &allInFlight{base: http.DefaultTransport, n: 10, all: make(chan struct{})}
	c, err := NewClient(gh.URL(), testToken, ClientOptions{Transport: &Transport{Base: gate, MaxRetries: 1}})
	if err != nil {
		t.Fatal(err)
	}
	team := NewTeam(c, teamTarget())
	team.Prepare(context.Background(), nil, changes)
	for _, ch := range changes {
		if id, err := team.userID(context.Background(), ch.Subject); err != nil || id != ch.GitHubID {
			t.Errorf("%s: id %d, %v; want %d", ch.Subject, id, err, ch.GitHubID)
		}
	}
}
