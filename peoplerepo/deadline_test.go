package peoplerepo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/gitop"
)

// TestNotesDeadline: fetching and pushing the notes, and listing and
// pushing a branch, to an origin that accepts the connection and never
// answers each fail by themselves at the run's deadline for one git
// operation, naming the origin.
func TestNotesDeadline(t *testing.T) {
	t.Parallel()
	addr, stop, err := devstack.SilentHost()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	dir := t.TempDir()
	if err := devstack.NewRepo(dir, map[string]string{"people/a.yaml": "name: A\n"}); err != nil {
		t.Fatal(err)
	}
	url := "https://" + addr + "/alphagov/govuk-people.git"
	if _, err := devstack.Git(dir, "remote", "add", "origin", url); err != nil {
		t.Fatal(err)
	}
	repo, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	head, err := repo.Head()
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.AddNotes(map[string][]byte{head.Commit.Hash.String(): []byte("{}")}, time.Now()); err != nil {
		t.Fatal(err)
	}
	origin, err := repo.Origin("")
	if err != nil || origin == nil {
		t.Fatalf("origin %v, %v", origin, err)
	}
	// The host never answers: whatever the deadline, the outcome is the
	// same; the minute only bounds a hang.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ctx = gitop.WithTimeout(ctx, 2*time.Second)
	const deadline = ": the git host did not finish within 2s, the deadline for one git operation"
	for what, op := range map[string]func() error{
		"fetch refs/notes/prodaccess from " + url: func() error { return repo.FetchNotes(ctx, origin, time.Now()) },
		"push refs/notes/prodaccess to " + url:    func() error { return repo.PushNotes(ctx, origin, time.Now()) },
		"list the branches of " + url:             func() error { _, err := repo.RemoteBranches(ctx, origin); return err },
		"push main to " + url:                     func() error { return repo.PushBranch(ctx, origin, "main", "trunk") },
	} {
		err := op()
		if ctx.Err() != nil {
			t.Fatalf("%s did not end by itself: %v", what, err)
		}
		if err == nil || !strings.Contains(err.Error(), what+deadline) {
			t.Errorf("%s: %v", what, err)
		}
	}
}
