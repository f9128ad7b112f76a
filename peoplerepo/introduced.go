package peoplerepo

import (
	"errors"
	"fmt"
	"io"
	"path"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
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
	// Back from tip, a batch of steps at a time: the files of the names
	// still pending that the batch changed are read, then parsed on every
	// processor, then placed in order. A batch starts small, since the
	// entries of a recent change are placed in a few steps, and doubles.
	atTip := map[string]bool{} // the names whose file at tip was read
	files := map[fileKey]*parsedFile{}
	batch := 16
	for end := len(w.steps); end > 0 && len(pending) > 0; batch = min(2*batch, 1024) {
		start := max(0, end-batch)
		var reads []introRead
		marked := map[string]bool{}
		for i := end - 1; i >= start; i-- {
			for _, f := range personFiles(w.steps[i].Entries) {
				if _, ok := pending[f.Name]; !ok {
					continue
				}
				rd := introRead{step: i, f: f}
				// The last change of a name is its file as tip has it.
				if !atTip[f.Name] && !marked[f.Name] {
					rd.tip, marked[f.Name] = true, true
				}
				reads = append(reads, rd)
			}
		}
		// Each file is read and parsed once: a change reverted gives a
		// file back that was read already.
		var parse []*parsedFile
		want := func(blob plumbing.Hash, name string) (*parsedFile, error) {
			k := fileKey{name, blob}
			if pf, ok := files[k]; ok {
				return pf, nil
			}
			if p := r.parsedAt(label, name, blob); p != nil {
				// The load parsed this file: its entries are known.
				pf := &parsedFile{name: name, held: heldOf(p)}
				files[k] = pf
				return pf, nil
			}
			if held := r.heldAt(label, name, blob); held != nil {
				// The timeline parsed it (History.KeepParsed).
				pf := &parsedFile{name: name, held: held}
				files[k] = pf
				return pf, nil
			}
			data, err := r.personData(blob, label, name)
			if err != nil {
				return nil, err
			}
			pf := &parsedFile{name: name, data: data}
			files[k] = pf
			parse = append(parse, pf)
			return pf, nil
		}
		for k := range reads {
			rd := &reads[k]
			if rd.old, err = want(rd.f.Old, rd.f.Name); err != nil {
				return nil, err
			}
			if rd.tip {
				if rd.now, err = want(rd.f.New, rd.f.Name); err != nil {
					return nil, err
				}
			}
		}
		onEveryProcessor(len(parse), func(k int) {
			pf := parse[k]
			pf.held, pf.data = entryKeys(pf.data, label, pf.name), nil
		})
		for _, rd := range reads {
			es, ok := pending[rd.f.Name]
			if !ok {
				continue
			}
			if rd.tip {
				// Entries tip does not hold have no commit that wrote them.
				atTip[rd.f.Name] = true
				es = slices.DeleteFunc(es, func(e model.EntryRef) bool { return !rd.now.held[e.Key()] })
			}
			var keep []model.EntryRef
			for _, e := range es {
				if rd.old.held[e.Key()] {
					keep = append(keep, e)
				} else {
					found[e.Key()] = w.steps[rd.step].Commit.Hash.String()
				}
			}
			if len(keep) == 0 {
				delete(pending, rd.f.Name)
			} else {
				pending[rd.f.Name] = keep
			}
		}
		end = start
	}
	return found, nil
}

// introRead is a change of a step to a person file that Introduced
// reads: the file before it, and after it for the file as tip has it.
type introRead struct {
	step     int
	f        FileChange
	tip      bool
	old, now *parsedFile
}

// fileKey names a person file's content.
type fileKey struct {
	name string
	blob plumbing.Hash
}

// heldKey names a person file of a folder (by its label), as a blob.
type heldKey struct {
	label, name string
	blob        plumbing.Hash
}

// heldAt is the keys of the entries of the file name at blob that the
// timeline parsed, or nil.
func (r *Repo) heldAt(label, name string, blob plumbing.Hash) map[string]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.held[heldKey{label, name, blob}]
}

// parsedFile is a person file read, and the keys of the entries it holds
// once parsed.
type parsedFile struct {
	name string
	data []byte
	held map[string]bool
}

// onEveryProcessor calls f(0) to f(n-1), on every processor at once.
func onEveryProcessor(n int, f func(int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				f(i)
			}
		})
	}
	wg.Wait()
}

// personFiles are the changes of a step to the files of the people folder
// that Introduced reads, as go-git's FileMode.IsFile tells files (regular,
// executable, symbolic link, or of git's old group-writable mode): a side
// that is anything else counts as no file.
func personFiles(changes []EntryChange) []FileChange {
	return fileChanges(changes, filemode.FileMode.IsFile)
}

// entriesIn returns the keys of the entries a person file blob holds.
func (r *Repo) entriesIn(blob plumbing.Hash, label, name string) (map[string]bool, error) {
	data, err := r.personData(blob, label, name)
	if err != nil {
		return nil, err
	}
	return entryKeys(data, label, name), nil
}

// entriesOf returns the entries a person file blob holds; none for the
// zero hash (no file).
func (r *Repo) entriesOf(blob plumbing.Hash, label, name string) ([]model.EntryRef, error) {
	data, err := r.personData(blob, label, name)
	if err != nil || data == nil {
		return nil, err
	}
	entry, _ := personfile.PersonEntry(label, name, 0)
	return personfile.ParsePerson(entry, data).AllEntries(), nil
}

// personData reads a person file blob, one byte more than a person file
// may hold at most; nil for the zero hash (no file).
func (r *Repo) personData(blob plumbing.Hash, label, name string) ([]byte, error) {
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
	return io.ReadAll(io.LimitReader(rd, personfile.MaxPersonFileSize+1))
}

// entryKeys are the keys of the entries a person file holds; none for no
// file (nil data).
func entryKeys(data []byte, label, name string) map[string]bool {
	if data == nil {
		return map[string]bool{}
	}
	entry, _ := personfile.PersonEntry(label, name, 0)
	return heldOf(personfile.ParsePerson(entry, data))
}

// heldOf is the keys of the entries a person's file holds.
func heldOf(p *model.Person) map[string]bool {
	entries := p.AllEntries()
	held := make(map[string]bool, len(entries))
	for _, e := range entries {
		held[e.Key()] = true
	}
	return held
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
