package peoplerepo

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/prodaccess/prodaccess/model"
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

// KeepParsed makes the repository keep, for the rest of the run, the keys
// of the entries of every person file the timeline parses from this
// history (see Parsed), so that Introduced parses none of them again: an
// audit's report asks it, after the timeline, where each entry of every
// person was written. A timeline alone keeps nothing.
func (h *History) KeepParsed() { h.r.keepHeld.Store(true) }

var _ reconciler.ParseKeeper = (*History)(nil)

// Parsed keeps the keys of the entries p's file holds, by the file and
// its blob, once KeepParsed was called. It may be called from any
// goroutine.
func (h *History) Parsed(label, name string, blob reconciler.ObjectID, p *model.Person) {
	if !h.r.keepHeld.Load() {
		return
	}
	held := heldOf(p)
	h.r.mu.Lock()
	defer h.r.mu.Unlock()
	if h.r.held == nil {
		h.r.held = map[heldKey]map[string]bool{}
	}
	h.r.held[heldKey{label, name, plumbing.Hash(blob)}] = held
}

// Commits lists the first-parent commits, oldest first.
func (h *History) Commits() ([]outcome.Commit, error) { return h.r.Line(h.tip) }

// Walk visits the first-parent commits, oldest first, each with what it
// changed in the people folder since its parent, from the run's one walk
// of the line (see Repo.walk).
func (h *History) Walk(visit func(*reconciler.HistoryStep) error) error {
	w, err := h.r.walk(h.tip, h.peopleDir, h.configPath)
	if err != nil {
		return err
	}
	for i := range w.steps {
		st := &w.steps[i]
		c := st.Commit.audited()
		if err := visit(&reconciler.HistoryStep{Commit: &c, PeopleTree: reconciler.ObjectID(st.PeopleTree), Config: reconciler.ObjectID(st.Config), Changes: historyChanges(st.Entries)}); err != nil {
			return err
		}
	}
	return nil
}

// historyChanges are a step's changed entries as the timeline reads them:
// one a name, in name order, each kind of entry with its file mode; an
// entry whose object and kind stay the same (a file made executable) is
// no change.
func historyChanges(changes []EntryChange) []reconciler.HistoryChange {
	out := make([]reconciler.HistoryChange, 0, len(changes))
	for _, c := range changes {
		out = append(out, reconciler.HistoryChange{Old: historyEntry(c.Name, c.Old), New: historyEntry(c.Name, c.New)})
	}
	name := func(c reconciler.HistoryChange) string {
		if c.New.Name != "" {
			return c.New.Name
		}
		return c.Old.Name
	}
	slices.SortStableFunc(out, func(a, b reconciler.HistoryChange) int { return strings.Compare(name(a), name(b)) })
	// A name that is a folder on one side only comes twice: once gone,
	// once added.
	merged := out[:0]
	for _, c := range out {
		if n := len(merged); n > 0 && name(merged[n-1]) == name(c) {
			if c.Old.Name != "" {
				merged[n-1].Old = c.Old
			}
			if c.New.Name != "" {
				merged[n-1].New = c.New
			}
			c = merged[n-1]
			merged = merged[:n-1]
		}
		if c.Old != c.New {
			merged = append(merged, c)
		}
	}
	return merged
}

// historyEntry is a tree entry as the timeline reads it: a folder,
// symbolic link or submodule by its file mode, any file as a regular one;
// the zero HistoryEntry when there is none.
func historyEntry(name string, it TreeItem) reconciler.HistoryEntry {
	if it.Mode == 0 {
		return reconciler.HistoryEntry{}
	}
	var mode fs.FileMode
	switch it.Mode {
	case filemode.Dir:
		mode = fs.ModeDir
	case filemode.Symlink:
		mode = fs.ModeSymlink
	case filemode.Submodule:
		mode = fs.ModeIrregular
	}
	return reconciler.HistoryEntry{Name: name, Blob: reconciler.ObjectID(it.Hash), Mode: mode}
}

// Blob reads at most limit bytes of a blob.
func (h *History) Blob(id reconciler.ObjectID, limit int) ([]byte, error) {
	return h.r.blob(plumbing.Hash(id), int64(limit))
}
