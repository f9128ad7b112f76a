package peoplerepo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/prodaccess/prodaccess/outcome"
)

// The people branch's history is read along its first-parent line, the
// line of commits the branch itself held: each merge of a pull request is
// one step. A walk compares each commit's trees with its parent's as git
// stores them, without decoding a folder of thousands of person files into
// objects, so that only what changed is read.

// Step is one commit of the first-parent line and what it changed since
// its first parent: the configuration file, and the person files.
type Step struct {
	Commit *LineCommit
	// PeopleTree is the people folder's tree; zero when there is none.
	PeopleTree plumbing.Hash
	// Config is the blob of the configuration file; zero when there is
	// none. ConfigChanged says it differs from the parent's.
	Config        plumbing.Hash
	ConfigChanged bool
	// People are the files of the people folder whose blob differs from
	// the parent's, in name order.
	People []FileChange
	// Entries are the entries of the people folder, of any kind (files,
	// folders, symbolic links, submodules), whose mode or object differs
	// from the parent's, in the folder's order: a name that is a folder
	// on one side only is there twice, once for each side.
	Entries []EntryChange
}

// LineCommit is a commit of the first-parent line, as much of it as the
// history's readers use: a long history's commits are kept for the run.
type LineCommit struct {
	Hash, Tree plumbing.Hash
	When       time.Time // when it was committed
	Author     string    // the author's name
	Subject    string    // the first line of the message
}

// zones shares the time zones of commits: go-git gives each commit's
// time a zone of its own.
type zones map[int]*time.Location

// lineCommit is c as a walk keeps it.
func (z zones) lineCommit(c *object.Commit) *LineCommit {
	when := c.Committer.When
	name, offset := when.Zone()
	if name == "" {
		loc, ok := z[offset]
		if !ok {
			loc = when.Location()
			z[offset] = loc
		}
		when = when.In(loc)
	}
	subject, _, _ := strings.Cut(c.Message, "\n")
	return &LineCommit{Hash: c.Hash, Tree: c.TreeHash, When: when, Author: strings.Clone(c.Author.Name), Subject: strings.Clone(subject)}
}

// FileChange is a file of the people folder that a commit changed; a zero
// hash is a file that is not there on that side. A file that is not a
// regular file (a symlink, a folder) counts as not there.
type FileChange struct {
	Name     string
	Old, New plumbing.Hash
}

// EntryChange is an entry of the people folder that a commit changed, as
// git stores it; a zero side is one without the entry.
type EntryChange struct {
	Name     string
	Old, New TreeItem
}

// TreeItem is the mode and object of a tree entry.
type TreeItem struct {
	Mode filemode.FileMode
	Hash plumbing.Hash
}

// FirstParents returns the first-parent line of tip, oldest first.
func FirstParents(s storer.EncodedObjectStorer, tip plumbing.Hash) ([]*LineCommit, error) {
	var line []*LineCommit
	z := zones{}
	for h := tip; ; {
		c, err := object.GetCommit(s, h)
		if err != nil {
			return nil, fmt.Errorf("read commit %s: %w", h, err)
		}
		line = append(line, z.lineCommit(c))
		if len(c.ParentHashes) == 0 {
			break
		}
		h = c.ParentHashes[0]
	}
	slices.Reverse(line)
	return line, nil
}

// Walk visits each commit of line (oldest first, as FirstParents gives
// it) with what it changed in the configuration file at configPath and in
// the person files of peopleDir (both slash-separated, relative to the
// repository's top; "" or "." for the top). The first commit's changes are
// everything it holds.
func Walk(s storer.EncodedObjectStorer, line []*LineCommit, peopleDir, configPath string, visit func(*Step) error) error {
	return walkFrom(s, nil, line, peopleDir, configPath, visit)
}

// walkFrom is Walk of the part of a line that follows the commit before
// (nil: the part that begins the line).
func walkFrom(s storer.EncodedObjectStorer, before *LineCommit, line []*LineCommit, peopleDir, configPath string, visit func(*Step) error) error {
	w := &walker{s: s}
	var prevPeople, prevConfig plumbing.Hash
	var prevRaw, spare []byte // the stored bytes of prevPeople, and a buffer to read the next into
	if before != nil {
		var err error
		if prevPeople, err = w.find(before.Tree, peopleDir, true); err != nil {
			return fmt.Errorf("read %s at %s: %w", peopleDir, before.Hash, err)
		}
		if prevConfig, err = w.find(before.Tree, configPath, false); err != nil {
			return fmt.Errorf("read %s at %s: %w", configPath, before.Hash, err)
		}
		if prevRaw, err = w.read(prevPeople, nil); err != nil {
			return fmt.Errorf("read %s at %s: %w", peopleDir, before.Hash, err)
		}
	}
	for _, c := range line {
		people, err := w.find(c.Tree, peopleDir, true)
		if err != nil {
			return fmt.Errorf("read %s at %s: %w", peopleDir, c.Hash, err)
		}
		config, err := w.find(c.Tree, configPath, false)
		if err != nil {
			return fmt.Errorf("read %s at %s: %w", configPath, c.Hash, err)
		}
		st := &Step{Commit: c, PeopleTree: people, Config: config, ConfigChanged: config != prevConfig}
		if people != prevPeople {
			raw, err := w.read(people, spare)
			if err != nil {
				return fmt.Errorf("read %s at %s: %w", peopleDir, c.Hash, err)
			}
			if st.Entries, err = diffRaw(prevRaw, raw); err != nil {
				return fmt.Errorf("compare %s at %s with its parent: %w", peopleDir, c.Hash, err)
			}
			st.People = filesOf(st.Entries)
			prevRaw, spare = raw, prevRaw
		}
		if err := visit(st); err != nil {
			return err
		}
		prevPeople, prevConfig = people, config
	}
	return nil
}

// walkKey names a walk: the tip and the paths it follows.
type walkKey struct {
	tip                   plumbing.Hash
	peopleDir, configPath string
}

// walked is each commit's step along the first-parent line of a tip,
// oldest first, kept without their People (see filesOf).
type walked struct {
	steps []Step
}

// walkOf is the run's walk of tip's first-parent line that follows
// peopleDir, whichever configuration file it followed; a walk of the
// people folder alone when there is none.
func (r *Repo) walkOf(tip plumbing.Hash, peopleDir string) (*walked, error) {
	r.mu.Lock()
	for k, w := range r.walks {
		if k.tip == tip && k.peopleDir == path.Clean(peopleDir) {
			r.mu.Unlock()
			return w, nil
		}
	}
	r.mu.Unlock()
	return r.walk(tip, peopleDir, "")
}

// boundCache bounds git's object cache for a run that reads history. A
// walk reads each people tree once, in order, resolving it from trees
// read just before it (git stores a tree as a delta of another, in chains
// up to 50 long), and then each person file that changed once: the cache
// needs to hold a chain of people trees, not the 96 MiB go-git keeps by
// default, which as live memory the garbage collector multiplies (by 5 at
// the GOGC of 400 the command runs with). At least 4 MiB; more for a
// people folder whose tree is over 64 KiB.
func (r *Repo) boundCache(tip plumbing.Hash, peopleDir string) {
	if r.objects == nil {
		return
	}
	size := cache.FileSize(4 * cache.MiByte)
	w := &walker{s: r.repo.Storer}
	c, err := object.GetCommit(r.repo.Storer, tip)
	if err != nil {
		return // the walk says so
	}
	if people, err := w.find(c.TreeHash, peopleDir, true); err == nil && !people.IsZero() {
		if n, err := r.repo.Storer.EncodedObjectSize(people); err == nil {
			size = max(size, cache.FileSize(n)*64)
		}
	}
	r.objects.MaxSize = min(r.objects.MaxSize, size)
}

// walk walks the first-parent line of tip once for the run (see Walk):
// the authority, the timeline and the report all read the same steps,
// which hold only what each commit changed.
func (r *Repo) walk(tip plumbing.Hash, peopleDir, configPath string) (*walked, error) {
	key := walkKey{tip, path.Clean(peopleDir), path.Clean(configPath)}
	r.mu.Lock()
	defer r.mu.Unlock()
	if w, ok := r.walks[key]; ok {
		return w, nil
	}
	// A commit of a line walked is walked: its line is the beginning.
	for k, w := range r.walks {
		if k.peopleDir != key.peopleDir || k.configPath != key.configPath {
			continue
		}
		for i := range w.steps {
			if w.steps[i].Commit.Hash == tip {
				r.walks[key] = &walked{steps: w.steps[: i+1 : i+1]}
				return r.walks[key], nil
			}
		}
	}
	r.boundCache(tip, peopleDir)
	line, err := r.line(tip)
	if err != nil {
		return nil, err
	}
	w := &walked{steps: make([]Step, len(line))}
	err = r.walkParts(line, peopleDir, configPath, w.steps)
	if err != nil {
		what := path.Base(peopleDir)
		if configPath != "" {
			what += " and " + path.Base(configPath)
		}
		return nil, r.historyError(fmt.Errorf("read the history of %s: %w", what, err))
	}
	if r.walks == nil {
		r.walks = map[walkKey]*walked{}
	}
	r.walks[key] = w
	if r.objects != nil {
		// The trees are read: what follows reads person files, mostly
		// once each, which a small cache serves.
		r.objects.Clear()
		r.objects.MaxSize = min(r.objects.MaxSize, afterWalkCache)
	}
	return w, nil
}

// partsOf is how many parts a walk of n commits is read in: one for each
// processor, of 1,000 commits at least, four at most.
var partsOf = func(n int) int { return min(runtime.GOMAXPROCS(0), n/1000, 4) }

// walkParts walks line into steps (as long), in parts side by side on
// every processor for a long line: reading and comparing trees is most of
// a walk, and go-git's storage is read by one goroutine at a time, so each
// part after the first reads its own storage of the same repository.
func (r *Repo) walkParts(line []*LineCommit, peopleDir, configPath string, steps []Step) error {
	st, ok := r.repo.Storer.(*filesystem.Storage)
	parts := partsOf(len(line))
	if !ok || parts < 2 {
		parts = 1
	}
	size := cache.FileSize(4 * cache.MiByte)
	if r.objects != nil {
		size = r.objects.MaxSize
	}
	if r.objects != nil && parts > 1 {
		// The parts share the cache a walk may keep: each part walks
		// commits in order as the whole walk does, a chain of trees at
		// a time.
		size /= cache.FileSize(parts)
		r.objects.MaxSize = size
	}
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for part := range parts {
		start, end := part*len(line)/parts, (part+1)*len(line)/parts
		var before *LineCommit
		if start > 0 {
			before = line[start-1]
		}
		wg.Go(func() {
			var s storer.EncodedObjectStorer = r.repo.Storer
			if part > 0 {
				own := filesystem.NewStorageWithOptions(st.Filesystem(), cache.NewObjectLRU(size), filesystem.Options{MaxOpenDescriptors: 8})
				defer own.Close()
				s = own
			}
			i := start
			errs[part] = walkFrom(s, before, line[start:end], peopleDir, configPath, func(st *Step) error {
				steps[i] = *st
				steps[i].People = nil // filesOf(Entries) gives them again
				i++
				return nil
			})
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// line is the first-parent line of tip, oldest first, read once for the
// run (r.mu held).
func (r *Repo) line(tip plumbing.Hash) ([]*LineCommit, error) {
	if line, ok := r.lines[tip]; ok {
		return line, nil
	}
	line, err := FirstParents(r.repo.Storer, tip)
	if err != nil {
		return nil, r.historyError(err)
	}
	if r.lines == nil {
		r.lines = map[plumbing.Hash][]*LineCommit{}
	}
	r.lines[tip] = line
	return line, nil
}

// Line is the first-parent line of tip, oldest first, as the audit shows commits.
func (r *Repo) Line(tip plumbing.Hash) ([]outcome.Commit, error) {
	r.mu.Lock()
	line, err := r.line(tip)
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	out := make([]outcome.Commit, len(line))
	for i, c := range line {
		out[i] = c.audited()
	}
	return out, nil
}

// audited is the commit as the audit shows it (see gittree.CommitOf).
func (c *LineCommit) audited() outcome.Commit {
	return outcome.Commit{SHA: c.Hash.String(), When: c.When, Author: c.Author, Subject: strings.TrimSpace(c.Subject)}
}

// afterWalkCache bounds git's object cache once history is walked.
const afterWalkCache = 1 * cache.MiByte

type walker struct {
	s storer.EncodedObjectStorer
	// last is the last tree find read, and its bytes: a commit's people
	// folder and configuration file are found from one read of its tree.
	last    plumbing.Hash
	lastRaw []byte
}

// read returns the stored bytes of a tree, in buf when it is large enough.
func (w *walker) read(h plumbing.Hash, buf []byte) ([]byte, error) {
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
	if int64(cap(buf)) < o.Size() {
		buf = make([]byte, o.Size())
	}
	buf = buf[:o.Size()]
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
	mode filemode.FileMode
	hash plumbing.Hash
}

func (e entry) item() TreeItem { return TreeItem{Mode: e.mode, Hash: e.hash} }

var errMalformed = errors.New("a tree entry is malformed")

// next reads the entry at the start of b and returns the rest.
func next(b []byte) (entry, []byte, error) {
	sp := bytes.IndexByte(b, ' ')
	nul := bytes.IndexByte(b, 0)
	if sp <= 0 || nul < sp || len(b) < nul+21 {
		return entry{}, nil, errMalformed
	}
	var mode filemode.FileMode
	for _, c := range b[:sp] {
		if c < '0' || c > '7' {
			return entry{}, nil, errMalformed
		}
		mode = mode<<3 | filemode.FileMode(c-'0')
	}
	e := entry{name: b[sp+1 : nul], mode: mode, dir: mode == filemode.Dir, file: mode == filemode.Regular || mode == filemode.Executable}
	copy(e.hash[:], b[nul+1:nul+21])
	return e, b[nul+21:], nil
}

// entryEnd is the length of the entry at the start of b.
func entryEnd(b []byte) (int, error) {
	nul := bytes.IndexByte(b, 0)
	if nul < 0 || len(b) < nul+21 {
		return 0, errMalformed
	}
	return nul + 21, nil
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
		if h != w.last || w.lastRaw == nil {
			b, err := w.read(h, w.lastRaw)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			w.last, w.lastRaw = h, b
		}
		b := w.lastRaw
		var err error
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

// diffRaw lists the entries that differ between two stored folders
// (either may be empty: no folder), walking both sorted entry lists
// together. A commit changes few files of a large folder: the entries
// before the first byte that differs and after the last are the same on
// both sides, and are skipped without being decoded.
func diffRaw(a, b []byte) ([]EntryChange, error) {
	// Skip the entries that lie wholly within the common prefix: up to
	// there both sides hold the same bytes, so the same entries.
	prefix := commonPrefix(a, b)
	start := 0
	for start < len(a) {
		n, err := entryEnd(a[start:])
		if err != nil {
			return nil, err
		}
		if start+n > prefix {
			break
		}
		start += n
	}
	a, b = a[start:], b[start:]
	// Once both rests are as long as each other and within the common
	// suffix, they are the same.
	suffix := commonSuffix(a, b)
	var out []EntryChange
	var err error
	var ea, eb entry
	haveA, haveB := false, false
	for {
		if !haveA && !haveB && len(a) == len(b) && len(a) <= suffix {
			return out, nil
		}
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
			out = append(out, EntryChange{Name: string(ea.name), Old: ea.item()})
			haveA = false
		case cmp > 0: // only in new
			out = append(out, EntryChange{Name: string(eb.name), New: eb.item()})
			haveB = false
		default:
			if ea.item() != eb.item() {
				out = append(out, EntryChange{Name: string(ea.name), Old: ea.item(), New: eb.item()})
			}
			haveA, haveB = false, false
		}
	}
}

// filesOf is the changes to regular files among entry changes: a side
// that is not a regular (or executable) file counts as no file.
func filesOf(changes []EntryChange) []FileChange {
	return fileChanges(changes, func(m filemode.FileMode) bool { return m == filemode.Regular || m == filemode.Executable })
}

// fileChanges is the changes to files among entry changes, file telling
// which modes are files: a side that is not counts as no file.
func fileChanges(changes []EntryChange, file func(filemode.FileMode) bool) []FileChange {
	out := make([]FileChange, 0, len(changes)) // the first commit's are the whole folder
	for _, c := range changes {
		var o, n plumbing.Hash
		if file(c.Old.Mode) {
			o = c.Old.Hash
		}
		if file(c.New.Mode) {
			n = c.New.Hash
		}
		if o != n {
			out = append(out, FileChange{Name: c.Name, Old: o, New: n})
		}
	}
	return out
}

// commonPrefix is the length of the longest common prefix of a and b.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for ; i+8 <= n; i += 8 {
		if binary.LittleEndian.Uint64(a[i:]) != binary.LittleEndian.Uint64(b[i:]) {
			break
		}
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// commonSuffix is the length of the longest common suffix of a and b.
func commonSuffix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for ; i+8 <= n; i += 8 {
		if binary.LittleEndian.Uint64(a[len(a)-i-8:]) != binary.LittleEndian.Uint64(b[len(b)-i-8:]) {
			break
		}
	}
	for i < n && a[len(a)-i-1] == b[len(b)-i-1] {
		i++
	}
	return i
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
