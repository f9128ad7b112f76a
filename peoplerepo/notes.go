package peoplerepo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/evidence"
	"github.com/prodaccess/prodaccess/internal/gitop"
	"github.com/prodaccess/prodaccess/model"
)

// NotesRef is where prodaccess keeps the evidence of each commit of the
// people branch, one note per commit, as git notes: `git log
// --notes=prodaccess` and `git notes --ref prodaccess show SHA` read them.
const NotesRef = "refs/notes/prodaccess"

// notesFetchRef is where the notes of origin are fetched to, to be merged
// with the local ones rather than replace them.
const notesFetchRef = "refs/notes/prodaccess-origin"

// MaxNoteSize is the largest note read; a larger one is refused.
const MaxNoteSize = 1 << 20

// fanoutAbove is the number of notes above which they are written in
// folders named by the first two hex digits, as git itself does.
const fanoutAbove = 256

// Notes reads every note of NotesRef: the annotated commit's full hex id
// to the note. Notes may be kept flat or in fan-out folders (ab/cdef…),
// as git writes them; both are read. Without the ref, there are none.
func (r *Repo) Notes() (map[string][]byte, error) {
	return r.notesAt(NotesRef)
}

func (r *Repo) notesAt(ref plumbing.ReferenceName) (map[string][]byte, error) {
	blobs, err := r.noteBlobs(ref)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(blobs))
	for sha, h := range blobs {
		b, err := r.repo.BlobObject(h)
		if err != nil {
			return nil, fmt.Errorf("read the note of %s: %w", sha, err)
		}
		if b.Size > MaxNoteSize {
			return nil, fmt.Errorf("the note of %s is %d bytes, more than %d", sha, b.Size, MaxNoteSize)
		}
		rd, err := b.Reader()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(rd, MaxNoteSize+1))
		rd.Close()
		if err != nil {
			return nil, fmt.Errorf("read the note of %s: %w", sha, err)
		}
		out[sha] = data
	}
	return out, nil
}

// noteBlobs lists the notes of a ref as annotated commit → blob.
func (r *Repo) noteBlobs(ref plumbing.ReferenceName) (map[string]plumbing.Hash, error) {
	out := map[string]plumbing.Hash{}
	head, err := r.repo.Reference(ref, true)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ref, err)
	}
	c, err := r.repo.CommitObject(head.Hash())
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ref, err)
	}
	tree, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read the tree of %s: %w", ref, err)
	}
	var walk func(t *object.Tree, prefix string) error
	walk = func(t *object.Tree, prefix string) error {
		for _, e := range t.Entries {
			name := prefix + e.Name
			switch {
			case e.Mode == filemode.Dir && len(name) < 40 && isHex(name):
				sub, err := t.Tree(e.Name)
				if err != nil {
					return fmt.Errorf("read %s/%s: %w", ref, name, err)
				}
				if err := walk(sub, name); err != nil {
					return err
				}
			case e.Mode.IsFile() && len(name) == 40 && isHex(name):
				out[strings.ToLower(name)] = e.Hash
			}
			// Anything else is not a note of a commit; git ignores it too.
		}
		return nil
	}
	return out, walk(tree, "")
}

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// notesKind is one notes ref prodaccess keeps, and how two versions of
// one object's note are combined when two runs wrote it.
type notesKind struct {
	ref, fetch plumbing.ReferenceName
	what       string // what its notes hold, for messages
	// combine makes one note of two; nil: the other's replaces ours.
	combine func(ours, theirs []byte) []byte
}

// evidenceNotes are the notes of evidence, one per commit.
var evidenceNotes = notesKind{ref: NotesRef, fetch: notesFetchRef, what: "evidence"}

// AddNotes records notes (annotated commit → content) in one new commit
// of NotesRef, keeping every note already there; a note for a commit that
// has one replaces it. It changes nothing else: not the commits noted, nor
// any branch.
func (r *Repo) AddNotes(notes map[string][]byte, when time.Time) error {
	return r.addNotes(evidenceNotes, notes, when)
}

func (r *Repo) addNotes(k notesKind, notes map[string][]byte, when time.Time) error {
	if len(notes) == 0 {
		return nil
	}
	current, err := r.noteBlobs(k.ref)
	if err != nil {
		return err
	}
	var parents []plumbing.Hash
	if head, err := r.repo.Reference(k.ref, true); err == nil {
		parents = append(parents, head.Hash())
	}
	all := maps.Clone(current)
	for sha, data := range notes {
		if len(sha) != 40 || !isHex(sha) {
			return fmt.Errorf("%q is not a full commit id", sha)
		}
		sha = strings.ToLower(sha)
		if old, ok := current[sha]; ok && k.combine != nil {
			ours, err := r.readNote(old)
			if err != nil {
				return fmt.Errorf("read the note of %s in %s: %w", sha, k.ref, err)
			}
			data = k.combine(ours, data)
		}
		h, err := r.writeObject(plumbing.BlobObject, data)
		if err != nil {
			return err
		}
		all[sha] = h
	}
	return r.commitNotes(k.ref, all, parents, fmt.Sprintf("prodaccess: %s for %d commit(s)", k.what, len(notes)), when)
}

// commitNotes writes a notes tree and a commit of it with the parents,
// and points the notes ref at it.
func (r *Repo) commitNotes(ref plumbing.ReferenceName, all map[string]plumbing.Hash, parents []plumbing.Hash, message string, when time.Time) error {
	tree, err := r.notesTree(all)
	if err != nil {
		return err
	}
	sig := object.Signature{Name: "prodaccess", Email: "prodaccess@users.noreply.github.com", When: when}
	c := &object.Commit{Author: sig, Committer: sig, Message: message + "\n", TreeHash: tree, ParentHashes: parents}
	obj := r.repo.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return err
	}
	h, err := r.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		return fmt.Errorf("write the notes commit: %w", err)
	}
	var old *plumbing.Reference
	if len(parents) > 0 {
		old = plumbing.NewHashReference(ref, parents[0])
	}
	if err := r.repo.Storer.CheckAndSetReference(plumbing.NewHashReference(ref, h), old); err != nil {
		return fmt.Errorf("update %s: %w", ref, err)
	}
	return nil
}

// notesTree writes the tree of a set of notes: flat while there are few,
// in two-digit fan-out folders above fanoutAbove, as git does.
func (r *Repo) notesTree(all map[string]plumbing.Hash) (plumbing.Hash, error) {
	shas := slices.Sorted(maps.Keys(all))
	if len(shas) <= fanoutAbove {
		var entries []object.TreeEntry
		for _, sha := range shas {
			entries = append(entries, object.TreeEntry{Name: sha, Mode: filemode.Regular, Hash: all[sha]})
		}
		return r.writeTree(entries)
	}
	var top []object.TreeEntry
	for i := 0; i < len(shas); {
		dir := shas[i][:2]
		var entries []object.TreeEntry
		for ; i < len(shas) && shas[i][:2] == dir; i++ {
			entries = append(entries, object.TreeEntry{Name: shas[i][2:], Mode: filemode.Regular, Hash: all[shas[i]]})
		}
		h, err := r.writeTree(entries)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		top = append(top, object.TreeEntry{Name: dir, Mode: filemode.Dir, Hash: h})
	}
	return r.writeTree(top)
}

func (r *Repo) writeTree(entries []object.TreeEntry) (plumbing.Hash, error) {
	obj := r.repo.Storer.NewEncodedObject()
	if err := (&object.Tree{Entries: entries}).Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.repo.Storer.SetEncodedObject(obj)
}

func (r *Repo) writeObject(t plumbing.ObjectType, data []byte) (plumbing.Hash, error) {
	obj := r.repo.Storer.NewEncodedObject()
	obj.SetType(t)
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.repo.Storer.SetEncodedObject(obj)
}

// Remote is the people repository's origin, for fetching and pushing its
// notes: its URL (fit to print) and how to authenticate.
type Remote struct {
	url   string
	token string
}

// Origin returns the origin remote of the people repository, or nil when
// it has none. token is sent only to an https origin; with a token, an
// http origin is refused.
func (r *Repo) Origin(token string) (*Remote, error) {
	rem, err := r.repo.Remote("origin")
	if errors.Is(err, git.ErrRemoteNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	urls := rem.Config().URLs
	if len(urls) == 0 {
		return nil, nil
	}
	u := urls[0]
	if token != "" && strings.HasPrefix(strings.ToLower(u), "http://") {
		return nil, fmt.Errorf("the people repository's origin %s is plain http, and GITHUB_TOKEN is set: prodaccess sends credentials only over https", config.RedactURL(u))
	}
	return &Remote{url: u, token: token}, nil
}

// URL is the remote's URL, fit to print.
func (o *Remote) URL() string { return config.RedactURL(o.url) }

func (o *Remote) auth() transport.AuthMethod {
	if o.token != "" && strings.HasPrefix(strings.ToLower(o.url), "https://") {
		return &http.BasicAuth{Username: "x-access-token", Password: o.token}
	}
	return nil
}

func (o *Remote) scrub(err error) error {
	if o.token == "" || !strings.Contains(err.Error(), o.token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), o.token, "***"))
}

// FetchNotes fetches origin's notes and merges them into the local ones,
// so that notes written by an earlier run are known and none written here
// is lost. Origin without notes is not an error.
func (r *Repo) FetchNotes(ctx context.Context, o *Remote, when time.Time) error {
	return r.fetchNotes(ctx, evidenceNotes, o, when)
}

func (r *Repo) fetchNotes(ctx context.Context, k notesKind, o *Remote, when time.Time) error {
	err := gitop.Run(ctx, 0, func(ctx context.Context) error {
		return r.repo.FetchContext(ctx, &git.FetchOptions{
			RemoteURL: o.url,
			Auth:      o.auth(),
			RefSpecs:  []gitconfig.RefSpec{gitconfig.RefSpec("+" + k.ref + ":" + k.fetch)},
			Tags:      git.NoTags,
		})
	})
	var noMatch git.NoMatchingRefSpecError
	switch {
	case errors.As(err, &noMatch):
		return nil
	case err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate):
		return fmt.Errorf("fetch %s from %s: %w", k.ref, o.URL(), o.scrub(err))
	}
	return r.mergeNotes(k, when)
}

// mergeNotes brings the notes fetched into the notes ref: a fast-forward
// when the local notes are behind, else a merge commit holding both sets
// (a note in both is combined as the kind says, or else taken from the
// fetched ones unless they are the same).
func (r *Repo) mergeNotes(k notesKind, when time.Time) error {
	theirs, err := r.repo.Reference(k.fetch, true)
	if err != nil {
		return nil
	}
	ours, err := r.repo.Reference(k.ref, true)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return r.repo.Storer.SetReference(plumbing.NewHashReference(k.ref, theirs.Hash()))
	}
	if err != nil {
		return err
	}
	if ours.Hash() == theirs.Hash() {
		return nil
	}
	oc, err := r.repo.CommitObject(ours.Hash())
	if err != nil {
		return err
	}
	tc, err := r.repo.CommitObject(theirs.Hash())
	if err != nil {
		return err
	}
	if isAnc, err := oc.IsAncestor(tc); err == nil && isAnc {
		return r.repo.Storer.CheckAndSetReference(plumbing.NewHashReference(k.ref, theirs.Hash()), ours)
	}
	if isAnc, err := tc.IsAncestor(oc); err == nil && isAnc {
		return nil
	}
	mine, err := r.noteBlobs(k.ref)
	if err != nil {
		return err
	}
	other, err := r.noteBlobs(k.fetch)
	if err != nil {
		return err
	}
	all := maps.Clone(mine)
	for sha, h := range other {
		if old, ok := mine[sha]; ok && old != h && k.combine != nil {
			a, err := r.readNote(old)
			if err != nil {
				return fmt.Errorf("read the note of %s in %s: %w", sha, k.ref, err)
			}
			b, err := r.readNote(h)
			if err != nil {
				return fmt.Errorf("read the note of %s in %s: %w", sha, k.fetch, err)
			}
			if h, err = r.writeObject(plumbing.BlobObject, k.combine(a, b)); err != nil {
				return err
			}
		}
		all[sha] = h
	}
	return r.commitNotes(k.ref, all, []plumbing.Hash{ours.Hash(), theirs.Hash()}, "prodaccess: merge the "+k.what+" of "+path.Base(string(k.fetch)), when)
}

// PushNotes pushes NotesRef to origin. If another run pushed notes since
// they were fetched, it fetches and merges them and pushes again.
func (r *Repo) PushNotes(ctx context.Context, o *Remote, when time.Time) error {
	return r.pushNotes(ctx, evidenceNotes, o, when)
}

func (r *Repo) pushNotes(ctx context.Context, k notesKind, o *Remote, when time.Time) error {
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		err = gitop.Run(ctx, 0, func(ctx context.Context) error {
			return r.repo.PushContext(ctx, &git.PushOptions{
				RemoteURL: o.url,
				Auth:      o.auth(),
				RefSpecs:  []gitconfig.RefSpec{gitconfig.RefSpec(k.ref + ":" + k.ref)},
			})
		})
		if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
			return nil
		}
		if ferr := r.fetchNotes(ctx, k, o, when); ferr != nil {
			return fmt.Errorf("push %s to %s: %w; then %v", k.ref, o.URL(), o.scrub(err), ferr)
		}
	}
	return fmt.Errorf("push %s to %s: %w", k.ref, o.URL(), o.scrub(err))
}

// ReadEvidence reads the notes as evidence: commit → what is known of it.
// A note that does not read as evidence is reported, not skipped.
func ReadEvidence(notes map[string][]byte) (map[string]*model.CommitEvidence, error) {
	out := make(map[string]*model.CommitEvidence, len(notes))
	var bad []string
	for sha, data := range notes {
		ev, err := evidence.DecodeEvidence(data)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s: %v", sha, err))
			continue
		}
		if ev.Commit != sha {
			bad = append(bad, fmt.Sprintf("%s: the note is about commit %s", sha, ev.Commit))
			continue
		}
		out[sha] = ev
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return out, fmt.Errorf("%d note(s) in %s do not read as prodaccess evidence:\n  %s", len(bad), NotesRef, strings.Join(bad, "\n  "))
	}
	return out, nil
}
