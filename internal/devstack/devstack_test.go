package devstack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestCommitIsGits checks that the commits made in this process are the
// ones git makes from the same files: the same hashes, a working tree git
// calls clean, and every change committed, deletions and new folders
// included, and a name only git takes.
func TestCommitIsGits(t *testing.T) {
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	steps := []struct {
		files   map[string]string
		message string
	}{
		{map[string]string{"a.yaml": "a: 1\n", "people/b.yaml": "b: 2\n"}, "Initial commit"},
		{map[string]string{"people/b.yaml": "", "people/c/d.yaml": "d: 4\n"}, "\n\nMove b \t\n\n\n\nwith a body  \nand two lines\n\n"},
		{nil, "Nothing"},
		// go-git refuses this name; git commits it.
		{map[string]string{"odd\tname.txt": "x\n"}, "Odd name"},
	}
	ours, theirs := t.TempDir(), t.TempDir()
	if err := NewRepo(ours, nil); err != nil {
		t.Fatal(err)
	}
	mustGit(t, theirs, time.Time{}, "init", "-q", "-b", "main")
	mustGit(t, theirs, time.Time{}, "commit", "-q", "--allow-empty", "-m", "Initial commit")
	for i, s := range steps {
		at := when.Add(time.Duration(i) * time.Hour)
		if err := CommitAt(ours, s.files, s.message, at); err != nil {
			t.Fatal(err)
		}
		for name, body := range s.files {
			p := filepath.Join(theirs, filepath.FromSlash(name))
			if body == "" {
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		mustGit(t, theirs, at, "add", "-A")
		mustGit(t, theirs, at, "commit", "-q", "--allow-empty", "-m", s.message)
		if status := mustGit(t, ours, time.Time{}, "status", "--porcelain", "--untracked-files=all"); status != "" {
			t.Errorf("step %d: git status after the commit:\n%s", i, status)
		}
		// The trees are git's; the first commit's date differs (it was
		// made now), so the hashes are compared from the second on.
		if diff := cmp.Diff(mustGit(t, theirs, time.Time{}, "rev-parse", "HEAD^{tree}"), mustGit(t, ours, time.Time{}, "rev-parse", "HEAD^{tree}")); diff != "" {
			t.Errorf("step %d: tree (-git +ours):\n%s", i, diff)
		}
		got := mustGit(t, ours, time.Time{}, "cat-file", "commit", "HEAD")
		want := mustGit(t, theirs, time.Time{}, "cat-file", "commit", "HEAD")
		// Only the parent line can differ: the initial commits' dates do.
		if diff := cmp.Diff(dropParent(want), dropParent(got)); diff != "" {
			t.Errorf("step %d: commit (-git +ours):\n%s", i, diff)
		}
	}
	if got := mustGit(t, ours, time.Time{}, "rev-list", "--count", "HEAD"); got != "5\n" {
		t.Errorf("%s commits, want 5", strings.TrimSpace(got))
	}
	if got := mustGit(t, ours, time.Time{}, "symbolic-ref", "HEAD"); got != "refs/heads/main\n" {
		t.Errorf("HEAD is %s, want refs/heads/main", got)
	}
}

func dropParent(commit string) string {
	var keep []string
	for _, l := range strings.Split(commit, "\n") {
		if !strings.HasPrefix(l, "parent ") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

func mustGit(t *testing.T, dir string, when time.Time, args ...string) string {
	t.Helper()
	var out string
	var err error
	if when.IsZero() {
		out, err = Git(dir, args...)
	} else {
		out, err = GitAt(dir, when, args...)
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}
