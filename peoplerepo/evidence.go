package peoplerepo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"golang.org/x/crypto/ssh"

	"github.com/prodaccess/prodaccess/evidence"
	"github.com/prodaccess/prodaccess/model"
)

// Notes are evidence only when a signer of record signed them for the
// commit they annotate; anything else about a note is a finding, never a
// reason to stop: a bad note fails only the decisions that would have
// rested on it, which then ask GitHub as on a first run.

// The limits of what is read of the notes: one note, and all of them.
const (
	// MaxNotesTotal bounds the bytes read of all notes together.
	MaxNotesTotal = 64 << 20
	// MaxNotes bounds how many notes are read.
	MaxNotes = 100_000
)

// NoteFinding is a note that is not evidence, or a notes ref that cannot
// be read, and why.
type NoteFinding struct {
	// Commit is the commit the note annotates; "" for the ref as a whole.
	Commit string `json:"commit,omitempty"`
	// Kind is what is wrong: a NoteProblem kind ("unsigned", "bad
	// signature", "unknown signer"), or "replayed", "unreadable",
	// "not evidence".
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
	// Writer is who last wrote the note, as the notes ref's history shows
	// it ("Name <email> on 2026-12-06"): what git records, which the
	// writer chose.
	Writer string `json:"writer,omitempty"`
	// Ref is the notes ref, when it is not NotesRef.
	Ref string `json:"ref,omitempty"`
}

// Text says the finding in one line.
func (f NoteFinding) Text() string {
	ref := NotesRef
	if f.Ref != "" {
		ref = f.Ref
	}
	what := "the notes ref " + ref
	if f.Commit != "" {
		what = "the note of commit " + model.ShortSHA(f.Commit) + " in " + ref
	}
	s := fmt.Sprintf("%s is not evidence: %s: %s", what, f.Kind, f.Detail)
	if f.Writer != "" {
		s += " (the ref was last written there by " + f.Writer + ")"
	}
	return s
}

// Note kinds beside the NoteProblem kinds.
const (
	NoteReplayed    = "replayed"
	NoteUnreadable  = "unreadable"
	NoteNotEvidence = "not evidence"
)

// ReadNotes reads every note of NotesRef, each within MaxNoteSize and all
// within MaxNotesTotal and MaxNotes. What cannot be read is a finding; the
// rest is read.
func (r *Repo) ReadNotes() (map[string][]byte, []NoteFinding) {
	out := map[string][]byte{}
	blobs, err := r.noteBlobs(NotesRef)
	if err != nil {
		return out, []NoteFinding{{Kind: NoteUnreadable, Detail: err.Error()}}
	}
	var findings []NoteFinding
	total := 0
	for _, sha := range sortedKeys(blobs) {
		if len(out) >= MaxNotes || total >= MaxNotesTotal {
			findings = append(findings, NoteFinding{Kind: NoteUnreadable, Detail: fmt.Sprintf("more than %d notes or %d MiB of them: the rest are not read", MaxNotes, MaxNotesTotal>>20)})
			break
		}
		data, err := r.readNote(blobs[sha])
		if err != nil {
			findings = append(findings, NoteFinding{Commit: sha, Kind: NoteUnreadable, Detail: err.Error()})
			continue
		}
		total += len(data)
		out[sha] = data
	}
	return out, findings
}

func (r *Repo) readNote(h plumbing.Hash) ([]byte, error) {
	o, err := r.repo.Storer.EncodedObject(plumbing.AnyObject, h)
	if err != nil {
		return nil, fmt.Errorf("read it: %w", err)
	}
	if o.Type() != plumbing.BlobObject {
		return nil, fmt.Errorf("it is a %s, not a blob", o.Type())
	}
	if o.Size() > MaxNoteSize {
		return nil, fmt.Errorf("it is %d bytes, more than the %d a note may be", o.Size(), MaxNoteSize)
	}
	rd, err := o.Reader()
	if err != nil {
		return nil, fmt.Errorf("read it: %w", err)
	}
	defer rd.Close()
	data, err := io.ReadAll(io.LimitReader(rd, MaxNoteSize+1))
	if err != nil {
		return nil, fmt.Errorf("read it: %w", err)
	}
	return data, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Verifier checks notes as evidence: signed by a signer of record, for
// the commit it annotates, of the people repository. It remembers what it
// found.
type Verifier struct {
	r          *Repo
	notes      map[string][]byte
	repository string
	keys       map[string]ssh.PublicKey // by authorized_keys line
	findings   map[string]NoteFinding   // by commit
	verified   map[string]bool          // commit → a note that verified
	// read is the evidence of each note already checked, by commit and
	// signers: a note is verified and decoded once.
	read map[string]*model.CommitEvidence
}

// NewVerifier checks the notes read of r as evidence for repository (the
// people repository on GitHub, owner/name; "" when not known).
func (r *Repo) NewVerifier(notes map[string][]byte, repository string) *Verifier {
	return &Verifier{r: r, notes: notes, repository: repository, keys: map[string]ssh.PublicKey{}, findings: map[string]NoteFinding{}, verified: map[string]bool{}}
}

// Evidence returns the evidence of the note of commit when a signer signed
// it (each an authorized_keys line), else nil. A note that is there and is
// not evidence is a finding.
func (v *Verifier) Evidence(commit string, signers []string) *model.CommitEvidence {
	data, ok := v.notes[commit]
	if !ok {
		return nil
	}
	key := commit + "\x00" + strings.Join(signers, "\x00")
	if ev, ok := v.read[key]; ok {
		return ev
	}
	ev := v.evidence(commit, data, signers)
	if v.read == nil {
		v.read = map[string]*model.CommitEvidence{}
	}
	v.read[key] = ev
	return ev
}

func (v *Verifier) evidence(commit string, data []byte, signers []string) *model.CommitEvidence {
	var keys []ssh.PublicKey
	for _, s := range signers {
		k, ok := v.keys[s]
		if !ok {
			k, _, _, _, _ = ssh.ParseAuthorizedKey([]byte(s))
			v.keys[s] = k
		}
		if k != nil {
			keys = append(keys, k)
		}
	}
	payload, _, err := VerifyNote(data, keys)
	var np *NoteProblem
	if errors.As(err, &np) {
		v.find(NoteFinding{Commit: commit, Kind: np.Kind, Detail: np.Detail})
		return nil
	}
	ev, err := evidence.DecodeEvidence(payload)
	switch {
	case err != nil:
		v.find(NoteFinding{Commit: commit, Kind: NoteNotEvidence, Detail: err.Error()})
		return nil
	case ev.Commit != commit:
		v.find(NoteFinding{Commit: commit, Kind: NoteReplayed, Detail: fmt.Sprintf("it is the note of commit %s, attached to %s", model.ShortSHA(ev.Commit), model.ShortSHA(commit))})
		return nil
	case v.repository != "" && !strings.EqualFold(ev.Repository, v.repository):
		v.find(NoteFinding{Commit: commit, Kind: NoteReplayed, Detail: fmt.Sprintf("it is a note of %s, not of %s", model.Printable(ev.Repository), v.repository)})
		return nil
	}
	v.verified[commit] = true
	delete(v.findings, commit)
	return ev
}

func (v *Verifier) find(f NoteFinding) {
	if !v.verified[f.Commit] {
		v.findings[f.Commit] = f
	}
}

// Findings lists the notes looked at that are not evidence, with who last
// wrote each, in commit order.
func (v *Verifier) Findings() []NoteFinding {
	var out []NoteFinding
	for _, sha := range sortedKeys(v.findings) {
		f := v.findings[sha]
		f.Writer = v.r.noteWriter(NotesRef, sha)
		out = append(out, f)
	}
	return out
}

// noteWriter says who wrote the note of commit last, as the history of
// the notes ref records it: the author of the newest notes commit whose note of
// commit differs from its first parent's. "" when it cannot be told.
func (r *Repo) noteWriter(ref plumbing.ReferenceName, commit string) string {
	head, err := r.repo.Reference(ref, true)
	if err != nil {
		return ""
	}
	h := head.Hash()
	for range 10_000 {
		c, err := r.repo.CommitObject(h)
		if err != nil {
			return ""
		}
		mine := r.noteIn(c, commit)
		var before plumbing.Hash
		if len(c.ParentHashes) > 0 {
			if p, err := r.repo.CommitObject(c.ParentHashes[0]); err == nil {
				before = r.noteIn(p, commit)
			}
		}
		if mine != before || len(c.ParentHashes) == 0 {
			return fmt.Sprintf("%s <%s> on %s", model.Printable(c.Author.Name), model.Printable(c.Author.Email), c.Author.When.UTC().Format("2006-01-02"))
		}
		h = c.ParentHashes[0]
	}
	return ""
}

// noteIn returns the blob of the note of commit in a notes commit, flat or
// in fan-out folders; zero when there is none.
func (r *Repo) noteIn(c *object.Commit, commit string) plumbing.Hash {
	t, err := c.Tree()
	if err != nil {
		return plumbing.ZeroHash
	}
	for _, name := range []string{commit, commit[:2] + "/" + commit[2:], commit[:2] + "/" + commit[2:4] + "/" + commit[4:]} {
		if f, err := t.FindEntry(name); err == nil {
			return f.Hash
		}
	}
	return plumbing.ZeroHash
}

// Sign signs the evidence of commits as notes: the JSON, then its SSH
// signature.
func Sign(s *NoteSigner, notes []*model.CommitEvidence) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, ce := range notes {
		payload, err := evidence.EncodeEvidence(ce)
		if err != nil {
			return nil, err
		}
		if !bytes.HasSuffix(payload, []byte("\n")) {
			payload = append(payload, '\n')
		}
		note, err := s.Sign(payload)
		if err != nil {
			return nil, fmt.Errorf("sign the evidence of %s: %w", model.ShortSHA(ce.Commit), err)
		}
		out[ce.Commit] = note
	}
	return out, nil
}
