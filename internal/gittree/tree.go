package gittree

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/prodaccess/prodaccess/outcome"
)

// FS presents a git tree as a read-only fs.FS, so that person files are
// read from a commit exactly as from a folder. Symbolic links show as such
// and are not followed; submodules show as irregular files.
//
// It is safe for concurrent use: go-git's trees and object storage are
// not, so every read of them is serialised, and a file is read whole when
// it is opened (a file over MaxFileSize opens and tells its size,
// but cannot be read).
type FS struct {
	tree *object.Tree
	mu   *sync.Mutex
}

// MaxFileSize is the largest file FS opens.
const MaxFileSize = 16 << 20

// New returns an fs.FS over tree.
func New(tree *object.Tree) FS { return FS{tree: tree, mu: new(sync.Mutex)} }

// Tree is the tree the FS presents, for reading its entries without
// decoding it again. Reading objects through it is not serialised with
// the FS's reads.
func (t FS) Tree() *object.Tree { return t.tree }

var (
	_ fs.ReadDirFS = FS{}
	_ fs.SubFS     = FS{}
)

// Sub returns the tree of a folder, so that files in it are found without
// decoding the trees above them again.
func (t FS) Sub(dir string) (fs.FS, error) {
	if !fs.ValidPath(dir) {
		return nil, &fs.PathError{Op: "sub", Path: dir, Err: fs.ErrInvalid}
	}
	if dir == "." {
		return t, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	sub, err := t.tree.Tree(dir)
	if err != nil {
		return nil, &fs.PathError{Op: "sub", Path: dir, Err: fs.ErrNotExist}
	}
	return FS{tree: sub, mu: t.mu}, nil
}

// Open opens a file or folder of the tree.
func (t FS) Open(name string) (fs.File, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return &treeDir{info: treeInfo{name: ".", mode: fs.ModeDir}, tree: t.tree}, nil
	}
	entry, err := t.tree.FindEntry(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	info := infoOf(entry)
	if entry.Mode == filemode.Dir {
		sub, err := t.tree.Tree(name)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &treeDir{info: info, tree: sub}, nil
	}
	if !entry.Mode.IsFile() {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("not a regular file")}
	}
	f, err := t.tree.TreeEntryFile(entry)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	info.size = f.Size
	if f.Size > MaxFileSize {
		// Too large to read, but it opens and says its size, so that a
		// reader can tell one oversized file from a failed read.
		return &treeFile{info: info, err: fmt.Errorf("%s is %d bytes, more than the %d read from git", name, f.Size, MaxFileSize)}, nil
	}
	data, err := readAll(f)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &treeFile{info: info, r: bytes.NewReader(data)}, nil
}

// ReadDir lists a folder of the tree, in git's order (by name).
func (t FS) ReadDir(name string) ([]fs.DirEntry, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tree := t.tree
	if name != "." {
		var err error
		if tree, err = t.tree.Tree(name); err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
		}
	}
	out := make([]fs.DirEntry, len(tree.Entries))
	for i := range tree.Entries {
		out[i] = fs.FileInfoToDirEntry(infoOf(&tree.Entries[i]))
	}
	return out, nil
}

func infoOf(e *object.TreeEntry) treeInfo {
	info := treeInfo{name: path.Base(e.Name)}
	switch e.Mode {
	case filemode.Dir:
		info.mode = fs.ModeDir | 0o755
	case filemode.Symlink:
		info.mode = fs.ModeSymlink | 0o777
	case filemode.Submodule:
		info.mode = fs.ModeIrregular
	case filemode.Executable:
		info.mode = 0o755
	default:
		info.mode = 0o644
	}
	return info
}

type treeInfo struct {
	name string
	mode fs.FileMode
	size int64
}

func (i treeInfo) Name() string       { return i.name }
func (i treeInfo) Size() int64        { return i.size }
func (i treeInfo) Mode() fs.FileMode  { return i.mode }
func (i treeInfo) ModTime() time.Time { return time.Time{} }
func (i treeInfo) IsDir() bool        { return i.mode.IsDir() }
func (i treeInfo) Sys() any           { return nil }

type treeFile struct {
	info treeInfo
	r    *bytes.Reader
	err  error // why the file cannot be read, when it is too large
}

func (f *treeFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *treeFile) Read(b []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	return f.r.Read(b)
}
func (f *treeFile) Close() error { return nil }

type treeDir struct {
	info treeInfo
	tree *object.Tree
}

func (d *treeDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *treeDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: errors.New("is a directory")}
}
func (d *treeDir) Close() error { return nil }

// ReadBlob reads a whole file of a tree. It is not safe to use on a tree
// that another goroutine reads.
func ReadBlob(tree *object.Tree, name string) ([]byte, error) {
	f, err := tree.File(name)
	if err != nil {
		return nil, err
	}
	return readAll(f)
}

func readAll(f *object.File) ([]byte, error) {
	r, err := f.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(r)
	return b.Bytes(), err
}

// CommitOf is a commit as an audit shows it.
func CommitOf(c *object.Commit) outcome.Commit {
	subject, _, _ := strings.Cut(c.Message, "\n")
	// A commit's message names no pull request that counts: anyone who
	// pushes can write "Merge pull request #99". The pull request comes
	// from the evidence.
	return outcome.Commit{SHA: c.Hash.String(), When: c.Committer.When, Author: c.Author.Name, Subject: strings.TrimSpace(subject)}
}
