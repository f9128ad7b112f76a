package gitfile

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/internal/gittree"
	"github.com/prodaccess/prodaccess/outcome"
)

// RecordHistory reads the history of a manual target's record: every
// version of the file on the first-parent line of its branch, oldest
// first, one for each commit that changed it. It answers "who held the
// access on day D", as merges of the record's pull requests wrote it. A
// version that does not read is an error: an audit is never made from a
// guess. token is used over https only.
func RecordHistory(ctx context.Context, t *config.Target, token string) ([]outcome.RecordVersion, error) {
	if t.Record == nil {
		return nil, fmt.Errorf("target %s has no record", t.Name)
	}
	v := recordView(t)
	r := &Repo{url: v.Repo, branch: v.Branch, opts: Options{Token: token}}
	repo, head, err := r.clone(ctx)
	if err != nil {
		return nil, err
	}
	var line []*object.Commit
	for hash := head; ; {
		c, err := repo.CommitObject(hash)
		if err != nil {
			return nil, fmt.Errorf("%s: read commit %s: %w", r.display(), hash, err)
		}
		line = append(line, c)
		if c.NumParents() == 0 {
			break
		}
		hash = c.ParentHashes[0]
	}
	var out []outcome.RecordVersion
	last, first := plumbing.ZeroHash, true
	for i := len(line) - 1; i >= 0; i-- {
		c := line[i]
		tree, err := c.Tree()
		if err != nil {
			return nil, fmt.Errorf("%s: read the tree of %s: %w", r.display(), c.Hash, err)
		}
		blob := plumbing.ZeroHash
		f, err := tree.File(v.Path)
		switch {
		case err == nil:
			blob = f.Hash
		case !errors.Is(err, object.ErrFileNotFound):
			return nil, fmt.Errorf("%s: read %s at %s: %w", r.display(), v.Path, c.Hash, err)
		}
		if blob == last && !first {
			continue
		}
		first, last = false, blob
		version := outcome.RecordVersion{Commit: gittree.CommitOf(c), Entries: []outcome.Entry{}}
		if !blob.IsZero() {
			content, err := gittree.ReadBlob(tree, v.Path)
			if err != nil {
				return nil, fmt.Errorf("%s: read %s at %s: %w", r.display(), v.Path, c.Hash, err)
			}
			if version.Entries, err = readEntries(lines{}, content); err != nil {
				return nil, fmt.Errorf("target %s: %s at commit %s: %w", t.Name, v.Path, c.Hash, err)
			}
		}
		out = append(out, version)
	}
	return out, nil
}
