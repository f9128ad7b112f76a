package main

import (
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/testkeys"
	"github.com/prodaccess/prodaccess/model"
)

// TestStackedRequests: a new person's file and a grant for them are
// proposed one after the other, the second stacked on the first's branch
// (found by its name) because the file is not on main yet. With two such
// branches, --base chooses. The first is merged and its branch deleted,
// GitHub points the second at main, it is merged with the lead's
// approval, and the plan finds the evidence and grants the access.
func TestStackedRequests(t *testing.T) {
	s := newEvidenceStack(t, "required")
	nia := s.gh.AddUser("nia-gh", 44, true)
	s.gh.Viewer = nia // Nia opens the pull requests: her agreement to her grant
	s.env = append(s.env, "GIT_AUTHOR_NAME=Nia Newcomer", "GIT_AUTHOR_EMAIL=nia@example.gov.uk", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	london, _ := time.LoadLocation("Europe/London")
	today := model.DayOf(time.Now(), london)
	first := "access/nia-" + today.String()
	second := "access/nia-" + (today - 1).String()

	key, err := testkeys.NewFor("Nia Newcomer", "nia@example.gov.uk", testkeys.Good, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "nia.asc")
	write(t, keyFile, string(key.Public()))
	must(t, s.run("", "person", "new", "nia", "--name", "Nia Newcomer", "--email", "nia@example.gov.uk", "--github", "nia-gh", "--github-id", "44",
		"--programme", "other", "--role", "other", "--employment", "contractor", "--clearance", "bpss", "--key-file", keyFile, "--pr"), 0, "person new --pr")
	if got := show(t, s.origin, first, "keys/nia.asc"); got != string(key.Public()) {
		t.Errorf("keys/nia.asc on %s is not the key given:\n%s", first, got)
	}
	if got := show(t, s.origin, first, "people/nia.yaml"); !strings.Contains(got, "gpg_fingerprint: \""+key.Fingerprint+"\"\n") {
		t.Errorf("people/nia.yaml on %s lacks the key's fingerprint:\n%s", first, got)
	}

	grant := []string{"grant", "nia", "--from", (today - 1).String(), "--to", (today + 30).String(), "--approver", "alex", "--supervisor", "sam", "--reason", "Migrating search", "--pr"}
	r := s.run("", grant...)
	must(t, r, 0, "grant --pr for the person proposed")
	if want := "Stacked on " + first + " (#1): merge that first.\n"; !strings.Contains(r.stdout, want) {
		t.Errorf("grant --pr does not say %q:\n%s", want, r.stdout)
	}
	pulls := s.gh.OpenPulls("alphagov/people")
	if len(pulls) != 2 || pulls[1].Head != second || pulls[1].Base != first {
		t.Fatalf("open pull requests: %+v", pulls)
	}
	if want := "Stacked on #1 (`" + first + "`), which must be merged first."; !strings.Contains(pulls[1].Body, want) {
		t.Errorf("the stacked pull request's description does not say %q:\n%s", want, pulls[1].Body)
	}
	if got := show(t, s.origin, second, "people/nia.yaml"); !strings.HasPrefix(got, "name: Nia Newcomer\n") || !strings.Contains(got, "reason: Migrating search\n") {
		t.Errorf("people/nia.yaml on %s:\n%s", second, got)
	}

	// Two request branches: which to build on is not guessed.
	shift := []string{"shift", "nia", "--type", "shadow", "--from", (today + 10).String(), "--to", (today + 14).String(), "--pr"}
	r = s.run("", shift...)
	if want := "people/nia.yaml is not on main, and origin has 2 request branches for nia: " + second + ", " + first + "; name the one this change builds on with --base BRANCH"; r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Errorf("with two request branches: exit %d, want %q\n%s%s", r.code, want, r.stdout, r.stderr)
	}
	r = s.run("", append(shift, "--base", second)...)
	must(t, r, 0, "shift --pr --base")
	third := "access/nia-" + (today + 10).String()
	if got := show(t, s.origin, third, "people/nia.yaml"); !strings.Contains(got, "reason: Migrating search\n") || !strings.Contains(got, "type: shadow") {
		t.Errorf("people/nia.yaml on %s:\n%s", third, got)
	}
	if p := s.gh.OpenPulls("alphagov/people"); len(p) != 3 || p[2].Base != second {
		t.Errorf("open pull requests: %+v", p)
	}

	// The first is merged and its branch deleted; GitHub points the
	// grant's pull request at main; it is merged with the lead's review.
	when := time.Now().Add(-10 * time.Minute)
	if _, err := devstack.MergeOpen(s.people, s.gh, "alphagov/people", 1, nia, s.alex, when); err != nil {
		t.Fatal(err)
	}
	s.push()
	if _, err := devstack.Git(s.people, "push", "-q", "origin", "--delete", first); err != nil {
		t.Fatal(err)
	}
	retarget(t, s.gh, "alphagov/people", 2, "main")
	pr, err := devstack.MergeOpen(s.people, s.gh, "alphagov/people", 2, nia, s.alex, when.Add(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	s.push()
	s.gh.AddReview("alphagov/people", 2, fakegithub.Review{User: s.alex, State: "APPROVED", CommitID: pr.Commits[len(pr.Commits)-1].SHA, SubmittedAt: when.Add(4 * time.Minute)})
	if got, out := s.planAdds("", "+ nia-gh nia"); !got {
		t.Errorf("the grant merged through the stacked pull request is not granted:\n%s", out)
	}
}

// retarget changes the branch a pull request goes into, through the
// stand-in's API, as GitHub does when the branch it went into is merged
// and deleted.
func retarget(t *testing.T, gh *fakegithub.Server, repo string, number int, base string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPatch, gh.URL()+"/repos/"+repo+"/pulls/"+strconv.Itoa(number), strings.NewReader(`{"base":"`+base+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PATCH the base of #%d: %s", number, resp.Status)
	}
}
