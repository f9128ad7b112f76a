package peoplerepo

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/peoplegen"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
	"github.com/prodaccess/prodaccess/render"
)

// TestPeopleFromCommit loads person files from a commit: the same people
// as from the folder, concurrently and safely (run with -race), with a
// symbolic link reported as one and uncommitted edits listed, not read.
func TestPeopleFromCommit(t *testing.T) {
	dir := t.TempDir()
	people := filepath.Join(dir, "people")
	if err := os.MkdirAll(people, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := peoplegen.Write(people, 200); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("person-00001.yaml", filepath.Join(people, "linked.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := devstack.NewRepo(dir, nil); err != nil {
		t.Fatal(err)
	}
	repo, err := Open(people)
	if err != nil {
		t.Fatal(err)
	}
	head, err := repo.Head()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := repo.Rel(people)
	if err != nil || rel != "people" {
		t.Fatalf("Rel = %q, %v", rel, err)
	}
	sub, err := fs.Sub(head.FS, rel)
	if err != nil {
		t.Fatal(err)
	}
	fromGit, err := personfile.LoadPeople(sub, "people")
	if err != nil {
		t.Fatal(err)
	}
	fromDisk, err := personfile.LoadPeople(os.DirFS(people), "people")
	if err != nil {
		t.Fatal(err)
	}
	day := model.DayFromDate(2021, 6, 1)
	a, b := model.NewRoster(fromGit, model.DefaultPolicy()), model.NewRoster(fromDisk, model.DefaultPolicy())
	if diff := cmp.Diff(render.NewWhoJSON(day, b.Evaluate(day)), render.NewWhoJSON(day, a.Evaluate(day))); diff != "" {
		t.Errorf("git and disk disagree (-disk +git):\n%s", diff)
	}
	if diff := cmp.Diff("people/linked.yaml:1:1: person files may not be symbolic links", a.Problems().Error()); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}

	// Uncommitted edits are listed and not read.
	if err := os.WriteFile(filepath.Join(people, "person-00002.yaml"), []byte("name: changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(people, "person-00003.yaml")); err != nil {
		t.Fatal(err)
	}
	changed, err := repo.Uncommitted(rel)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"people/person-00002.yaml", "people/person-00003.yaml"}, changed); diff != "" {
		t.Errorf("uncommitted (-want +got):\n%s", diff)
	}

	// Before finds the last commit before a time on the first-parent line.
	if err := devstack.CommitAt(dir, map[string]string{"people/person-00002.yaml": "", "people/person-00003.yaml": ""}, "later", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	prev, err := repo.Before(time.Now().Add(time.Minute))
	if err != nil || prev == nil || prev.Commit.Hash != head.Commit.Hash {
		t.Errorf("Before = %v, %v; want the first commit", prev, err)
	}
	if none, err := repo.Before(time.Now().Add(-time.Hour)); err != nil || none != nil {
		t.Errorf("Before an hour ago = %v, %v; want nothing", none, err)
	}
}
