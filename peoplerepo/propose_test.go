package peoplerepo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/devstack"
)

// TestCommitFile: a file changed, a file added beside others and one in
// a new folder each make a commit on HEAD that git finds sound, holding
// the new content and nothing else new, while HEAD, the index and the
// working tree stay as they were; the branch is then pushed to origin.
func TestCommitFiles(t *testing.T) {
	dir := t.TempDir()
	work, origin := filepath.Join(dir, "work"), filepath.Join(dir, "origin.git")
	if _, err := devstack.Git(dir, "init", "-q", "--bare", "-b", "main", origin); err != nil {
		t.Fatal(err)
	}
	if err := devstack.NewRepo(work, map[string]string{
		"prodaccess.yaml": "people: people\n", "people/bob.yaml": grantee, "people/cy.yaml": grantee, "people-notes/x": "x\n", "peoplez": "z\n",
		// git orders a folder as if its name ended in a slash: ann.yaml
		// comes before ann/.
		"people/ann/notes": "x\n",
	}); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"remote", "add", "origin", origin}, {"push", "-q", "origin", "main"}} {
		if _, err := devstack.Git(work, args...); err != nil {
			t.Fatal(err)
		}
	}
	repo, err := Open(work)
	if err != nil {
		t.Fatal(err)
	}
	before := head(t, work)
	sig := object.Signature{Name: "Cy Contractor", Email: "cy@example.gov.uk", When: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	for i, file := range []string{"people/cy.yaml", "people/ann.yaml", "people/new/dee.yaml", "people/people.yaml"} {
		branch := "access/" + strings.NewReplacer("/", "-", ".", "-").Replace(file)
		sha, err := repo.CommitFiles(branch, map[string][]byte{file: []byte("changed " + file + "\n")}, "Change "+file+"\n", sig)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		git := func(args ...string) string {
			t.Helper()
			out, err := devstack.Git(work, args...)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		git("fsck", "--strict", "--no-progress")
		if got := git("diff", "--name-status", "main", branch); got != map[bool]string{true: "M", false: "A"}[i == 0]+"\t"+file+"\n" {
			t.Errorf("%s: files changed: %q", file, got)
		}
		if got := git("show", branch+":"+file); got != "changed "+file+"\n" {
			t.Errorf("%s: content %q", file, got)
		}
		if got := strings.TrimSpace(git("log", "-1", "--format=%H %an <%ae> %P", branch)); got != sha+" Cy Contractor <cy@example.gov.uk> "+before {
			t.Errorf("%s: commit %q", file, got)
		}
		if _, err := repo.CommitFiles(branch, map[string][]byte{file: nil}, "again\n", sig); err == nil || !strings.Contains(err.Error(), "exists already") {
			t.Errorf("%s: a second commit on the branch: %v", file, err)
		}
	}
	if head(t, work) != before {
		t.Error("HEAD moved")
	}
	if out, _ := devstack.Git(work, "status", "--porcelain"); out != "" {
		t.Errorf("the working tree or index changed:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(work, "people", "ann.yaml")); err == nil {
		t.Error("a file was written in the working tree")
	}

	remote, err := repo.Origin("")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := repo.PushBranch(ctx, remote, "main", "main"); err == nil {
		t.Error("pushed to the base branch")
	}
	if err := repo.PushBranch(ctx, remote, "access/people-cy-yaml", "main"); err != nil {
		t.Fatal(err)
	}
	heads, err := repo.RemoteBranches(ctx, remote)
	if err != nil {
		t.Fatal(err)
	}
	pushed, err := devstack.Git(work, "rev-parse", "access/people-cy-yaml")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"main": before, "access/people-cy-yaml": strings.TrimSpace(pushed)}, heads); diff != "" {
		t.Errorf("origin's branches (-want +got):\n%s", diff)
	}
	if got, _ := devstack.Show(origin, "access/people-cy-yaml", "people/cy.yaml"); got != "changed people/cy.yaml\n" {
		t.Errorf("pushed content %q", got)
	}
}
