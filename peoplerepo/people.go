package peoplerepo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/prodaccess/prodaccess/internal/gitpack"
	"github.com/prodaccess/prodaccess/internal/gittree"
	"github.com/prodaccess/prodaccess/model"
)

// Repo is the git repository that holds the person files. Plans are
// made from what is committed, never from the working tree, so that what
// was applied can always be traced to a commit.
type Repo struct {
	repo *git.Repository
	root string // the top folder of the working tree

	// objects is git's cache of the objects read, nil when it is not
	// go-git's own on-disk storage.
	objects *cache.ObjectLRU
	// packs maps the repository's pack files, on the first call, for
	// People to read blobs from (none for a storage that is not on disk).
	packs func() *gitpack.Packs

	mu    sync.Mutex
	lines map[plumbing.Hash][]*LineCommit // the first-parent lines read, by tip, kept for the run
	walks map[walkKey]*walked             // the first-parent lines walked, kept for the run
	// authorities is what Authority answered, kept for the run.
	authorities map[authorityKey]authorityRead
	// held is the keys of the entries of each person file the timeline
	// parsed, once keepHeld is set (History.KeepParsed), for Introduced.
	held     map[heldKey]map[string]bool
	keepHeld atomic.Bool
	// roles and parsed are what People read: whether each blob names an
	// approving role, and the person parsed from each file and blob.
	roles  map[plumbing.Hash]bool
	parsed map[fileBlob]*model.Person
	// folders is the tree of each folder People read, by the root tree
	// it is in, for UncommittedIn: the people folder's tree is decoded
	// once a run.
	folders map[folderKey]*object.Tree
}

// folderKey names a folder of a tree.
type folderKey struct {
	root plumbing.Hash
	dir  string
}

// Revision is the repository's tree at one commit.
type Revision struct {
	Commit *object.Commit
	Tree   *object.Tree
	FS     fs.FS // the whole tree, read-only
}

// Open opens the repository that holds dir.
func Open(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	repo, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return nil, fmt.Errorf("open the git repository that holds %s: %w", dir, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, fmt.Errorf("open the git repository that holds %s: %w", dir, err)
	}
	// Walking the history reads thousands of objects from a few pack
	// files: keep a few of them open rather than open a pack file for
	// each object.
	var objects *cache.ObjectLRU
	if st, ok := repo.Storer.(*filesystem.Storage); ok {
		objects = cache.NewObjectLRUDefault()
		keep := filesystem.NewStorageWithOptions(st.Filesystem(), objects, filesystem.Options{MaxOpenDescriptors: 8})
		if repo, err = git.Open(keep, wt.Filesystem); err != nil {
			return nil, fmt.Errorf("open the git repository that holds %s: %w", dir, err)
		}
		if wt, err = repo.Worktree(); err != nil {
			return nil, fmt.Errorf("open the git repository that holds %s: %w", dir, err)
		}
	}
	root, err := filepath.EvalSymlinks(wt.Filesystem.Root())
	if err != nil {
		return nil, err
	}
	r := &Repo{repo: repo, root: root, objects: objects, packs: func() *gitpack.Packs { return &gitpack.Packs{} }}
	if st, ok := repo.Storer.(*filesystem.Storage); ok {
		// The pack files kept open are closed when the Repo is no longer
		// used, not only when the process ends.
		runtime.AddCleanup(r, func(st *filesystem.Storage) { st.Close() }, st)
		r.packs = sync.OnceValue(func() *gitpack.Packs {
			packs, err := gitpack.Open(filepath.Join(st.Filesystem().Root(), "objects"))
			if err != nil {
				return &gitpack.Packs{} // go-git reads every blob, and says what is wrong
			}
			runtime.AddCleanup(r, func(p *gitpack.Packs) { _ = p.Close() }, packs)
			return packs
		})
	}
	return r, nil
}

// Rel returns where a file or folder on disk is inside the repository, as
// a slash-separated path.
func (r *Repo) Rel(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	rel, err := filepath.Rel(r.root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the git repository at %s", p, r.root)
	}
	return filepath.ToSlash(rel), nil
}

// Head returns the revision HEAD points at.
func (r *Repo) Head() (*Revision, error) {
	ref, err := r.repo.Head()
	if err != nil {
		return nil, fmt.Errorf("read HEAD of the people repository: %w", err)
	}
	return r.revision(ref.Hash())
}

func (r *Repo) revision(h plumbing.Hash) (*Revision, error) {
	c, err := r.repo.CommitObject(h)
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", h, err)
	}
	tree, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read the tree of commit %s: %w", h, err)
	}
	return &Revision{Commit: c, Tree: tree, FS: gittree.New(tree)}, nil
}

// Before returns the last commit on HEAD's first-parent line that was
// committed before t, or nil when there is none.
func (r *Repo) Before(t time.Time) (*Revision, error) {
	head, err := r.Head()
	if err != nil {
		return nil, err
	}
	for c := head.Commit; ; {
		if c.Committer.When.Before(t) {
			return r.revision(c.Hash)
		}
		if c.NumParents() == 0 {
			return nil, nil
		}
		if c, err = c.Parent(0); err != nil {
			return nil, r.historyError(fmt.Errorf("walk the history of the people repository: %w", err))
		}
	}
}

// Uncommitted lists the files under dir (a slash-separated path in the
// repository) whose working copy differs from HEAD: added, changed or
// deleted and not committed. As git status does, it reads only the files
// whose size or modification time differ from what git's index recorded
// for them, or that were modified no earlier than the index was written
// (racily clean, in git's words); for the others the index's blob is the
// file's. It is a warning to the user, never what a plan is made from.
func (r *Repo) Uncommitted(dir string) ([]string, error) {
	return r.UncommittedIn(r.ScanFolder(dir))
}

// UncommittedIn is Uncommitted of a folder scanned before.
func (r *Repo) UncommittedIn(scan *FolderScan) ([]string, error) {
	if scan.err != nil {
		return nil, scan.err
	}
	head, err := r.Head()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	sub, ok := r.folders[folderKey{head.Tree.Hash, scan.dir}]
	r.mu.Unlock()
	switch {
	case ok:
	case scan.dir == ".":
		sub = head.Tree // go-git's Tree(".") finds no folder
	default:
		if sub, err = head.Tree.Tree(scan.dir); errors.Is(err, object.ErrDirectoryNotFound) {
			sub = nil // nothing committed in it
		} else if err != nil {
			return nil, err
		}
	}
	return scan.against(sub), nil
}

// FolderScan is what Uncommitted learns of a folder from the disk and
// git's index: the blob each file of it would be if committed.
type FolderScan struct {
	dir   string
	blobs map[string]plumbing.Hash // by file name
	err   error
}

// ScanFolder reads dir (a slash-separated path in the repository) in the
// working tree, for Uncommitted. It reads no object of the repository, so
// it may run while another goroutine reads them (go-git's object storage
// is not safe for concurrent use): a plan scans the people folder while it
// loads the committed person files.
func (r *Repo) ScanFolder(dir string) *FolderScan {
	s := &FolderScan{dir: dir}
	entries, err := os.ReadDir(filepath.Join(r.root, filepath.FromSlash(dir)))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.err = err
		return s
	}
	s.blobs = make(map[string]plumbing.Hash, len(entries))
	clean := r.statClean(dir)
	for _, e := range entries {
		p := filepath.Join(r.root, filepath.FromSlash(dir), e.Name())
		var data []byte
		switch {
		case e.Type().IsRegular():
			if h, ok := clean(e); ok {
				s.blobs[e.Name()] = h
				continue
			}
			if data, err = os.ReadFile(p); err != nil {
				s.err = err
				return s
			}
		case e.Type()&fs.ModeSymlink != 0:
			// git keeps a link as a blob holding where it points.
			target, err := os.Readlink(p)
			if err != nil {
				s.err = err
				return s
			}
			data = []byte(target)
		default:
			continue
		}
		s.blobs[e.Name()] = plumbing.ComputeHash(plumbing.BlobObject, data)
	}
	return s
}

// against lists the files of the scanned folder whose working copy
// differs from sub, the folder's committed tree (nil when nothing is
// committed in it): added, changed or deleted.
func (s *FolderScan) against(sub *object.Tree) []string {
	var committed map[string]plumbing.Hash
	if sub != nil {
		committed = make(map[string]plumbing.Hash, len(sub.Entries))
		for _, e := range sub.Entries {
			if e.Mode.IsFile() {
				committed[e.Name] = e.Hash
			}
		}
	}
	var out []string
	for name, h := range s.blobs {
		if c, found := committed[name]; !found || c != h {
			out = append(out, path.Join(s.dir, name))
		}
		delete(committed, name)
	}
	for name := range committed {
		out = append(out, path.Join(s.dir, name))
	}
	slices.Sort(out)
	return out
}

// statClean returns, for a regular file of dir in the working tree, the
// blob the index records for it when the file's size and modification
// time are the ones recorded and it was modified before the index was
// written; ok is false when the file must be read to know (or the index
// cannot be read, or has no entry for it).
func (r *Repo) statClean(dir string) func(fs.DirEntry) (plumbing.Hash, bool) {
	none := func(fs.DirEntry) (plumbing.Hash, bool) { return plumbing.ZeroHash, false }
	st, ok := r.repo.Storer.(*filesystem.Storage)
	if !ok {
		return none
	}
	written, err := st.Filesystem().Stat("index")
	if err != nil {
		return none
	}
	idx, err := r.repo.Storer.Index()
	if err != nil {
		return none
	}
	prefix := strings.TrimSuffix(dir, "/") + "/"
	if dir == "" || dir == "." {
		prefix = ""
	}
	byName := make(map[string]*index.Entry, len(idx.Entries))
	for _, e := range idx.Entries {
		// Stage 0 is a file with no merge conflict (go-git's constant
		// index.Merged is 1, which is a conflict's common ancestor).
		if name, ok := strings.CutPrefix(e.Name, prefix); ok && !strings.Contains(name, "/") && e.Stage == 0 && !e.SkipWorktree && !e.IntentToAdd {
			byName[name] = e
		}
	}
	return func(d fs.DirEntry) (plumbing.Hash, bool) {
		e := byName[d.Name()]
		if e == nil || !e.Mode.IsFile() || e.Mode == filemode.Symlink {
			return plumbing.ZeroHash, false
		}
		info, err := d.Info()
		if err != nil || !info.Mode().IsRegular() || uint32(info.Size()) != e.Size || info.Size() > 1<<32-1 ||
			!info.ModTime().Equal(e.ModifiedAt) || !info.ModTime().Before(written.ModTime()) {
			return plumbing.ZeroHash, false
		}
		return e.Hash, true
	}
}

// Staged reports whether git's index holds the file (a slash-separated
// path in the repository), as after git add.
func (r *Repo) Staged(file string) bool {
	idx, err := r.repo.Storer.Index()
	if err != nil {
		return false
	}
	_, err = idx.Entry(file)
	return err == nil
}

// Resolve returns the revision a name such as a branch, tag, commit or
// "HEAD~2" points at.
func (r *Repo) Resolve(rev string) (*Revision, error) {
	h, err := r.repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("no revision %q in the people repository: %w", rev, err)
	}
	return r.revision(*h)
}

// historyError explains a missing object in a shallow clone, where it means
// the history was never fetched, not that the repository is broken.
func (r *Repo) historyError(err error) error {
	if !errors.Is(err, plumbing.ErrObjectNotFound) {
		return err
	}
	if shallow, serr := r.repo.Storer.Shallow(); serr != nil || len(shallow) == 0 {
		return err
	}
	return fmt.Errorf("the people repository is a shallow clone and this needs its history: fetch it (git fetch --unshallow, or fetch-depth: 0 with actions/checkout): %w", err)
}
