package github

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/testclock"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// readTeams reads teams prod-0 to prod-(n-1) of alphagov at once with ctx
// and returns each one's states, or errors.
func readTeams(t *testing.T, ctx context.Context, c *Client, n int) ([][]outcome.TargetState, []error) {
	t.Helper()
	states, errs := make([][]outcome.TargetState, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		team := NewTeam(c, &config.Target{Name: fmt.Sprintf("team-%d", i), Type: model.GitHubTeam, Org: "alphagov", Team: fmt.Sprintf("prod-%d", i), Levels: model.AccessLevels})
		wg.Go(func() { states[i], errs[i] = team.Read(ctx) })
	}
	wg.Wait()
	return states, errs
}

// TestTeamsShareOrgInvitations: the teams of one organisation read in one
// round (WithSharedReads) ask for its pending invitations once between
// them, and read what teams read apart do; another round asks again; and
// a failed read of the list fails every team that needed it, is not kept,
// and a later round reads it.
func TestTeamsShareOrgInvitations(t *testing.T) {
	const teams = 5
	gh := fakegithub.New(t, "alphagov")
	for i := range teams {
		gh.AddTeam(fmt.Sprintf("prod-%d", i), "")
	}
	for i := range 30 {
		login := fmt.Sprintf("user-%02d", i)
		gh.AddUser(login, int64(i+1), true)
		gh.SetMember(fmt.Sprintf("prod-%d", i%teams), login, "member")
	}
	gh.AddUser("invited", 99, false)
	gh.Invite("invited") // to the organisation, no team
	c := newTestClient(t, gh, &testclock.Sleeps{})
	orgReads := func() int {
		n := 0
		for _, r := range gh.Requests() {
			if r.Method == "GET" && r.Path == "/orgs/alphagov/invitations" {
				n++
			}
		}
		return n
	}

	apart, errs := readTeams(t, context.Background(), c, teams)
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := orgReads(); n != teams {
		t.Fatalf("read apart: %d reads of the organisation's invitations, want %d", n, teams)
	}
	gh.ResetRequests()
	shared, errs := readTeams(t, WithSharedReads(context.Background()), c, teams)
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := orgReads(); n != 1 {
		t.Errorf("one round: %d reads of the organisation's invitations, want 1", n)
	}
	for i, st := range shared {
		if !slices.ContainsFunc(st[0].Entries, func(e outcome.Entry) bool { return e.Subject == "invited" && e.Pending }) {
			t.Errorf("team %d: the organisation's invitation of invited is not among its entries: %v", i, st[0].Entries)
		}
	}
	if diff := cmp.Diff(apart, shared); diff != "" {
		t.Errorf("teams read in one round differ from teams read apart (-apart +shared):\n%s", diff)
	}
	gh.ResetRequests()
	if _, errs = readTeams(t, WithSharedReads(context.Background()), c, teams); errs[0] != nil {
		t.Fatal(errs[0])
	}
	if n := orgReads(); n != 1 {
		t.Errorf("another round: %d reads of the organisation's invitations, want 1 (a round keeps nothing for the next)", n)
	}

	gh.ResetRequests()
	gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: "/orgs/alphagov/invitations", Status: 404, Body: `{"message":"Not Found"}`})
	round := WithSharedReads(context.Background())
	if _, errs = readTeams(t, round, c, teams); errs[0] == nil {
		t.Fatal("the organisation's invitations failed: no error")
	}
	for i, err := range errs {
		if err == nil {
			t.Errorf("team %d read without the organisation's invitations", i)
		}
	}
	gh.SetFaults()
	if _, errs = readTeams(t, round, c, 1); errs[0] != nil {
		t.Errorf("the same round after the failure: %v; want the list read again", errs[0])
	}
}
