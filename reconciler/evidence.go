package reconciler

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/prodaccess/prodaccess/model"
)

// EvidenceSource looks up how a commit reached the people branch: the
// merged pull requests that hold it, their reviews, and which reviews were
// made on a commit that already held each entry (see model.Prove).
type EvidenceSource interface {
	CommitEvidence(ctx context.Context, sha string, entries []model.EntryRef) (*model.CommitEvidence, error)
}

// EvidenceHorizon is how many days ahead a plan looks for entries that
// need evidence: a grant that starts within it is checked, so that a
// missing approval shows before the grant is due.
const EvidenceHorizon = 14

// NeedEvidence lists the entries whose approval matters from day to the
// horizon: temporary grants in force or starting by then, and the
// reinstatements dated by then.
func NeedEvidence(r *model.Roster, day model.Day, horizon int) []model.EntryRef {
	last := day + model.Day(horizon)
	var out []model.EntryRef
	for _, p := range r.People {
		for i := range p.TemporaryAccess {
			g := &p.TemporaryAccess[i]
			if g.End >= day && g.Start <= last {
				out = append(out, g.Ref(p.ID))
			}
		}
		for i := range p.Reinstated {
			if re := &p.Reinstated[i]; re.Date <= last {
				out = append(out, re.Ref(p.ID))
			}
		}
	}
	return out
}

// EvidenceInput is what GatherEvidence works from.
type EvidenceInput struct {
	Policy model.EvidencePolicy
	// Introduced maps each entry (by key) to the commit that wrote it.
	Introduced map[string]string
	Entries    []model.EntryRef
	// Known is the evidence already recorded, by commit.
	Known map[string]*model.CommitEvidence
	// Source looks up what is not known; nil to use only what is.
	Source EvidenceSource
}

// GatherEvidence puts together the evidence of every entry: from what is
// recorded where it is complete and covers the entry, else from the
// source. It returns the evidence for the rules, and the evidence of each
// commit it looked up, to be recorded. Any failed lookup fails it all.
func GatherEvidence(ctx context.Context, in EvidenceInput) (*model.Evidence, []*model.CommitEvidence, error) {
	ev := &model.Evidence{Policy: in.Policy, ByEntry: map[string]*model.CommitEvidence{}}
	byCommit := map[string][]model.EntryRef{}
	for _, e := range in.Entries {
		if sha, ok := in.Introduced[e.Key()]; ok {
			byCommit[sha] = append(byCommit[sha], e)
		}
	}
	var fetched []*model.CommitEvidence
	for _, sha := range slices.Sorted(maps.Keys(byCommit)) {
		entries := byCommit[sha]
		known := in.Known[sha]
		if known == nil || !known.Complete || !covers(known, entries) {
			if in.Source == nil {
				if known != nil {
					for _, e := range entries {
						ev.ByEntry[e.Key()] = known
					}
				}
				continue
			}
			if known != nil {
				entries = union(entries, known)
			}
			got, err := in.Source.CommitEvidence(ctx, sha, entries)
			if err != nil {
				return nil, nil, fmt.Errorf("evidence for commit %s: %w", sha, err)
			}
			known = got
			fetched = append(fetched, got)
		}
		for _, e := range byCommit[sha] {
			ev.ByEntry[e.Key()] = known
		}
	}
	return ev, fetched, nil
}

// covers reports whether recorded evidence speaks of every entry.
func covers(ce *model.CommitEvidence, entries []model.EntryRef) bool {
	for _, e := range entries {
		if ce.Entry(e) == nil {
			return false
		}
	}
	return true
}

// union adds to entries those the recorded evidence speaks of, so that a
// new note keeps what the old one said.
func union(entries []model.EntryRef, ce *model.CommitEvidence) []model.EntryRef {
	out := slices.Clone(entries)
	for _, ee := range ce.Entries {
		if !slices.ContainsFunc(out, func(e model.EntryRef) bool { return e.Key() == ee.Entry.Key() }) {
			out = append(out, ee.Entry)
		}
	}
	return out
}

// MarkComplete sets Complete on evidence looked up: it cannot change any
// more when there is no pull request to review, or every entry it speaks
// of is proven under the roster's rules.
func MarkComplete(r *model.Roster, fetched []*model.CommitEvidence) {
	for _, ce := range fetched {
		complete := true
		if len(ce.PullRequests) > 0 {
			for _, ee := range ce.Entries {
				p := r.Person(ee.Entry.Person)
				if p == nil {
					complete = false
					continue
				}
				approver := r.Person(ee.Entry.ApprovedBy)
				if !model.Prove(ce, ee.Entry, p, approver).Proven() {
					complete = false
				}
			}
		}
		ce.Complete = complete
	}
}
