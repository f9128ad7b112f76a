package peoplerepo

import (
	"errors"
	"fmt"
	"io"
	"path"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
)

// Introduced finds, for each entry, the commit that wrote it in its
// current form: walking back the first-parent line from tip (the people
// branch as merged), the oldest commit of the unbroken run whose person
// file holds the entry. It reads the run's walk of the line (see
// Repo.walk), so only the commits that changed the files of the people
// named are looked at, and only their files read. It returns commit ids
// by EntryRef.Key; an entry that tip does not hold is left out.
func (r *Repo) Introduced(tip string, peopleDir, label string, entries []model.EntryRef) (map[string]string, error) {
	pending := map[string][]model.EntryRef{} // file name → entries still to place
	for _, e := range entries {
		name := e.Person + ".yaml"
		pending[name] = append(pending[name], e)
	}
	found := map[string]string{}
	if len(pending) == 0 {
		return found, nil
	}
	w, err := r.walkOf(plumbing.NewHash(tip), peopleDir)
	if err != nil {
		return nil, err
	}
	atTip := map[string]bool{} // the names whose file at tip was read
	for i := len(w.steps) - 1; i >= 0 && len(pending) > 0; i-- {
		st := &w.steps[i]
		for _, f := range personFiles(st.Entries) {
			es, ok := pending[f.Name]
			if !ok {
				continue
			}
			if !atTip[f.Name] {
				// The last change is the file as tip has it: entries it
				// does not hold have no commit that wrote them.
				atTip[f.Name] = true
				held, err := r.entriesIn(f.New, label, f.Name)
				if err != nil {
					return nil, err
				}
				es = slices.DeleteFunc(es, func(e model.EntryRef) bool { return !held[e.Key()] })
			}
			held, err := r.entriesIn(f.Old, label, f.Name)
			if err != nil {
				return nil, err
			}
			var keep []model.EntryRef
			for _, e := range es {
				if held[e.Key()] {
					keep = append(keep, e)
				} else {
					found[e.Key()] = st.Commit.Hash.String()
				}
			}
			if len(keep) == 0 {
				delete(pending, f.Name)
			} else {
				pending[f.Name] = keep
			}
		}
	}
	return found, nil
}

// personFiles are the changes of a step to the files of the people folder
// that Introduced reads, as go-git's FileMode.IsFile tells files (regular,
// executable, symbolic link, or of git's old group-writable mode): a side
// that is anything else counts as no file.
func personFiles(changes []EntryChange) []FileChange {
	var out []FileChange
	for _, c := range changes {
		o, n := fileItem(c.Old), fileItem(c.New)
		if o != n {
			out = append(out, FileChange{Name: c.Name, Old: o, New: n})
		}
	}
	return out
}

func fileItem(it TreeItem) plumbing.Hash {
	if it.Mode.IsFile() {
		return it.Hash
	}
	return plumbing.ZeroHash
}

// personBlobs returns the blob of each named person file in the people
// folder at commit c; a file that is not there has the zero hash.
func (r *Repo) personBlobs(c *object.Commit, peopleDir string, names map[string][]model.EntryRef) (map[string]plumbing.Hash, error) {
	out := make(map[string]plumbing.Hash, len(names))
	tree, err := c.Tree()
	if err != nil {
		return nil, r.historyError(fmt.Errorf("read the tree of %s: %w", c.Hash, err))
	}
	if peopleDir != "." && peopleDir != "" {
		tree, err = tree.Tree(peopleDir)
		if errors.Is(err, object.ErrDirectoryNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, r.historyError(fmt.Errorf("read %s at %s: %w", peopleDir, c.Hash, err))
		}
	}
	for name := range names {
		e, err := tree.FindEntry(name)
		if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if e.Mode.IsFile() {
			out[name] = e.Hash
		}
	}
	return out, nil
}

// entriesIn returns the keys of the entries a person file blob holds.
func (r *Repo) entriesIn(blob plumbing.Hash, label, name string) (map[string]bool, error) {
	entries, err := r.entriesOf(blob, label, name)
	held := make(map[string]bool, len(entries))
	for _, e := range entries {
		held[e.Key()] = true
	}
	return held, err
}

// entriesOf returns the entries a person file blob holds; none for the
// zero hash (no file).
func (r *Repo) entriesOf(blob plumbing.Hash, label, name string) ([]model.EntryRef, error) {
	if blob.IsZero() {
		return nil, nil
	}
	b, err := r.repo.BlobObject(blob)
	if err != nil {
		return nil, r.historyError(fmt.Errorf("read %s: %w", path.Join(label, name), err))
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	data, err := io.ReadAll(io.LimitReader(rd, personfile.MaxPersonFileSize+1))
	if err != nil {
		return nil, err
	}
	entry, _ := personfile.PersonEntry(label, name, 0)
	return personfile.ParsePerson(entry, data).AllEntries(), nil
}

// FileAt reads a file at a commit of the people repository. found is
// false when the clone does not have the commit (as for the commits of a
// pull request that was squashed), or the file did not exist there.
func (r *Repo) FileAt(sha, file string) (data []byte, found bool, err error) {
	c, err := r.repo.CommitObject(plumbing.NewHash(sha))
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read commit %s: %w", sha, err)
	}
	tree, err := c.Tree()
	if err != nil {
		return nil, false, fmt.Errorf("read the tree of %s: %w", sha, err)
	}
	f, err := tree.File(file)
	if errors.Is(err, object.ErrFileNotFound) || errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrEntryNotFound) {
		// The commit is here and the file is not: it did not exist.
		return nil, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s at %s: %w", file, sha, err)
	}
	if f.Size > personfile.MaxPersonFileSize {
		return nil, true, fmt.Errorf("%s at %s is %d bytes, more than a person file may be", file, sha, f.Size)
	}
	text, err := f.Contents()
	if err != nil {
		return nil, false, fmt.Errorf("read %s at %s: %w", file, sha, err)
	}
	return []byte(text), true, nil
}

// AllIntroduced walks the whole first-parent line back from tip and
// returns, for every commit that wrote entries that need approval, those
// entries: the ones its person files hold and its first parent's do not.
// It reads only the person files whose blob changed.
func (r *Repo) AllIntroduced(tip, peopleDir, label string) (map[string][]model.EntryRef, error) {
	out := map[string][]model.EntryRef{}
	c, err := r.repo.CommitObject(plumbing.NewHash(tip))
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", tip, err)
	}
	files := func(c *object.Commit) (map[string]plumbing.Hash, error) {
		m := map[string]plumbing.Hash{}
		tree, err := c.Tree()
		if err != nil {
			return nil, r.historyError(fmt.Errorf("read the tree of %s: %w", c.Hash, err))
		}
		if peopleDir != "." && peopleDir != "" {
			if tree, err = tree.Tree(peopleDir); errors.Is(err, object.ErrDirectoryNotFound) {
				return m, nil
			} else if err != nil {
				return nil, r.historyError(err)
			}
		}
		for _, e := range tree.Entries {
			if e.Mode.IsFile() && path.Ext(e.Name) == ".yaml" {
				m[e.Name] = e.Hash
			}
		}
		return m, nil
	}
	now, err := files(c)
	if err != nil {
		return nil, err
	}
	for {
		var parent *object.Commit
		before := map[string]plumbing.Hash{}
		if c.NumParents() > 0 {
			if parent, err = r.repo.CommitObject(c.ParentHashes[0]); err != nil {
				return nil, r.historyError(fmt.Errorf("read commit %s, the parent of %s: %w", c.ParentHashes[0], c.Hash, err))
			}
			if before, err = files(parent); err != nil {
				return nil, err
			}
		}
		for name, blob := range now {
			if before[name] == blob {
				continue
			}
			held, err := r.entriesOf(blob, label, name)
			if err != nil {
				return nil, err
			}
			had, err := r.entriesIn(before[name], label, name)
			if err != nil {
				return nil, err
			}
			for _, e := range held {
				if !had[e.Key()] {
					out[c.Hash.String()] = append(out[c.Hash.String()], e)
				}
			}
		}
		if parent == nil {
			return out, nil
		}
		c, now = parent, before
	}
}
