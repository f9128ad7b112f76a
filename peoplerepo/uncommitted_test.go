package peoplerepo

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/peoplegen"
)

// uncommittedRepo is a repository with files a.yaml to f.yaml committed
// under people/, its index written by git.
func uncommittedRepo(t *testing.T) (dir string, repo *Repo) {
	t.Helper()
	dir = t.TempDir()
	files := map[string]string{}
	for _, n := range "abcdef" {
		files["people/"+string(n)+".yaml"] = fmt.Sprintf("name: %c\n", n)
	}
	if err := devstack.NewRepo(dir, files); err != nil {
		t.Fatal(err)
	}
	repo, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, repo
}

// gitStatus lists the files under people/ that git status says differ
// from HEAD (nothing is ever staged here).
func gitStatus(t *testing.T, dir string) []string {
	t.Helper()
	out, err := devstack.Git(dir, "status", "--porcelain", "--untracked-files=all", "--", "people")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for l := range strings.Lines(out) {
		if l = strings.TrimRight(l, "\n"); len(l) > 3 {
			got = append(got, l[3:])
		}
	}
	slices.Sort(got)
	return got
}

// TestUncommittedAgreesWithGitStatus edits, adds, deletes and touches
// files at random, and checks after each round that Uncommitted lists
// what git status does, whichever files the index's stat data lets it
// skip. Edits keep a file's size, so that only the content tells.
func TestUncommittedAgreesWithGitStatus(t *testing.T) {
	t.Parallel()
	dir, repo := uncommittedRepo(t)
	seed := rand.Uint64()
	r := rand.New(rand.NewPCG(seed, 1))
	t.Logf("seed %d", seed)
	names := []string{"a", "b", "c", "d", "e", "f", "g"}
	for round := range 40 {
		name := filepath.Join(dir, "people", names[r.IntN(len(names))]+".yaml")
		switch r.IntN(5) {
		case 0: // same size, new content
			if err := os.WriteFile(name, fmt.Appendf(nil, "name: %c\n", 'm'+r.IntN(10)), 0o644); err != nil {
				t.Fatal(err)
			}
		case 1: // back to what was committed
			if _, err := devstack.Git(dir, "checkout", "--", "people"); err != nil {
				t.Fatal(err)
			}
		case 2:
			if err := os.Remove(name); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		case 3: // touched: same content, new time
			if data, err := os.ReadFile(name); err == nil {
				if err := os.WriteFile(name, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		case 4: // git refreshes the index's stat data
			gitStatus(t, dir)
		}
		got, err := repo.Uncommitted("people")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(gitStatus(t, dir), got); diff != "" {
			t.Fatalf("round %d (seed %d): Uncommitted and git status differ (-git +Uncommitted):\n%s", round, seed, diff)
		}
	}
}

// TestUncommittedRacilyClean: a file whose size and time are those the
// index recorded, but which was changed no earlier than the index was
// written, is read, as git reads it: the stat data cannot tell.
func TestUncommittedRacilyClean(t *testing.T) {
	t.Parallel()
	dir, repo := uncommittedRepo(t)
	name := filepath.Join(dir, "people", "a.yaml")
	before, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	// The index is written in the same instant as the file's last change.
	if err := os.Chtimes(filepath.Join(dir, ".git", "index"), before.ModTime(), before.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte("name: z\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(name, time.Now(), before.ModTime()); err != nil {
		t.Fatal(err)
	}
	got, err := repo.Uncommitted("people")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"people/a.yaml"}, got); diff != "" {
		t.Errorf("uncommitted (-want +got):\n%s", diff)
	}

	// Written well after the file's change, the index vouches for it:
	// the stat data alone decides, as in git.
	later := before.ModTime().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(dir, ".git", "index"), later, later); err != nil {
		t.Fatal(err)
	}
	got, err = repo.Uncommitted("people")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("uncommitted = %q; want none, as git status says before a refresh", got)
	}
}

// BenchmarkUncommitted2600 checks a clean folder of 2,600 person files
// for uncommitted changes, with the index's stat data fresh (as after a
// checkout, some time ago).
func BenchmarkUncommitted2600(b *testing.B) {
	dir := b.TempDir()
	people := filepath.Join(dir, "people")
	if err := os.MkdirAll(people, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := peoplegen.Write(people, 2600); err != nil {
		b.Fatal(err)
	}
	if err := devstack.NewRepo(dir, nil); err != nil {
		b.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(filepath.Join(dir, ".git", "index"), later, later); err != nil {
		b.Fatal(err)
	}
	repo, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if got, err := repo.Uncommitted("people"); err != nil || len(got) != 0 {
			b.Fatalf("Uncommitted = %q, %v", got, err)
		}
	}
}

// TestScanFolderBesidePeople: the folder is scanned while the committed
// files are read out of the repository's objects, as a plan does (the
// race detector watches this package), and finds the same change as
// Uncommitted.
func TestScanFolderBesidePeople(t *testing.T) {
	t.Parallel()
	dir, repo := uncommittedRepo(t)
	if err := os.WriteFile(filepath.Join(dir, "people", "b.yaml"), []byte("name: B\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	head, err := repo.Head()
	if err != nil {
		t.Fatal(err)
	}
	scanned := make(chan *FolderScan, 1)
	go func() { scanned <- repo.ScanFolder("people") }()
	people, err := repo.People(head, "people", "people")
	if err != nil {
		t.Fatal(err)
	}
	if len(people) != 6 {
		t.Errorf("%d people committed, want 6", len(people))
	}
	got, err := repo.UncommittedIn(<-scanned)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"people/b.yaml"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("uncommitted (-want +got):\n%s", diff)
	}
	if again, err := repo.Uncommitted("people"); err != nil || !slices.Equal(again, got) {
		t.Errorf("Uncommitted: %v, %v; the scan beside the load: %v", again, err, got)
	}
}

// TestUncommittedAtRoot: a people folder at the top of the repository is
// compared with the top tree (go-git finds no folder "." in a tree, which
// once made every committed file there look uncommitted), whether or not
// People read the folder first.
func TestUncommittedAtRoot(t *testing.T) {
	dir := t.TempDir()
	if err := devstack.NewRepo(dir, map[string]string{"a.yaml": "name: a\n", "b.yaml": "name: b\n"}); err != nil {
		t.Fatal(err)
	}
	repo, head := openAtHead(t, dir)
	got, err := repo.Uncommitted(".")
	if err != nil || len(got) != 0 {
		t.Errorf("nothing changed: Uncommitted(.) = %v, %v; want nothing", got, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "c.yaml"), []byte("name: c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.People(head, ".", "people"); err != nil {
		t.Fatal(err)
	}
	got, err = repo.Uncommitted(".")
	if diff := cmp.Diff([]string{"c.yaml"}, got); err != nil || diff != "" {
		t.Errorf("c.yaml added, after People: Uncommitted(.) = %v, %v; (-want +got)\n%s", got, err, diff)
	}
}
