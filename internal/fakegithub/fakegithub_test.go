package fakegithub

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"
)

// TestEveryAnswerIsDocumented drives the stand-in, through the client
// prodaccess uses, to every answer it can give: each operation, each error
// and a conditional read. New checks each against GitHub's description,
// so any answer GitHub would not give fails this test; the statuses show
// that every path was taken.
func TestEveryAnswerIsDocumented(t *testing.T) {
	gh := New(t, "alphagov")
	gh.AddTeam("prod", "")
	gh.AddTeam("prod-oncall", "prod")
	gh.AddTeam("idp", "")
	gh.Teams["idp"].Synced = true
	gh.AddUser("alice", 1, true)
	gh.AddUser("bob", 2, false)
	gh.AddUser("carol", 3, true).Blocked = true
	gh.AddUser("dave", 4, true)
	frank := gh.AddUser("frank", 5, true)
	frank.Name, frank.Email = "Frank Public", "frank@example.gov.uk" // a profile that shows both
	gh.SetMember("prod", "dave", "member")
	gh.SetMember("prod-oncall", "alice", "member")
	gh.Invite("erin", "prod")

	c := github.NewClient(nil)
	c.BaseURL.Scheme, c.BaseURL.Host, c.BaseURL.Path = "http", gh.srv.Listener.Addr().String(), Prefix+"/"
	ctx := context.Background()
	page := &github.ListOptions{PerPage: 1, Page: 2}
	maintainer := &github.TeamAddTeamMembershipOptions{Role: "maintainer"}
	// Not nil: go-github sends a nil option as the body null, which GitHub
	// does not document.
	member := &github.TeamAddTeamMembershipOptions{Role: "member"}
	title, body, closed := "Grant access", "Because", "closed"

	// The calls are made in order, as the list is written.
	r := func(_ any, resp *github.Response, _ error) *github.Response { return resp }
	r2 := func(resp *github.Response, _ error) *github.Response { return resp }
	const org = "alphagov"
	answers := []*github.Response{
		r(c.Teams.ListTeamMembersBySlug(ctx, org, "prod", &github.TeamListTeamMembersOptions{Role: "all", ListOptions: *page})),
		r(c.Teams.ListChildTeamsByParentSlug(ctx, org, "prod", nil)),
		r(c.Teams.ListPendingTeamInvitationsBySlug(ctx, org, "prod", nil)),
		r(c.Organizations.ListPendingOrgInvitations(ctx, org, nil)),
		r(c.Teams.ListTeamMembersBySlug(ctx, org, "gone", nil)),
		r(c.Teams.GetTeamMembershipBySlug(ctx, org, "prod", "dave")),
		r(c.Teams.GetTeamMembershipBySlug(ctx, org, "prod", "bob")),
		r(c.Teams.AddTeamMembershipBySlug(ctx, org, "prod", "alice", maintainer)),
		r(c.Teams.AddTeamMembershipBySlug(ctx, org, "prod", "bob", member)),
		r(c.Teams.AddTeamMembershipBySlug(ctx, org, "prod", "carol", member)),
		r(c.Teams.AddTeamMembershipBySlug(ctx, org, "prod", "nobody", member)),
		r(c.Teams.AddTeamMembershipBySlug(ctx, org, "idp", "alice", member)),
		r2(c.Teams.RemoveTeamMembershipBySlug(ctx, org, "prod", "alice")),
		r2(c.Teams.RemoveTeamMembershipBySlug(ctx, org, "prod", "bob")),
		r2(c.Teams.RemoveTeamMembershipBySlug(ctx, org, "prod", "nobody")),
		r2(c.Teams.RemoveTeamMembershipBySlug(ctx, org, "idp", "dave")),
		r(c.Users.Get(ctx, "alice")),
		r(c.Users.Get(ctx, "nobody")),
		r(c.Users.Get(ctx, "frank")),
		r(c.PullRequests.Create(ctx, org, "secrets", &github.NewPullRequest{Title: &title, Body: &body, Head: github.String("prodaccess/sync"), Base: github.String("main")})),
		r(c.PullRequests.Create(ctx, org, "secrets", &github.NewPullRequest{Title: &title, Head: github.String("prodaccess/sync"), Base: github.String("main")})),
		r(c.PullRequests.List(ctx, org, "secrets", &github.PullRequestListOptions{State: "open", Head: "alphagov:prodaccess/sync"})),
		r(c.PullRequests.Get(ctx, org, "secrets", 1)),
		r(c.PullRequests.Edit(ctx, org, "secrets", 1, &github.PullRequest{Title: &title, Body: &body})),
		// The base changed, as when the branch it went into is merged
		// and deleted; then a closed one's base is not.
		r(c.PullRequests.Edit(ctx, org, "secrets", 1, &github.PullRequest{Base: &github.PullRequestBranch{Ref: github.String("trunk")}})),
		r(c.PullRequests.Edit(ctx, org, "secrets", 1, &github.PullRequest{State: &closed})),
		r(c.PullRequests.Edit(ctx, org, "secrets", 1, &github.PullRequest{Base: &github.PullRequestBranch{Ref: github.String("main")}})),
		r(c.PullRequests.Get(ctx, org, "secrets", 9)),
		r(c.Issues.Create(ctx, org, "people", &github.IssueRequest{Title: &title, Body: &body})),
		r(c.Issues.ListByRepo(ctx, org, "secrets", &github.IssueListByRepoOptions{State: "all", Direction: "asc"})),
		r(c.Issues.Edit(ctx, org, "people", 1, &github.IssueRequest{Body: &body, State: &closed, StateReason: github.String("completed")})),
		r(c.Issues.Edit(ctx, org, "people", 7, &github.IssueRequest{Body: &body})),
	}
	if base := gh.pull("alphagov/secrets", 1).Base; base != "trunk" {
		t.Errorf("after the edit of its base, pull request #1 goes into %q", base)
	}
	var got []string
	for _, a := range answers {
		got = append(got, fmt.Sprint(a.Request.Method, " ", a.Request.URL.Path, " ", a.StatusCode))
	}

	// A conditional read of what the client has, and a bad token.
	req, err := http.NewRequest("GET", gh.URL()+"/users/alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	gh.Token = "right"
	for _, auth := range []string{"Bearer right", "Bearer wrong"} {
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got = append(got, fmt.Sprint("GET ", req.URL.Path, " ", resp.StatusCode))
	}

	p := "/api/v3/orgs/alphagov/teams/"
	want := []string{
		"GET " + p + "prod/members 200",
		"GET " + p + "prod/teams 200",
		"GET " + p + "prod/invitations 200",
		"GET /api/v3/orgs/alphagov/invitations 200",
		"GET " + p + "gone/members 404",
		"GET " + p + "prod/memberships/dave 200",
		"GET " + p + "prod/memberships/bob 404",
		"PUT " + p + "prod/memberships/alice 200",
		"PUT " + p + "prod/memberships/bob 200",
		"PUT " + p + "prod/memberships/carol 422",
		"PUT " + p + "prod/memberships/nobody 404",
		"PUT " + p + "idp/memberships/alice 403",
		"DELETE " + p + "prod/memberships/alice 204",
		"DELETE " + p + "prod/memberships/bob 204",
		"DELETE " + p + "prod/memberships/nobody 404",
		"DELETE " + p + "idp/memberships/dave 403",
		"GET /api/v3/users/alice 200",
		"GET /api/v3/users/nobody 404",
		"GET /api/v3/users/frank 200",
		"POST /api/v3/repos/alphagov/secrets/pulls 201",
		"POST /api/v3/repos/alphagov/secrets/pulls 422",
		"GET /api/v3/repos/alphagov/secrets/pulls 200",
		"GET /api/v3/repos/alphagov/secrets/pulls/1 200",
		"PATCH /api/v3/repos/alphagov/secrets/pulls/1 200",
		"PATCH /api/v3/repos/alphagov/secrets/pulls/1 200",
		"PATCH /api/v3/repos/alphagov/secrets/pulls/1 200",
		"PATCH /api/v3/repos/alphagov/secrets/pulls/1 422",
		"GET /api/v3/repos/alphagov/secrets/pulls/9 404",
		"POST /api/v3/repos/alphagov/people/issues 201",
		"GET /api/v3/repos/alphagov/secrets/issues 200",
		"PATCH /api/v3/repos/alphagov/people/issues/1 200",
		"PATCH /api/v3/repos/alphagov/people/issues/7 404",
		"GET /api/v3/users/alice 304",
		"GET /api/v3/users/alice 401",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
}

// TestTheTokensAccount: a test chooses whom the token belongs to
// (Viewer). What the client creates is that account's; GET /user answers
// with a person's public profile, and refuses a bot's token as GitHub does
// (it does not offer GET /user to GitHub Apps); GET /users/{login} finds
// the bot.
func TestTheTokensAccount(t *testing.T) {
	gh := New(t, "alphagov")
	c := github.NewClient(nil)
	c.BaseURL.Scheme, c.BaseURL.Host, c.BaseURL.Path = "http", gh.srv.Listener.Addr().String(), Prefix+"/"
	ctx := context.Background()
	title := "Access review"
	create := func() string {
		t.Helper()
		is, _, err := c.Issues.Create(ctx, "alphagov", "people", &github.IssueRequest{Title: &title})
		if err != nil {
			t.Fatal(err)
		}
		return is.GetUser().GetLogin() + " " + is.GetUser().GetType()
	}
	me := func() string {
		u, resp, err := c.Users.Get(ctx, "")
		if err != nil {
			return fmt.Sprint(resp.StatusCode, " ", err.(*github.ErrorResponse).Message)
		}
		return u.GetLogin() + " " + u.GetType()
	}
	var got []string
	got = append(got, create(), me())
	gh.Viewer = &User{Login: "prodaccess-app[bot]", ID: 90}
	got = append(got, create(), me())
	bot, _, err := c.Users.Get(ctx, "prodaccess-app[bot]")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, bot.GetLogin()+" "+bot.GetType())
	gh.Viewer = gh.AddUser("alice", 7, true)
	got = append(got, create(), me())
	// An issue stays its author's when the token changes hands.
	issues, _, err := c.Issues.ListByRepo(ctx, "alphagov", "people", &github.IssueListByRepoOptions{Direction: "asc"})
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range issues {
		got = append(got, fmt.Sprint("#", is.GetNumber(), " ", is.GetUser().GetLogin()))
	}
	want := []string{
		"prodaccess[bot] Bot", "403 Resource not accessible by integration",
		"prodaccess-app[bot] Bot", "403 Resource not accessible by integration",
		"prodaccess-app[bot] Bot",
		"alice User", "alice User",
		"#1 prodaccess[bot]", "#2 prodaccess-app[bot]", "#3 alice",
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
}
