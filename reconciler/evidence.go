package reconciler

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
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

// EvidenceRecheckDays is how long after its pull requests were merged the
// evidence of a commit that is not proven is looked up again, since a lead
// may approve after the merge. After it, the note recorded is final.
const EvidenceRecheckDays = 30

// NeedEvidence lists the entries whose approval matters from day to the
// horizon: temporary grants in force or starting by then, the
// reinstatements dated by then, and access held before adoption.
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
		if h := p.HeldBeforeAdoption; h != nil && h.Since <= last {
			out = append(out, h.Ref(p.ID))
		}
	}
	return append(out, NeedShiftEvidence(r, day, horizon)...)
}

// ShiftPolicy is the shift evidence policy a roster checks under: off
// when the policy does not check shifts (see model.Policy.ChecksShifts).
func ShiftPolicy(p model.Policy) model.EvidencePolicy {
	if !p.ChecksShifts() {
		return model.EvidenceOff
	}
	if p.ShiftEvidence == "" {
		return model.EvidenceWarn
	}
	return p.ShiftEvidence
}

// NeedShiftEvidence lists the shifts whose evidence matters from day to
// the horizon, when the roster's policy checks shifts: every shift that
// starts by then of the people on a track who have not left.
func NeedShiftEvidence(r *model.Roster, day model.Day, horizon int) []model.EntryRef {
	if !r.Policy.ChecksShifts() {
		return nil
	}
	last := day + model.Day(horizon)
	var out []model.EntryRef
	for _, p := range r.People {
		if p.Track() == model.NoTrack || p.LastDay != nil && *p.LastDay < day {
			continue
		}
		for i := range p.Shifts {
			if s := &p.Shifts[i]; s.Start <= last {
				out = append(out, s.Ref(p.ID))
			}
		}
	}
	return out
}

// EvidenceInput is what GatherEvidence works from.
type EvidenceInput struct {
	// Introduced maps each entry (by key) to the commit that wrote it.
	Introduced map[string]string
	Entries    []model.EntryRef
	// Known is the evidence of the notes whose signatures verified, by
	// commit.
	Known map[string]*model.CommitEvidence
	// Source looks up what is not known; nil to use only what is.
	Source EvidenceSource
}

// Gathered is the evidence of the entries: by entry key, the evidence of
// the commit that wrote it; the evidence looked up (to be recorded); and
// each commit whose lookup failed, with why.
type Gathered struct {
	ByEntry map[string]*model.CommitEvidence
	Fetched []*model.CommitEvidence
	Failed  map[string]error // by commit
}

// FailedEntries says, by entry key, why the evidence of each entry whose
// commit could not be looked up is missing.
func (g *Gathered) FailedEntries(in EvidenceInput) map[string]string {
	out := map[string]string{}
	for _, e := range in.Entries {
		if err := g.Failed[in.Introduced[e.Key()]]; err != nil {
			out[e.Key()] = err.Error()
		}
	}
	return out
}

// GatherEvidence puts together the evidence of every entry: from what is
// recorded where it is complete and covers the entry, else from the
// source. A failed lookup fails only the entries of its commit, which
// then grant nothing that needs them; the others go on.
func GatherEvidence(ctx context.Context, in EvidenceInput) *Gathered {
	g := &Gathered{ByEntry: map[string]*model.CommitEvidence{}, Failed: map[string]error{}}
	byCommit := map[string][]model.EntryRef{}
	for _, e := range in.Entries {
		if sha, ok := in.Introduced[e.Key()]; ok {
			byCommit[sha] = append(byCommit[sha], e)
		}
	}
	for _, sha := range slices.Sorted(maps.Keys(byCommit)) {
		entries := byCommit[sha]
		known := in.Known[sha]
		if known == nil || !known.Complete || !covers(known, entries) {
			if in.Source == nil {
				if known != nil {
					for _, e := range entries {
						g.ByEntry[e.Key()] = known
					}
				}
				continue
			}
			if known != nil {
				entries = union(entries, known)
			}
			got, err := in.Source.CommitEvidence(ctx, sha, entries)
			if err != nil {
				g.Failed[sha] = err
				continue
			}
			known = got
			g.Fetched = append(g.Fetched, got)
		}
		for _, e := range byCommit[sha] {
			g.ByEntry[e.Key()] = known
		}
	}
	return g
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
// more when there is no pull request to review, when every entry it
// speaks of is proven, or when its pull requests were merged more than
// EvidenceRecheckDays before now (an approval that late is not looked
// for); and, whatever else, only when what the rota showed of each shift
// it wrote is settled (read after the shift ended, or out of the rota's
// reach), in the policy time zone loc.
func MarkComplete(fetched []*model.CommitEvidence, proven func(*model.CommitEvidence, model.EntryRef) bool, now time.Time, loc *time.Location) {
	for _, ce := range fetched {
		settled := true
		for _, ee := range ce.Entries {
			if !ce.ShiftSettled(ee.Entry, loc) {
				settled = false
			}
		}
		if !settled {
			ce.Complete = false
			continue
		}
		complete := true
		if len(ce.PullRequests) > 0 {
			for _, ee := range ce.Entries {
				if !proven(ce, ee.Entry) {
					complete = false
				}
			}
		}
		if !complete {
			old := true
			for _, pr := range ce.PullRequests {
				if pr.MergedAt == nil || now.Sub(*pr.MergedAt) < EvidenceRecheckDays*24*time.Hour {
					old = false
				}
			}
			complete = old
		}
		ce.Complete = complete
	}
}

// EvidenceFindings lists, for the entries given, what an auditor should
// see of their evidence: an entry pushed without a pull request, one
// whose approval is not proven, one approved only after its merge.
func EvidenceFindings(r *model.Roster, entries []model.EntryRef) []outcome.Finding {
	var out []outcome.Finding
	for _, e := range entries {
		p := r.Person(e.Person)
		if p == nil || e.Kind == model.ShiftEntry && r.ShiftTakenAtWord(e) {
			continue
		}
		if pf := r.Proof(p, e); pf != nil {
			out = append(out, ProofFindings(e, pf)...)
		}
	}
	return out
}

// ProofFindings are the findings of one verdict.
func ProofFindings(e model.EntryRef, pf *model.Proof) []outcome.Finding {
	var out []outcome.Finding
	switch {
	case slices.Contains(pf.Flags, "pushed without a pull request"):
		out = append(out, outcome.Finding{Kind: outcome.FindingDirectPush, Commit: pf.Commit, Person: e.Person, Detail: e.String()})
	case !pf.Proven():
		out = append(out, outcome.Finding{Kind: outcome.FindingNotProven, Commit: pf.Commit, Person: e.Person, Detail: e.String() + ": " + strings.Join(pf.Missing, "; ")})
	case slices.Contains(pf.Flags, "approved after merge"):
		out = append(out, outcome.Finding{Kind: outcome.FindingApprovedLate, Commit: pf.Commit, Person: e.Person, Detail: e.String() + ": " + pf.Summary()})
	}
	return out
}

// AuthorityFindings lists the changes to who may approve or to the policy,
// written up to commit, that no lead approved.
func AuthorityFindings(c *AuthorityChain, commit string) []outcome.Finding {
	var out []outcome.Finding
	for _, p := range c.PendingAt(commit) {
		out = append(out, outcome.Finding{Kind: outcome.FindingAuthority, Commit: p.Commit, Detail: p.Text()})
	}
	return out
}
