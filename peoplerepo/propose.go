package peoplerepo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"path"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/internal/gitop"
)

// A change to a person file is proposed on a branch of its own: one
// commit on top of HEAD, made without touching HEAD, the index or the
// working tree, and pushed to origin, never to the base branch.

// Author returns the name and email of the person committing here, as
// git would record them: GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL, else
// user.name and user.email of git's configuration (read with git itself,
// so that every place git keeps it counts). Either is empty when unknown.
func (r *Repo) Author(getenv func(string) string) (name, email string) {
	name, email = getenv("GIT_AUTHOR_NAME"), getenv("GIT_AUTHOR_EMAIL")
	if name == "" {
		name = r.gitConfig("user.name")
	}
	if email == "" {
		email = r.gitConfig("user.email")
	}
	return name, email
}

func (r *Repo) gitConfig(key string) string {
	cmd := exec.Command("git", "config", "--get", key)
	cmd.Dir = r.root
	out, err := cmd.Output()
	if err == nil {
		return strings.TrimSpace(string(out))
	}
	if !errors.Is(err, exec.ErrNotFound) {
		return "" // not set
	}
	// Without git, what go-git reads of the configuration.
	cfg, err := r.repo.ConfigScoped(gitconfig.SystemScope)
	if err != nil {
		return ""
	}
	if key == "user.name" {
		return cfg.User.Name
	}
	return cfg.User.Email
}

// HasBranch reports whether the repository has a local branch of that
// name.
func (r *Repo) HasBranch(branch string) bool {
	_, err := r.repo.Reference(plumbing.NewBranchReferenceName(branch), false)
	return err == nil
}

// CommitFile is CommitFiles for one file.
func (r *Repo) CommitFile(branch, file string, content []byte, message string, author object.Signature) (string, error) {
	return r.CommitFiles(branch, map[string][]byte{file: content}, message, author)
}

// CommitFiles makes one commit on a new local branch, on top of the
// commit HEAD points at, that sets the files (by slash-separated path in
// the repository) to their content. HEAD, the index and the working tree
// are left alone. It refuses a branch that exists already.
func (r *Repo) CommitFiles(branch string, files map[string][]byte, message string, author object.Signature) (string, error) {
	head, err := r.Head()
	if err != nil {
		return "", err
	}
	return r.CommitFilesOn(head, branch, files, message, author)
}

// CommitFilesOn is CommitFiles on top of another commit than HEAD's: the
// tip of a branch a change is stacked on.
func (r *Repo) CommitFilesOn(head *Revision, branch string, files map[string][]byte, message string, author object.Signature) (string, error) {
	ref := plumbing.NewBranchReferenceName(branch)
	if err := config.CheckBranchName(branch); err != nil {
		return "", err
	}
	if r.HasBranch(branch) {
		return "", fmt.Errorf("a branch %s exists already in the people repository; delete it (git branch -D %s) or name another with --branch", branch, branch)
	}
	tree, at := head.Tree, head.Tree.Hash
	for _, file := range slices.Sorted(maps.Keys(files)) {
		blob, err := r.writeObject(plumbing.BlobObject, files[file])
		if err != nil {
			return "", fmt.Errorf("write %s: %w", file, err)
		}
		if at, err = r.replaceInTree(tree, strings.Split(file, "/"), blob); err != nil {
			return "", fmt.Errorf("write the tree with %s: %w", file, err)
		}
		if tree, err = r.repo.TreeObject(at); err != nil {
			return "", fmt.Errorf("read the tree with %s: %w", file, err)
		}
	}
	c := &object.Commit{Author: author, Committer: author, Message: message, TreeHash: at, ParentHashes: []plumbing.Hash{head.Commit.Hash}}
	obj := r.repo.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return "", err
	}
	h, err := r.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		return "", fmt.Errorf("write the commit: %w", err)
	}
	if err := r.repo.Storer.SetReference(plumbing.NewHashReference(ref, h)); err != nil {
		return "", fmt.Errorf("create branch %s: %w", branch, err)
	}
	return h.String(), nil
}

// DeleteBranch removes a local branch, as when its push failed.
func (r *Repo) DeleteBranch(branch string) error {
	return r.repo.Storer.RemoveReference(plumbing.NewBranchReferenceName(branch))
}

// replaceInTree writes the tree t with the file at parts set to blob,
// and returns its hash. Folders on the way are made if missing.
func (r *Repo) replaceInTree(t *object.Tree, parts []string, blob plumbing.Hash) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	if t != nil {
		entries = slices.Clone(t.Entries)
	}
	name := parts[0]
	i := slices.IndexFunc(entries, func(e object.TreeEntry) bool { return e.Name == name })
	entry := object.TreeEntry{Name: name, Mode: filemode.Regular}
	if i >= 0 {
		entry = entries[i]
	}
	if len(parts) == 1 {
		if i >= 0 && !entry.Mode.IsFile() {
			return plumbing.ZeroHash, fmt.Errorf("%s is not a file", name)
		}
		if entry.Mode != filemode.Executable {
			entry.Mode = filemode.Regular
		}
		entry.Hash = blob
	} else {
		var sub *object.Tree
		if i >= 0 {
			if entry.Mode != filemode.Dir {
				return plumbing.ZeroHash, fmt.Errorf("%s is not a folder", name)
			}
			var err error
			if sub, err = t.Tree(name); err != nil {
				return plumbing.ZeroHash, err
			}
		}
		h, err := r.replaceInTree(sub, parts[1:], blob)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entry = object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h}
	}
	if i >= 0 {
		entries[i] = entry
	} else {
		entries = append(entries, entry)
	}
	// git orders a tree's entries by name, a folder's name as if it
	// ended in a slash.
	key := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	slices.SortFunc(entries, func(a, b object.TreeEntry) int { return strings.Compare(key(a), key(b)) })
	return r.writeTree(entries)
}

// RemoteBranches lists origin's branches and the commit each points at.
func (r *Repo) RemoteBranches(ctx context.Context, o *Remote) (map[string]string, error) {
	rem := git.NewRemote(r.repo.Storer, &gitconfig.RemoteConfig{Name: "origin", URLs: []string{o.url}})
	var refs []*plumbing.Reference
	err := gitop.Run(ctx, 0, func(ctx context.Context) (err error) {
		refs, err = rem.ListContext(ctx, &git.ListOptions{})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list the branches of %s: %w", o.URL(), o.scrub(err))
	}
	out := map[string]string{}
	for _, ref := range refs {
		if ref.Name().IsBranch() && ref.Type() == plumbing.HashReference {
			out[ref.Name().Short()] = ref.Hash().String()
		}
	}
	return out, nil
}

// FetchBranch fetches a branch of origin, as refs/remotes/origin/<branch>,
// and returns the revision it points at.
func (r *Repo) FetchBranch(ctx context.Context, o *Remote, branch string) (*Revision, error) {
	if err := config.CheckBranchName(branch); err != nil {
		return nil, err
	}
	local := plumbing.NewRemoteReferenceName("origin", branch)
	err := gitop.Run(ctx, 0, func(ctx context.Context) error {
		return r.repo.FetchContext(ctx, &git.FetchOptions{
			RemoteURL: o.url,
			RefSpecs:  []gitconfig.RefSpec{gitconfig.RefSpec("+" + plumbing.NewBranchReferenceName(branch) + ":" + local)},
		})
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil, fmt.Errorf("fetch %s from %s: %w", branch, o.URL(), o.scrub(err))
	}
	ref, err := r.repo.Reference(local, true)
	if err != nil {
		return nil, fmt.Errorf("fetch %s from %s: %w", branch, o.URL(), err)
	}
	return r.revision(ref.Hash())
}

// PushBranch pushes a local branch to a branch of the same name on
// origin, which must not exist there yet. It never pushes to base.
func (r *Repo) PushBranch(ctx context.Context, o *Remote, branch, base string) error {
	if branch == base {
		return fmt.Errorf("refusing to push to the base branch %s", base)
	}
	ref := plumbing.NewBranchReferenceName(branch)
	err := gitop.Run(ctx, 0, func(ctx context.Context) error {
		return r.repo.PushContext(ctx, &git.PushOptions{
			RemoteURL: o.url,
			RefSpecs:  []gitconfig.RefSpec{gitconfig.RefSpec(ref + ":" + ref)},
		})
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return fmt.Errorf("push %s to %s: %w", branch, o.URL(), o.scrub(err))
	}
	return nil
}

// RelPath joins a folder of the repository and a file name.
func RelPath(dir, name string) string {
	if dir == "." || dir == "" {
		return name
	}
	return path.Join(dir, name)
}
