// Package devstack builds throwaway worlds for prodaccess to reconcile: real
// git repositories in a folder and a GitHub stand-in. The end-to-end tests
// and the demo use it; nothing in it is part of prodaccess itself.
package devstack

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// QuietGit turns off the housekeeping git starts after a commit, a merge,
// a fetch or a push it receives (git maintenance run --auto, git gc
// --auto): a throwaway repository never needs it, and the tests make
// thousands of commits and pushes, each of which would start another git
// to find that out. Every git devstack runs has it; a test process can set
// it in its own environment (SetQuietGit) so that the gits its programs
// start have it too.
var QuietGit = []string{"GIT_CONFIG_COUNT=3",
	"GIT_CONFIG_KEY_0=maintenance.auto", "GIT_CONFIG_VALUE_0=false",
	"GIT_CONFIG_KEY_1=gc.auto", "GIT_CONFIG_VALUE_1=0",
	"GIT_CONFIG_KEY_2=receive.autogc", "GIT_CONFIG_VALUE_2=false"}

// SetQuietGit puts QuietGit in this process's environment, for every
// program it starts from then on.
func SetQuietGit() error {
	for _, kv := range QuietGit {
		k, v, _ := strings.Cut(kv, "=")
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	return nil
}

// Git runs git in dir with a fixed identity and returns its output.
func Git(dir string, args ...string) (string, error) { return gitEnv(dir, nil, args...) }

func gitEnv(dir string, env []string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), env...),
		"GIT_AUTHOR_NAME=Dev Stack", "GIT_AUTHOR_EMAIL=devstack@example.gov.uk",
		"GIT_COMMITTER_NAME=Dev Stack", "GIT_COMMITTER_EMAIL=devstack@example.gov.uk",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	cmd.Env = append(cmd.Env, QuietGit...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("git %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return string(out), nil
}

// NewRepo makes a git repository in dir on branch main with the files
// committed. A file whose content is empty is left out.
func NewRepo(dir string, files map[string]string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if _, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	}); err != nil {
		return fmt.Errorf("init a repository in %s: %w", dir, err)
	}
	// git init makes these; tests put hooks there.
	for _, sub := range []string{"hooks", "info"} {
		if err := os.MkdirAll(filepath.Join(dir, ".git", sub), 0o755); err != nil {
			return err
		}
	}
	return Commit(dir, files, "Initial commit")
}

// Commit writes the files (deleting those whose content is empty) and
// commits them with message.
func Commit(dir string, files map[string]string, message string) error {
	return CommitAt(dir, files, message, time.Time{})
}

// CommitAt is Commit with the commit dated when (if not zero). Like `git
// add -A` and `git commit --allow-empty`, it commits every change in the
// working tree, the files' included. It works in this process, not by
// running git: the tests build thousands of repositories and commits, and
// three gits a commit were most of their processor time. The commit is
// the one git would write (same identity, dates and message, so the same
// hash).
func CommitAt(dir string, files map[string]string, message string, when time.Time) error {
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if body == "" {
			if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	repo, err := git.PlainOpen(dir)
	if err != nil {
		return fmt.Errorf("open the repository in %s: %w", dir, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return fmt.Errorf("the working tree of %s: %w", dir, err)
	}
	if when.IsZero() {
		when = time.Now()
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		// go-git refuses some names git takes (a tab in a file's name,
		// which a test of hostile names writes): git commits those, or
		// says why it cannot.
		return gitCommit(dir, message, when)
	}
	// git keeps whole seconds, in the zone it was given.
	sig := &object.Signature{Name: "Dev Stack", Email: "devstack@example.gov.uk", When: when.Truncate(time.Second)}
	if _, err := wt.Commit(cleanMessage(message), &git.CommitOptions{
		Author: sig, Committer: sig, AllowEmptyCommits: true,
	}); err != nil {
		return fmt.Errorf("commit in %s: %w", dir, err)
	}
	return nil
}

// cleanMessage is git commit's "whitespace" clean-up of a message given
// with -m: no whitespace at the end of a line, no empty lines at the start
// or the end, one empty line where there were several, and a newline at
// the end.
func cleanMessage(m string) string {
	var b strings.Builder
	blank := false
	for _, line := range strings.Split(m, "\n") {
		line = strings.TrimRight(line, " \t\r\v\f")
		if line == "" {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteString("\n")
			blank = false
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// gitCommit commits every change in dir's working tree by running git.
func gitCommit(dir, message string, when time.Time) error {
	if _, err := Git(dir, "add", "-A"); err != nil {
		return err
	}
	_, err := GitAt(dir, when, "commit", "-q", "--allow-empty", "-m", message)
	return err
}

// GitAt runs git in dir with its author and committer dates set to when.
func GitAt(dir string, when time.Time, args ...string) (string, error) {
	d := when.Format(time.RFC3339)
	return gitEnv(dir, []string{"GIT_AUTHOR_DATE=" + d, "GIT_COMMITTER_DATE=" + d}, args...)
}

// Show returns a file as it is on a branch of the repository in dir.
func Show(dir, branch, name string) (string, error) {
	return Git(dir, "show", branch+":"+name)
}
