package github

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/testclock"
	"github.com/prodaccess/prodaccess/model"
)

// TestCommitEvidenceLists: the lists evidence is read from (the pull
// requests of a commit, their reviews and commits) are read as every
// other list, and one that is not a JSON list fails the read.
func TestCommitEvidenceLists(t *testing.T) {
	dir := t.TempDir()
	if err := devstack.NewRepo(dir, map[string]string{"people/cy.yaml": "name: Cy\n"}); err != nil {
		t.Fatal(err)
	}
	out, err := devstack.Git(dir, "rev-parse", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	sha := strings.TrimSpace(out)
	gh := fakegithub.New(t, "alphagov")
	alex := gh.AddUser("alexlead-gds", 11, true)
	cy := gh.AddUser("cy-gh", 22, true)
	gh.SetRepoDir("alphagov/people", dir)
	merged := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	pr := gh.AddPull("alphagov/people", &fakegithub.PullRequest{Head: "grant-cy", Base: "main", Title: "Grant Cy", Author: cy,
		Commits: []fakegithub.PullCommit{{SHA: sha, Author: cy, Committer: cy, SignedBy: cy}}, MergedAt: merged, MergedBy: alex, MergeCommitSHA: sha})
	approval := gh.AddReview("alphagov/people", pr.Number, fakegithub.Review{User: alex, State: "APPROVED", CommitID: sha, SubmittedAt: merged.Add(-time.Hour)})

	local := func(string, string) ([]byte, bool, error) { return nil, false, nil }
	ev, err := NewEvidence(newTestClient(t, gh, &testclock.Sleeps{}), "alphagov/people", "main", "people", "people", "prodaccess.yaml", local, func() time.Time { return merged })
	if err != nil {
		t.Fatal(err)
	}
	got, err := ev.CommitEvidence(context.Background(), sha, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.PullRequests) != 1 {
		t.Fatalf("pull requests: %+v", got.PullRequests)
	}
	fact := got.PullRequests[0]
	if diff := cmp.Diff([]model.Account{{Login: "cy-gh", ID: 22}}, fact.SignedBy); diff != "" || fact.Number != pr.Number || fact.Commits != 1 || len(fact.Reviews) != 1 || fact.Reviews[0].ID != approval.ID {
		t.Errorf("pull request #%d of %d commit(s), reviews %+v; signed by (-want +got):\n%s", fact.Number, fact.Commits, fact.Reviews, diff)
	}
	// A commit whose author is cy but which GitHub did not verify as cy's
	// (signed by another account's key, or not at all) is nobody's.
	for _, signer := range []*fakegithub.User{alex, nil} {
		gh.Lock()
		pr.Commits[0].SignedBy = signer
		gh.Unlock()
		got, err := ev.CommitEvidence(context.Background(), sha, nil)
		if err != nil {
			t.Fatal(err)
		}
		if s := got.PullRequests[0].SignedBy; len(s) != 0 {
			t.Errorf("a commit by cy that GitHub did not verify counts as signed by %v", s)
		}
	}

	// A pull request that a GitHub App opened (prodaccess's own, such as
	// an adoption's) is read: its author is the App's account, name[bot].
	gh.Lock()
	pr.Author = &fakegithub.User{Login: "prodaccess[bot]", ID: 41898282}
	gh.Unlock()
	if got, err := ev.CommitEvidence(context.Background(), sha, nil); err != nil || got.PullRequests[0].Author.Login != "prodaccess[bot]" {
		t.Errorf("a pull request an App opened: %v", err)
	}

	for _, list := range []string{"/repos/alphagov/people/commits/" + sha + "/pulls", "/repos/alphagov/people/pulls/1/reviews", "/repos/alphagov/people/pulls/1/commits"} {
		for _, body := range []string{"", "null", `[{"id":5,"number":1,"user":{"login":"../../admin","id":5},"author":{"login":"../../admin","id":5}}]`, `[{"id":5,"number":1,"user":{"login":"../x[bot]","id":5},"author":{"login":"../x[bot]","id":5}}]`} {
			gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: list, Status: 200, Body: body, Times: 1})
			if _, err := ev.CommitEvidence(context.Background(), sha, nil); err == nil {
				t.Errorf("%s answered %q: no error", list, body)
			}
		}
	}
	if _, err := NewEvidence(newTestClient(t, gh, &testclock.Sleeps{}), "alphagov/..", "main", "people", "people", "prodaccess.yaml", local, time.Now); err == nil {
		t.Error("evidence of alphagov/..: no error")
	}
}
