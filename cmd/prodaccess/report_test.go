package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/browser"
	"github.com/prodaccess/prodaccess/internal/devstack"
)

// withoutKey removes a top-level field, and the lines under it, from a
// person file.
func withoutKey(t *testing.T, body, key string) string {
	t.Helper()
	var out []string
	found, skipping := false, false
	for _, line := range strings.SplitAfter(body, "\n") {
		switch {
		case strings.HasPrefix(line, key+":"):
			found, skipping = true, true
			continue
		case skipping && (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "-")):
			continue
		}
		skipping = false
		out = append(out, line)
	}
	if !found {
		t.Fatalf("the example file has no %s: the history below needs it", key)
	}
	return strings.Join(out, "")
}

// exampleHistory commits the repository's own people/ and prodaccess.yaml
// into a new repository, in the steps a team would have taken: the first
// people, joiners, absences recorded and ended, a last day, a temporary
// grant, and one commit whose files did not validate. Its origin is on
// GitHub, so that the report links to commits and pull requests.
func exampleHistory(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	read := func(id string) string {
		b, err := os.ReadFile(filepath.Join(repoRoot, "people", id+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	shipped, err := os.ReadFile(filepath.Join(repoRoot, "prodaccess.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The history has no evidence of approvals (no notes) and no rota to
	// show shifts: under warn the grants and shifts stand as the files
	// say and the report flags them.
	config := strings.Replace(string(shipped), "\n  evidence: required", "\n  evidence: warn", 1)
	config = strings.Replace(config, "shift_evidence: required", "shift_evidence: warn", 1)
	if strings.Count(config, ": warn") != 2 {
		t.Fatal("the shipped configuration no longer says evidence: required and shift_evidence: required")
	}
	if _, err := devstack.Git(dir, "init", "-q", "-b", "main"); err != nil {
		t.Fatal(err)
	}
	if _, err := devstack.Git(dir, "remote", "add", "origin", "https://github.com/example/people.git"); err != nil {
		t.Fatal(err)
	}
	commit := func(day, msg string, files map[string]string) {
		t.Helper()
		when, err := time.Parse(time.RFC3339, day+"T10:00:00Z")
		if err != nil {
			t.Fatal(err)
		}
		if err := devstack.CommitAt(dir, files, msg, when); err != nil {
			t.Fatal(err)
		}
	}
	file := func(id string) string { return "people/" + id + ".yaml" }
	morgan, nadia := read("morgan-returned"), read("nadia-notreinstated")
	commit("2024-01-08", "Start the people repository (#1)", map[string]string{
		"prodaccess.yaml":           string(config),
		file("alex-lead"):           read("alex-lead"),
		file("hannah-head"):         read("hannah-head"),
		file("lee-away"):            withoutKey(t, read("lee-away"), "absences"),
		file("morgan-returned"):     withoutKey(t, withoutKey(t, morgan, "absences"), "reinstated"),
		file("nadia-notreinstated"): withoutKey(t, nadia, "absences"),
		file("pat-leaver"):          withoutKey(t, read("pat-leaver"), "last_day"),
		file("rosa-break"):          withoutKey(t, read("rosa-break"), "absences"),
		file("sam-senior"):          read("sam-senior"),
	})
	commit("2025-12-15", "Add Gita (#2)", map[string]string{file("gita-supervised"): read("gita-supervised")})
	commit("2026-04-06", "Morgan is away (#3)", map[string]string{
		file("morgan-returned"): withoutKey(t, withoutKey(t, morgan, "absences"), "reinstated") + "absences:\n  - start: 2026-04-06\n"})
	commit("2026-05-04", "Nadia is away (#4)", map[string]string{
		file("nadia-notreinstated"): withoutKey(t, nadia, "absences") + "absences:\n  - start: 2026-05-04\n"})
	commit("2026-05-25", "Add the summer joiners (#5)", map[string]string{
		file("erin-between"): read("erin-between"), file("femi-probation"): read("femi-probation"),
		file("omar-sre"): read("omar-sre"), file("dan-shadow"): read("dan-shadow")})
	commit("2026-06-15", "Add Quinn", map[string]string{"people/quinn-draft.yaml": "name: Quinn Draft\ngithubb: quinn\n"})
	commit("2026-06-16", "Remove Quinn's draft", map[string]string{"people/quinn-draft.yaml": ""})
	commit("2026-09-01", "Morgan is back and reinstated (#7)", map[string]string{file("morgan-returned"): morgan})
	commit("2026-09-02", "Lee is away (#8)", map[string]string{file("lee-away"): read("lee-away")})
	commit("2026-09-28", "Add Chris (#9)", map[string]string{file("chris-contractor"): withoutKey(t, read("chris-contractor"), "temporary_access")})
	commit("2026-10-19", "Record Pat's last day (#10)", map[string]string{file("pat-leaver"): read("pat-leaver")})
	commit("2026-11-02", "Nadia is back (#11)", map[string]string{file("nadia-notreinstated"): nadia})
	commit("2026-11-16", "Grant Chris temporary access (#12)", map[string]string{file("chris-contractor"): read("chris-contractor")})
	commit("2026-11-23", "Record Rosa's break, and add Kim (#13)", map[string]string{file("rosa-break"): read("rosa-break"), file("kim-uncleared"): read("kim-uncleared")})
	commit("2026-12-01", "Add Priya (#14)", map[string]string{file("priya-new"): read("priya-new")})
	return dir
}

var (
	regexpSHA40    = regexp.MustCompile(`[0-9a-f]{40}`)
	regexpShortSHA = regexp.MustCompile(`\b[0-9a-f]{12}\b`)
)

// TestAuditReportGolden renders the example people's report and compares
// it with the golden page, commit ids masked. The example targets are
// real repositories, so the review does not read their secrets.
func TestAuditReportGolden(t *testing.T) {
	dir := exampleHistory(t)
	out := filepath.Join(t.TempDir(), "report.html")
	r := prodaccess(t, dir, "audit", "report", "--secrets=false", "--to", "2026-12-31", "--out", out)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "report.html.golden", regexpShortSHA.ReplaceAllString(regexpSHA40.ReplaceAllString(string(page), "SHA"), "SHORTSHA"))
	// Standard output, without --out, is the same page.
	if r := prodaccess(t, dir, "audit", "report", "--secrets=false", "--to", "2026-12-31"); r.stdout != string(page) {
		t.Errorf("the page on standard output differs from the one in --out")
	}
}

// openInBrowser loads a page in headless Chromium at 1280 pixels wide and
// saves a screenshot of it beside the page (see browser.Load).
func openInBrowser(t *testing.T, path string) (context.Context, *browser.Page) {
	t.Helper()
	return browser.Load(t, path)
}

// checkQuiet checks that a page caused no console message, script error or
// dialog, and asked for nothing but itself.
func checkQuiet(t *testing.T, p *browser.Page, path string) {
	t.Helper()
	if problems := p.Problems(); len(problems) > 0 {
		t.Errorf("the page caused console messages, errors or dialogs:\n%s", strings.Join(problems, "\n"))
	}
	abs, _ := filepath.Abs(path)
	if diff := cmp.Diff([]string{"file://" + abs}, p.Requests()); diff != "" {
		t.Errorf("the page made requests beyond itself (-want +got):\n%s", diff)
	}
}

// TestAuditReportInBrowser opens the example people's report in headless
// Chromium, as an auditor would, and checks what it shows.
func TestAuditReportInBrowser(t *testing.T) {
	dir := exampleHistory(t)
	out := filepath.Join(t.TempDir(), "report.html")
	if r := prodaccess(t, dir, "audit", "report", "--secrets=false", "--to", "2026-12-31", "--out", out); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	ctx, p := openInBrowser(t, out)
	checkQuiet(t, p, out)

	// Every bar, by person and level, as the DOM has it, with a width
	// the browser actually draws.
	var bars []struct {
		Person, Level string
		Width         float64
	}
	if err := p.Evaluate(ctx, `[...document.querySelectorAll("svg.chart rect[data-person]")].map(r => ({person: r.dataset.person, level: r.dataset.level, width: r.getBoundingClientRect().width}))`, &bars); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range bars {
		if b.Width <= 0 {
			t.Errorf("the %s bar of %s is not drawn", b.Level, b.Person)
		}
		got = append(got, b.Person+" "+b.Level)
	}
	slices.Sort(got)
	want := []string{
		"alex-lead permanent",
		"chris-contractor temporary_supervised",
		"dan-shadow temporary_supervised",
		"erin-between supervised",
		"erin-between temporary_supervised",
		"erin-between temporary_supervised",
		"femi-probation temporary_supervised",
		"femi-probation temporary_supervised",
		"gita-supervised permanent",
		"gita-supervised supervised",
		"gita-supervised temporary_supervised",
		"gita-supervised temporary_supervised",
		"lee-away permanent",
		"morgan-returned permanent",
		"morgan-returned permanent",
		"nadia-notreinstated permanent",
		"omar-sre supervised",
		"pat-leaver permanent",
		"rosa-break permanent",
		"sam-senior permanent",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bars (-want +got):\n%s", diff)
	}

	// Rows by team, then name; commits link to GitHub (to their pull
	// requests where the evidence recorded names one; this history has
	// none, and a commit's message names none that counts).
	var seen struct {
		Rows       []string
		Teams      []string
		ChrisGrant int
		Rules      int
		Details    int
		Review     int
	}
	if err := p.Evaluate(ctx, `({
		rows: [...document.querySelectorAll("svg.chart text.name")].map(e => e.firstChild.textContent),
		teams: [...document.querySelectorAll("svg.chart text.team")].map(e => e.textContent),
		chrisGrant: document.querySelectorAll('a[href^="https://github.com/example/people/commit/"] path.m-commit[data-person="chris-contractor"]').length,
		rules: document.querySelectorAll("path.m-rule").length,
		details: document.querySelectorAll("details").length,
		review: document.querySelectorAll("#review tbody tr").length,
	})`, &seen); err != nil {
		t.Fatal(err)
	}
	wantRows := []string{"Dan Shadow", "Erin Between", "Femi Probation", "Gita Supervised", "Lee Away", "Morgan Returned", "Nadia Notreinstated", "Pat Leaver", "Sam Senior", "Alex Lead", "Rosa Break", "Omar SRE", "Chris Contractor"}
	if diff := cmp.Diff(wantRows, seen.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"govuk · developer", "govuk · lead_developer", "techops · sre", "other · other"}, seen.Teams); diff != "" {
		t.Errorf("teams (-want +got):\n%s", diff)
	}
	if seen.ChrisGrant != 1 || seen.Rules < 10 || seen.Details != len(wantRows) || seen.Review != 8 {
		t.Errorf("chris's grant marks %d (want 1), rule marks %d (want 10 or more), details %d (want %d), review rows %d (want 8)",
			seen.ChrisGrant, seen.Rules, seen.Details, len(wantRows), seen.Review)
	}
}

// TestAuditReportEscapes puts markup in a name, a reason and a commit
// message, which anyone can propose, and checks that the page shows it as
// text and runs nothing.
func TestAuditReportEscapes(t *testing.T) {
	const script, img = `<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`
	dir := t.TempDir()
	lead := "name: Lee Lead\nemail: lee@example.gov.uk\nprogramme: govuk\nrole: lead_developer\nemployment: civil_servant\nclearance: sc\nprobation_passed: 2020-06-01\n" +
		"shifts:\n  - {type: shadow, start: 2020-01-06, end: 2020-01-10}\n  - {type: shadow, start: 2020-02-03, end: 2020-02-07}\n  - {type: primary, start: 2020-03-02, end: 2020-03-06}\n"
	sup := strings.Replace(strings.Replace(lead, "Lee Lead", "Sue Sup", 1), "lee@", "sue@", 1)
	mallory := "name: " + script + "\nemail: mallory@example.gov.uk\nprogramme: other\nrole: other\nemployment: contractor\nclearance: bpss\n" +
		"temporary_access:\n  - start: 2021-01-04\n    end: 2021-02-26\n    approved_by: lee-lead\n    supervisor: sue-sup\n    agreed: true\n    reason: '" + img + "'\n"
	if _, err := devstack.Git(dir, "init", "-q", "-b", "main"); err != nil {
		t.Fatal(err)
	}
	if err := devstack.CommitAt(dir, map[string]string{"prodaccess.yaml": "people: people\n", "people/lee-lead.yaml": lead, "people/sue-sup.yaml": sup}, "Add the leads", time.Date(2020, 12, 1, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := devstack.CommitAt(dir, map[string]string{"people/mallory.yaml": mallory}, "Grant "+script+" access "+img, time.Date(2021, 1, 4, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "escape.html")
	if r := prodaccess(t, dir, "audit", "report", "--from", "2021-01-01", "--to", "2021-02-10", "--out", out); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"<script", "<img"} {
		if strings.Contains(strings.ToLower(string(page)), raw) {
			t.Errorf("the page holds %s unescaped", raw)
		}
	}

	ctx, p := openInBrowser(t, out)
	checkQuiet(t, p, out)
	var dom struct {
		Elements int
		Name     bool
		Reason   bool
		Subject  bool
	}
	if err := p.Evaluate(ctx, `({
		elements: document.querySelectorAll("script, img, [onerror]").length,
		name: [...document.querySelectorAll("svg.chart text.name")].some(e => e.firstChild.textContent === `+jsString(script)+`),
		reason: document.querySelector("#review").textContent.includes(`+jsString(img)+`),
		subject: document.querySelector("#people").textContent.includes(`+jsString(strconv.Quote("Grant "+script+" access "+img))+`),
	})`, &dom); err != nil {
		t.Fatal(err)
	}
	if dom.Elements != 0 || !dom.Name || !dom.Reason || !dom.Subject {
		t.Errorf("script, img or onerror elements: %d (want 0); the name shown as text: %v, the reason: %v, the commit subject: %v (want all true)",
			dom.Elements, dom.Name, dom.Reason, dom.Subject)
	}
}

// jsString quotes s as a JavaScript string.
func jsString(s string) string {
	return "`" + strings.NewReplacer("\\", "\\\\", "`", "\\`", "$", "\\$").Replace(s) + "`"
}
