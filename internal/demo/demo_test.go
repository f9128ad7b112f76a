package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prodaccess/prodaccess/internal/browser"
	"github.com/prodaccess/prodaccess/internal/devstack"
)

// TestDemo runs the demo as make demo does, then checks what it leaves:
// every commit of its people repository validates, and the access report
// it wrote, opened in headless Chromium, shows the evidence of an
// approval given after the merge, a removal made late, and a
// certification, and prints with every person's changes open.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo builds and runs prodaccess end to end")
	}
	bin, demo := filepath.Join(t.TempDir(), "prodaccess"), filepath.Join(t.TempDir(), "demo")
	for what, out := range map[string]string{"../../cmd/prodaccess": bin, ".": demo} {
		if out, err := exec.Command("go", "build", "-o", out, what).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", what, err, out)
		}
	}
	// The demo serves its GitHub stand-in unchecked, which a test may not:
	// it runs as make demo runs it.
	dir := t.TempDir()
	log := filepath.Join(t.TempDir(), "demo.log")
	out, err := exec.Command(demo, "-bin", bin, "-people", "../../people", "-dir", dir, "-log", log).CombinedOutput()
	if err != nil {
		t.Fatalf("the demo failed: %v\n%s", err, out)
	}
	// The story is short enough to read; -v shows everything.
	if n := strings.Count(string(out), "\n"); n >= 120 {
		t.Errorf("the demo prints %d lines; it should tell its story in fewer than 120:\n%s", n, out)
	}
	// -log holds the whole story: the pull request of the records of
	// what to do by hand, its checklist, and the plan after it.
	whole, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"pull request alphagov/govuk-production-access-records#1: prodaccess: 3 revocations and ",
		" grants to make by hand (gcp-storage-admin, paas-space-developer, signon-super-admin)",
		"(review requested from: gov-uk-production-admin)",
		"- [ ] **Revoke** for `pat.leaver@example.gov.uk`, pat-leaver (Pat Leaver): undo for pat.leaver@\u200bexample.gov.uk: Grant \"Super Admin\" in production Signon.",
		". plan now: nothing to do",
	} {
		if !strings.Contains(string(whole), want) {
			t.Errorf("the demo's -log does not hold %q", want)
		}
	}
	for _, line := range strings.Split(string(out), "\n") {
		line = moreLines.ReplaceAllString(line, "")
		if line != "" && !strings.Contains(string(whole), line) {
			t.Errorf("the screen shows %q, which the -log does not", line)
		}
	}

	// The history is valid at every commit.
	repo := filepath.Join(dir, "people-repo")
	revs, err := devstack.Git(repo, "rev-list", "--reverse", "main")
	if err != nil {
		t.Fatal(err)
	}
	commits := strings.Fields(revs)
	if len(commits) < 5 {
		t.Fatalf("the demo's history has %d commits; it should tell more", len(commits))
	}
	for i, sha := range commits {
		tree := filepath.Join(t.TempDir(), "at")
		if _, err := devstack.Git(repo, "worktree", "add", "-q", "--detach", tree, sha); err != nil {
			t.Fatal(err)
		}
		c := exec.Command(bin, "validate")
		c.Dir = tree
		if out, err := c.CombinedOutput(); err != nil {
			subject, _ := devstack.Git(repo, "log", "-1", "--format=%s", sha)
			t.Errorf("commit %d of %d (%s, %q) does not validate: %v\n%s", i+1, len(commits), sha[:12], strings.TrimSpace(subject), err, out)
		}
	}

	report := filepath.Join(dir, "access-report.html")
	if _, err := os.Stat(report); err != nil {
		t.Fatalf("the demo wrote no access report: %v", err)
	}
	ctx, p := browser.Load(t, report)
	if problems := p.Problems(); len(problems) > 0 {
		t.Errorf("the page caused console messages, errors or dialogs:\n%s", strings.Join(problems, "\n"))
	}
	var seen struct {
		First          string
		Evidence       string
		Late           []string
		Certified      []string
		NotCertified   []string
		Closed, Hidden int
	}
	if err := p.Evaluate(ctx, `({
		first: document.querySelector("header .meta")?.textContent ?? "",
		evidence: document.querySelector('#review tr[data-person="chris-contractor"] td.evidence')?.textContent ?? "",
		late: [...document.querySelectorAll('#removals tr[data-status="late"]')].map(r => r.dataset.person + " " + (r.children[1]?.textContent ?? "")),
		certified: [...document.querySelectorAll("#review tbody tr")].filter(r => / by alexlead-gds \(#\d+\)$/.test(r.children[6]?.textContent ?? "")).map(r => r.dataset.person),
		notCertified: [...document.querySelectorAll("#review tbody tr")].filter(r => r.textContent.includes("access not certified for")).map(r => r.dataset.person),
		closed: document.querySelectorAll("details:not([open])").length,
	})`, &seen); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(seen.First, "from 2026-09-30") {
		t.Errorf("the report does not cover the demo's whole history: %q", seen.First)
	}
	if !strings.Contains(seen.Evidence, "approved by alexlead-gds") || !strings.Contains(seen.Evidence, "approved after merge") {
		t.Errorf("chris-contractor's evidence: %q, want the approval after the merge", seen.Evidence)
	}
	if !strings.Contains(strings.Join(seen.Late, ", "), "pat-leaver github-production") {
		t.Errorf("late removals: %v, want pat-leaver's from the team", seen.Late)
	}
	if len(seen.Certified) < 5 || strings.Join(seen.NotCertified, " ") != "alex-lead" {
		t.Errorf("certified by alex-lead: %v; not certified: %v (want everyone else certified, and alex-lead not)", seen.Certified, seen.NotCertified)
	}

	// Printed, every person's changes are open, closed as they are on
	// the screen.
	if err := p.EmulateMedia(ctx, "print"); err != nil {
		t.Fatal(err)
	}
	if err := p.Evaluate(ctx, `[...document.querySelectorAll("details:not([open]) table.events")].filter(e => !e.checkVisibility()).length`, &seen.Hidden); err != nil {
		t.Fatal(err)
	}
	if seen.Closed == 0 || seen.Hidden != 0 {
		t.Errorf("printed, %d of the %d closed sections hide their changes; want none", seen.Hidden, seen.Closed)
	}
	if err := p.EmulateMedia(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if err := p.Evaluate(ctx, `[...document.querySelectorAll("details:not([open]) table.events")].filter(e => !e.checkVisibility()).length`, &seen.Hidden); err != nil {
		t.Fatal(err)
	}
	if seen.Hidden == 0 {
		t.Errorf("on the screen, every person's changes are open; they should be closed until clicked")
	}
}

// moreLines is what a gist adds to its last line.
var moreLines = regexp.MustCompile(`   \[\d+ more lines with -v\]$`)

// TestCommandLinePastes: every command the demo prints, pasted into a
// shell, gives prodaccess the arguments the demo gave it.
func TestCommandLinePastes(t *testing.T) {
	for _, args := range [][]string{
		{"plan"},
		{"grant", "femi-probation", "--reason", "On call cover while probation is signed off", "--pr"},
		{"absence", "x", "--reason", `it's "quoted" $HOME; rm -rf / && echo`, "--note", ""},
		{"audit", "at", "2026-12-06", "--format=json", "a*b", "~", "#not-a-comment"},
	} {
		line := commandLine(args)
		out, err := exec.Command("sh", "-c", `prodaccess() { for a; do printf '%s\n' "$a"; done; }; `+line).Output()
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n"); strings.Join(got, "\x00") != strings.Join(args, "\x00") {
			t.Errorf("%s gives %q, want %q", line, got, args)
		}
	}
}

// TestGist: without -v a command shows its first line and the lines that
// matter after it, never headings or blank lines, and says how many it
// left out.
func TestGist(t *testing.T) {
	out := "Plan for today: 1 to add\n\nWho changes, and why:\n  sam  permanent\n  pat  none\n\nWarnings:\n  - one\n"
	want := "Plan for today: 1 to add\n  sam  permanent   [4 more lines with -v]\n"
	if got := gist(out, 1); got != want {
		t.Errorf("gist:\n%q\nwant\n%q", got, want)
	}
	if got := gist("only\n", 1); got != "only\n" {
		t.Errorf("gist of one line: %q", got)
	}
}

// TestDemoAdopt runs make demo-adopt's program: adopting the example
// people proposes their files, and adopting again writes nothing.
func TestDemoAdopt(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo builds and runs prodaccess end to end")
	}
	bin, demo := filepath.Join(t.TempDir(), "prodaccess"), filepath.Join(t.TempDir(), "demo")
	for what, out := range map[string]string{"../../cmd/prodaccess": bin, ".": demo} {
		if out, err := exec.Command("go", "build", "-o", out, what).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", what, err, out)
		}
	}
	out, err := exec.Command(demo, "-bin", bin, "-people", "../../people", "-adopt").CombinedOutput()
	if err != nil {
		t.Fatalf("the adoption demo failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Nothing to write: every person found has a file that says what they hold.") {
		t.Errorf("adopting again is not a no-op:\n%s", out)
	}
}
