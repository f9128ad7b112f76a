package fakegithub

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"
)

// TestReviewsAndRulesAreDocumented drives the operations of reviews,
// commits, contents and branch protection through go-github, so that the
// checker proves each answer is one GitHub documents, and checks that
// they say what the test set up.
func TestReviewsAndRulesAreDocumented(t *testing.T) {
	dir := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.gov.uk", "GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.gov.uk", "GIT_CONFIG_GLOBAL=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	if err := os.MkdirAll(filepath.Join(dir, "people"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "people/cy.yaml"), []byte("name: Cy\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", "-A")
	git("commit", "-q", "-m", "Cy")
	sha := git("rev-parse", "HEAD")

	gh := New(t, "alphagov")
	alex := gh.AddUser("alexlead-gds", 11, true)
	cy := gh.AddUser("cy-gh", 22, true)
	gh.AddTeam("leads", "")
	gh.SetRepoDir("alphagov/people", dir)
	merged := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	pr := gh.AddPull("alphagov/people", &PullRequest{Head: "grant-cy", Base: "main", Title: "Grant Cy", Author: cy,
		Commits: []PullCommit{{SHA: sha, Author: cy, Committer: cy, SignedBy: cy}}, MergedAt: merged, MergedBy: alex, MergeCommitSHA: sha})
	approval := gh.AddReview("alphagov/people", pr.Number, Review{User: alex, State: "APPROVED", CommitID: sha, SubmittedAt: merged.Add(-time.Hour)})
	gh.AddReview("alphagov/people", pr.Number, Review{User: alex, State: "COMMENTED", CommitID: sha, SubmittedAt: merged.Add(-time.Minute)})
	open := gh.AddPull("alphagov/people", &PullRequest{Head: "more", Base: "main", Title: "More", Author: cy})
	gh.SetRules("alphagov/people", "main", []RuleInForce{
		{Type: "pull_request", RulesetID: 7, Parameters: map[string]any{"required_approving_review_count": 1, "require_code_owner_review": true,
			"require_last_push_approval": true, "dismiss_stale_reviews_on_push": true, "required_review_thread_resolution": false}},
		{Type: "deletion", RulesetID: 7},
	}, Ruleset{ID: 7, Name: "people", BypassActors: []BypassActor{{ActorID: 5, ActorType: "RepositoryRole", BypassMode: "always"}}})
	gh.SetProtection("alphagov/people", "main", &ClassicProtection{PullRequests: true, RequiredApprovingReviewCount: 1, RequireCodeOwnerReviews: true, BypassUsers: []string{"alexlead-gds"}})
	// The ruleset's bypass actors are read below: only a token with
	// write access to the ruleset sees them.
	gh.RulesetWriter = true

	c := github.NewClient(nil)
	c.BaseURL.Scheme, c.BaseURL.Host, c.BaseURL.Path = "http", gh.srv.Listener.Addr().String(), Prefix+"/"
	ctx := context.Background()
	const owner, repo = "alphagov", "people"

	prs, _, err := c.PullRequests.ListPullRequestsWithCommit(ctx, owner, repo, sha, nil)
	if err != nil || len(prs) != 1 || prs[0].GetNumber() != pr.Number || prs[0].MergedAt == nil {
		t.Errorf("pulls of %s: %v %+v", sha, err, prs)
	}
	got, _, err := c.PullRequests.Get(ctx, owner, repo, pr.Number)
	if err != nil || got.GetMergedBy().GetLogin() != "alexlead-gds" || got.GetUser().GetLogin() != "cy-gh" || got.GetMergeCommitSHA() != sha || got.GetHead().GetSHA() != sha {
		t.Errorf("pull request: %v %+v", err, got)
	}
	reviews, _, err := c.PullRequests.ListReviews(ctx, owner, repo, pr.Number, &github.ListOptions{PerPage: 1})
	if err != nil || len(reviews) != 1 || reviews[0].GetID() != approval.ID || reviews[0].GetCommitID() != sha || reviews[0].GetState() != "APPROVED" {
		t.Errorf("reviews: %v %+v", err, reviews)
	}
	gh.Dismiss("alphagov/people", pr.Number, approval.ID)
	reviews, _, err = c.PullRequests.ListReviews(ctx, owner, repo, pr.Number, nil)
	if err != nil || len(reviews) != 2 || reviews[0].GetState() != "DISMISSED" {
		t.Errorf("reviews after dismissal: %v %+v", err, reviews)
	}
	commits, _, err := c.PullRequests.ListCommits(ctx, owner, repo, pr.Number, nil)
	if err != nil || len(commits) != 1 || commits[0].GetAuthor().GetLogin() != "cy-gh" || commits[0].GetCommitter().GetLogin() != "cy-gh" ||
		!commits[0].GetCommit().GetVerification().GetVerified() || commits[0].GetCommit().GetVerification().GetReason() != "valid" {
		t.Errorf("commits: %v %+v", err, commits)
	}
	file, _, _, err := c.Repositories.GetContents(ctx, owner, repo, "people/cy.yaml", &github.RepositoryContentGetOptions{Ref: sha})
	if text, _ := file.GetContent(); err != nil || text != "name: Cy\n" {
		t.Errorf("contents: %v %q", err, text)
	}
	if _, _, resp, err := c.Repositories.GetContents(ctx, owner, repo, "people/nobody.yaml", &github.RepositoryContentGetOptions{Ref: sha}); err == nil || resp.StatusCode != 404 {
		t.Errorf("contents of a missing file: %v", err)
	}
	requested, _, err := c.PullRequests.RequestReviewers(ctx, owner, repo, open.Number, github.ReviewersRequest{Reviewers: []string{"alexlead-gds"}, TeamReviewers: []string{"leads"}})
	if err != nil || len(requested.RequestedReviewers) != 1 || len(requested.RequestedTeams) != 1 {
		t.Errorf("requested reviewers: %v %+v", err, requested)
	}
	if _, resp, err := c.PullRequests.RequestReviewers(ctx, owner, repo, open.Number, github.ReviewersRequest{Reviewers: []string{"cy-gh"}}); err == nil || resp.StatusCode != 422 {
		t.Errorf("a review requested from the author: %v", err)
	}
	rules, _, err := c.Repositories.GetRulesForBranch(ctx, owner, repo, "main")
	if err != nil || len(rules) != 2 || rules[0].Type != "pull_request" {
		t.Errorf("rules: %v %+v", err, rules)
	}
	rs, _, err := c.Repositories.GetRuleset(ctx, owner, repo, 7, true)
	if err != nil || len(rs.BypassActors) != 1 {
		t.Errorf("ruleset: %v %+v", err, rs)
	}
	if _, resp, err := c.Repositories.GetRuleset(ctx, owner, repo, 8, true); err == nil || resp.StatusCode != 404 {
		t.Errorf("a missing ruleset: %v", err)
	}
	prot, _, err := c.Repositories.GetBranchProtection(ctx, owner, repo, "main")
	if err != nil || prot.GetRequiredPullRequestReviews().RequiredApprovingReviewCount != 1 || len(prot.GetRequiredPullRequestReviews().BypassPullRequestAllowances.Users) != 1 {
		t.Errorf("protection: %v %+v", err, prot)
	}
	gh.SetProtection("alphagov/people", "main", nil)
	if _, resp, err := c.Repositories.GetBranchProtection(ctx, owner, repo, "main"); err == nil || resp.StatusCode != 404 {
		t.Errorf("protection of an unprotected branch: %v", err)
	}
	var paths []string
	for _, r := range gh.Requests() {
		paths = append(paths, fmt.Sprint(r.Method, " ", r.Path, " ", r.Status))
	}
	want := []string{
		"GET /repos/alphagov/people/commits/" + sha + "/pulls 200",
		fmt.Sprintf("GET /repos/alphagov/people/pulls/%d 200", pr.Number),
		fmt.Sprintf("GET /repos/alphagov/people/pulls/%d/reviews 200", pr.Number),
		fmt.Sprintf("GET /repos/alphagov/people/pulls/%d/reviews 200", pr.Number),
		fmt.Sprintf("GET /repos/alphagov/people/pulls/%d/commits 200", pr.Number),
		"GET /repos/alphagov/people/contents/people/cy.yaml 200",
		"GET /repos/alphagov/people/contents/people/nobody.yaml 404",
		fmt.Sprintf("POST /repos/alphagov/people/pulls/%d/requested_reviewers 201", open.Number),
		fmt.Sprintf("POST /repos/alphagov/people/pulls/%d/requested_reviewers 422", open.Number),
		"GET /repos/alphagov/people/rules/branches/main 200",
		"GET /repos/alphagov/people/rulesets/7 200",
		"GET /repos/alphagov/people/rulesets/8 404",
		"GET /repos/alphagov/people/branches/main/protection 200",
		"GET /repos/alphagov/people/branches/main/protection 404",
	}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// getJSON reads path from the stand-in with the token, if it has one,
// and returns the status and the JSON answer.
func getJSON(t *testing.T, gh *Server, path string) (int, any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, gh.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if gh.Token != "" {
		req.Header.Set("Authorization", "Bearer "+gh.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, v
}

// TestRulesetBypassActorsNeedWriteAccess: as on GitHub, a ruleset's
// bypass_actors are there only for a token with write access to the
// ruleset; by default (a read-only App token) the property is missing, not
// an empty list, and an empty list is there for a writer.
func TestRulesetBypassActorsNeedWriteAccess(t *testing.T) {
	gh := New(t, "alphagov")
	gh.SetRules("alphagov/people", "main", []RuleInForce{{Type: "deletion", RulesetID: 7}},
		Ruleset{ID: 7, Name: "people", BypassActors: []BypassActor{{ActorID: 5, ActorType: "RepositoryRole", BypassMode: "always"}}},
		Ruleset{ID: 8, Name: "nobody"})
	actors := func(id string) any {
		t.Helper()
		status, v := getJSON(t, gh, "/repos/alphagov/people/rulesets/"+id)
		m, _ := v.(map[string]any)
		if status != http.StatusOK || m["name"] == nil {
			t.Fatalf("ruleset %s: %d %v", id, status, v)
		}
		a, ok := m["bypass_actors"]
		if !ok {
			return "missing"
		}
		return a
	}
	tests := []struct {
		writer bool
		id     string
		want   any
	}{
		{false, "7", "missing"},
		{false, "8", "missing"},
		{true, "7", []any{map[string]any{"actor_id": 5.0, "actor_type": "RepositoryRole", "bypass_mode": "always"}}},
		{true, "8", []any{}},
	}
	for _, tt := range tests {
		gh.RulesetWriter = tt.writer
		if diff := cmp.Diff(actors(tt.id), tt.want); diff != "" {
			t.Errorf("ruleset %s, writer %v: bypass_actors (-got +want):\n%s", tt.id, tt.writer, diff)
		}
	}
}

// TestPendingReviewIsItsAuthorsOnly: a PENDING review is not submitted,
// and GitHub lists it to its author alone: not to the App's token, nor to
// another person's.
func TestPendingReviewIsItsAuthorsOnly(t *testing.T) {
	gh := New(t, "alphagov")
	alex := gh.AddUser("alexlead-gds", 11, true)
	cy := gh.AddUser("cy-gh", 22, true)
	pr := gh.AddPull("alphagov/people", &PullRequest{Head: "grant-cy", Base: "main", Title: "Grant Cy", Author: cy})
	gh.AddReview("alphagov/people", pr.Number, Review{User: alex, State: "APPROVED", CommitID: "abc"})
	gh.AddReview("alphagov/people", pr.Number, Review{User: alex, State: "PENDING", CommitID: "abc"})
	gh.AddReview("alphagov/people", pr.Number, Review{User: cy, State: "COMMENTED", CommitID: "abc"})
	listed := func() []string {
		t.Helper()
		_, v := getJSON(t, gh, fmt.Sprintf("/repos/alphagov/people/pulls/%d/reviews", pr.Number))
		var out []string
		for _, rv := range v.([]any) {
			rv := rv.(map[string]any)
			out = append(out, rv["user"].(map[string]any)["login"].(string)+" "+rv["state"].(string))
		}
		return out
	}
	others := []string{"alexlead-gds APPROVED", "cy-gh COMMENTED"}
	for _, tt := range []struct {
		viewer *User
		want   []string
	}{
		{nil, others},
		{cy, others},
		{alex, []string{"alexlead-gds APPROVED", "alexlead-gds PENDING", "cy-gh COMMENTED"}},
	} {
		gh.Viewer = tt.viewer
		if diff := cmp.Diff(listed(), tt.want); diff != "" {
			t.Errorf("reviews listed to %v (-got +want):\n%s", tt.viewer, diff)
		}
	}
}

// TestCommitVerification: a pull request's commits carry the accounts of
// their author and committer, or null, and GitHub's conclusion on their
// signature, verified only for a valid signature by a key of the
// committer's account, whoever the author email names.
func TestCommitVerification(t *testing.T) {
	gh := New(t, "alphagov")
	alex := gh.AddUser("alexlead-gds", 11, true)
	cy := gh.AddUser("cy-gh", 22, true)
	commits := []PullCommit{
		{SHA: fakeSHA("unsigned"), Author: cy, Committer: cy},
		{SHA: fakeSHA("valid"), Author: cy, Committer: cy, SignedBy: cy},
		{SHA: fakeSHA("spoofed author"), Author: cy, Committer: alex, SignedBy: alex},
		{SHA: fakeSHA("another's key"), Author: cy, Committer: cy, SignedBy: alex},
		{SHA: fakeSHA("no committer account"), SignedBy: cy},
		{SHA: fakeSHA("unknown key"), Author: cy, Committer: cy, UnknownKey: true},
	}
	pr := gh.AddPull("alphagov/people", &PullRequest{Head: "grant-cy", Base: "main", Title: "Grant Cy", Author: cy, Commits: commits})
	_, v := getJSON(t, gh, fmt.Sprintf("/repos/alphagov/people/pulls/%d/commits", pr.Number))
	login := func(a any) string {
		if a == nil {
			return "null"
		}
		return a.(map[string]any)["login"].(string)
	}
	var got []string
	for _, c := range v.([]any) {
		c := c.(map[string]any)
		ver := c["commit"].(map[string]any)["verification"].(map[string]any)
		got = append(got, fmt.Sprintf("author %s, committer %s: verified %v, %v, signed %v, payload %v, at %v",
			login(c["author"]), login(c["committer"]), ver["verified"], ver["reason"], ver["signature"] != nil, ver["payload"] != nil, ver["verified_at"] != nil))
	}
	want := []string{
		"author cy-gh, committer cy-gh: verified false, unsigned, signed false, payload false, at false",
		"author cy-gh, committer cy-gh: verified true, valid, signed true, payload true, at true",
		"author cy-gh, committer alexlead-gds: verified true, valid, signed true, payload true, at true",
		"author cy-gh, committer cy-gh: verified false, bad_email, signed true, payload true, at false",
		"author null, committer null: verified false, no_user, signed true, payload true, at false",
		"author cy-gh, committer cy-gh: verified false, unknown_key, signed true, payload true, at false",
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("commits (-got +want):\n%s", diff)
	}
	// The payload is the commit as signed: its committer is the account
	// the verification is about.
	ver := v.([]any)[2].(map[string]any)["commit"].(map[string]any)["verification"].(map[string]any)
	if payload := ver["payload"].(string); !strings.Contains(payload, "\ncommitter alexlead-gds <alexlead-gds@example.gov.uk> ") || !strings.HasPrefix(ver["signature"].(string), "-----BEGIN PGP SIGNATURE-----\n") {
		t.Errorf("verification: %v", ver)
	}
}
