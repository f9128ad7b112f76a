package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// TestRemovalsTimed: apply records what it removed and when, and what
// became of the pull request of a file target; an auditor's fresh clone,
// with no token and no target, then times each removal against the day
// the rules ended the access, flags the last day recorded after its day,
// and believes no record an insider wrote.
func TestRemovalsTimed(t *testing.T) {
	t.Parallel()
	secrets := filepath.Join(t.TempDir(), "secrets")
	pat := permanentFile("Pat Leaver", "pat-gh", 77, fingerprint('7'), "pat", "")
	if err := devstack.NewRepo(secrets, map[string]string{"hiera.rcp": fingerprint('5') + " # Sam\n" + fingerprint('7') + " # Pat\n"}); err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`people: people
people_repo: alphagov/people
policy:
  evidence: required
safety:
  max_removal_fraction: 0.9
audit:
  removal_within: 36h
targets:
  - name: github-production
    type: github-team
    org: alphagov
    team: gov-uk-production
  - name: hieradata
    type: file
    repo: %s
    github_repo: alphagov/govuk-secrets
    path: hiera.rcp
    format: gpg-recipients
`, secrets)
	s := newEvidenceStackFiles(t, "required", map[string]string{"prodaccess.yaml": config, "people/pat.yaml": pat})
	s.gh.AddUser("pat-gh", 77, true)
	s.gh.SetMember("gov-uk-production", "pat-gh", "member")

	// Pat's last day, ten days ago, is recorded only yesterday.
	loc := london(t)
	today := model.DayOf(time.Now(), loc)
	last := today - 10
	if err := devstack.CommitAt(s.people, map[string]string{"people/pat.yaml": pat + "last_day: " + last.String() + "\n"}, "Pat left", time.Now().Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	s.push()

	must(t, s.run("", "apply"), 0, "apply, which removes pat")
	prs := s.gh.OpenPulls("alphagov/govuk-secrets")
	if len(prs) != 1 {
		t.Fatalf("%d pull requests in the secrets repository, want 1", len(prs))
	}
	// Someone merges the target's pull request; the next apply looks up
	// when.
	if _, err := devstack.Git(secrets, "merge", "-q", "--no-edit", "prodaccess/sync"); err != nil {
		t.Fatal(err)
	}
	merged := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	s.gh.Lock()
	for _, pr := range s.gh.Pulls["alphagov/govuk-secrets"] {
		pr.State, pr.MergedAt, pr.Closed, pr.MergedBy = "closed", merged, merged, s.sam
	}
	s.gh.Unlock()
	must(t, s.run("", "apply"), 0, "apply after the merge")
	if got := s.gh.Count("GET", "/repos/alphagov/govuk-secrets/pulls/1"); got == 0 {
		t.Errorf("the second apply did not look up the target's pull request")
	}
	notesBefore, _ := devstack.Git(s.origin, "rev-parse", "refs/notes/prodaccess-applied")
	must(t, s.run("", "apply"), 0, "a third apply, with nothing new")
	if notesAfter, _ := devstack.Git(s.origin, "rev-parse", "refs/notes/prodaccess-applied"); notesAfter != notesBefore || notesBefore == "" {
		t.Errorf("the records moved from %q to %q on a run that did nothing new", notesBefore, notesAfter)
	}

	timed := func(dir string) (map[string]string, outcome.Review) {
		t.Helper()
		r := prodaccessEnv(t, dir, []string{"GITHUB_TOKEN="}, "audit", "review", "--format", "json")
		must(t, r, 0, "audit review")
		var rv outcome.Review
		if err := json.Unmarshal([]byte(r.stdout), &rv); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, x := range rv.Removals.Rows {
			got[x.Person+" "+x.Target] = fmt.Sprintf("due %s, %s, %s", x.Due, x.Status, x.How)
		}
		return got, rv
	}
	clone := s.freshClone()
	got, rv := timed(clone)
	want := map[string]string{
		"pat github-production": fmt.Sprintf("due %s, late, removed by apply (plan of %s, people commit %s)", last+1, today, model.ShortSHA(headOf(t, s.people))),
		"pat hieradata":         fmt.Sprintf("due %s, late, pull request alphagov/govuk-secrets#1 merged by sam-gh", last+1),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("removals (-want +got):\n%s", diff)
	}
	for _, x := range rv.Removals.Rows {
		if x.Target == "hieradata" && (x.Changed == nil || !x.Changed.Equal(merged)) {
			t.Errorf("the file target changed at %v, want the merge, %v", x.Changed, merged)
		}
	}
	if all := rv.Removals.Summary[0]; all.Total != 2 || all.Late != 2 || all.Worst == "" || rv.Removals.Within != "36h" {
		t.Errorf("summary %+v, within %s", all, rv.Removals.Within)
	}
	lateFact := slices.ContainsFunc(rv.Findings, func(f outcome.Finding) bool {
		return f.Kind == outcome.FindingLateFact && f.Person == "pat" && strings.Contains(f.Detail, fmt.Sprintf("from %s (left: last day was %s), but the commit that said so came on %s, 8 days later", last+1, last, today-1))
	})
	if !lateFact {
		t.Errorf("no finding of pat's last day recorded late: %+v", rv.Findings)
	}

	// An insider writes a record of their own, saying pat left the team
	// on time: it is no fact, and is named.
	forged := fmt.Sprintf(`{"version":1,"kind":"applied","repository":"alphagov/people","commit":%q,"day":%q,"applied_at":%q,"changes":[{"target":"github-production","action":"remove","subject":"pat-gh","person":"pat","level":"none","reason":"left","status":"done"}],"pull_requests":[]}`+"\n",
		headOf(t, s.people), last+1, (last + 1).Time().Add(time.Hour).Format(time.RFC3339))
	insider := s.freshClone()
	note := filepath.Join(t.TempDir(), "note")
	if err := os.WriteFile(note, []byte(forged), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"fetch", "-q", "origin", "refs/notes/prodaccess-applied:refs/notes/prodaccess-applied"}, {"notes", "--ref", "prodaccess-applied", "append", "-F", note, "HEAD"}, {"push", "-q", "-f", "origin", "refs/notes/prodaccess-applied"}} {
		if _, err := devstack.Git(insider, args...); err != nil {
			t.Fatal(err)
		}
	}
	got, rv = timed(s.freshClone())
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after the forged record, removals (-want +got):\n%s", diff)
	}
	named := slices.ContainsFunc(rv.Findings, func(f outcome.Finding) bool {
		return f.Kind == outcome.FindingNote && strings.Contains(f.Detail, "refs/notes/prodaccess-applied is not evidence: unsigned")
	})
	if !named {
		t.Errorf("the forged record is not named: %+v", rv.Findings)
	}
}

func headOf(t *testing.T, dir string) string {
	t.Helper()
	out, err := devstack.Git(dir, "rev-parse", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}
