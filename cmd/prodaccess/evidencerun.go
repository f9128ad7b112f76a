package main

import (
	"context"
	"fmt"
	"path"
	"slices"
	"time"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/peoplerepo"
	"github.com/prodaccess/prodaccess/personfile"
	"github.com/prodaccess/prodaccess/reconciler"
)

// evidenceRun is what one run knows of the evidence of approvals: the
// notes whose signatures verify, the authority (who may approve, and the
// policy) rebuilt along the people branch's history, and what it looked up
// through GitHub. Every fault is kept to what it touches: a note that is
// not evidence is a finding and GitHub is asked instead; a failed lookup
// fails the entries of its commit.
type evidenceRun struct {
	repo            *peoplerepo.Repo
	peopleDir       string // the people folder in the repository
	label           string // the people folder as messages name it
	source          reconciler.EvidenceSource
	verifier        *peoplerepo.Verifier
	readFindings    []peoplerepo.NoteFinding
	chain           *reconciler.AuthorityChain
	fetched         map[string]*model.CommitEvidence // looked up in this run, by commit
	failed          map[string]error                 // lookups that failed, by commit
	location        *time.Location
	authorityLookup map[string][]model.EntryRef // the changes of the authority each commit looked up wrote
	// readsRota is whether the source reads the rota; without it, shifts
	// are judged from what the notes recorded alone, and unread counts
	// the shifts that leaves unsettled.
	readsRota bool
	unread    int
	bases     map[string]*model.EntryBase // worked out, by commit, approver and evidence
}

// evidenceWhere says where the evidence is read from.
type evidenceWhere struct {
	repo             *peoplerepo.Repo
	tip              string
	peopleDir, label string
	configPath       string // in the repository
	ghRepo           string // the people repository on GitHub; "" when not known
	source           reconciler.EvidenceSource
	location         *time.Location
	// readsRota says that source reads the rota for shifts too.
	readsRota bool
}

// newEvidenceRun reads the notes (as they are in the clone: fetch them
// first) and rebuilds the authority along tip's first-parent line, asking
// the source (when there is one) for the changes of the authority whose
// evidence is not recorded.
func newEvidenceRun(ctx context.Context, at evidenceWhere) (*evidenceRun, error) {
	e := &evidenceRun{repo: at.repo, peopleDir: at.peopleDir, label: at.label, source: at.source, location: at.location, readsRota: at.readsRota,
		fetched: map[string]*model.CommitEvidence{}, failed: map[string]error{}, authorityLookup: map[string][]model.EntryRef{}}
	notes, findings := at.repo.ReadNotes()
	e.readFindings = findings
	e.verifier = at.repo.NewVerifier(notes, at.ghRepo)
	line, steps, err := at.repo.Authority(at.tip, at.peopleDir, at.label, at.configPath)
	if err != nil {
		return nil, fmt.Errorf("rebuild who may approve from the history: %w", err)
	}
	e.chain = reconciler.BuildAuthority(line, steps, e.authorityEvidence)
	if e.source != nil && len(e.chain.Lookups) > 0 {
		for _, sha := range e.chain.Lookups {
			ev, err := e.source.CommitEvidence(ctx, sha, e.chain.LookupEntries[sha])
			if err != nil {
				e.failed[sha] = err
				continue
			}
			e.fetched[sha] = ev
			e.authorityLookup[sha] = e.chain.LookupEntries[sha]
		}
		e.chain = reconciler.BuildAuthority(line, steps, e.authorityEvidence)
	}
	return e, nil
}

// authorityEvidence is the evidence of a commit that changed the
// authority: looked up in this run, or a note that a signer of record
// before it signed.
func (e *evidenceRun) authorityEvidence(commit string, signers []string) (*model.CommitEvidence, bool) {
	if ev, ok := e.fetched[commit]; ok {
		return ev, true
	}
	if _, failed := e.failed[commit]; failed {
		return nil, true // asked already
	}
	ev := e.verifier.Evidence(commit, signers)
	return ev, ev != nil && ev.Complete
}

// authority is the authority in force at the tip.
func (e *evidenceRun) authority() model.Authority { return e.chain.Tip() }

// forEntries gives the evidence of the entries (those of the roster that
// matter), each from the commit that wrote it: a note signed by a signer
// of record, else the source. Each entry is judged against the branch
// before the pull request that wrote it.
func (e *evidenceRun) forEntries(ctx context.Context, tip string, entries []model.EntryRef) (*model.Evidence, error) {
	intro, err := e.repo.Introduced(tip, e.peopleDir, e.label, entries)
	if err != nil {
		return nil, fmt.Errorf("find the commits that wrote the entries that need approval: %w", err)
	}
	return e.gather(ctx, intro, entries), nil
}

// gather gives the evidence of entries, each written by the commit intro
// names.
func (e *evidenceRun) gather(ctx context.Context, intro map[string]string, entries []model.EntryRef) *model.Evidence {
	tipAuth := e.authority()
	known := map[string]*model.CommitEvidence{}
	for _, sha := range intro {
		if ev, ok := e.fetched[sha]; ok {
			known[sha] = ev
		} else if ev := e.verifier.Evidence(sha, tipAuth.Policy.EvidenceSigners); ev != nil {
			known[sha] = ev
		}
	}
	// A shift written by the commit that adopted prodaccess (or before
	// it), or when the policy did not check shifts, is taken at its word
	// and needs no evidence; without the rota a shift is judged by what
	// the notes recorded alone.
	var lookup, recorded []model.EntryRef
	for _, en := range entries {
		sha, ok := intro[en.Key()]
		switch {
		case !ok:
		case en.Kind != model.ShiftEntry:
			lookup = append(lookup, en)
		case e.chain.Base(sha, known[sha], e.location).ShiftTakenAtWord():
		case e.readsRota && e.source != nil:
			lookup = append(lookup, en)
		default:
			recorded = append(recorded, en)
		}
	}
	in := reconciler.EvidenceInput{Introduced: intro, Entries: lookup, Known: known, Source: e.source}
	g := reconciler.GatherEvidence(ctx, in)
	for _, ev := range g.Fetched {
		e.fetched[ev.Commit] = ev
	}
	for sha, err := range g.Failed {
		e.failed[sha] = err
	}
	fromNotes := reconciler.GatherEvidence(ctx, reconciler.EvidenceInput{Introduced: intro, Entries: recorded, Known: known})
	for _, en := range recorded {
		ce := fromNotes.ByEntry[en.Key()]
		if ce == nil || !ce.ShiftSettled(en, e.location) {
			e.unread++
		}
		if ce != nil {
			g.ByEntry[en.Key()] = ce
		}
	}
	out := &model.Evidence{Policy: tipAuth.Policy.Evidence, Shifts: reconciler.ShiftPolicy(tipAuth.Policy), ByEntry: g.ByEntry, Bases: map[string]*model.EntryBase{},
		Location: e.location, Unreadable: g.FailedEntries(in)}
	if e.source == nil {
		// With no one to ask, an entry whose note is not evidence rests
		// on a tampered note: say which, and why.
		bad := map[string]string{}
		for _, f := range e.verifier.Findings() {
			bad[f.Commit] = f.Text()
		}
		for _, en := range entries {
			if sha, ok := intro[en.Key()]; ok && g.ByEntry[en.Key()] == nil && bad[sha] != "" {
				if out.Tampered == nil {
					out.Tampered = map[string]model.TamperedNote{}
				}
				out.Tampered[en.Key()] = model.TamperedNote{Commit: sha, Why: bad[sha]}
			}
		}
	}
	for _, en := range entries {
		sha, ok := intro[en.Key()]
		if !ok {
			continue
		}
		out.Bases[en.Key()] = e.baseOf(sha, g.ByEntry[en.Key()], en.ApprovedBy)
	}
	return out
}

// baseOf is the branch before the pull request that brought commit, with
// the file there of the approver an entry names.
func (e *evidenceRun) baseOf(commit string, ev *model.CommitEvidence, approver string) *model.EntryBase {
	key := fmt.Sprintf("%s\x00%s\x00%p", commit, approver, ev)
	if b, ok := e.bases[key]; ok {
		return b
	}
	base := e.chain.Base(commit, ev, e.location)
	base.Files = map[string]*model.Person{}
	if e.bases == nil {
		e.bases = map[string]*model.EntryBase{}
	}
	e.bases[key] = base
	if approver != "" && base.Commit != "" {
		if p := e.personAt(base.Commit, approver); p != nil {
			base.Files[approver] = p
		}
	}
	return base
}

// personAt is the person file of id at a commit, or nil when it had none
// there or it cannot be read.
func (e *evidenceRun) personAt(commit, id string) *model.Person {
	name := id + ".yaml"
	data, found, err := e.repo.FileAt(commit, path.Join(e.peopleDir, name))
	if err != nil || !found || data == nil {
		return nil
	}
	if entry, read := personfile.PersonEntry(e.label, name, 0); entry != nil && read {
		return personfile.ParsePerson(entry, data)
	}
	return nil
}

// findings lists the notes that are not evidence.
func (e *evidenceRun) findings() []peoplerepo.NoteFinding {
	return append(slices.Clone(e.readFindings), e.verifier.Findings()...)
}

// lookedUp is the evidence looked up in this run, each marked complete
// when it cannot change any more, to be recorded.
func (e *evidenceRun) lookedUp(ev *model.Evidence, roster *model.Roster, now time.Time) []*model.CommitEvidence {
	var out []*model.CommitEvidence
	for _, sha := range sortedKeys(e.fetched) {
		out = append(out, e.fetched[sha])
	}
	reconciler.MarkComplete(out, func(ce *model.CommitEvidence, en model.EntryRef) bool {
		switch en.Kind {
		case model.PolicyEntry, model.ApproverEntry:
			return model.Prove(ce, en, nil, nil, &model.EntryBase{Commit: e.chain.BaseOf(ce.Commit, ce), Authority: e.chain.At(e.chain.BaseOf(ce.Commit, ce))}).Proven()
		}
		p := roster.Person(en.Person)
		if p == nil {
			return false
		}
		base := ev.Bases[en.Key()]
		if base == nil {
			base = e.baseOf(ce.Commit, ce, en.ApprovedBy)
		}
		if se := ce.Shift(en); en.Kind == model.ShiftEntry && se != nil && se.OutOfReach == "" {
			// What the rota showed, read after the shift ended, is final
			// whether it proves the shift or not: no review changes it.
			return true
		}
		return model.Prove(ce, en, p, roster.Person(en.ApprovedBy), base).Proven()
	}, now, e.location)
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
