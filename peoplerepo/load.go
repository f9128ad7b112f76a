package peoplerepo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/prodaccess/prodaccess/internal/gitpack"
	"github.com/prodaccess/prodaccess/internal/gittree"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
)

// fileBlob is a person file as messages name it (the people folder's
// label joined with its name), and a blob written to it.
type fileBlob struct {
	file string
	blob plumbing.Hash
}

// People reads the person files of the folder rel (a slash-separated path
// in the repository) at rev, as personfile.LoadPeople reads them from a
// folder, with label naming the folder in problems. The blobs are read in
// one pass, one after another, while the files already read are parsed on
// every processor. What it read is kept for the run: Authority reads no
// blob of these files again, and parses none again.
//
// Nothing else may read the repository while it runs.
func (r *Repo) People(rev *Revision, rel, label string) ([]*model.Person, error) {
	sub, tree := rev.FS, rev.Tree
	if rel != "." {
		var err error
		if sub, err = fs.Sub(rev.FS, rel); err != nil {
			return nil, err
		}
		if g, ok := sub.(gittree.FS); ok {
			tree = g.Tree() // decoded once, by Sub
		} else if tree, err = rev.Tree.Tree(rel); err != nil {
			return nil, err
		}
	}
	entries, err := fs.ReadDir(sub, ".")
	if err != nil {
		return nil, fmt.Errorf("read people folder %s: %w", label, err)
	}
	blobs := make(map[string]plumbing.Hash, len(tree.Entries))
	for _, e := range tree.Entries {
		blobs[e.Name] = e.Hash
	}
	var names []string
	var roles []bool
	var parsed []*model.Person // set before the first file is parsed
	read := func(ns []string, got func(int, []byte)) error {
		names, roles, parsed = ns, make([]bool, len(ns)), make([]*model.Person, len(ns))
		failed := func(i int, err error) error {
			return fmt.Errorf("read %s: %w", path.Join(label, ns[i]), &fs.PathError{Op: "open", Path: ns[i], Err: err})
		}
		hashes := make([]gitpack.Hash, len(ns))
		for i, name := range ns {
			hashes[i] = blobs[name]
		}
		// Most blobs are in pack files, read in the order stored; go-git
		// reads the rest (loose objects, packs gitpack does not read).
		missing, err := r.packs().Blobs(hashes, personfile.MaxPersonFileSize, func(i int, data []byte, _ int64) error {
			if data == nil {
				data = make([]byte, personfile.MaxPersonFileSize+1) // too large, as personBlob says
			}
			roles[i] = namesApprovingRole(data)
			got(i, data)
			return nil
		})
		if e, ok := errors.AsType[*gitpack.Error](err); ok {
			return failed(e.Index, e.Err)
		}
		if err != nil {
			return err
		}
		for _, i := range missing {
			data, err := r.personBlob(hashes[i])
			if err != nil {
				return failed(i, err)
			}
			roles[i] = namesApprovingRole(data)
			got(i, data)
		}
		return nil
	}
	people, err := personfile.LoadFrom(entries, label, read, func(i int, p *model.Person) { parsed[i] = p })
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.roles == nil {
		r.roles, r.parsed, r.folders = make(map[plumbing.Hash]bool, len(names)), make(map[fileBlob]*model.Person, len(names)), map[folderKey]*object.Tree{}
	}
	r.folders[folderKey{rev.Tree.Hash, rel}] = tree
	for i, name := range names {
		h := blobs[name]
		r.roles[h] = roles[i]
		r.parsed[fileBlob{path.Join(label, name), h}] = parsed[i]
	}
	return people, nil
}

// parsedAt is the person People parsed from blob as the file name of the
// folder label names, or nil if it did not.
func (r *Repo) parsedAt(label, name string, blob plumbing.Hash) *model.Person {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.parsed[fileBlob{path.Join(label, name), blob}]
}

// personBlob reads a blob as a person file: whole, or, when it is larger
// than a person file may be, MaxPersonFileSize+1 bytes that say so.
func (r *Repo) personBlob(h plumbing.Hash) ([]byte, error) {
	o, err := r.repo.Storer.EncodedObject(plumbing.BlobObject, h)
	if err != nil {
		return nil, err
	}
	if o.Size() > personfile.MaxPersonFileSize {
		return make([]byte, personfile.MaxPersonFileSize+1), nil
	}
	rd, err := o.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	data := make([]byte, o.Size())
	if _, err := io.ReadFull(rd, data); err != nil {
		return nil, err
	}
	return data, nil
}

// namesApprovingRole tells whether a person file's bytes name an
// approving role; a file that does not is not read for the authority.
func namesApprovingRole(data []byte) bool {
	return bytes.Contains(data, approverRoles[0]) || bytes.Contains(data, approverRoles[1])
}
