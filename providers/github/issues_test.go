package github

import (
	"context"
	"errors"
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
	issues := NewIssues(c, "alphagov/people", "<!-- mark -->", "prodaccess[bot]")
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

// TestIssuesOfOthersAreNotKept: an issue that starts with the marker but
// was opened by another account is neither found nor updated; the
// author's own is, whatever the case of the login.
func TestIssuesOfOthersAreNotKept(t *testing.T) {
	gh := fakegithub.New(t, "alphagov")
	c := newTestClient(t, gh, &testclock.Sleeps{})
	ctx := context.Background()
	mallory := gh.AddUser("mallory", 66, true)
	gh.AddIssue("alphagov/people", &fakegithub.Issue{Title: "Upcoming", Body: "<!-- mark -->\nforged", Author: mallory})
	if found, err := NewIssues(c, "alphagov/people", "<!-- mark -->", "prodaccess[bot]").FindAll(ctx); err != nil || len(found) != 0 {
		t.Errorf("found %+v, %v: another account's issue", found, err)
	}
	if found, err := NewIssues(c, "alphagov/people", "<!-- mark -->", "MALLORY").FindAll(ctx); err != nil || len(found) != 1 {
		t.Errorf("found %+v, %v: the author's own", found, err)
	}
	if _, err := NewIssues(c, "alphagov/people", "<!-- mark -->", "").FindAll(ctx); err == nil {
		t.Error("issues found with no author to match")
	}
}

// TestLogin: GET /user names a person's token; an App's token (the
// stand-in's default, prodaccess[bot]) gets GitHub's 403, which is
// ErrLoginUnknown.
func TestLogin(t *testing.T) {
	gh := fakegithub.New(t, "alphagov")
	ctx := context.Background()
	if _, err := newTestClient(t, gh, &testclock.Sleeps{}).Login(ctx); !errors.Is(err, ErrLoginUnknown) {
		t.Errorf("an App's token: %v", err)
	}
	gh.Viewer = gh.AddUser("alex-gds", 7, true)
	c := newTestClient(t, gh, &testclock.Sleeps{})
	if login, err := c.Login(ctx); err != nil || login != "alex-gds" {
		t.Errorf("a person's token: %q, %v", login, err)
	}
	n := gh.Count("GET", "/user")
	if login, err := c.Login(ctx); err != nil || login != "alex-gds" || gh.Count("GET", "/user") != n {
		t.Errorf("asked again: %q, %v, %d requests", login, err, gh.Count("GET", "/user")-n)
	}
}
