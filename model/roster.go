package model

import (
	"fmt"
	"slices"
	"strings"
)

// Roster is everyone's person file, checked against each other, together
// with the policy the rules use.
//
// A person's own file problems live on the Person, which never changes once
// loaded; problems between files (an approver who does not exist, a login
// claimed twice) live on the roster. A roster can be updated in place with
// a few changed files, which keeps walking a long history cheap.
type Roster struct {
	People []*Person // ordered by id
	Policy Policy

	byID  map[string]*Person
	cross map[string]Problems // problems between files, by the id of the file that holds them
	// owners is who claims each identity (a lower-case login, a
	// fingerprint...), one set of claims per kind of identity.
	owners [len(identities)]claims
	// refs maps an id to the ids of the people whose files name it as an
	// approver or supervisor.
	refs map[string]map[string]bool

	// evidence is what is known of approvals; nil when not looked at.
	evidence *Evidence
	// proofs holds the verdict on each entry of each person, by id and
	// then by entry key, worked out whenever a file or the evidence
	// changes, so that the rules only look them up.
	proofs map[string]map[string]*Proof
}

// claims is who claims each value of one kind of identity. Nearly every
// value has one claimant, kept in one map with no slice of its own; a
// value two or more claim has them all in another.
type claims struct {
	one  map[string]*Person   // the one claimant of a value
	many map[string][]*Person // every claimant of a value claimed twice or more
}

func (c *claims) add(k string, p *Person) {
	if ps, ok := c.many[k]; ok {
		c.many[k] = append(ps, p)
		return
	}
	q, ok := c.one[k]
	if !ok {
		c.one[k] = p
		return
	}
	delete(c.one, k)
	if c.many == nil {
		c.many = map[string][]*Person{}
	}
	c.many[k] = []*Person{q, p}
}

func (c *claims) remove(k string, p *Person) {
	if q, ok := c.one[k]; ok {
		if q == p {
			delete(c.one, k)
		}
		return
	}
	ps := slices.DeleteFunc(c.many[k], func(q *Person) bool { return q == p })
	switch len(ps) {
	case 0:
		delete(c.many, k)
	case 1:
		delete(c.many, k)
		c.one[k] = ps[0]
	default:
		c.many[k] = ps
	}
}

// identities are the fields no two people may share.
var identities = [...]struct {
	field, what string
	key         func(*Person) string
}{
	{"github", "GitHub login", func(p *Person) string { return strings.ToLower(p.GitHub) }},
	// An email address names one person too, without regard to case:
	// two files with one address are one person twice, who could
	// otherwise approve their own access from the other file.
	{"email", "email address", func(p *Person) string { return strings.ToLower(p.Email) }},
	{"github_id", "GitHub user id", func(p *Person) string {
		if p.GitHubID == 0 {
			return ""
		}
		return fmt.Sprint(p.GitHubID)
	}},
	{"gpg_fingerprint", "GPG fingerprint", func(p *Person) string { return p.GPGFingerprint }},
	{"ssh_username", "SSH username", func(p *Person) string { return p.SSHUsername }},
	{"aws_user_arn", "AWS user ARN", func(p *Person) string { return p.AWSUserARN }},
	// The rota proves shifts by it: two files with one would share one
	// person's shifts.
	{"pagerduty_id", "PagerDuty user id", func(p *Person) string { return p.PagerDutyID }},
}

// NewRoster checks the people against each other and the policy (approvers
// and supervisors exist and may act, nobody approves themselves, no login,
// id or fingerprint is claimed twice, no temporary entry is too long) and
// returns the roster. A cross-file problem belongs to the person whose file
// holds the offending field, who is then granted nothing.
func NewRoster(people []*Person, policy Policy) *Roster {
	r := &Roster{Policy: policy, byID: make(map[string]*Person, len(people)), cross: map[string]Problems{}, refs: map[string]map[string]bool{}}
	for i := range r.owners {
		r.owners[i] = claims{one: make(map[string]*Person, len(people))}
	}
	r.People = slices.Clone(people)
	slices.SortFunc(r.People, func(a, b *Person) int { return strings.Compare(a.ID, b.ID) })
	for _, p := range r.People {
		r.index(p)
	}
	for _, p := range r.People {
		r.check(p)
	}
	return r
}

// Person returns the person with the given id, or nil.
func (r *Roster) Person(id string) *Person { return r.byID[id] }

// Valid reports whether p's file has no problem of its own or with others.
func (r *Roster) Valid(p *Person) bool { return len(p.Problems) == 0 && len(r.cross[p.ID]) == 0 }

// ProblemsOf returns every problem of p's file, in order.
func (r *Roster) ProblemsOf(p *Person) Problems {
	if len(r.cross[p.ID]) == 0 {
		return p.Problems
	}
	out := append(slices.Clone(p.Problems), r.cross[p.ID]...)
	out.Sort()
	return out
}

// Problems returns every problem in every file, in order.
func (r *Roster) Problems() Problems {
	var out Problems
	for _, p := range r.People {
		out = append(out, p.Problems...)
		out = append(out, r.cross[p.ID]...)
	}
	out.Sort()
	return out
}

// InvalidCount is how many people's files have a problem.
func (r *Roster) InvalidCount() int {
	n := 0
	for _, p := range r.People {
		if !r.Valid(p) {
			n++
		}
	}
	return n
}

func (r *Roster) index(p *Person) {
	r.byID[p.ID] = p
	for i, id := range identities {
		if k := id.key(p); k != "" {
			r.owners[i].add(k, p)
		}
	}
	for _, ref := range references(p) {
		if r.refs[ref] == nil {
			r.refs[ref] = map[string]bool{}
		}
		r.refs[ref][p.ID] = true
	}
}

func (r *Roster) unindex(p *Person) {
	delete(r.byID, p.ID)
	for i, id := range identities {
		if k := id.key(p); k != "" {
			r.owners[i].remove(k, p)
		}
	}
	for _, ref := range references(p) {
		delete(r.refs[ref], p.ID)
		if len(r.refs[ref]) == 0 {
			delete(r.refs, ref)
		}
	}
}

// references are the ids a person's file names as approver or supervisor.
func references(p *Person) []string {
	var out []string
	for _, g := range p.TemporaryAccess {
		out = append(out, g.ApprovedBy, g.Supervisor)
	}
	for _, re := range p.Reinstated {
		out = append(out, re.ApprovedBy)
	}
	if h := p.HeldBeforeAdoption; h != nil {
		out = append(out, h.ApprovedBy)
	}
	return out
}

// check records the cross-file problems of p's file.
func (r *Roster) check(p *Person) {
	var ps Problems
	add := func(pos Pos, format string, args ...any) {
		ps = append(ps, Problem{File: p.File, Line: pos.Line, Col: pos.Col, Message: fmt.Sprintf(format, args...)})
	}
	approver := func(id string, pos Pos, path string) {
		a := r.byID[id]
		switch {
		case id == p.ID:
			add(pos, "%s: %s cannot approve their own access", path, p.ID)
		case a == nil:
			add(pos, "%s: there is no person %q (no file %s.yaml)", path, id, id)
		case a.Role != "" && !a.Role.CanApprove():
			add(pos, "%s: %s is a %s; only a lead_developer or head_of_technology can approve", path, id, a.Role)
		}
	}
	for i, g := range p.TemporaryAccess {
		path := fmt.Sprintf("temporary_access[%d]", i)
		approver(g.ApprovedBy, g.ApprovedByPos, path+".approved_by")
		switch {
		case g.Supervisor == p.ID:
			add(g.SupervisorPos, "%s.supervisor: %s cannot supervise their own access", path, p.ID)
		case r.byID[g.Supervisor] == nil:
			add(g.SupervisorPos, "%s.supervisor: there is no person %q (no file %s.yaml)", path, g.Supervisor, g.Supervisor)
		}
		if days := g.Days(); days > r.Policy.MaxTemporaryDays {
			add(g.Pos, "%s: lasts %d days (%s); the most allowed is %d", path, days, g.Range, r.Policy.MaxTemporaryDays)
		}
	}
	for i, re := range p.Reinstated {
		approver(re.ApprovedBy, re.ApprovedByPos, fmt.Sprintf("reinstated[%d].approved_by", i))
	}
	r.checkHeld(p, add, approver)
	for i, id := range identities {
		k := id.key(p)
		if k == "" || len(r.owners[i].many[k]) < 2 {
			continue
		}
		var others []string
		for _, o := range r.owners[i].many[k] {
			if o != p {
				others = append(others, o.File)
			}
		}
		slices.Sort(others)
		add(p.FieldPos(id.field), "%s: the same %s is in %s; each person needs their own", id.field, id.what, strings.Join(others, ", "))
	}
	if len(ps) == 0 {
		delete(r.cross, p.ID)
		return
	}
	r.cross[p.ID] = ps
}

// Replace puts new versions of some files in place: changed maps an id to
// the person now in that file, or to nil when the file is gone. It returns
// the ids of everyone whose decision may differ because of it: the people
// changed, those claiming an identity they claim or claimed, and everyone
// whose grant or reinstatement names one of these, and so on. If before is
// not nil it is called with those ids before anything changes, so that the
// caller can see their decisions as they were.
func (r *Roster) Replace(changed map[string]*Person, before func(affected []string)) []string {
	affected := map[string]bool{}
	var seeds []string
	note := func(p *Person) {
		if p == nil {
			return
		}
		for i, id := range identities {
			if k := id.key(p); k != "" {
				if o := r.owners[i].one[k]; o != nil {
					seeds = append(seeds, o.ID)
				}
				for _, o := range r.owners[i].many[k] {
					seeds = append(seeds, o.ID)
				}
			}
		}
	}
	// The changed people, and everyone claiming an identity they claim
	// now or will claim.
	for id, p := range changed {
		seeds = append(seeds, id)
		note(r.byID[id])
		note(p)
	}
	// Everyone who names an affected person, and so on. References of
	// the changed files' new versions are their own, already seeds.
	for len(seeds) > 0 {
		id := seeds[len(seeds)-1]
		seeds = seeds[:len(seeds)-1]
		if affected[id] {
			continue
		}
		affected[id] = true
		for dep := range r.refs[id] {
			seeds = append(seeds, dep)
		}
	}
	ids := make([]string, 0, len(affected))
	for id := range affected {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if before != nil {
		before(ids)
	}
	for id, p := range changed {
		if old := r.byID[id]; old != nil {
			r.unindex(old)
			delete(r.cross, id)
			r.People = slices.DeleteFunc(r.People, func(q *Person) bool { return q == old })
		}
		if p != nil {
			r.index(p)
			i, _ := slices.BinarySearchFunc(r.People, p.ID, func(q *Person, id string) int { return strings.Compare(q.ID, id) })
			r.People = slices.Insert(r.People, i, p)
		}
	}
	for _, id := range ids {
		if p := r.byID[id]; p != nil {
			r.check(p)
		}
		r.prove(id)
	}
	return ids
}

// SetEvidence gives the rules what is known of approvals. With a nil
// evidence, or the policy off, files are taken at their word.
func (r *Roster) SetEvidence(ev *Evidence) {
	r.evidence = ev
	r.proofs = nil
	if !r.checksEvidence() {
		return
	}
	r.proofs = make(map[string]map[string]*Proof, len(r.People))
	for _, p := range r.People {
		r.prove(p.ID)
	}
}

// Evidence returns what the rules know of approvals, or nil.
func (r *Roster) Evidence() *Evidence { return r.evidence }

// checksEvidence reports whether any evidence is looked at.
func (r *Roster) checksEvidence() bool { return r.checksApprovals() || r.checksShifts() }

// checksApprovals reports whether the approvals of temporary grants and
// reinstatements are checked.
func (r *Roster) checksApprovals() bool {
	return r.evidence != nil && r.evidence.Policy != EvidenceOff && r.evidence.Policy != ""
}

// checksShifts reports whether shifts are checked against the rota.
func (r *Roster) checksShifts() bool {
	return r.evidence != nil && r.evidence.Shifts != EvidenceOff && r.evidence.Shifts != ""
}

// RequiresProof reports whether an entry must be proven to grant, under
// the policy before the pull request that wrote it.
func (r *Roster) RequiresProof(e EntryRef) bool {
	if e.Kind == ShiftEntry {
		return r.requiresShiftProof(e.Key())
	}
	return r.requiresProof(e.Key())
}

// requiresProof reports whether the entry with the key must be proven to
// grant: under the policy of the branch before the pull request that
// wrote it, where that is known, else under the policy in force.
func (r *Roster) requiresProof(key string) bool {
	if !r.checksApprovals() {
		return false
	}
	if b := r.evidence.Bases[key]; b != nil {
		return b.Authority.Policy.Evidence == EvidenceRequired
	}
	return r.evidence.Policy == EvidenceRequired
}

// requiresShiftProof reports whether the shift with the key must be
// proven to count: under policy.shift_evidence of the branch before the
// pull request that wrote it, unless the commit that adopted prodaccess
// (or one before it) wrote it, which is taken at its word.
func (r *Roster) requiresShiftProof(key string) bool {
	if !r.checksShifts() {
		return false
	}
	if b := r.evidence.Bases[key]; b != nil {
		return !b.BeforeAdoption && b.Authority.Policy.ShiftEvidence == EvidenceRequired
	}
	return r.evidence.Shifts == EvidenceRequired
}

// provenBy reports whether an entry that must be proven was proven by day
// d; an entry that need not be always is.
func (r *Roster) provenBy(key string, pf *Proof, d Day) bool {
	if !r.requiresProof(key) {
		return true
	}
	day, ok := r.evidence.ProvenDay(pf)
	return pf.Proven() && ok && day <= d
}

// prove works out the verdict on every entry of the person id.
func (r *Roster) prove(id string) {
	if !r.checksEvidence() {
		return
	}
	p := r.byID[id]
	if p == nil {
		delete(r.proofs, id)
		return
	}
	m := map[string]*Proof{}
	prove := func(key string, e EntryRef) {
		pf := Prove(r.evidence.ByEntry[key], e, p, r.byID[e.ApprovedBy], r.evidence.Bases[key])
		if why, ok := r.evidence.Unreadable[key]; ok && (r.evidence.ByEntry[key] == nil || e.Kind == ShiftEntry && pf.Rota == nil) {
			pf.Missing = []string{"its evidence could not be read: " + why}
			pf.Flags = []string{"approval not proven", "evidence unreadable"}
		}
		if tn, ok := r.evidence.Tampered[key]; ok && r.evidence.ByEntry[key] == nil {
			pf.Commit = tn.Commit
			pf.Missing = []string{tn.Why}
			pf.Flags = []string{"approval not proven", "tampered note"}
		}
		m[key] = pf
	}
	if r.checksApprovals() {
		for i := range p.TemporaryAccess {
			g := &p.TemporaryAccess[i]
			prove(g.entryKey(p.ID), g.Ref(p.ID))
		}
		for i := range p.Reinstated {
			re := &p.Reinstated[i]
			prove(re.entryKey(p.ID), re.Ref(p.ID))
		}
	}
	if r.checksShifts() {
		for i := range p.Shifts {
			s := &p.Shifts[i]
			prove(s.entryKey(p.ID), s.Ref(p.ID))
		}
	}
	if h := p.HeldBeforeAdoption; h != nil {
		prove(h.entryKey(p.ID), h.Ref(p.ID))
	}
	r.proofs[id] = m
}

// grantProof and reinstatementProof look up a verdict; nil when evidence
// is not looked at.
func (r *Roster) grantProof(p *Person, g *TemporaryGrant) *Proof {
	if r.proofs == nil {
		return nil
	}
	return r.proofs[p.ID][g.entryKey(p.ID)]
}

func (r *Roster) reinstatementProof(p *Person, re *Reinstatement) *Proof {
	if r.proofs == nil {
		return nil
	}
	return r.proofs[p.ID][re.entryKey(p.ID)]
}

// shiftProof looks up the verdict on a shift; nil when shifts are not
// checked.
func (r *Roster) shiftProof(p *Person, s *Shift) *Proof {
	if r.proofs == nil || !r.checksShifts() {
		return nil
	}
	return r.proofs[p.ID][s.entryKey(p.ID)]
}

// Proof returns the verdict of the evidence on an entry of p, or nil when
// evidence is not looked at.
func (r *Roster) Proof(p *Person, e EntryRef) *Proof {
	if r.proofs == nil {
		return nil
	}
	return r.proofs[p.ID][e.Key()]
}

// NoSuch says that no person has the id, and which id is near it, if any:
// `no person "alex-leed" in people; did you mean alex-lead?`.
func (r *Roster) NoSuch(id, where string) error {
	ids := make([]string, len(r.People))
	for i, p := range r.People {
		ids[i] = p.ID
	}
	if c := Closest(id, ids); c != "" {
		return fmt.Errorf("no person %q in %s; did you mean %s?", id, where, c)
	}
	return fmt.Errorf("no person %q in %s", id, where)
}
