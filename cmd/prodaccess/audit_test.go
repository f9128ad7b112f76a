package main

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/devstack"
)

// auditRepo builds a people repository with a history worth auditing:
// a merge commit, a grant added and removed, an invalid commit between two
// valid ones, a renamed file, and changes that come with time alone.
func auditRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	at := func(s string) time.Time {
		w, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	git := func(when string, args ...string) {
		t.Helper()
		if _, err := devstack.GitAt(dir, at(when), args...); err != nil {
			t.Fatal(err)
		}
	}
	commit := func(when, msg string, files map[string]string) {
		t.Helper()
		if err := devstack.CommitAt(dir, files, msg, at(when)); err != nil {
			t.Fatal(err)
		}
	}
	alice := strings.Replace(permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""), "role: developer", "role: lead_developer", 1)
	bob := "name: Bob Brown\nemail: bob@example.gov.uk\ngithub: %s\nprogramme: govuk\nrole: developer\nemployment: civil_servant\nclearance: bpss\nprobation_passed: 2020-12-01\n" +
		"shifts:\n  - {type: shadow, start: 2021-02-01, end: 2021-02-05}\n  - {type: shadow, start: 2021-03-01, end: 2021-03-05}\n"
	carol := "name: Carol Contractor\nemail: carol@example.gov.uk\ngithub: carol-gh\nprogramme: other\nrole: other\nemployment: contractor\nclearance: bpss\n"
	grant := "temporary_access:\n  - {start: 2021-01-20, end: 2021-02-28, approved_by: alice, supervisor: dave, agreed: true, reason: Search migration}\n"
	dave := permanentFile("Dave Dev", "dave-gh", 0, fingerprint('D'), "dave", "")
	eve := permanentFile("Eve Away", "eve-gh", 0, fingerprint('E'), "eve", "absences:\n  - start: 2021-02-01\n")

	if _, err := devstack.Git(dir, "init", "-q", "-b", "main"); err != nil {
		t.Fatal(err)
	}
	commit("2021-01-04T10:00:00Z", "Add the team", map[string]string{
		"prodaccess.yaml":   "people: people\n",
		"people/alice.yaml": alice, "people/bob.yaml": strings.Replace(bob, "%s", "bob-gh", 1),
		"people/carol.yaml": carol, "people/dave.yaml": dave, "people/eve.yaml": eve,
	})
	git("2021-01-18T10:00:00Z", "checkout", "-q", "-b", "grant-carol")
	commit("2021-01-18T10:00:00Z", "Grant Carol temporary access", map[string]string{"people/carol.yaml": carol + grant})
	git("2021-01-20T10:00:00Z", "checkout", "-q", "main")
	git("2021-01-20T10:00:00Z", "merge", "-q", "--no-ff", "-m", "Merge pull request #7 from example/grant-carol", "grant-carol")
	commit("2021-02-10T10:00:00Z", "Update Bob", map[string]string{"people/bob.yaml": strings.Replace(bob, "%s", "no", 1)})
	commit("2021-02-12T10:00:00Z", "Fix Bob's login", map[string]string{"people/bob.yaml": strings.Replace(bob, "%s", "bob-gh", 1)})
	commit("2021-02-15T10:00:00Z", "Remove Carol's grant (#9)", map[string]string{"people/carol.yaml": carol})
	git("2021-03-10T10:00:00Z", "mv", "people/dave.yaml", "people/dave-d.yaml")
	commit("2021-03-10T10:00:00Z", "Rename Dave's file", nil)
	return dir
}

func TestAuditTimeline(t *testing.T) {
	t.Parallel()
	dir := auditRepo(t)
	r := prodaccess(t, dir, "audit", "timeline", "--to", "2021-03-31", "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var tl struct {
		Commits int
		Events  []struct {
			Day, Person, From, To, Cause, Rule string
			RenamedFrom                        string `json:"renamed_from"`
			Commit                             *struct {
				Subject     string
				PullRequest int `json:"pull_request"`
			}
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &tl); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tl.Events {
		cause := e.Cause + " " + e.Rule
		if e.Commit != nil {
			cause = e.Cause + " " + e.Commit.Subject
			if e.Commit.PullRequest != 0 {
				cause += " #" + itoa(e.Commit.PullRequest)
			}
		}
		if e.RenamedFrom != "" {
			cause += " from " + e.RenamedFrom
		}
		got = append(got, strings.TrimSpace(strings.Join([]string{e.Day, e.Person, e.From + ">" + e.To, cause}, " ")))
	}
	want := []string{
		"2021-01-04 alice none>permanent commit Add the team",
		"2021-01-04 dave none>permanent commit Add the team",
		"2021-01-04 eve none>permanent commit Add the team",
		// A commit's message names no pull request: with no evidence
		// recorded, none is known.
		"2021-01-20 carol none>temporary_supervised commit Merge pull request #7 from example/grant-carol",
		"2021-02-01 bob none>temporary_supervised rule shadow-shift",
		"2021-02-06 bob temporary_supervised>none rule shadow-shift",
		"2021-02-10  none>none invalid-commit Update Bob",
		"2021-02-15 carol temporary_supervised>none commit Remove Carol's grant (#9)",
		"2021-03-01 bob none>temporary_supervised rule shadow-shift",
		"2021-03-06 bob temporary_supervised>supervised rule after-shadow-shifts",
		"2021-03-10 dave-d permanent>permanent renamed Rename Dave's file from dave",
		"2021-03-15 eve permanent>none rule long-absence",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s\n%s", diff, r.stdout)
	}
	// The feature branch's own commit is not on the main line.
	if tl.Commits != 6 {
		t.Errorf("read %d commits, want 6 (the first-parent line)", tl.Commits)
	}

	// One person, from a day.
	r = prodaccess(t, dir, "audit", "timeline", "bob", "--from", "2021-03-01", "--to", "2021-03-31")
	if !strings.Contains(r.stdout, "2021-03-06  bob     temporary_supervised -> supervised  rule after-shadow-shifts") || strings.Contains(r.stdout, "2021-02-01") || strings.Contains(r.stdout, "carol") {
		t.Errorf("timeline bob --from:\n%s", r.stdout)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

var regexp40 = regexp.MustCompile(`[0-9a-f]{40}`)

func TestAuditAt(t *testing.T) {
	t.Parallel()
	dir := auditRepo(t)
	r := prodaccess(t, dir, "audit", "at", "2021-02-01", "--format", "json")
	var at struct {
		At     string
		Commit string
		People []struct {
			ID, Level string
			Reasons   []string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &at); err != nil || r.code != 0 {
		t.Fatalf("%v, exit %d: %s", err, r.code, r.stderr)
	}
	merge, err := devstack.Git(dir, "rev-parse", "main~4")
	if err != nil {
		t.Fatal(err)
	}
	if at.Commit != strings.TrimSpace(merge) {
		t.Errorf("commit %s, want the merge commit %s", at.Commit, merge)
	}
	levels := map[string]string{}
	for _, p := range at.People {
		levels[p.ID] = p.Level
	}
	if diff := cmp.Diff(map[string]string{"alice": "permanent", "bob": "temporary_supervised", "carol": "temporary_supervised", "dave": "permanent", "eve": "permanent"}, levels); diff != "" {
		t.Errorf("levels (-want +got):\n%s", diff)
	}
	// On the day of the invalid commit, the commit before it is in force.
	r = prodaccess(t, dir, "audit", "at", "2021-02-11")
	if !strings.Contains(r.stderr, `"Update Bob" did not validate, so the commit before it is used`) || !strings.Contains(r.stdout, "Merge pull request #7") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	if !strings.Contains(squash(r.stdout), "carol temporary_supervised 2021-02-28 alice dave temporary-exception") {
		t.Errorf("the approver and supervisor are missing:\n%s", r.stdout)
	}
}

func TestAuditReviewGolden(t *testing.T) {
	t.Parallel()
	dir := auditRepo(t)
	for _, f := range []string{"markdown", "csv"} {
		r := prodaccess(t, dir, "audit", "review", "--at", "2021-02-14", "--format", f)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		golden(t, "review."+map[string]string{"markdown": "md", "csv": "csv"}[f]+".golden", regexpSHA.ReplaceAllString(regexp40.ReplaceAllString(r.stdout, "SHA"), "SHA"))
	}
}
