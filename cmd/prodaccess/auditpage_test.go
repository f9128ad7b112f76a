package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
)

// TestReportShowsTheEvidence: each row of the report's review carries the
// evidence of its approval, linked to GitHub: the pull request, who
// approved it and when, who merged it and when, and a flag for an
// approval given after the merge.
func TestReportShowsTheEvidence(t *testing.T) {
	s := newEvidenceStack(t, "required")
	pr, err := devstack.MergePull(s.people, s.gh, devstack.Pull{Repo: "alphagov/people", Branch: "grant-chris", Title: "Temporary access for Chris", Author: s.chris, Method: devstack.Squash, MergedBy: s.alex,
		When: time.Now().Add(-60 * time.Hour), Commits: []devstack.PullCommit{{Files: map[string]string{"people/chris.yaml": chrisGrant("Migrating the search cluster")}, Message: "Grant Chris", Author: s.chris}}})
	if err != nil {
		t.Fatal(err)
	}
	s.push()
	s.gh.AddReview("alphagov/people", pr.Number, fakeReview(s.alex, pr.Commits[0].SHA, pr.MergedAt.Add(26*time.Hour)))
	must(t, s.run("", "apply"), 0, "apply, which records the evidence")

	out := filepath.Join(t.TempDir(), "report.html")
	must(t, prodaccessEnv(t, s.freshClone(), []string{"GITHUB_TOKEN="}, "audit", "report", "--out", out), 0, "audit report")
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	if !strings.Contains(page, `<tr class="flagged" data-person="chris">`) {
		t.Fatalf("chris has no row in the review")
	}
	row := page[strings.Index(page, `<tr class="flagged" data-person="chris">`):]
	row = row[:strings.Index(row, "</tr>")]
	approved, merged := pr.MergedAt.Add(26*time.Hour).UTC().Format("2006-01-02"), pr.MergedAt.UTC().Format("2006-01-02")
	for _, want := range []string{
		`temporary_access: <a href="` + fakegithub.WebURL + `/alphagov/people/pull/1">#1</a> approved by alexlead-gds on ` + approved + `, merged by alexlead-gds on ` + merged,
		`<span class="flag">approved after merge</span>`,
	} {
		if !strings.Contains(row, want) {
			t.Errorf("chris's row does not hold %q:\n%s", want, row)
		}
	}
}

// TestAuditOfflineByDefault: audit review and audit report answer from
// the people repository alone, even when the targets cannot be reached;
// asked to scan the targets' secrets and unable to, they say what they
// could not check, and still answer.
func TestAuditOfflineByDefault(t *testing.T) {
	dir := t.TempDir()
	lead := permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", "")
	config := "people: people\ntargets:\n  - name: hieradata\n    type: file\n    repo: " + filepath.Join(dir, "no-such-repository") + "\n    path: pass/.gpg-id\n    format: gpg-id\n"
	if _, err := devstack.Git(dir, "init", "-q", "-b", "main"); err != nil {
		t.Fatal(err)
	}
	if err := devstack.CommitAt(dir, map[string]string{"prodaccess.yaml": config, "people/alice.yaml": lead}, "People", time.Now().Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"audit", "review"}, {"audit", "report"}} {
		r := prodaccess(t, dir, args...)
		must(t, r, 0, strings.Join(args, " "))
		if !strings.Contains(r.stdout, "not scanned, since that reads the target repositories (give --secrets to scan them)") {
			t.Errorf("%v does not say what it did not check:\n%s", args, r.stdout)
		}
		r = prodaccess(t, dir, append(args, "--secrets")...)
		must(t, r, 0, strings.Join(args, " ")+" --secrets")
		if !strings.Contains(r.stdout, "the scan could not run") || !strings.Contains(r.stdout, "no-such-repository") {
			t.Errorf("%v --secrets does not say the scan could not run:\n%s", args, r.stdout)
		}
	}
}

// TestAuditAtNamesWhoDiffers: where who (the files alone) and audit at
// (the files and the evidence) disagree, audit at's text names each
// person and the missing evidence.
func TestAuditAtNamesWhoDiffers(t *testing.T) {
	s := newEvidenceStack(t, "required")
	s.grant(devstack.Squash, s.chris)
	today := time.Now().Format("2006-01-02")
	who := s.run("", "who", "--at", today)
	must(t, who, 0, "who")
	if !strings.Contains(squash(who.stdout), "chris chris-gh temporary_supervised") {
		t.Fatalf("who does not give chris the files' grant:\n%s", who.stdout)
	}
	at := prodaccessEnv(t, s.people, []string{"GITHUB_TOKEN="}, "audit", "at", today)
	must(t, at, 0, "audit at")
	want := "  - chris: temporary_supervised by the files, none with the evidence: chris's temporary access"
	if !strings.Contains(at.stdout, "Who, which reads the files alone, differs for 1 person") || !strings.Contains(at.stdout, want) || !strings.Contains(at.stdout, "no evidence is recorded for the commit that wrote it") {
		t.Errorf("audit at does not name chris and what is missing:\n%s", at.stdout)
	}
}
