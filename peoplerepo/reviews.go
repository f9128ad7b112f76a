package peoplerepo

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/prodaccess/prodaccess/evidence"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
)

// ReviewFile is a review file of the people repository at a commit: what
// it certifies, and the commit that wrote it in its current form, whose
// pull request's approvals sign it off.
type ReviewFile struct {
	Name          string // the file, in the repository
	Certification *evidence.Certification
	// Problem says why the file does not read as a review file; such a
	// file certifies nothing.
	Problem error
	// Wrote is the commit of the first-parent line that wrote the file as
	// it is at the tip.
	Wrote string
}

// Reviews reads every review file (*.yaml) in the folder dir at commit
// tip, each with the commit that wrote it in its current form. A folder
// that is not there holds none.
func (r *Repo) Reviews(tip, dir string) ([]ReviewFile, error) {
	c, err := r.repo.CommitObject(plumbing.NewHash(tip))
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", tip, err)
	}
	blobs, err := r.folderFiles(c, dir)
	if err != nil {
		return nil, err
	}
	var out []ReviewFile
	for _, name := range slices.Sorted(maps.Keys(blobs)) {
		file := path.Join(dir, name)
		rf := ReviewFile{Name: file}
		data, err := r.blob(blobs[name], personfile.MaxReviewFileSize+1)
		if err != nil {
			return nil, fmt.Errorf("read %s at %s: %w", file, model.ShortSHA(tip), err)
		}
		if rf.Certification, rf.Problem = personfile.ParseCertification(file, data); rf.Problem == nil {
			if rf.Wrote, err = r.wrote(c, dir, name, blobs[name]); err != nil {
				return nil, err
			}
		}
		out = append(out, rf)
	}
	return out, nil
}

// wrote walks back the first-parent line from c while the file dir/name
// is the blob, and returns the oldest commit of that run.
func (r *Repo) wrote(c *object.Commit, dir, name string, blob plumbing.Hash) (string, error) {
	for c.NumParents() > 0 {
		parent, err := r.repo.CommitObject(c.ParentHashes[0])
		if err != nil {
			return "", r.historyError(fmt.Errorf("read commit %s, the parent of %s: %w", c.ParentHashes[0], c.Hash, err))
		}
		before, err := r.folderFiles(parent, dir)
		if err != nil {
			return "", err
		}
		if before[name] != blob {
			break
		}
		c = parent
	}
	return c.Hash.String(), nil
}

// folderFiles lists the regular *.yaml files of a folder at a commit.
func (r *Repo) folderFiles(c *object.Commit, dir string) (map[string]plumbing.Hash, error) {
	out := map[string]plumbing.Hash{}
	tree, err := c.Tree()
	if err != nil {
		return nil, r.historyError(fmt.Errorf("read the tree of %s: %w", c.Hash, err))
	}
	if dir != "." && dir != "" {
		tree, err = tree.Tree(dir)
		if errors.Is(err, object.ErrDirectoryNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, r.historyError(fmt.Errorf("read %s at %s: %w", dir, c.Hash, err))
		}
	}
	for _, e := range tree.Entries {
		if (e.Mode == filemode.Regular || e.Mode == filemode.Executable) && path.Ext(e.Name) == ".yaml" {
			out[e.Name] = e.Hash
		}
	}
	return out, nil
}
