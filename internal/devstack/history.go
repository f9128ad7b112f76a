package devstack

import (
	"bytes"
	"fmt"
	"sort"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/prodaccess/prodaccess/internal/peoplegen"
)

// WriteHistory makes a git repository in dir whose main branch is a linear
// history of the given number of commits over the given number of
// generated people, an hour apart from 2020-01-01 09:00 UTC (see
// WriteHistoryFrom).
func WriteHistory(dir string, people, commits int) error {
	return WriteHistoryFrom(dir, people, commits, time.Date(2020, 1, 1, 9, 0, 0, 0, time.UTC), time.Hour)
}

// WriteHistoryFrom makes a git repository in dir whose main branch is a
// linear history of the given number of commits over the given number of
// generated people, the first committed at start and the others at
// intervals of every. The first commit adds everyone; each later commit
// changes one person's file, in turn: recording a last day (they have
// left), taking it out again, or only touching a comment. Every commit is
// valid. It writes git objects directly, which is far faster than running
// git for each commit.
func WriteHistoryFrom(dir string, people, commits int, start time.Time, every time.Duration) error {
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		return err
	}
	st := repo.Storer
	blob := func(data []byte) (plumbing.Hash, error) {
		o := st.NewEncodedObject()
		o.SetType(plumbing.BlobObject)
		w, err := o.Writer()
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if _, err := w.Write(data); err != nil {
			return plumbing.ZeroHash, err
		}
		if err := w.Close(); err != nil {
			return plumbing.ZeroHash, err
		}
		return st.SetEncodedObject(o)
	}
	tree := func(entries []object.TreeEntry) (plumbing.Hash, error) {
		sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
		o := st.NewEncodedObject()
		if err := (&object.Tree{Entries: entries}).Encode(o); err != nil {
			return plumbing.ZeroHash, err
		}
		return st.SetEncodedObject(o)
	}
	config, err := blob([]byte("people: people\n"))
	if err != nil {
		return err
	}
	bodies := make([]string, people)
	entries := make([]object.TreeEntry, people)
	for i := range people {
		id, body := peoplegen.File(i, people)
		bodies[i] = body
		h, err := blob([]byte(body))
		if err != nil {
			return err
		}
		entries[i] = object.TreeEntry{Name: id + ".yaml", Mode: filemode.Regular, Hash: h}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	var parent plumbing.Hash
	for c := range commits {
		msg := "Add everyone"
		if c > 0 {
			i := (c - 1) % people
			var b bytes.Buffer
			switch (c - 1) / people % 3 {
			case 0:
				b.WriteString(peoplegen.Leaver(i, people))
			case 1:
				b.WriteString(bodies[i])
			case 2:
				fmt.Fprintf(&b, "%s# touched in commit %d\n", bodies[i], c)
			}
			h, err := blob(b.Bytes())
			if err != nil {
				return err
			}
			entries[i].Hash = h
			msg = fmt.Sprintf("Update %s (#%d)", entries[i].Name, c)
		}
		pt, err := tree(append([]object.TreeEntry(nil), entries...))
		if err != nil {
			return err
		}
		root, err := tree([]object.TreeEntry{{Name: "people", Mode: filemode.Dir, Hash: pt}, {Name: "prodaccess.yaml", Mode: filemode.Regular, Hash: config}})
		if err != nil {
			return err
		}
		when := start.Add(time.Duration(c) * every)
		sig := object.Signature{Name: "Generator", Email: "generator@example.gov.uk", When: when}
		commit := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: root}
		if !parent.IsZero() {
			commit.ParentHashes = []plumbing.Hash{parent}
		}
		o := st.NewEncodedObject()
		if err := commit.Encode(o); err != nil {
			return err
		}
		if parent, err = st.SetEncodedObject(o); err != nil {
			return err
		}
	}
	if err := st.SetReference(plumbing.NewHashReference("refs/heads/main", parent)); err != nil {
		return err
	}
	if err := st.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, "refs/heads/main")); err != nil {
		return err
	}
	return nil
}
