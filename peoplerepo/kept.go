package peoplerepo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/prodaccess/prodaccess/config"
)

// A kept branch is one that prodaccess proposes a change on and keeps
// up to date run after run, as it keeps the sync branch of a file
// target: one commit on top of the base, remade from the base each time.
// The commit is made the same way from the same inputs (its author is
// prodaccess and its time the base commit's), so that a run with nothing
// new to say makes the very commit the branch already holds, and pushes
// nothing.

// keptAuthor is who a kept branch's commit is by.
func keptAuthor(base *object.Commit) object.Signature {
	return object.Signature{Name: "prodaccess", Email: "prodaccess@users.noreply.github.com", When: base.Committer.When}
}

// KeepBranch makes one commit on top of the commit HEAD points at that
// sets file (a slash-separated path in the repository) to content, points
// the local branch at it, and pushes it to origin unless origin's branch
// already holds exactly that commit, replacing what the branch held. HEAD
// must be where origin's base branch is, so that the change is made on
// the files as they are. It reports whether it pushed. It never pushes to
// the base branch.
func (r *Repo) KeepBranch(ctx context.Context, o *Remote, branch, base, file string, content []byte, message string) (string, bool, error) {
	if err := config.CheckBranchName(branch); err != nil {
		return "", false, err
	}
	if branch == base {
		return "", false, fmt.Errorf("refusing to push to the base branch %s", base)
	}
	head, err := r.Head()
	if err != nil {
		return "", false, err
	}
	heads, err := r.RemoteBranches(ctx, o)
	if err != nil {
		return "", false, err
	}
	switch at, ok := heads[base]; {
	case !ok:
		return "", false, fmt.Errorf("origin %s has no branch %s to propose the change to", o.URL(), base)
	case at != head.Commit.Hash.String():
		return "", false, fmt.Errorf("HEAD (%s) is not where origin's %s is (%s): bring the checkout up to date (git pull), so that the change is made on the files as they are", head.Commit.Hash.String()[:12], base, at[:min(12, len(at))])
	}
	blob, err := r.writeObject(plumbing.BlobObject, content)
	if err != nil {
		return "", false, fmt.Errorf("write %s: %w", file, err)
	}
	tree, err := r.replaceInTree(head.Tree, strings.Split(file, "/"), blob)
	if err != nil {
		return "", false, fmt.Errorf("write the tree with %s: %w", file, err)
	}
	author := keptAuthor(head.Commit)
	c := &object.Commit{Author: author, Committer: author, Message: message, TreeHash: tree, ParentHashes: []plumbing.Hash{head.Commit.Hash}}
	obj := r.repo.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return "", false, err
	}
	h, err := r.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		return "", false, fmt.Errorf("write the commit: %w", err)
	}
	ref := plumbing.NewBranchReferenceName(branch)
	if err := r.repo.Storer.SetReference(plumbing.NewHashReference(ref, h)); err != nil {
		return "", false, fmt.Errorf("set branch %s: %w", branch, err)
	}
	if heads[branch] == h.String() {
		return h.String(), false, nil
	}
	if err := r.push(ctx, o, gitconfig.RefSpec("+"+ref+":"+ref)); err != nil {
		return "", false, err
	}
	return h.String(), true, nil
}

// DeleteRemoteBranch deletes a branch of origin, and the local branch of
// that name, as when what it proposed is no longer needed.
func (r *Repo) DeleteRemoteBranch(ctx context.Context, o *Remote, branch, base string) error {
	if branch == base {
		return fmt.Errorf("refusing to delete the base branch %s", base)
	}
	if err := r.push(ctx, o, gitconfig.RefSpec(":"+plumbing.NewBranchReferenceName(branch))); err != nil {
		return err
	}
	if r.HasBranch(branch) {
		return r.DeleteBranch(branch)
	}
	return nil
}

func (r *Repo) push(ctx context.Context, o *Remote, spec gitconfig.RefSpec) error {
	err := r.repo.PushContext(ctx, &git.PushOptions{RemoteURL: o.url, Auth: o.auth(), RefSpecs: []gitconfig.RefSpec{spec}})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return fmt.Errorf("push %s to %s: %w", spec.Dst(""), o.URL(), o.scrub(err))
	}
	return nil
}
