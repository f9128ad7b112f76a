package github

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/testclock"
	"github.com/prodaccess/prodaccess/reconciler"
)

// TestIssuesKeptByMarker: the issue with the marker is found among other
// issues and pull requests (which GitHub lists among issues), updated in
// place, and closed; the others are left alone.
func TestIssuesKeptByMarker(t *testing.T) {
	gh := fakegithub.New(t, "alphagov")
	c := newTestClient(t, gh, &testclock.Sleeps{})
	ctx := context.Background()
	gh.AddIssue("alphagov/people", &fakegithub.Issue{Title: "Someone else's", Body: "mentions <!-- mark --> later"})
	if _, err := NewPullRequests(c).Create(ctx, "alphagov/people", "main", "x", "A pull request", "<!-- mark --> in a pull request"); err != nil {
		t.Fatal(err)
	}
	issues := NewIssues(c, "alphagov/people", "<!-- mark -->")
	if found, err := issues.Find(ctx); err != nil || found != nil {
		t.Fatalf("found %+v, %v before any issue was opened", found, err)
	}
	first, wrote, err := reconciler.KeepThread(ctx, issues, nil, "Upcoming", "<!-- mark -->\nA")
	if err != nil || !wrote {
		t.Fatalf("open: %v (wrote %t)", err, wrote)
	}
	found, err := issues.Find(ctx)
	if err != nil || found == nil || found.Number != first.Number {
		t.Fatalf("found %+v, %v; want #%d", found, err, first.Number)
	}
	if _, wrote, err := reconciler.KeepThread(ctx, issues, found, "Upcoming", "<!-- mark -->\nA"); err != nil || wrote {
		t.Errorf("keep an unchanged issue: wrote %t, %v", wrote, err)
	}
	if _, wrote, err := reconciler.KeepThread(ctx, issues, found, "Upcoming", "<!-- mark -->\nB"); err != nil || !wrote {
		t.Errorf("keep a changed issue: wrote %t, %v", wrote, err)
	}
	if err := issues.Close(ctx, first.Number); err != nil {
		t.Fatal(err)
	}
	var open []string
	for _, is := range gh.OpenIssues("alphagov/people") {
		open = append(open, is.Title)
	}
	if diff := cmp.Diff([]string{"Someone else's"}, open); diff != "" {
		t.Errorf("open issues (-want +got):\n%s", diff)
	}
	all := gh.AllIssues("alphagov/people")
	if len(all) != 2 || all[1].Body != "<!-- mark -->\nB" || all[1].StateReason != "completed" || all[1].Number != 3 {
		t.Errorf("issues: %+v", all)
	}
}
