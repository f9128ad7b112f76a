package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/providers/github"
)

// planRequests runs plan --format json and returns the plan's
// github_requests and what the stand-in counted against the budget.
func planRequests(t *testing.T, w *stack, args ...string) (result, github.RequestCounts, int) {
	t.Helper()
	w.gh.ResetRequests()
	r := w.run(append([]string{"plan", "--format", "json"}, args...)...)
	must(t, r, 2, "plan")
	var out struct {
		GitHubRequests *github.RequestCounts `json:"github_requests"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.GitHubRequests == nil {
		t.Fatalf("plan --format json: no github_requests (%v):\n%s", err, r.stdout)
	}
	return r, *out.GitHubRequests, w.gh.Counted()
}

// TestGitHubCacheBetweenRuns: with --github-cache, a second plan over
// targets that did not change counts nothing against GitHub's rate limit,
// a change made on GitHub between runs is in the next plan, the cache file
// holds no token, and a corrupt cache file is a warning, not a failure.
func TestGitHubCacheBetweenRuns(t *testing.T) {
	w := newStack(t, map[string]string{
		"alice": permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""),
		"bob":   permanentFile("Bob Brown", "bob-gh", 0, fingerprint('B'), "bob", ""),
	}, []string{keepKey + " # puppet master", fingerprint('A') + " # Alice"}, []string{"alice"})
	w.gh.AddUser("alice-gh", 100, true)
	w.gh.AddUser("bob-gh", 101, true)
	w.gh.AddUser("zed-gh", 102, true)
	w.gh.SetMember("gov-uk-production", "alice-gh", "member")
	cache := filepath.Join(t.TempDir(), "github-cache.json")

	type run struct {
		Plan    github.RequestCounts
		Counted int
	}
	var got []run
	_, cold, coldCounted := planRequests(t, w, "--github-cache", cache)
	got = append(got, run{cold, coldCounted})
	warm, warmCounts, warmCounted := planRequests(t, w, "--github-cache", cache)
	got = append(got, run{warmCounts, warmCounted})
	if strings.Contains(warm.stdout, "zed-gh") {
		t.Fatalf("zed-gh in the plan before it was added:\n%s", warm.stdout)
	}
	w.gh.SetMember("gov-uk-production", "zed-gh", "member")
	changed, changedCounts, changedCounted := planRequests(t, w, "--github-cache", cache)
	got = append(got, run{changedCounts, changedCounted})
	n := cold.Sent
	want := []run{
		{github.RequestCounts{Sent: n, Counted: n}, int(n)},
		{github.RequestCounts{Sent: n, NotModified: n}, 0},
		// The member list is read again in full: one page, counted.
		{github.RequestCounts{Sent: n, Counted: 1, NotModified: n - 1}, 1},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("requests of a cold, a warm and a changed run (-got +want):\n%s", diff)
	}
	if !strings.Contains(changed.stdout, `"subject": "zed-gh"`) {
		t.Errorf("the member added between runs is not in the plan:\n%s", changed.stdout)
	}

	data, err := os.ReadFile(cache)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), testToken) {
		t.Errorf("the cache file holds the token")
	}

	// Through the environment, and from a corrupt file: a warning, and
	// every read sent in full.
	if err := os.WriteFile(cache, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.gh.ResetRequests()
	r := prodaccessEnv(t, w.people, []string{"GITHUB_API_URL=" + w.gh.URL(), "GITHUB_TOKEN=" + testToken, appLoginEnv, githubCacheEnv + "=" + cache}, "plan")
	must(t, r, 2, "plan with a corrupt cache")
	if !strings.Contains(r.stderr, "is not a prodaccess GitHub cache") {
		t.Errorf("no warning of the corrupt cache:\n%s", r.stderr)
	}
	if c, err := github.LoadCache(cache); err != nil || c.Len() == 0 {
		t.Errorf("the cache was not written anew after a corrupt one: %v, %d entries", err, c.Len())
	}
	if w.gh.Counted() != int(n) {
		t.Errorf("the run with a corrupt cache counted %d, want %d (everything)", w.gh.Counted(), n)
	}
}
