package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/devstack"
)

var regexpSHA = regexp.MustCompile(`[0-9a-f]{12}`)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// TestChangesOnHistory builds a real history and asks what its last commit
// does to access: a gain, a loss, a grant extended, a login changed.
func TestChangesOnHistory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	lead := permanentFile("Lee Lead", "lee-gh", 0, fingerprint('1'), "lee", "")
	lead = strings.Replace(lead, "role: developer", "role: lead_developer", 1)
	contractor := func(end string) string {
		return "name: Cy Contractor\nemail: cy@example.gov.uk\ngithub: cy-gh\nprogramme: other\nrole: other\nemployment: contractor\nclearance: bpss\n" +
			"temporary_access:\n  - {start: 2021-06-01, end: " + end + ", approved_by: lee, supervisor: alice, agreed: true, reason: Search migration}\n"
	}
	config := "people: people\ntargets:\n  - {name: team, type: github-team, org: alphagov, team: prod}\n  - {name: recipients, type: file, repo: ../secrets, path: hiera.rcp, format: gpg-recipients}\n"
	if err := devstack.NewRepo(dir, map[string]string{
		"prodaccess.yaml":     config,
		"people/lee.yaml":     lead,
		"people/alice.yaml":   permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""),
		"people/bob.yaml":     permanentFile("Bob Brown", "bob-gh", 0, fingerprint('B'), "bob", ""),
		"people/cy.yaml":      contractor("2021-06-30"),
		"people/gone.yaml":    permanentFile("Gus Gone", "gus-gh", 0, fingerprint('9'), "gus", "last_day: 2020-01-31\n"),
		"people/renamed.yaml": permanentFile("Rae Renamed", "rae-old", 0, fingerprint('8'), "rae", ""),
	}); err != nil {
		t.Fatal(err)
	}
	if err := devstack.Commit(dir, map[string]string{
		"people/bob.yaml":     permanentFile("Bob Brown", "bob-gh", 0, fingerprint('B'), "bob", "last_day: 2021-06-10\n"),
		"people/dave.yaml":    permanentFile("Dave New", "dave-gh", 0, fingerprint('D'), "dave", ""),
		"people/cy.yaml":      contractor("2021-07-31"),
		"people/gone.yaml":    "",
		"people/renamed.yaml": permanentFile("Rae Renamed", "rae-new", 0, fingerprint('8'), "rae", ""),
	}, "Record changes (#42)"); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) result {
		t.Helper()
		r := prodaccess(t, dir, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
		return r
	}
	comment := filepath.Join(t.TempDir(), "comment.md")
	md := run("changes", "--from", "HEAD~1", "--at", "2021-06-15", "--format", "markdown", "--comment", comment)
	// Commit ids differ on every run; the rest is golden.
	golden(t, "changes.md.golden", regexpSHA.ReplaceAllString(md.stdout, "SHA"))
	// A comment that fits is the markdown itself (render.FitBody cuts one
	// that does not).
	if data, err := os.ReadFile(comment); err != nil || string(data) != md.stdout {
		t.Errorf("--comment wrote %q (%v), not the markdown", data, err)
	}

	var c struct {
		People []struct {
			ID, Kind string
		}
	}
	if err := json.Unmarshal([]byte(run("changes", "--from", "HEAD~1", "--at", "2021-06-15", "--format", "json").stdout), &c); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.People {
		got = append(got, p.ID+" "+p.Kind)
	}
	if diff := cmp.Diff([]string{"bob loses", "cy changes", "dave gains", "renamed changes"}, got); diff != "" {
		t.Errorf("people (-want +got):\n%s", diff)
	}
	if r := run("changes", "--from", "HEAD", "--to", "HEAD", "--at", "2021-06-15"); !strings.Contains(r.stdout, "No one's production access changes.") {
		t.Errorf("no change:\n%s", r.stdout)
	}
}

// TestValidateAnnotations: in GitHub Actions, validate also prints each
// problem as a workflow command.
func TestValidateAnnotations(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "people", "jane.yaml"), "name: Jane\nemail: jane@example.gov.uk\ngithub: on\nprogramme: govuk\nrole: developer\nemployment: civil_servant\nclearance: bpss\n")
	cmd := func(env string) result {
		t.Setenv("GITHUB_ACTIONS", env)
		return prodaccess(t, dir, "validate", "--people", "people")
	}
	plain, actions := cmd(""), cmd("true")
	line := `people/jane.yaml:3:9: github: unquoted on is read as a boolean by some YAML tools; put it in quotes ("on") if it is meant as text`
	if plain.stdout != line+"\n" {
		t.Errorf("outside Actions:\n%s", plain.stdout)
	}
	want := line + "\n" + `::error file=people/jane.yaml,line=3,col=9,title=prodaccess validate::github: unquoted on is read as a boolean by some YAML tools; put it in quotes ("on") if it is meant as text` + "\n"
	if diff := cmp.Diff(want, actions.stdout); diff != "" || actions.code != 1 {
		t.Errorf("exit %d; in Actions (-want +got):\n%s", actions.code, diff)
	}
}
