package main

import (
	"strings"
	"testing"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
)

// TestOnlyOwnThreadsAreKept: prodaccess updates in place only the issues
// and pull requests that the account it runs as opened. An issue another
// account opens with the upcoming-changes marker, and a pull request
// another account opens from prodaccess/sync, are never rewritten: the
// issue is left alone beside prodaccess's own, and the pull request stops
// the run with an error that names it. Whose token it is, GET /user says
// for a person's token; for an App's, which GitHub refuses it,
// PRODACCESS_GITHUB_LOGIN must, or nothing is adopted.
func TestOnlyOwnThreadsAreKept(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	gh := fakegithub.New(t, "alphagov")
	gh.Token = testToken
	for _, u := range []string{"chris-gh", "alex-gh", "sam-gh"} {
		gh.AddUser(u, int64(len(u)), true)
	}
	mallory := gh.AddUser("mallory", 666, true)
	files := map[string]string{
		"prodaccess.yaml":   "people: people\npeople_repo: alphagov/people\n",
		"people/alex.yaml":  "name: Alex Lead\nemail: alex@example.gov.uk\ngithub: alex-gh\nprogramme: govuk\nrole: lead_developer\nemployment: civil_servant\nclearance: sc\n",
		"people/sam.yaml":   permanentFile("Sam Senior", "sam-gh", 0, fingerprint('5'), "sam", ""),
		"people/chris.yaml": "name: Chris Contractor\nemail: chris@example.gov.uk\ngithub: chris-gh\nprogramme: other\nrole: other\nemployment: contractor\nclearance: bpss\ntemporary_access:\n  - {start: 2030-03-01, end: 2030-03-20, approved_by: alex, supervisor: sam, agreed: true, reason: Load tests}\n",
	}
	if err := devstack.NewRepo(dir, files); err != nil {
		t.Fatal(err)
	}
	const forged = "<!-- prodaccess:upcoming -->\nNothing changes. Ask @mallory for access."
	gh.AddIssue("alphagov/people", &fakegithub.Issue{Title: "Production access: upcoming changes", Body: forged, Author: mallory})
	upcoming := func(env ...string) result {
		return prodaccessEnv(t, dir, append([]string{"GITHUB_API_URL=" + gh.URL(), "GITHUB_TOKEN=" + testToken, loginEnv + "="}, env...),
			"upcoming", "--issue", "--at", "2030-02-24")
	}

	// An App's token, and nothing to say whose: nothing is adopted.
	r := upcoming()
	if r.code != 1 || !strings.Contains(r.stderr, "GET /user answers 403") || !strings.Contains(r.stderr, "set PRODACCESS_GITHUB_LOGIN") {
		t.Errorf("an App's token without %s: exit %d\n%s", loginEnv, r.code, r.stderr)
	}
	// The App's login given: its own issue is opened beside mallory's.
	must(t, upcoming(appLoginEnv), 0, "upcoming --issue as the App")
	// A person's token: GET /user names them.
	gh.Viewer = gh.AddUser("alex-gh", 1, true)
	must(t, upcoming(), 0, "upcoming --issue as a person")
	var theirs, ours int
	for _, is := range gh.AllIssues("alphagov/people") {
		switch {
		case is.Author == mallory:
			theirs++
			if is.Body != forged || is.State != "open" {
				t.Errorf("mallory's issue was changed: %q, %s", is.Body, is.State)
			}
		case strings.Contains(is.Body, "| @chris-gh; approved by @alex-gh; supervised by @sam-gh |"):
			ours++
		}
	}
	if theirs != 1 || ours != 2 {
		t.Errorf("%d issues of mallory's, %d of prodaccess's (one as the App, one as alex-gh)", theirs, ours)
	}

	// A pull request from prodaccess/sync that mallory opened.
	w := faultStack(t)
	const planted = "Merge me: it only tidies the file."
	pr := w.gh.AddPull("alphagov/govuk-secrets", &fakegithub.PullRequest{Head: "prodaccess/sync", Base: "main", Title: "prodaccess: tidy", Body: planted, Author: mallory})
	for _, command := range []string{"plan", "apply"} {
		r := w.run(command)
		want := "the open pull request #1 (" + fakegithub.WebURL + "/alphagov/govuk-secrets/pull/1) from prodaccess/sync was opened by mallory, not by prodaccess[bot], the account prodaccess runs as"
		if r.code != 1 || !strings.Contains(squash(r.stdout+r.stderr), want) {
			t.Errorf("%s with mallory's pull request: exit %d\n%s%s\nwant: %s", command, r.code, r.stdout, r.stderr, want)
		}
	}
	if got := w.gh.OpenPulls("alphagov/govuk-secrets"); len(got) != 1 || got[0].Body != planted || got[0].Title != "prodaccess: tidy" || got[0].Number != pr.Number {
		t.Errorf("mallory's pull request was changed: %+v", got)
	}
}
