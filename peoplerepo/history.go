package peoplerepo

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/prodaccess/prodaccess/internal/gittree"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/reconciler"
)

// History is the main line of a branch of the people repository, read from
// git objects.
type History struct {
	r          *Repo
	tip        plumbing.Hash
	peopleDir  string
	configPath string
}

var _ reconciler.History = (*History)(nil)

// Branch finds the commit a branch points at. An empty name means the
// remote's main branch: origin/HEAD, origin/main, then main, then HEAD.
func (r *Repo) Branch(name string) (plumbing.Hash, string, error) {
	var tries []string
	if name == "" {
		if ref, err := r.repo.Reference("refs/remotes/origin/HEAD", true); err == nil {
			return ref.Hash(), strings.TrimPrefix(ref.Name().String(), "refs/remotes/"), nil
		}
		tries = []string{"refs/remotes/origin/main", "refs/heads/main", "HEAD"}
	} else {
		tries = []string{"refs/remotes/origin/" + name, "refs/heads/" + name, name}
	}
	for _, t := range tries {
		if h, err := r.repo.ResolveRevision(plumbing.Revision(t)); err == nil {
			return *h, strings.TrimPrefix(strings.TrimPrefix(t, "refs/remotes/"), "refs/heads/"), nil
		}
	}
	return plumbing.ZeroHash, "", fmt.Errorf("no branch %q in the people repository", name)
}

// History returns the history of a branch (see Branch); peopleDir and
// configPath are slash-separated paths in the repository.
func (r *Repo) History(branch, peopleDir, configPath string) (*History, string, error) {
	tip, name, err := r.Branch(branch)
	if err != nil {
		return nil, "", err
	}
	return &History{r: r, tip: tip, peopleDir: peopleDir, configPath: configPath}, name, nil
}

// Revision returns the tree at a commit of the history.
func (h *History) Revision(sha string) (*Revision, error) {
	return h.r.revision(plumbing.NewHash(sha))
}

// Commits lists the first-parent commits, oldest first.
func (h *History) Commits() ([]outcome.Commit, error) {
	var out []outcome.Commit
	for hash := h.tip; ; {
		c, err := h.r.repo.CommitObject(hash)
		if err != nil {
			return nil, h.r.historyError(fmt.Errorf("read commit %s: %w", hash, err))
		}
		out = append(out, gittree.CommitOf(c))
		if c.NumParents() == 0 {
			break
		}
		hash = c.ParentHashes[0]
	}
	slices.Reverse(out)
	return out, nil
}

// Tree returns the people folder's tree and the configuration's blob.
func (h *History) Tree(sha string) (people, config reconciler.ObjectID, err error) {
	c, err := h.r.repo.CommitObject(plumbing.NewHash(sha))
	if err != nil {
		return people, config, fmt.Errorf("read commit %s: %w", sha, err)
	}
	tree, err := c.Tree()
	if err != nil {
		return people, config, fmt.Errorf("read the tree of %s: %w", sha, err)
	}
	find := func(p string) (reconciler.ObjectID, error) {
		if p == "." || p == "" {
			return reconciler.ObjectID(tree.Hash), nil
		}
		e, err := tree.FindEntry(p)
		if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
			return reconciler.ObjectID{}, nil
		}
		if err != nil {
			return reconciler.ObjectID{}, fmt.Errorf("read %s at %s: %w", p, sha, err)
		}
		return reconciler.ObjectID(e.Hash), nil
	}
	if people, err = find(h.peopleDir); err != nil {
		return people, config, err
	}
	config, err = find(h.configPath)
	return people, config, err
}

// Entries lists a people folder tree.
func (h *History) Entries(id reconciler.ObjectID) ([]reconciler.HistoryEntry, error) {
	if id == (reconciler.ObjectID{}) {
		return nil, nil
	}
	tree, err := object.GetTree(h.r.repo.Storer, plumbing.Hash(id))
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", id, err)
	}
	out := make([]reconciler.HistoryEntry, len(tree.Entries))
	for i, e := range tree.Entries {
		var mode fs.FileMode
		switch e.Mode {
		case filemode.Dir:
			mode = fs.ModeDir
		case filemode.Symlink:
			mode = fs.ModeSymlink
		case filemode.Submodule:
			mode = fs.ModeIrregular
		}
		out[i] = reconciler.HistoryEntry{Name: e.Name, Blob: reconciler.ObjectID(e.Hash), Mode: mode}
	}
	return out, nil
}

// Blob reads at most limit bytes of a blob.
func (h *History) Blob(id reconciler.ObjectID, limit int) ([]byte, error) {
	return h.r.blob(plumbing.Hash(id), int64(limit))
}
