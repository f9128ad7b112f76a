package github

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/testclock"
)

func TestRequestReviewers(t *testing.T) {
	gh := fakegithub.New(t, "alphagov")
	gh.AddUser("alexlead-gds", 11, true)
	gh.AddTeam("leads", "")
	prs := NewPullRequests(newTestClient(t, gh, &testclock.Sleeps{}))
	ctx := context.Background()
	pr, err := prs.Create(ctx, "alphagov/people", "main", "access/cy", "Access for cy", "Because")
	if err != nil {
		t.Fatal(err)
	}
	if err := prs.RequestReviewers(ctx, "alphagov/people", pr.Number, []string{"alexlead-gds"}, []string{"leads"}); err != nil {
		t.Fatal(err)
	}
	got := gh.OpenPulls("alphagov/people")[0]
	if diff := cmp.Diff([][]string{{"alexlead-gds"}, {"leads"}}, [][]string{got.RequestedReviewers, got.RequestedTeams}); diff != "" {
		t.Errorf("requested (-want +got):\n%s", diff)
	}
	if err := prs.RequestReviewers(ctx, "alphagov/people", pr.Number, []string{"nobody"}, nil); err == nil {
		t.Error("a review requested from someone who is not a collaborator: no error")
	}
	if err := prs.RequestReviewers(ctx, "alphagov/people", pr.Number, nil, nil); err != nil {
		t.Errorf("nobody to ask: %v", err)
	}
}
