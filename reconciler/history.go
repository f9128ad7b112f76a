package reconciler

import (
	"io/fs"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// ObjectID is a git object id; the zero id means "absent".
type ObjectID [20]byte

// HistoryEntry is one entry of the people folder at a commit.
type HistoryEntry struct {
	Name string
	Blob ObjectID // the git object id of its content
	Mode fs.FileMode
}

// present reports whether the entry is there: a change's side without
// the entry is the zero HistoryEntry.
func (e HistoryEntry) present() bool { return e.Name != "" }

// HistoryChange is an entry of the people folder that a commit changed:
// Old as it was in the commit's first parent, New as the commit has it;
// the zero HistoryEntry for a side without it.
type HistoryChange struct {
	Old, New HistoryEntry
}

// HistoryStep is one commit of the branch's first-parent line and what it
// changed since its first parent.
type HistoryStep struct {
	// Commit's time is when it was committed: when it took effect on the
	// branch.
	Commit *outcome.Commit
	// PeopleTree is the id of the people folder's tree and Config of the
	// configuration file's blob (zero when absent).
	PeopleTree, Config ObjectID
	// Changes are the entries of the people folder that differ from the
	// first parent's (their object or their kind), one a name, in name
	// order; for the first commit, everything it holds.
	Changes []HistoryChange
}

// ParseKeeper is a History that takes what the timeline parsed of each
// person file it read, so that what later reads the same file (the
// entries' evidence, in an audit's report) parses it no more.
type ParseKeeper interface {
	// Parsed is called, from the goroutine that parsed it, with the
	// person parsed from the file name (with the label of the people
	// folder) whose blob is blob.
	Parsed(label, name string, blob ObjectID, p *model.Person)
}

// History reads the people repository's history straight from git objects,
// never from a working tree. The git provider implements it.
type History interface {
	// Walk visits the branch's first-parent commits, oldest first, and
	// stops at the first error visit returns, which it returns.
	Walk(visit func(*HistoryStep) error) error
	// Blob reads at most limit bytes of a blob.
	Blob(id ObjectID, limit int) ([]byte, error)
}
