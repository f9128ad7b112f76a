package reconciler

import (
	"io/fs"

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

// History reads the people repository's history straight from git objects,
// never from a working tree. The git provider implements it.
type History interface {
	// Commits lists the branch's first-parent commits, oldest first. A
	// commit's time is when it was committed: when it took effect on the
	// branch.
	Commits() ([]outcome.Commit, error)
	// Tree returns, at a commit, the id of the people folder's tree and
	// of the configuration file's blob (zero when absent).
	Tree(sha string) (peopleTree, configBlob ObjectID, err error)
	// Entries lists a people folder tree.
	Entries(peopleTree ObjectID) ([]HistoryEntry, error)
	// Blob reads at most limit bytes of a blob.
	Blob(id ObjectID, limit int) ([]byte, error)
}
