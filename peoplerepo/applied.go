package peoplerepo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// What apply did is kept beside the evidence, in notes of its own: each
// apply that changed something appends a record, signed by the same key
// as the evidence, to the note of the people commit its plan was made
// from. A note holds every record made from that commit, one after
// another, each its JSON followed by its signature; two runs that wrote
// the same note keep both. As with the evidence, anyone with push access
// can write the ref, so a record counts only when a signer of record
// signed it: one that is unsigned, badly signed, signed by another key,
// or about another commit or repository is a finding, never a fact.

// AppliedRef is where apply keeps its records.
const AppliedRef = "refs/notes/prodaccess-applied"

// appliedFetchRef is where origin's records are fetched to, to be merged.
const appliedFetchRef = "refs/notes/prodaccess-applied-origin"

var appliedNotes = notesKind{ref: AppliedRef, fetch: appliedFetchRef, what: "records of apply", combine: unionRecords}

const armorEnd = "-----END SSH SIGNATURE-----"

// splitRecords cuts a note into its records: each a JSON object, its
// line end, and the signature that follows it, if one does. What does not
// read as JSON is one last record of its own (never a fact).
func splitRecords(note []byte) [][]byte {
	var out [][]byte
	for {
		rest := bytes.TrimLeft(note, " \t\r\n")
		if len(rest) == 0 {
			return out
		}
		dec := json.NewDecoder(bytes.NewReader(rest))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return append(out, rest)
		}
		end := int(dec.InputOffset())
		if end < len(rest) && rest[end] == '\n' {
			end++
		}
		if bytes.HasPrefix(rest[end:], []byte(armorBegin)) {
			if i := bytes.Index(rest[end:], []byte(armorEnd)); i >= 0 {
				end += i + len(armorEnd)
				if end < len(rest) && rest[end] == '\n' {
					end++
				}
			} else {
				end = len(rest)
			}
		}
		out = append(out, rest[:end])
		note = rest[end:]
	}
}

// unionRecords is the note holding every record of both, ours first, each
// once.
func unionRecords(ours, theirs []byte) []byte {
	out := bytes.Clone(ours)
	if len(out) > 0 && !bytes.HasSuffix(out, []byte("\n")) {
		out = append(out, '\n')
	}
	have := splitRecords(ours)
	for _, r := range splitRecords(theirs) {
		if !slices.ContainsFunc(have, func(h []byte) bool { return bytes.Equal(h, r) }) {
			out = append(out, r...)
			have = append(have, r)
		}
	}
	return out
}

// SignApplied signs a record of apply.
func SignApplied(s *NoteSigner, rec *outcome.AppliedRecord) ([]byte, error) {
	payload, err := outcome.EncodeApplied(rec)
	if err != nil {
		return nil, err
	}
	note, err := s.Sign(payload)
	if err != nil {
		return nil, fmt.Errorf("sign the record of apply: %w", err)
	}
	return note, nil
}

// AddApplied appends signed records to the notes of their commits
// (commit → records), in one new commit of AppliedRef.
func (r *Repo) AddApplied(records map[string][]byte, when time.Time) error {
	return r.addNotes(appliedNotes, records, when)
}

// FetchApplied fetches origin's records and merges them with the local
// ones; origin without any is not an error.
func (r *Repo) FetchApplied(ctx context.Context, o *Remote, when time.Time) error {
	return r.fetchNotes(ctx, appliedNotes, o, when)
}

// PushApplied pushes AppliedRef to origin, merging what another run
// pushed meanwhile.
func (r *Repo) PushApplied(ctx context.Context, o *Remote, when time.Time) error {
	return r.pushNotes(ctx, appliedNotes, o, when)
}

// ReadApplied reads every record of apply whose signature a signer of
// record (authorized_keys lines) made, for the commit whose note holds
// it and for repository (owner/name; "" when not known). Every other
// record is a finding.
func (r *Repo) ReadApplied(repository string, signers []string) ([]*outcome.AppliedRecord, []NoteFinding) {
	var keys []ssh.PublicKey
	for _, s := range signers {
		if k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(s)); err == nil {
			keys = append(keys, k)
		}
	}
	blobs, err := r.noteBlobs(AppliedRef)
	if err != nil {
		return nil, []NoteFinding{{Ref: AppliedRef, Kind: NoteUnreadable, Detail: err.Error()}}
	}
	var out []*outcome.AppliedRecord
	var findings []NoteFinding
	total := 0
	for _, sha := range sortedKeys(blobs) {
		find := func(kind, detail string) {
			findings = append(findings, NoteFinding{Ref: AppliedRef, Commit: sha, Kind: kind, Detail: detail, Writer: r.noteWriter(AppliedRef, sha)})
		}
		if total >= MaxNotesTotal {
			findings = append(findings, NoteFinding{Ref: AppliedRef, Kind: NoteUnreadable, Detail: fmt.Sprintf("more than %d MiB of records: the rest are not read", MaxNotesTotal>>20)})
			break
		}
		data, err := r.readNote(blobs[sha])
		if err != nil {
			find(NoteUnreadable, err.Error())
			continue
		}
		total += len(data)
		for i, rec := range splitRecords(data) {
			payload, _, err := VerifyNote(rec, keys)
			var np *NoteProblem
			if errors.As(err, &np) {
				find(np.Kind, fmt.Sprintf("record %d: %s", i+1, np.Detail))
				continue
			}
			ar, err := outcome.DecodeApplied(payload)
			switch {
			case err != nil:
				find(NoteNotEvidence, fmt.Sprintf("record %d: %v", i+1, err))
			case ar.Commit != sha:
				find(NoteReplayed, fmt.Sprintf("record %d is of commit %s, attached to %s", i+1, model.ShortSHA(ar.Commit), model.ShortSHA(sha)))
			case repository != "" && ar.Repository != "" && !strings.EqualFold(ar.Repository, repository):
				find(NoteReplayed, fmt.Sprintf("record %d is of %s, not of %s", i+1, model.Printable(ar.Repository), repository))
			default:
				out = append(out, ar)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b *outcome.AppliedRecord) int { return a.AppliedAt.Compare(b.AppliedAt) })
	return out, findings
}
