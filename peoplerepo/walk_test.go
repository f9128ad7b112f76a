package peoplerepo

import (
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/reconciler"
)

// TestWalkMatchesGit: what Walk says each first-parent commit changed in
// the people folder and the configuration is what git's own diff-tree
// says, over random histories with files added, changed, removed, made
// into folders and symlinks, and merges from side branches.
func TestWalkMatchesGit(t *testing.T) {
	for seed := range 8 {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			rng := rand.New(rand.NewPCG(uint64(seed), 7))
			if err := devstack.NewRepo(dir, map[string]string{"prodaccess.yaml": "people: people\n", "people/a.yaml": "a\n"}); err != nil {
				t.Fatal(err)
			}
			names := []string{"a.yaml", "b.yaml", "b-c.yaml", "b.yaml.d", "c.yaml", "d"}
			for i := range 20 {
				files := map[string]string{}
				for range 1 + rng.IntN(3) {
					name := "people/" + names[rng.IntN(len(names))]
					switch rng.IntN(5) {
					case 0:
						files[name] = "" // remove
					case 1:
						files[name+"/inner.yaml"] = fmt.Sprint(i) // a folder
					default:
						files[name] = fmt.Sprintf("%s %d\n", name, i)
					}
				}
				if rng.IntN(4) == 0 {
					files["prodaccess.yaml"] = fmt.Sprintf("people: people # %d\n", i)
				}
				if err := writeFiles(dir, files); err != nil {
					t.Fatal(err)
				}
				if rng.IntN(6) == 0 {
					os.Remove(filepath.Join(dir, "people", "link.yaml"))
					if err := os.Symlink("a.yaml", filepath.Join(dir, "people", "link.yaml")); err != nil {
						t.Fatal(err)
					}
				}
				if rng.IntN(5) == 0 {
					// A side branch merged with a merge commit.
					for _, args := range [][]string{{"checkout", "-q", "-b", fmt.Sprint("side", i)}, {"add", "-A"}, {"commit", "-q", "--allow-empty", "-m", "side"}, {"checkout", "-q", "main"}, {"merge", "-q", "--no-ff", "-m", "merge", fmt.Sprint("side", i)}} {
						if _, err := devstack.Git(dir, args...); err != nil {
							t.Fatal(err)
						}
					}
					continue
				}
				for _, args := range [][]string{{"add", "-A"}, {"commit", "-q", "--allow-empty", "-m", fmt.Sprint(i)}} {
					if _, err := devstack.Git(dir, args...); err != nil {
						t.Fatal(err)
					}
				}
			}
			repo, err := git.PlainOpen(dir)
			if err != nil {
				t.Fatal(err)
			}
			head, err := repo.Head()
			if err != nil {
				t.Fatal(err)
			}
			line, err := FirstParents(repo.Storer, head.Hash())
			if err != nil {
				t.Fatal(err)
			}
			var got, want []string
			err = Walk(repo.Storer, line, "people", "prodaccess.yaml", func(s *Step) error {
				for _, f := range s.People {
					got = append(got, fmt.Sprintf("%s %s %s->%s", s.Commit.Hash.String()[:7], f.Name, short(f.Old), short(f.New)))
				}
				if s.ConfigChanged {
					got = append(got, fmt.Sprintf("%s config %s", s.Commit.Hash.String()[:7], short(s.Config)))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range line {
				parent := "4b825dc642cb6eb9a060e54bf8d69288fbee4904" // the empty tree
				if i > 0 {
					parent = line[i-1].Hash.String()
				}
				out, err := devstack.Git(dir, "diff-tree", "-r", "--raw", "--no-renames", "--abbrev=40", parent, c.Hash.String(), "--", "people/", "prodaccess.yaml")
				if err != nil {
					t.Fatal(err)
				}
				var people []string
				var config string
				for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
					f := strings.Fields(l)
					if len(f) != 6 {
						continue
					}
					oldMode, newMode, oldH, newH, path := f[0][1:], f[1], f[2], f[3], f[5]
					if path == "prodaccess.yaml" {
						config = fmt.Sprintf("%s config %s", c.Hash.String()[:7], short(plumbing.NewHash(newH)))
						continue
					}
					name, ok := strings.CutPrefix(path, "people/")
					if !ok || strings.Contains(name, "/") {
						continue
					}
					o, n := plumbing.NewHash(oldH), plumbing.NewHash(newH)
					if oldMode != "100644" && oldMode != "100755" {
						o = plumbing.ZeroHash
					}
					if newMode != "100644" && newMode != "100755" {
						n = plumbing.ZeroHash
					}
					if o != n {
						people = append(people, fmt.Sprintf("%s %s %s->%s", c.Hash.String()[:7], name, short(o), short(n)))
					}
				}
				slices.Sort(people)
				want = append(want, people...)
				if config != "" {
					want = append(want, config)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("changes (-git +Walk):\n%s", diff)
			}
			checkHistoryWalk(t, dir, line)
		})
	}
}

// checkHistoryWalk checks what History.Walk says each commit changed in
// the people folder (every kind of entry, one a name) against the
// listings git ls-tree gives of the commit and its first parent.
func checkHistoryWalk(t *testing.T, dir string, line []*LineCommit) {
	t.Helper()
	repo, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	h, _, err := repo.History("main", "people", "prodaccess.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = h.Walk(func(st *reconciler.HistoryStep) error {
		for _, c := range st.Changes {
			name := c.New.Name
			if name == "" {
				name = c.Old.Name
			}
			got = append(got, fmt.Sprintf("%s %s %s -> %s", st.Commit.SHA[:7], name, describe(c.Old), describe(c.New)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	listing := func(c *LineCommit) map[string]reconciler.HistoryEntry {
		out, err := devstack.Git(dir, "ls-tree", c.Hash.String()+":people")
		if err != nil {
			return nil // no people folder
		}
		m := map[string]reconciler.HistoryEntry{}
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			meta, name, _ := strings.Cut(l, "\t")
			f := strings.Fields(meta)
			var mode fs.FileMode
			switch f[0] {
			case "040000":
				mode = fs.ModeDir
			case "120000":
				mode = fs.ModeSymlink
			case "160000":
				mode = fs.ModeIrregular
			}
			m[name] = reconciler.HistoryEntry{Name: name, Blob: reconciler.ObjectID(plumbing.NewHash(f[2])), Mode: mode}
		}
		return m
	}
	var want []string
	prev := map[string]reconciler.HistoryEntry{}
	for _, c := range line {
		now := listing(c)
		names := slices.Sorted(maps.Keys(now))
		for name := range prev {
			if _, ok := now[name]; !ok {
				names = append(names, name)
			}
		}
		slices.Sort(names)
		for _, name := range names {
			if prev[name] != now[name] {
				want = append(want, fmt.Sprintf("%s %s %s -> %s", c.Hash.String()[:7], name, describe(prev[name]), describe(now[name])))
			}
		}
		prev = now
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes of the people folder (-ls-tree +History.Walk):\n%s", diff)
	}
}

func describe(e reconciler.HistoryEntry) string {
	if e.Name == "" {
		return "none"
	}
	return fmt.Sprintf("%s %x", e.Mode, e.Blob[:4])
}

func short(h plumbing.Hash) string {
	if h.IsZero() {
		return "none"
	}
	return h.String()[:7]
}

// writeFiles writes files under dir, removing those whose content is
// empty and whatever stands in the way of one.
func writeFiles(dir string, files map[string]string) error {
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if body == "" {
			if err := os.RemoveAll(p); err != nil {
				return err
			}
			continue
		}
		for d := filepath.Dir(p); d != dir; d = filepath.Dir(d) {
			if fi, err := os.Lstat(d); err == nil && !fi.IsDir() {
				os.Remove(d)
			}
		}
		if fi, err := os.Lstat(p); err == nil && fi.IsDir() {
			os.RemoveAll(p)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// TestWalkInParts: a walk read in parts side by side, each part after the
// first from its own storage, gives the steps one walk from the first
// commit gives.
func TestWalkInParts(t *testing.T) {
	dir := t.TempDir()
	if err := devstack.WriteHistory(dir, 30, 70); err != nil {
		t.Fatal(err)
	}
	repo, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	tip, _, err := repo.Branch("main")
	if err != nil {
		t.Fatal(err)
	}
	line, err := FirstParents(repo.repo.Storer, tip)
	if err != nil {
		t.Fatal(err)
	}
	var want []Step
	err = Walk(repo.repo.Storer, line, "people", "prodaccess.yaml", func(st *Step) error {
		kept := *st
		kept.People = nil
		want = append(want, kept)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	kept := partsOf
	t.Cleanup(func() { partsOf = kept })
	partsOf = func(int) int { return 3 }
	w, err := repo.walk(tip, "people", "prodaccess.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(w.steps, want); diff != "" {
		t.Errorf("steps read in three parts (-got +want):\n%s", diff)
	}
}
