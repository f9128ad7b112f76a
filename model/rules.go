package model

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// The names of the rules. They are stable: every reason the tool prints
// starts with one.
const (
	RuleShadowShift        = "shadow-shift"
	RuleAfterShadowShifts  = "after-shadow-shifts"
	RuleAfterPrimaryShift  = "after-primary-shift"
	RuleTemporaryException = "temporary-exception"
	RuleNotStarted         = "not-started"
	RuleLeft               = "left"
	RuleLongAbsence        = "long-absence"
	RuleInvalidFile        = "invalid-file"
)

// grantFail is a set of reasons a temporary_access entry grants nothing.
type grantFail uint16

const (
	failNotAgreed grantFail = 1 << iota
	failClearance
	failApproverMissing
	failApproverSelf
	failApproverInvalid
	failApproverRole
	failSupervisorMissing
	failSupervisorSelf
	failSupervisorNotPermanent
	failTooLong
	failApproverNotEmployed
	failApprovalNotProven  // policy.evidence required: no approving review shown
	failAgreementNotProven // policy.evidence required: the person's agreement not shown
	failNotYetProven       // policy.evidence required: proven, but after the day
)

// verdict is what the rules find for one person on one day, as facts; the
// words come later, and only when someone reads them.
type verdict struct {
	p *Person
	d Day

	invalid, notStarted, left bool

	absence         *Absence // the long absence that blocks access, if any
	revokedFrom     Day      // the day that absence revoked access
	absenceUnderWay bool     // it blocks everything; otherwise only the shift rules

	// shifts are the shifts that count on d, shadows the shadow shifts
	// among them ordered by start date, and dropped the shifts whose
	// evidence does not let them count, with why.
	shifts, shadows []Shift
	dropped         []droppedShift

	inShadow    int // index in shadows of a counted shadow shift covering d, or -1
	extraShadow int // index of an uncounted (third or later) shadow shift covering d, or -1
	shadowsDone bool
	probation   bool // probation passed, or not required on the person's track
	primary     *Shift

	grant    *TemporaryGrant // the entry covering d: one that grants if any does
	fails    grantFail       // why grant grants nothing
	supLevel Level           // the supervisor's level on d, without exceptions

	level Level
}

func (v *verdict) shadowShiftFires() bool {
	return v.p.Track() == DeveloperTrack && v.inShadow >= 0
}

func (v *verdict) afterShadowFires() bool {
	return v.p.Track() != NoTrack && v.shadowsDone && v.probation
}

func (v *verdict) afterPrimaryFires() bool { return v.afterShadowFires() && v.primary != nil }

func (v *verdict) exceptionFires() bool { return v.grant != nil && v.fails == 0 }

// shiftLevel is the level the shift rules give, before blocking rules.
func (v *verdict) shiftLevel() Level {
	switch {
	case v.afterPrimaryFires():
		return Permanent
	case v.afterShadowFires():
		return Supervised
	case v.shadowShiftFires():
		return TemporarySupervised
	}
	return None
}

// judge applies every rule to p on day d. With exceptions false the
// temporary-exception rule is left out, as when checking a supervisor.
func (r *Roster) judge(p *Person, d Day, exceptions bool) verdict {
	v := verdict{p: p, d: d, inShadow: -1, extraShadow: -1}
	v.invalid = !r.Valid(p)
	v.notStarted = p.StartDate != nil && d < *p.StartDate
	v.left = p.LastDay != nil && d > *p.LastDay
	r.longAbsence(&v)

	n := r.Policy.ShadowShiftsRequired
	v.shifts, v.shadows, v.dropped = r.countedShifts(p, d)
	for i, s := range v.shadows {
		switch {
		case !s.Contains(d):
		case i < n && v.inShadow < 0:
			v.inShadow = i
		case i >= n && v.extraShadow < 0:
			v.extraShadow = i
		}
	}
	if p.Track() != NoTrack {
		lastShadowEnd := Day(math.MinInt32)
		if n > 0 && len(v.shadows) >= n {
			lastShadowEnd = v.shadows[n-1].End
		}
		v.shadowsDone = len(v.shadows) >= n && lastShadowEnd < d
		v.probation = p.Track() == SRETrack || (p.ProbationPassed != nil && *p.ProbationPassed <= d)
		if v.shadowsDone {
			for i, s := range v.shifts {
				if s.Type != Shadow && s.Start > lastShadowEnd && s.End < d && (v.primary == nil || s.End < v.primary.End) {
					v.primary = &v.shifts[i]
				}
			}
		}
	}
	if exceptions {
		for i := range p.TemporaryAccess {
			g := &p.TemporaryAccess[i]
			if !g.Contains(d) {
				continue
			}
			fails, supLevel := r.grantFails(p, g, d)
			if v.grant == nil || fails == 0 {
				v.grant, v.fails, v.supLevel = g, fails, supLevel
			}
			if fails == 0 {
				break
			}
		}
	}

	switch {
	case v.invalid, v.notStarted, v.left, v.absence != nil && v.absenceUnderWay:
		v.level = None
	default:
		if v.absence == nil {
			v.level = v.shiftLevel()
		}
		if v.exceptionFires() {
			v.level = max(v.level, TemporarySupervised)
		}
	}
	return v
}

// longAbsence finds an absence that blocks access on v.d. An absence under
// way blocks everything, so it wins over one that has ended but still
// waits for a reinstatement.
func (r *Roster) longAbsence(v *verdict) {
	p := v.p
	for i := range p.Absences {
		a := &p.Absences[i]
		revokes := a.Start + Day(r.Policy.AbsenceLimitDays)
		if (a.End != nil && *a.End < revokes) || v.d < revokes {
			continue
		}
		if a.End == nil || v.d <= *a.End {
			v.absence, v.revokedFrom, v.absenceUnderWay = a, revokes, true
			return
		}
		if r.reinstatementAfter(p, *a.End, v.d) == nil && v.absence == nil {
			v.absence, v.revokedFrom = a, revokes
		}
	}
}

// reinstatementAfter returns a reinstatement dated on or after end and no
// later than d whose approver may approve it, or nil.
func (r *Roster) reinstatementAfter(p *Person, end, d Day) *Reinstatement {
	for i, re := range p.Reinstated {
		if re.Date >= end && re.Date <= d && r.reinstatementCounts(p, &p.Reinstated[i], d) {
			return &p.Reinstated[i]
		}
	}
	return nil
}

// reinstatementCounts reports whether a reinstatement's approver may
// approve it and, where the policy requires it, the approval was proven
// by day d.
func (r *Roster) reinstatementCounts(p *Person, re *Reinstatement, d Day) bool {
	if r.approverFails(p, re.ApprovedBy, re.Date) != 0 {
		return false
	}
	return r.provenBy(re.entryKey(p.ID), r.reinstatementProof(p, re), d)
}

// approverFails says why the person id may not approve p's access on day
// on (the day a grant starts, or a reinstatement's date): they must exist,
// be someone else, have a valid file and an approving role, and be
// employed on that day. Reinstatements and temporary grants are approved
// by the same rule.
func (r *Roster) approverFails(p *Person, id string, on Day) grantFail {
	a := r.byID[id]
	switch {
	case a == nil:
		return failApproverMissing
	case a == p:
		return failApproverSelf
	case !r.Valid(a):
		return failApproverInvalid
	case !a.Role.CanApprove():
		return failApproverRole
	case !a.employedOn(on):
		return failApproverNotEmployed
	}
	return 0
}

// employedOn reports whether p has started and not left on day d.
func (p *Person) employedOn(d Day) bool {
	return (p.StartDate == nil || *p.StartDate <= d) && (p.LastDay == nil || d <= *p.LastDay)
}

func (r *Roster) grantFails(p *Person, g *TemporaryGrant, d Day) (grantFail, Level) {
	var f grantFail
	if !g.Agreed {
		f |= failNotAgreed
	}
	if !p.Clearance.AtLeast(BPSS) {
		f |= failClearance
	}
	f |= r.approverFails(p, g.ApprovedBy, g.Start)
	supLevel := None
	switch s := r.byID[g.Supervisor]; {
	case s == nil:
		f |= failSupervisorMissing
	case s == p:
		f |= failSupervisorSelf
	default:
		if supLevel = r.judge(s, d, false).level; supLevel != Permanent {
			f |= failSupervisorNotPermanent
		}
	}
	if g.Days() > r.Policy.MaxTemporaryDays {
		f |= failTooLong
	}
	if key := g.entryKey(p.ID); r.requiresProof(key) {
		pf := r.grantProof(p, g)
		if !pf.Approved {
			f |= failApprovalNotProven
		}
		if !pf.Agreed {
			f |= failAgreementNotProven
		}
		if pf.Proven() && !r.provenBy(key, pf, d) {
			f |= failNotYetProven
		}
	}
	return f, supLevel
}

// Level is p's level on day d.
func (r *Roster) Level(p *Person, d Day) Level { return r.judge(p, d, true).level }

// until returns the last day from d on which p's level is certain to stay
// as it is on d, or nil when nothing in the files ends it. The level can
// change only on the days that a date in p's file (or in a supervisor's
// file) starts or ends something, so it is enough to look at those days.
func (r *Roster) until(p *Person, d Day, level Level) *Day {
	if !r.Valid(p) {
		return nil
	}
	points := r.changeDays(p, true, nil)
	slices.Sort(points)
	for i, c := range points {
		if c <= d || (i > 0 && points[i-1] == c) {
			continue
		}
		if r.judge(p, c, true).level != level {
			u := c - 1
			return &u
		}
	}
	return nil
}

// changeDays appends every day on which the rules may give p a different
// level from the day before.
func (r *Roster) changeDays(p *Person, exceptions bool, out []Day) []Day {
	if p.StartDate != nil {
		out = append(out, *p.StartDate)
	}
	if p.LastDay != nil {
		out = append(out, *p.LastDay+1)
	}
	if p.ProbationPassed != nil {
		out = append(out, *p.ProbationPassed)
	}
	for i, s := range p.Shifts {
		out = append(out, s.Start, s.End+1)
		out = r.appendProvenDay(out, r.shiftProof(p, &p.Shifts[i]))
	}
	for _, a := range p.Absences {
		out = append(out, a.Start+Day(r.Policy.AbsenceLimitDays))
		if a.End != nil {
			out = append(out, *a.End+1)
		}
	}
	for i, re := range p.Reinstated {
		out = append(out, re.Date)
		out = r.appendProvenDay(out, r.reinstatementProof(p, &p.Reinstated[i]))
	}
	if exceptions {
		for i, g := range p.TemporaryAccess {
			out = append(out, g.Start, g.End+1)
			out = r.appendProvenDay(out, r.grantProof(p, &p.TemporaryAccess[i]))
			if s := r.byID[g.Supervisor]; s != nil && s != p {
				out = r.changeDays(s, false, out)
			}
		}
	}
	return out
}

// appendProvenDay appends the day an entry was proven, on which an entry
// that must be proven begins to count.
func (r *Roster) appendProvenDay(out []Day, pf *Proof) []Day {
	if r.evidence == nil {
		return out
	}
	if d, ok := r.evidence.ProvenDay(pf); ok {
		out = append(out, d)
	}
	return out
}

// ChangeDays returns, in order and without repeats, every day on which p's
// level may differ from the day before.
func (r *Roster) ChangeDays(p *Person) []Day {
	days := r.changeDays(p, true, nil)
	slices.Sort(days)
	return slices.Compact(days)
}

// Transition names the rule whose change made p's level on day d differ
// from the day before, and says what happened: a blocking rule that began
// or ended, or a granting rule that began or ended.
func (r *Roster) Transition(p *Person, d Day) (rule, detail string) {
	before := r.describe(ptr(r.judge(p, d-1, true)))
	after := r.describe(ptr(r.judge(p, d, true)))
	// Blocking rules first: they explain the most.
	order := []int{7, 4, 5, 6, 2, 1, 0, 3}
	for _, i := range order {
		b, a := before[i], after[i]
		switch {
		case a.Fired && !b.Fired:
			return a.Rule, a.Detail
		case b.Fired && !a.Fired && a.Kind == Blocks:
			return a.Rule, "no longer applies: " + a.Detail
		case b.Fired && !a.Fired:
			return a.Rule, "ended: " + b.Detail
		}
	}
	return "", "the level changed"
}

func ptr[T any](v T) *T { return &v }

// Since returns the first day of the unbroken run of p's level that
// includes d, or nil when the level has held as far back as the files go.
func (r *Roster) Since(p *Person, d Day) *Day {
	level := r.Level(p, d)
	days := r.ChangeDays(p)
	for i := len(days) - 1; i >= 0; i-- {
		if c := days[i]; c <= d && r.Level(p, c-1) != level {
			return &c
		}
	}
	return nil
}

// droppedShift is a shift that does not count on a day, and why, in
// words that follow "<type> shift <start> to <end>".
type droppedShift struct {
	Shift
	why string
}

// countedShifts returns the shifts of p that count on day d, the shadow
// shifts among them ordered by start date, and those that do not count,
// with why. Without shift evidence every shift counts.
func (r *Roster) countedShifts(p *Person, d Day) (shifts, shadows []Shift, dropped []droppedShift) {
	if r.proofs == nil || !r.checksShifts() {
		return p.Shifts, p.shadows, nil
	}
	var kept []Shift
	for i := range p.Shifts {
		s := &p.Shifts[i]
		if why := r.shiftFails(p, s, d); why != "" {
			dropped = append(dropped, droppedShift{Shift: *s, why: why})
		} else {
			kept = append(kept, *s)
		}
	}
	if len(dropped) == 0 {
		return p.Shifts, p.shadows, nil
	}
	return kept, shadowShifts(kept), dropped
}

// shiftFails says why shift s of p does not count on day d, or "" when it
// does: a shift that must be proven counts from the day it was proven,
// and once completed only if the evidence shows it was worked, not only
// planned.
func (r *Roster) shiftFails(p *Person, s *Shift, d Day) string {
	if !r.requiresShiftProof(s.entryKey(p.ID)) {
		return ""
	}
	pf := r.shiftProof(p, s)
	switch {
	case pf == nil:
		return "is not proven"
	case !pf.Proven():
		why := strings.Join(pf.Missing, "; ")
		if strings.HasPrefix(why, "not ") {
			return "is " + why
		}
		return "is not proven: " + why
	}
	day, _ := r.evidence.ProvenDay(pf)
	switch {
	case day > d:
		return fmt.Sprintf("counts only from %s, when its evidence was complete (%s)", day, pf.Summary())
	case s.End < d && !pf.Worked:
		return fmt.Sprintf("was read from the rota only on %s, before it ended, so it is not yet shown as worked; the next run reads it again", day)
	}
	return ""
}

// shiftTakenAtWord reports whether a shift is taken at its word because
// the commit that adopted prodaccess, or one before it, wrote it, or the
// policy before the pull request that wrote it did not check shifts.
func (r *Roster) shiftTakenAtWord(key string) bool {
	b := r.evidence.Bases[key]
	return b != nil && b.ShiftTakenAtWord()
}

// ShiftTakenAtWord reports whether a shift entry is taken at its word:
// the commit that adopted prodaccess, or one before it, wrote it, or the
// policy before the pull request that wrote it did not check shifts.
func (r *Roster) ShiftTakenAtWord(e EntryRef) bool {
	return r.evidence != nil && r.shiftTakenAtWord(e.Key())
}
