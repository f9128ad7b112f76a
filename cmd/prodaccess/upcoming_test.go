package main

import (
	"strings"
	"testing"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
)

// TestUpcomingGolden: the changes the example people's files make certain
// in the two months after the demo day, as text, markdown and JSON.
func TestUpcomingGolden(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"text", "markdown", "json"} {
		r := prodaccess(t, repoRoot, "upcoming", "--at", "2026-12-01", "--days", "62", "--format", format)
		if r.code != 0 {
			t.Fatalf("upcoming --format %s: exit %d: %s", format, r.code, r.stderr)
		}
		golden(t, "upcoming."+format+".golden", r.stdout)
	}
}

// TestUpcomingIssue: one issue in the people repository follows the
// window across runs: opened when something changes in it, updated in
// place, left alone when nothing changed, closed when the window is
// empty, and never opened twice.
func TestUpcomingIssue(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	gh := fakegithub.New(t, "alphagov")
	gh.Token = testToken
	for _, u := range []string{"dan-gh", "alex-gh", "sam-gh", "chris-gh"} {
		gh.AddUser(u, int64(len(u)), true)
	}
	files := map[string]string{
		"prodaccess.yaml":   "people: people\npeople_repo: alphagov/people\n",
		"people/alex.yaml":  "name: Alex Lead\nemail: alex@example.gov.uk\ngithub: alex-gh\nprogramme: govuk\nrole: lead_developer\nemployment: civil_servant\nclearance: sc\n",
		"people/sam.yaml":   permanentFile("Sam Senior", "sam-gh", 0, fingerprint('5'), "sam", ""),
		"people/dan.yaml":   permanentFile("Dan Leaving", "dan-gh", 0, fingerprint('D'), "dan", "last_day: 2030-03-10\n"),
		"people/chris.yaml": "name: Chris Contractor\nemail: chris@example.gov.uk\ngithub: chris-gh\nprogramme: other\nrole: other\nemployment: contractor\nclearance: bpss\ntemporary_access:\n  - {start: 2030-03-01, end: 2030-03-20, approved_by: alex, supervisor: sam, agreed: true, reason: Load tests}\n",
	}
	if err := devstack.NewRepo(dir, files); err != nil {
		t.Fatal(err)
	}
	gh.AddIssue("alphagov/people", &fakegithub.Issue{Title: "An issue of someone else"})
	run := func(at string) result {
		t.Helper()
		r := prodaccessEnv(t, dir, []string{"GITHUB_API_URL=" + gh.URL(), "GITHUB_TOKEN=" + testToken, appLoginEnv}, "upcoming", "--issue", "--at", at)
		if r.code != 0 {
			t.Fatalf("upcoming --issue --at %s: exit %d\n%s%s", at, r.code, r.stdout, r.stderr)
		}
		return r
	}
	ours := func() []fakegithub.Issue {
		var out []fakegithub.Issue
		for _, is := range gh.AllIssues("alphagov/people") {
			if strings.HasPrefix(is.Body, "<!-- prodaccess:upcoming -->") {
				out = append(out, is)
			}
		}
		return out
	}

	// Nothing in the window: no issue.
	run("2030-01-01")
	if n := len(ours()); n != 0 {
		t.Fatalf("%d issues with nothing to say", n)
	}
	// Chris's grant starts on the 1st: an issue mentions him, its
	// approver and its supervisor.
	run("2030-02-24")
	is := ours()
	if len(is) != 1 || is[0].State != "open" || is[0].Title != "Production access: upcoming changes" ||
		!strings.Contains(is[0].Body, "| 2030-03-01 | chris (Chris Contractor) | no → temporary supervised |") ||
		!strings.Contains(is[0].Body, "| @chris-gh; approved by @alex-gh; supervised by @sam-gh |") {
		t.Fatalf("after the first run: %+v", is)
	}
	// The same day again: nothing written.
	gh.ResetRequests()
	run("2030-02-24")
	if n := gh.Writes(); n != 0 {
		t.Errorf("a second run on the same day made %d writes", n)
	}
	// A later day: the same issue, updated in place.
	run("2030-03-05")
	is = ours()
	if len(is) != 1 || !strings.Contains(is[0].Body, "| 2030-03-11 | dan (Dan Leaving) | permanent → no |") || !strings.Contains(is[0].Body, "@dan-gh") ||
		strings.Contains(is[0].Body, "2030-03-01") {
		t.Fatalf("after the update: %+v", is)
	}
	// Nothing left in the window: closed, and nothing else touched.
	run("2030-04-01")
	is = ours()
	if len(is) != 1 || is[0].State != "closed" {
		t.Fatalf("after the window emptied: %+v", is)
	}
	if n := len(gh.OpenIssues("alphagov/people")); n != 1 {
		t.Errorf("%d open issues; want only the one of someone else", n)
	}
	// Something to say again: a new issue, once.
	run("2030-03-05")
	run("2030-03-05")
	if is := ours(); len(is) != 2 || is[1].State != "open" || is[0].State != "closed" {
		t.Errorf("after the window filled again: %+v", is)
	}
	// Two runs raced and each opened one: the next run keeps the older.
	gh.AddIssue("alphagov/people", &fakegithub.Issue{Title: "Production access: upcoming changes", Body: "<!-- prodaccess:upcoming -->\nold"})
	run("2030-03-05")
	if is := ours(); len(is) != 3 || is[1].State != "open" || is[2].State != "closed" {
		t.Errorf("after a race: %+v", is)
	}
}
