package reconciler

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/prodaccess/prodaccess/evidence"
	"github.com/prodaccess/prodaccess/model"
)

// The authority (who may approve, with which account, under which policy)
// is rebuilt along the first-parent line of the people branch: each commit
// that changes it in a way that widens access is a change that takes
// effect only when a lead of record before its pull request approved it,
// proven as a grant is (see model.Authority).

// AuthorityStep is a commit of the first-parent line whose files change
// the authority: the people with an approving role and a valid file, the
// policy, and for each entry of the authority the files hold (see
// model.Authority.Changes), the commit that wrote it in its current form.
type AuthorityStep struct {
	Commit string
	People []*model.Person
	Policy model.Policy
	Intro  map[string]string // entry key → commit
}

// AuthorityEvidence gives the evidence of a commit: looked up in this
// run, or recorded in a note whose signature verifies with one of the
// signers (an authorized_keys line each). complete says a recorded note
// needs no new lookup; nil evidence means none is known.
type AuthorityEvidence func(commit string, signers []string) (ev *model.CommitEvidence, complete bool)

// PendingChange is a change to the authority that widens access and is
// not proven: under a required policy it does not take effect; under warn
// it does, and is flagged.
type PendingChange struct {
	Commit  string // the commit that wrote it
	What    string
	Missing []string
	InForce bool // the policy before it did not require proof
}

// AuthorityChain is the authority after each commit of the first-parent
// line.
type AuthorityChain struct {
	line  []string
	index map[string]int
	// steps are the commits that may change the authority, in line
	// order, and after[i] the authority after steps[i].
	steps []int
	after []model.Authority
	// Pending are the changes that widen access and are not proven.
	Pending []PendingChange
	// Lookups are the commits whose evidence should be looked up: none
	// is recorded, or what is recorded may still change; LookupEntries
	// are the changes each wrote.
	Lookups       []string
	LookupEntries map[string][]model.EntryRef
	// Proofs are the verdicts on the changes, by commit and entry key.
	Proofs map[string]*model.Proof
}

// BuildAuthority rebuilds the authority along line (the first-parent
// line, oldest first), from steps (in line order; the first is the first
// commit of line, whose files are taken at their word since nothing before
// it can vouch for them).
func BuildAuthority(line []string, steps []AuthorityStep, lookup AuthorityEvidence) *AuthorityChain {
	c := &AuthorityChain{line: line, index: make(map[string]int, len(line)), Proofs: map[string]*model.Proof{}, LookupEntries: map[string][]model.EntryRef{}}
	for i, sha := range line {
		c.index[sha] = i
	}
	lookups := map[string]bool{}
	for si, st := range steps {
		i, ok := c.index[st.Commit]
		if !ok {
			continue
		}
		if si == 0 {
			c.steps = append(c.steps, i)
			c.after = append(c.after, evidence.NewAuthority(st.People, st.Policy))
			continue
		}
		prev := c.after[len(c.after)-1]
		approved := func(e model.EntryRef) bool {
			intro := st.Intro[e.Key()]
			if intro == "" {
				intro = st.Commit
			}
			pf, base := c.prove(intro, e, lookup, lookups)
			if pf.Proven() {
				return true
			}
			required := base.Authority.Policy.Evidence == model.EvidenceRequired
			c.Pending = append(c.Pending, PendingChange{Commit: intro, What: changeText(prev, st, e), Missing: pf.Missing, InForce: !required})
			return !required
		}
		next := evidence.Apply(prev, st.People, st.Policy, approved)
		c.steps = append(c.steps, i)
		c.after = append(c.after, next)
	}
	c.Pending = compactPending(c.Pending)
	for sha := range lookups {
		c.Lookups = append(c.Lookups, sha)
	}
	sort.Slice(c.Lookups, func(a, b int) bool { return c.index[c.Lookups[a]] < c.index[c.Lookups[b]] })
	return c
}

// prove gives the verdict on a change to the authority that commit
// wrote, under the authority before its pull request.
func (c *AuthorityChain) prove(commit string, e model.EntryRef, lookup AuthorityEvidence, lookups map[string]bool) (*model.Proof, *model.EntryBase) {
	key := commit + "\x00" + e.Key()
	signers := c.At(c.parentOf(commit)).Policy.EvidenceSigners
	ev, complete := lookup(commit, signers)
	if !complete {
		lookups[commit] = true
		if !slices.ContainsFunc(c.LookupEntries[commit], func(x model.EntryRef) bool { return x.Key() == e.Key() }) {
			c.LookupEntries[commit] = append(c.LookupEntries[commit], e)
		}
	}
	base := &model.EntryBase{Commit: c.BaseOf(commit, ev)}
	base.Authority = c.At(base.Commit)
	if pf, ok := c.Proofs[key]; ok {
		return pf, base
	}
	pf := model.Prove(ev, e, nil, nil, base)
	c.Proofs[key] = pf
	return pf, base
}

// changeText says a change in words.
func changeText(prev model.Authority, st AuthorityStep, e model.EntryRef) string {
	for _, ch := range evidence.Changes(prev, st.People, st.Policy) {
		if ch.Entry.Key() == e.Key() {
			return ch.What
		}
	}
	return e.String()
}

// compactPending keeps one of each change, the first time it is met.
func compactPending(in []PendingChange) []PendingChange {
	var out []PendingChange
	seen := map[string]bool{}
	for _, p := range in {
		k := p.Commit + "\x00" + p.What
		if !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	return out
}

func (c *AuthorityChain) parentOf(commit string) string {
	if i, ok := c.index[commit]; ok && i > 0 {
		return c.line[i-1]
	}
	return ""
}

// At returns the authority in force after commit, a commit of the line;
// for "" (before the first commit), the first commit's.
func (c *AuthorityChain) At(commit string) model.Authority {
	if len(c.after) == 0 {
		return model.Authority{Policy: model.DefaultPolicy(), Approvers: map[string]model.Approver{}}
	}
	i, ok := c.index[commit]
	if !ok {
		return c.after[0]
	}
	n := sort.SearchInts(c.steps, i+1) - 1
	return c.after[max(n, 0)]
}

// Tip returns the authority in force after the last commit of the line.
func (c *AuthorityChain) Tip() model.Authority {
	if len(c.line) == 0 {
		return c.At("")
	}
	return c.At(c.line[len(c.line)-1])
}

// BaseOf returns the last commit of the line before the pull request that
// brought commit to it: its first parent, or for a rebase merge (whose
// commits follow each other on the line, the last being the pull
// request's merge commit) the parent of the first of them. "" when the
// commit is the first of the line.
func (c *AuthorityChain) BaseOf(commit string, ev *model.CommitEvidence) string {
	i, ok := c.index[commit]
	if !ok {
		return ""
	}
	first := i
	if ev != nil {
		for _, pr := range ev.PullRequests {
			m, ok := c.index[pr.MergeCommit]
			if !ok || pr.MergeCommit == commit || pr.Commits < 1 {
				continue
			}
			if start := m - pr.Commits + 1; m >= i && start <= i && start >= 0 {
				first = min(first, start)
			}
		}
	}
	if first == 0 {
		return ""
	}
	return c.line[first-1]
}

// BeforeAdoption reports whether commit is the commit that adopted
// prodaccess (the first whose files the authority takes at their word),
// or one before it on the line: nothing before it governed access.
func (c *AuthorityChain) BeforeAdoption(commit string) bool {
	i, ok := c.index[commit]
	return ok && (len(c.steps) == 0 || i <= c.steps[0])
}

// Base is the branch before the pull request that brought commit (whose
// evidence is ev, if known): its last commit and the authority then, in
// the policy time zone loc.
func (c *AuthorityChain) Base(commit string, ev *model.CommitEvidence, loc *time.Location) *model.EntryBase {
	base := &model.EntryBase{Commit: c.BaseOf(commit, ev), BeforeAdoption: c.BeforeAdoption(commit), Location: loc}
	base.Authority = c.At(base.Commit)
	return base
}

// Line returns the first-parent line, oldest first.
func (c *AuthorityChain) Line() []string { return c.line }

// PendingAt lists the pending changes written by commits up to and
// including commit, in line order.
func (c *AuthorityChain) PendingAt(commit string) []PendingChange {
	limit, ok := c.index[commit]
	if !ok {
		limit = len(c.line)
	}
	var out []PendingChange
	for _, p := range c.Pending {
		if c.index[p.Commit] <= limit {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b PendingChange) int { return c.index[a.Commit] - c.index[b.Commit] })
	return out
}

// PendingText says a pending change in one line.
func (p PendingChange) Text() string {
	s := p.What + " (commit " + model.ShortSHA(p.Commit) + ") is not approved by a lead"
	if len(p.Missing) > 0 {
		s += ": " + strings.Join(p.Missing, "; ")
	}
	if p.InForce {
		return s + "; it is in force because policy.evidence was not required before it"
	}
	return s + ", and does not take effect until it is"
}
