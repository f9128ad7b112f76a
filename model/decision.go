package model

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// RuleKind says whether a rule grants a level or blocks access.
type RuleKind string

// Rule kinds.
const (
	Grants RuleKind = "grants"
	Blocks RuleKind = "blocks"
)

// RuleResult is one rule applied to one person on one day.
type RuleResult struct {
	Rule   string   `json:"rule"`
	Kind   RuleKind `json:"kind"`
	Level  Level    `json:"level"` // the level a granting rule gives; none for blocking rules
	Fired  bool     `json:"fired"` // its conditions hold on the day
	Detail string   `json:"detail"`

	// The facts behind a temporary exception, when one covers the day.
	Grant      *Range `json:"grant,omitempty"`
	ApprovedBy string `json:"approved_by,omitempty"`
	Supervisor string `json:"supervisor,omitempty"`
	// Evidence is the verdict on the approval of the entry the rule
	// used (a temporary grant, or the reinstatement that ended a long
	// absence), when evidence is looked at.
	Evidence *Proof `json:"-"`
}

// Reason is the rule's name and its detail, as printed.
func (rr RuleResult) Reason() string { return rr.Rule + ": " + rr.Detail }

// Decision is a person's level on a day, and why.
type Decision struct {
	Person  *Person
	At      Day
	Level   Level
	Until   *Day         // the last day the level is certain to last; nil when nothing known ends it
	Reasons []RuleResult // the rules that decided the level
	Rules   []RuleResult // every rule, in a fixed order
	// Problems are those of the person's file, its own and with others.
	Problems Problems
	// Evidence is the verdict on the approval of each entry the decision
	// rests on (the grant used, a reinstatement that ended a long
	// absence), when evidence is looked at.
	Evidence []*Proof
}

// ReasonStrings returns the reasons as printed: "rule: detail".
func (dc Decision) ReasonStrings() []string {
	out := make([]string, len(dc.Reasons))
	for i, r := range dc.Reasons {
		out[i] = r.Reason()
	}
	return out
}

// Decide applies the rules to one person on day d.
func (r *Roster) Decide(p *Person, d Day) Decision {
	v := r.judge(p, d, true)
	dc := Decision{Person: p, At: d, Level: v.level, Until: r.until(p, d, v.level), Problems: r.ProblemsOf(p)}
	if r.proofs != nil {
		if v.grant != nil {
			if pf := r.grantProof(p, v.grant); pf != nil {
				dc.Evidence = append(dc.Evidence, pf)
			}
		}
		for i := range p.Absences {
			a := &p.Absences[i]
			if a.End == nil || *a.End >= d {
				continue
			}
			if re := r.reinstatementAfter(p, *a.End, d); re != nil && !slices.ContainsFunc(dc.Evidence, func(pf *Proof) bool { return pf.Entry.Key() == re.Ref(p.ID).Key() }) {
				dc.Evidence = append(dc.Evidence, r.reinstatementProof(p, re))
			}
		}
	}
	dc.Evidence = append(dc.Evidence, r.shiftEvidence(&v)...)
	dc.Rules = r.describe(&v)
	for _, rr := range dc.Rules {
		switch {
		case !rr.Fired:
		case rr.Kind == Blocks:
			dc.Reasons = append(dc.Reasons, rr)
		case rr.Level == v.level:
			dc.Reasons = append(dc.Reasons, rr)
		}
	}
	if v.level == None && v.grant != nil && v.fails != 0 {
		// Say why an entry meant to grant access today does not.
		for _, rr := range dc.Rules {
			if rr.Rule == RuleTemporaryException {
				dc.Reasons = append(dc.Reasons, rr)
			}
		}
	}
	return dc
}

// Evaluate decides every person's level on day d, in id order. The roster
// is only read, so people are decided in parallel.
func (r *Roster) Evaluate(d Day) []Decision {
	out := make([]Decision, len(r.People))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(r.People)/256))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(r.People); i += workers {
				out[i] = r.Decide(r.People[i], d)
			}
		})
	}
	wg.Wait()
	return out
}

var ordinals = []string{"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"}

func ordinal(i int) string {
	if i < len(ordinals) {
		return ordinals[i]
	}
	return fmt.Sprintf("no. %d", i+1)
}

func (r *Roster) describe(v *verdict) []RuleResult {
	p, d := v.p, v.d
	n := r.Policy.ShadowShiftsRequired
	track := p.Track()

	shadow := RuleResult{Rule: RuleShadowShift, Kind: Grants, Level: TemporarySupervised, Fired: v.shadowShiftFires()}
	switch {
	case track != DeveloperTrack:
		shadow.Detail = "applies only to GOV.UK developers (programme govuk, role developer or lead_developer)"
	case v.inShadow >= 0:
		s := v.shadows[v.inShadow]
		shadow.Detail = fmt.Sprintf("%s shadow shift %s", ordinal(v.inShadow), s.Range)
	case v.droppedOn(d) != nil:
		ds := v.droppedOn(d)
		shadow.Detail = fmt.Sprintf("shadow shift %s %s", ds.Range, ds.why)
	case len(v.shadows) == 0:
		shadow.Detail = "no shadow shifts recorded"
	default:
		var parts []string
		for i, s := range v.shadows[:min(n, len(v.shadows))] {
			parts = append(parts, fmt.Sprintf("%s %s", ordinal(i), s.Range))
		}
		shadow.Detail = fmt.Sprintf("%s is in none of the first %d shadow shifts (%s)", d, n, strings.Join(parts, "; "))
		if v.extraShadow >= 0 {
			shadow.Detail += fmt.Sprintf("; the %s shadow shift %s does not count: only the first %d do", ordinal(v.extraShadow), v.shadows[v.extraShadow].Range, n)
		}
	}

	after := RuleResult{Rule: RuleAfterShadowShifts, Kind: Grants, Level: Supervised, Fired: v.afterShadowFires()}
	shadowFact := r.shadowsFact(v.shadows, d)
	if !v.shadowsDone {
		for _, ds := range v.dropped {
			if ds.Type == Shadow && ds.End < d {
				shadowFact += fmt.Sprintf("; shadow shift %s %s", ds.Range, ds.why)
			}
		}
	}
	probationFact := ""
	switch {
	case track == SRETrack:
		probationFact = "probation does not apply to SREs"
	case p.ProbationPassed == nil:
		probationFact = "probation not passed"
	case *p.ProbationPassed <= d:
		probationFact = "probation passed " + p.ProbationPassed.String()
	default:
		probationFact = "probation passed only on " + p.ProbationPassed.String()
	}
	if track == NoTrack {
		after.Detail = "applies only to the developer track (govuk developers and lead developers) and the sre track (techops SREs)"
	} else {
		after.Detail = shadowFact + "; " + probationFact
	}

	primary := RuleResult{Rule: RuleAfterPrimaryShift, Kind: Grants, Level: Permanent, Fired: v.afterPrimaryFires()}
	switch {
	case track == NoTrack:
		primary.Detail = after.Detail
	case !after.Fired:
		primary.Detail = "needs after-shadow-shifts first"
	case v.primary != nil:
		primary.Detail = fmt.Sprintf("%s shift %s completed; %s", v.primary.Type, v.primary.Range, after.Detail)
	default:
		primary.Detail = "no primary or secondary shift completed after the last shadow shift"
		lastShadowEnd := Day(math.MinInt32)
		if n > 0 {
			lastShadowEnd = v.shadows[n-1].End
			primary.Detail = fmt.Sprintf("no primary or secondary shift that started after %s has been completed", lastShadowEnd)
		}
		for _, s := range v.shifts {
			if s.Type != Shadow && s.Contains(d) {
				primary.Detail += fmt.Sprintf(" (%s shift %s is under way)", s.Type, s.Range)
			}
		}
		for _, ds := range v.dropped {
			if ds.Type != Shadow && ds.Start > lastShadowEnd && ds.End < d {
				primary.Detail = fmt.Sprintf("%s shift %s %s", ds.Type, ds.Range, ds.why)
				break
			}
		}
	}

	exception := r.describeException(v)

	notStarted := RuleResult{Rule: RuleNotStarted, Kind: Blocks, Fired: v.notStarted}
	switch {
	case p.StartDate == nil:
		notStarted.Detail = "no start_date"
	case v.notStarted:
		notStarted.Detail = "starts " + p.StartDate.String()
	default:
		notStarted.Detail = "started " + p.StartDate.String()
	}

	left := RuleResult{Rule: RuleLeft, Kind: Blocks, Fired: v.left}
	switch {
	case p.LastDay == nil:
		left.Detail = "no last_day"
	case v.left:
		left.Detail = "last day was " + p.LastDay.String()
	default:
		left.Detail = "last day is " + p.LastDay.String()
	}

	absence := RuleResult{Rule: RuleLongAbsence, Kind: Blocks, Fired: v.absence != nil, Detail: r.absenceFacts(v)}

	invalid := RuleResult{Rule: RuleInvalidFile, Kind: Blocks, Fired: v.invalid, Detail: "the file is valid"}
	if v.invalid {
		problems := r.ProblemsOf(p)
		first := problems[0]
		invalid.Detail = fmt.Sprintf("%s has %d problem(s), so nothing is granted; first: line %d: %s", p.File, len(problems), first.Line, first.Message)
	}
	return []RuleResult{shadow, after, primary, exception, notStarted, left, absence, invalid}
}

// shadowsFact says where the person stands with the shadow shifts the
// policy requires.
func (r *Roster) shadowsFact(shadows []Shift, d Day) string {
	n := r.Policy.ShadowShiftsRequired
	switch {
	case n == 0:
		return "no shadow shifts required"
	case len(shadows) < n:
		return fmt.Sprintf("%d of %d shadow shifts recorded", len(shadows), n)
	case shadows[n-1].End < d:
		return fmt.Sprintf("%s shadow shift ended %s", ordinal(n-1), shadows[n-1].End)
	default:
		return fmt.Sprintf("%s shadow shift ends %s", ordinal(n-1), shadows[n-1].End)
	}
}

// droppedOn returns a shadow shift that covers d but does not count, or
// nil.
func (v *verdict) droppedOn(d Day) *droppedShift {
	for i := range v.dropped {
		if ds := &v.dropped[i]; ds.Type == Shadow && ds.Contains(d) {
			return ds
		}
	}
	return nil
}

// shiftEvidence is the verdict on each shift the decision rests on: the
// shadow shift under way, the shadow shifts counted, the primary or
// secondary shift completed; none for a shift taken at its word because
// it came with the adoption of prodaccess.
func (r *Roster) shiftEvidence(v *verdict) []*Proof {
	if r.proofs == nil || !r.checksShifts() {
		return nil
	}
	var used []Shift
	n := r.Policy.ShadowShiftsRequired
	switch {
	case v.afterShadowFires():
		used = append(used, v.shadows[:min(n, len(v.shadows))]...)
		if v.primary != nil {
			used = append(used, *v.primary)
		}
	case v.shadowShiftFires():
		used = append(used, v.shadows[v.inShadow])
	}
	var out []*Proof
	for i := range used {
		key := used[i].entryKey(v.p.ID)
		if pf := r.proofs[v.p.ID][key]; pf != nil && !r.shiftTakenAtWord(key) {
			out = append(out, pf)
		}
	}
	return out
}

func (r *Roster) describeException(v *verdict) RuleResult {
	rr := RuleResult{Rule: RuleTemporaryException, Kind: Grants, Level: TemporarySupervised, Fired: v.exceptionFires()}
	g := v.grant
	if g == nil {
		rr.Detail = fmt.Sprintf("no temporary_access entry covers %s", v.d)
		return rr
	}
	rng := g.Range
	rr.Grant, rr.ApprovedBy, rr.Supervisor = &rng, g.ApprovedBy, g.Supervisor
	rr.Evidence = r.grantProof(v.p, g)
	if v.fails == 0 {
		rr.Detail = fmt.Sprintf("%s, approved by %s, supervised by %s: %s", g.Range, g.ApprovedBy, g.Supervisor, g.Reason)
		if pf := rr.Evidence; pf != nil && !pf.Proven() {
			rr.Detail += " (not proven: " + strings.Join(pf.Missing, "; ") + ")"
		}
		return rr
	}
	var why []string
	add := func(f grantFail, format string, args ...any) {
		if v.fails&f != 0 {
			why = append(why, fmt.Sprintf(format, args...))
		}
	}
	p := v.p
	approver := r.byID[g.ApprovedBy]
	add(failNotAgreed, "the person has not agreed to use it only while supervised (agreed: false)")
	add(failClearance, "clearance %s is below bpss", p.Clearance)
	add(failApproverMissing, "approver %s does not exist", g.ApprovedBy)
	add(failApproverSelf, "it is approved by the person themselves")
	add(failApproverInvalid, "approver %s's file is invalid", g.ApprovedBy)
	if approver != nil {
		add(failApproverRole, "approver %s is a %s, not a lead_developer or head_of_technology", g.ApprovedBy, approver.Role)
		add(failApproverNotEmployed, "approver %s %s", g.ApprovedBy, notEmployed(approver, g.Start, "the entry starts"))
	}
	add(failSupervisorMissing, "supervisor %s does not exist", g.Supervisor)
	add(failSupervisorSelf, "the person cannot supervise themselves")
	add(failSupervisorNotPermanent, "supervisor %s has %s on %s, not permanent", g.Supervisor, v.supLevel.AccessText(), v.d)
	add(failTooLong, "it lasts %d days, more than the %d allowed", g.Days(), r.Policy.MaxTemporaryDays)
	if pf := rr.Evidence; pf != nil && v.fails&(failApprovalNotProven|failAgreementNotProven) != 0 {
		why = append(why, pf.Missing...)
	}
	if pf := rr.Evidence; pf != nil && v.fails&failNotYetProven != 0 {
		day, _ := r.evidence.ProvenDay(pf)
		why = append(why, fmt.Sprintf("it counts from %s, when its evidence was complete (%s)", day, pf.Summary()))
	}
	rr.Detail = fmt.Sprintf("%s grants nothing: %s", g.Range, strings.Join(why, "; "))
	return rr
}

func (r *Roster) absenceFacts(v *verdict) string {
	p, d, limit := v.p, v.d, r.Policy.AbsenceLimitDays
	if a := v.absence; a != nil {
		if v.absenceUnderWay {
			end := "no end date"
			if a.End != nil {
				end = "ends " + a.End.String()
			}
			return fmt.Sprintf("absent since %s (%s); access revoked from %s, day %d of the absence", a.Start, end, v.revokedFrom, limit+1)
		}
		msg := fmt.Sprintf("absence %s to %s revoked access from %s; shift-based access stays revoked until a reinstatement dated %s or later", a.Start, a.End, v.revokedFrom, a.End)
		for i, re := range p.Reinstated {
			if re.Date >= *a.End && re.Date <= d {
				why := r.approverProblem(p, re.ApprovedBy, re.Date, "the reinstatement")
				if r.approverFails(p, re.ApprovedBy, re.Date) == 0 {
					pf := r.reinstatementProof(p, &p.Reinstated[i])
					why = "approval not proven: " + strings.Join(pf.Missing, "; ")
					if day, ok := r.evidence.ProvenDay(pf); ok && pf.Proven() {
						why = fmt.Sprintf("it counts from %s, when its evidence was complete (%s)", day, pf.Summary())
					}
				}
				msg += fmt.Sprintf("; the reinstatement of %s does not count: %s", re.Date, why)
			}
		}
		return msg
	}
	if len(p.Absences) == 0 {
		return "no absences"
	}
	var parts []string
	for _, a := range p.Absences {
		revokes := a.Start + Day(limit)
		switch {
		case a.End != nil && *a.End < revokes:
			parts = append(parts, fmt.Sprintf("%s to %s lasted %d days, not more than %d", a.Start, a.End, Range{a.Start, *a.End}.Days(), limit))
		case d < revokes:
			parts = append(parts, fmt.Sprintf("absence from %s would revoke access from %s", a.Start, revokes))
		default:
			re := r.reinstatementAfter(p, *a.End, d)
			part := fmt.Sprintf("%s to %s revoked access from %s; reinstated %s by %s", a.Start, a.End, revokes, re.Date, re.ApprovedBy)
			if pf := r.reinstatementProof(p, re); pf != nil && !pf.Approved {
				part += " (not proven: " + strings.Join(pf.Missing, "; ") + ")"
			}
			parts = append(parts, part)
		}
	}
	return strings.Join(parts, "; ")
}

// approverProblem says in words why id may not approve p's access on day
// on; what names the thing approved.
func (r *Roster) approverProblem(p *Person, id string, on Day, what string) string {
	switch f := r.approverFails(p, id, on); f {
	case failApproverMissing:
		return fmt.Sprintf("approver %s does not exist", id)
	case failApproverSelf:
		return "it is approved by the person themselves"
	case failApproverInvalid:
		return fmt.Sprintf("approver %s's file is invalid", id)
	case failApproverRole:
		return fmt.Sprintf("approver %s is a %s, not a lead_developer or head_of_technology", id, r.byID[id].Role)
	case failApproverNotEmployed:
		return fmt.Sprintf("approver %s %s", id, notEmployed(r.byID[id], on, what))
	}
	return "its approver may approve it"
}

// notEmployed says how a was not employed on day on, when what happens.
func notEmployed(a *Person, on Day, what string) string {
	if a.StartDate != nil && on < *a.StartDate {
		return fmt.Sprintf("starts only on %s, after %s on %s", a.StartDate, what, on)
	}
	return fmt.Sprintf("left on %s, before %s on %s", a.LastDay, what, on)
}
