package peoplerepo

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
)

const grantee = `name: Cy Contractor
email: cy@example.gov.uk
programme: other
role: other
employment: contractor
clearance: bpss
`

func grantYAML(end string) string {
	return grantee + "temporary_access:\n  - {start: 2026-03-01, end: " + end + ", approved_by: lead, supervisor: pam, agreed: true, reason: Migrating}\n"
}

func head(t *testing.T, dir string) string {
	t.Helper()
	out, err := devstack.Git(dir, "rev-parse", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

// TestIntroduced: the commit that wrote an entry in its current form is
// found on the first-parent line, through unrelated commits, edits of
// other fields and merges.
func TestIntroduced(t *testing.T) {
	dir := t.TempDir()
	if err := devstack.NewRepo(dir, map[string]string{"people/cy.yaml": grantee, "people/other.yaml": grantee}); err != nil {
		t.Fatal(err)
	}
	commit := func(files map[string]string, msg string) string {
		t.Helper()
		if err := devstack.Commit(dir, files, msg); err != nil {
			t.Fatal(err)
		}
		return head(t, dir)
	}
	added := commit(map[string]string{"people/cy.yaml": grantYAML("2026-03-31")}, "Grant")
	commit(map[string]string{"people/other.yaml": grantee + "last_day: 2030-01-01\n"}, "Unrelated")
	commit(map[string]string{"people/cy.yaml": grantYAML("2026-03-31") + "# a comment\n"}, "Comment only")

	ref := func(end string) model.EntryRef {
		p := personfile.ParsePerson(&model.Person{ID: "cy", File: "people/cy.yaml"}, []byte(grantYAML(end)))
		return p.TemporaryAccess[0].Ref("cy")
	}
	check := func(what string, want map[string]string, entries ...model.EntryRef) {
		t.Helper()
		repo, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		got, err := repo.Introduced(head(t, dir), "people", "people", entries)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", what, diff)
		}
	}
	check("added, then unrelated commits", map[string]string{ref("2026-03-31").Key(): added}, ref("2026-03-31"))

	shortened := commit(map[string]string{"people/cy.yaml": grantYAML("2026-03-15")}, "Shorten")
	check("an edit makes a new entry", map[string]string{ref("2026-03-15").Key(): shortened}, ref("2026-03-15"), ref("2026-03-31"))

	// A merge commit: the entry reaches the first-parent line in the merge.
	if _, err := devstack.Git(dir, "checkout", "-q", "-b", "extend"); err != nil {
		t.Fatal(err)
	}
	commit(map[string]string{"people/cy.yaml": grantYAML("2026-04-15")}, "Extend")
	if _, err := devstack.Git(dir, "checkout", "-q", "main"); err != nil {
		t.Fatal(err)
	}
	commit(map[string]string{"people/other.yaml": grantee}, "Meanwhile on main")
	if _, err := devstack.Git(dir, "merge", "-q", "--no-ff", "-m", "Merge pull request #7 from extend", "extend"); err != nil {
		t.Fatal(err)
	}
	merge := head(t, dir)
	check("merged with a merge commit", map[string]string{ref("2026-04-15").Key(): merge}, ref("2026-04-15"))

	// The whole history: each commit and the entries it wrote.
	repo, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	all, err := repo.AllIntroduced(head(t, dir), "people", "people")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for sha, es := range all {
		for _, e := range es {
			got[sha] = append(got[sha], e.String())
		}
	}
	want := map[string][]string{
		added:     {"cy's temporary access 2026-03-01 to 2026-03-31 (Migrating)"},
		shortened: {"cy's temporary access 2026-03-01 to 2026-03-15 (Migrating)"},
		merge:     {"cy's temporary access 2026-03-01 to 2026-04-15 (Migrating)"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("every commit's entries (-want +got):\n%s", diff)
	}
}

// TestNotes: notes are added without touching any branch, read back by
// git itself, kept in fan-out folders when there are many, pushed to
// origin, fetched into a clone, and merged when two runs push at once.
func TestNotes(t *testing.T) {
	origin := filepath.Join(t.TempDir(), "origin")
	if err := devstack.NewRepo(origin, map[string]string{"people/cy.yaml": grantee}); err != nil {
		t.Fatal(err)
	}
	tip := head(t, origin)
	clone := func(name string) (string, *Repo) {
		dir := filepath.Join(t.TempDir(), name)
		if _, err := devstack.Git(filepath.Dir(dir), "clone", "-q", origin, dir); err != nil {
			t.Fatal(err)
		}
		repo, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		return dir, repo
	}
	when := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()

	a, repoA := clone("a")
	note := []byte(`{"hello": "evidence"}` + "\n")
	if err := repoA.AddNotes(map[string][]byte{tip: note}, when); err != nil {
		t.Fatal(err)
	}
	if out, err := devstack.Git(a, "notes", "--ref", "prodaccess", "show", tip); err != nil || out != string(note) {
		t.Errorf("git notes show: %q, %v", out, err)
	}
	if h := head(t, a); h != tip {
		t.Errorf("HEAD moved from %s to %s", tip, h)
	}
	o, err := repoA.Origin("")
	if err != nil || o == nil {
		t.Fatalf("origin: %v, %v", o, err)
	}
	if err := repoA.PushNotes(ctx, o, when); err != nil {
		t.Fatal(err)
	}

	// A second run, from another clone, adds a note for another commit
	// and pushes after the first: the notes are merged, none is lost.
	if err := devstack.Commit(origin, map[string]string{"people/cy.yaml": grantYAML("2026-03-31")}, "Grant"); err != nil {
		t.Fatal(err)
	}
	second := head(t, origin)
	_, repoB := clone("b")
	if err := repoB.AddNotes(map[string][]byte{second: []byte("second\n")}, when); err != nil {
		t.Fatal(err)
	}
	if err := repoA.AddNotes(map[string][]byte{tip: []byte("first, again\n")}, when); err != nil {
		t.Fatal(err)
	}
	if err := repoA.PushNotes(ctx, o, when); err != nil {
		t.Fatal(err)
	}
	ob, _ := repoB.Origin("")
	if err := repoB.PushNotes(ctx, ob, when); err != nil {
		t.Fatal(err)
	}
	fresh, repoC := clone("c")
	if _, err := devstack.Git(fresh, "fetch", "-q", "origin", "refs/notes/*:refs/notes/*"); err != nil {
		t.Fatal(err)
	}
	got, err := repoC.Notes()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{tip: "first, again\n", second: "second\n"}
	gotText := map[string]string{}
	for k, v := range got {
		gotText[k] = string(v)
	}
	if diff := cmp.Diff(want, gotText); diff != "" {
		t.Errorf("notes in a fresh clone (-want +got):\n%s", diff)
	}

	// Many notes fan out into folders, and both git and prodaccess read them.
	many := map[string][]byte{}
	for i := range fanoutAbove + 10 {
		many[fmt.Sprintf("%040x", i+1)] = []byte(fmt.Sprintf("note %d\n", i))
	}
	if err := repoC.AddNotes(many, when); err != nil {
		t.Fatal(err)
	}
	got, err = repoC.Notes()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != fanoutAbove+12 || string(got[fmt.Sprintf("%040x", 5)]) != "note 4\n" || string(got[second]) != "second\n" {
		t.Errorf("read %d notes after fan-out", len(got))
	}
	if out, err := devstack.Git(fresh, "ls-tree", "--name-only", "refs/notes/prodaccess"); err != nil || !strings.Contains(out, "00\n") {
		t.Errorf("not fanned out: %q %v", out, err)
	}
	if out, err := devstack.Git(fresh, "notes", "--ref", "prodaccess", "show", second); err != nil || out != "second\n" {
		t.Errorf("git reads a fanned-out note: %q, %v", out, err)
	}
}
