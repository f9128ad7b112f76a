package gitfile

import (
	"context"
	"testing"
	"time"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/model"
)

// TestGitOperationDeadline: a git host that accepts the connection and
// never answers fails the read with a clear error once the operation's
// deadline passes.
func TestGitOperationDeadline(t *testing.T) {
	addr, stop, err := devstack.SilentHost()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	url := "http://" + addr + "/alphagov/govuk-secrets.git"
	target := &config.Target{Name: "hieradata", Type: model.FileTarget, Repo: url, Branch: "main", Path: "hiera.rcp", Format: config.GPGRecipients, Levels: model.AccessLevels}
	repos, err := NewRepos([]*config.Target{target}, Options{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = repos[0].Read(ctx)
	if ctx.Err() != nil {
		t.Fatalf("the read did not end by itself: %v", err)
	}
	want := "clone " + url + " (branch main): the git host did not finish within 200ms, the deadline for one git operation"
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}
