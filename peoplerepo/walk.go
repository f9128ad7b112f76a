package peoplerepo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// The people branch's history is read along its first-parent line, the
// line of commits the branch itself held: each merge of a pull request is
// one step. A walk compares each commit's trees with its parent's as git
// stores them, without decoding a folder of thousands of person files into
// objects, so that only what changed is read.

// Step is one commit of the first-parent line and what it changed since
// its first parent: the configuration file, and the person files.
type Step struct {
	Commit *object.Commit
	// Config is the blob of the configuration file; zero when there is
	// none. ConfigChanged says it differs from the parent's.
	Config        plumbing.Hash
	ConfigChanged bool
	// People are the files of the people folder whose blob differs from
	// the parent's, in name order.
	People []FileChange
}

// FileChange is a file of the people folder that a commit changed; a zero
// hash is a file that is not there on that side. A file that is not a
// regular file (a symlink, a folder) counts as not there.
type FileChange struct {
	Name     string
	Old, New plumbing.Hash
}

// FirstParents returns the first-parent line of tip, oldest first.
func FirstParents(s storer.EncodedObjectStorer, tip plumbing.Hash) ([]*object.Commit, error) {
	var line []*object.Commit
	for h := tip; ; {
		c, err := object.GetCommit(s, h)
		if err != nil {
			return nil, fmt.Errorf("read commit %s: %w", h, err)
		}
		line = append(line, c)
		if len(c.ParentHashes) == 0 {
			break
		}
		h = c.ParentHashes[0]
	}
	for i, j := 0, len(line)-1; i < j; i, j = i+1, j-1 {
		line[i], line[j] = line[j], line[i]
	}
	return line, nil
}

// Walk visits each commit of line (oldest first, as FirstParents gives
// it) with what it changed in the configuration file at configPath and in
// the person files of peopleDir (both slash-separated, relative to the
// repository's top; "" or "." for the top). The first commit's changes are
// everything it holds.
func Walk(s storer.EncodedObjectStorer, line []*object.Commit, peopleDir, configPath string, visit func(*Step) error) error {
	w := &walker{s: s}
	var prevPeople, prevConfig plumbing.Hash
	var prevRaw []byte // the stored bytes of prevPeople
	for _, c := range line {
		people, err := w.find(c.TreeHash, peopleDir, true)
		if err != nil {
			return fmt.Errorf("read %s at %s: %w", peopleDir, c.Hash, err)
		}
		config, err := w.find(c.TreeHash, configPath, false)
		if err != nil {
			return fmt.Errorf("read %s at %s: %w", configPath, c.Hash, err)
		}
		st := &Step{Commit: c, Config: config, ConfigChanged: config != prevConfig}
		if people != prevPeople {
			raw, err := w.raw(people)
			if err != nil {
				return fmt.Errorf("read %s at %s: %w", peopleDir, c.Hash, err)
			}
			if st.People, err = diffRaw(prevRaw, raw); err != nil {
				return fmt.Errorf("compare %s at %s with its parent: %w", peopleDir, c.Hash, err)
			}
			prevRaw = raw
		}
		if err := visit(st); err != nil {
			return err
		}
		prevPeople, prevConfig = people, config
	}
	return nil
}

type walker struct {
	s storer.EncodedObjectStorer
}

// raw returns the stored bytes of a tree.
func (w *walker) raw(h plumbing.Hash) ([]byte, error) {
	if h.IsZero() {
		return nil, nil
	}
	o, err := w.s.EncodedObject(plumbing.TreeObject, h)
	if err != nil {
		return nil, err
	}
	rd, err := o.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	buf := make([]byte, o.Size())
	if _, err := io.ReadFull(rd, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// entry is one entry of a stored tree.
type entry struct {
	name []byte
	dir  bool
	file bool // a regular or executable file
	hash plumbing.Hash
}

// next reads the entry at the start of b and returns the rest.
func next(b []byte) (entry, []byte, error) {
	sp := bytes.IndexByte(b, ' ')
	nul := bytes.IndexByte(b, 0)
	if sp <= 0 || nul < sp || len(b) < nul+21 {
		return entry{}, nil, errors.New("a tree entry is malformed")
	}
	mode := string(b[:sp])
	e := entry{name: b[sp+1 : nul], dir: mode == "40000", file: mode == "100644" || mode == "100755"}
	copy(e.hash[:], b[nul+1:nul+21])
	return e, b[nul+21:], nil
}

// find returns the hash of the folder (dir) or regular file at path under
// the tree root; zero when there is none of that kind.
func (w *walker) find(root plumbing.Hash, path string, dir bool) (plumbing.Hash, error) {
	if path == "" || path == "." {
		if dir {
			return root, nil
		}
		return plumbing.ZeroHash, nil
	}
	parts := strings.Split(path, "/")
	h := root
	for i, part := range parts {
		b, err := w.raw(h)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		last := i == len(parts)-1
		found := plumbing.ZeroHash
		for len(b) > 0 {
			var e entry
			if e, b, err = next(b); err != nil {
				return plumbing.ZeroHash, err
			}
			if string(e.name) != part {
				continue
			}
			if last && (dir && e.dir || !dir && e.file) || !last && e.dir {
				found = e.hash
			}
			break
		}
		if found.IsZero() {
			return found, nil
		}
		h = found
	}
	return h, nil
}

// diffRaw lists the regular files whose blob differs between two stored
// folders (either may be empty: no folder), walking both sorted entry
// lists together. Sub-folders are not person files, and are skipped.
func diffRaw(a, b []byte) ([]FileChange, error) {
	var out []FileChange
	var err error
	var ea, eb entry
	haveA, haveB := false, false
	for {
		if !haveA && len(a) > 0 {
			if ea, a, err = next(a); err != nil {
				return nil, err
			}
			haveA = true
		}
		if !haveB && len(b) > 0 {
			if eb, b, err = next(b); err != nil {
				return nil, err
			}
			haveB = true
		}
		if !haveA && !haveB {
			return out, nil
		}
		cmp := 0
		switch {
		case !haveA:
			cmp = 1
		case !haveB:
			cmp = -1
		default:
			cmp = compareEntries(ea, eb)
		}
		switch {
		case cmp < 0: // only in old
			if ea.file {
				out = append(out, FileChange{Name: string(ea.name), Old: ea.hash})
			}
			haveA = false
		case cmp > 0: // only in new
			if eb.file {
				out = append(out, FileChange{Name: string(eb.name), New: eb.hash})
			}
			haveB = false
		default:
			fa, fb := fileHash(ea), fileHash(eb)
			if fa != fb {
				out = append(out, FileChange{Name: string(ea.name), Old: fa, New: fb})
			}
			haveA, haveB = false, false
		}
	}
}

func fileHash(e entry) plumbing.Hash {
	if e.file {
		return e.hash
	}
	return plumbing.ZeroHash
}

// compareEntries orders tree entries as git does: by name, a folder's
// name as if it ended in "/".
func compareEntries(a, b entry) int {
	an, bn := a.name, b.name
	n := min(len(an), len(bn))
	if c := bytes.Compare(an[:n], bn[:n]); c != 0 {
		return c
	}
	ac, bc := byte(0), byte(0)
	if len(an) > n {
		ac = an[n]
	} else if a.dir {
		ac = '/'
	}
	if len(bn) > n {
		bc = bn[n]
	} else if b.dir {
		bc = '/'
	}
	switch {
	case ac < bc:
		return -1
	case ac > bc:
		return 1
	}
	return 0
}
