package model

import (
	"fmt"
	"strings"
)

// A change to a person file is proposed as a pull request, and checked
// against the rules before anyone reviews it: this file says, condition
// by condition, whether a temporary_access or reinstated entry would do
// what it asks, and writes the pull request's description.

// Condition is one condition of a rule, and whether an entry meets it.
type Condition struct {
	Rule   string // the rule whose condition it is
	Text   string // the condition, as the written rules state it
	Met    bool
	Detail string // how it is met or, when not, why, in the words the rules print
	// Later marks a condition the person concerned meets by an act of
	// their own once the change is proposed (agreeing to use the access
	// only while supervised): unmet, it is no reason to refuse the change.
	Later bool
}

// Refusal is the unmet condition as a reason to refuse the change.
func (c Condition) Refusal() string { return c.Rule + ": " + c.Detail }

// maxCheckedDays bounds the days a supervisor is checked on, for an entry
// far longer than any policy allows (and refused for that).
const maxCheckedDays = 3660

// GrantConditions checks each condition of the temporary-exception rule
// for the entry g of p, over every day it covers, with the roster as it
// would be: the supervisor must have permanent access by the shift rules
// on each day, the approver must be employed on the first.
func (r *Roster) GrantConditions(p *Person, g *TemporaryGrant) []Condition {
	c := func(text string, met bool, detail string) Condition {
		return Condition{Rule: RuleTemporaryException, Text: text, Met: met, Detail: detail}
	}
	clearance := c("a minimum of BPSS security clearance", p.Clearance.AtLeast(BPSS), "clearance "+string(p.Clearance))
	if !clearance.Met {
		clearance.Detail = fmt.Sprintf("clearance %s is below bpss", p.Clearance)
	}
	approval := r.approvalCondition(p, g.ApprovedBy, g.Start, "the entry starts")
	approval.Rule = RuleTemporaryException
	agreed := c("agreement from the person that they will only use the access while supervised", g.Agreed, "agreed: true")
	agreed.Later = true
	if !g.Agreed {
		agreed.Detail = "the person has not agreed to use it only while supervised (agreed: false)"
	}
	limit := r.Policy.MaxTemporaryDays
	length := c(fmt.Sprintf("a time limited period of at most %d days", limit), g.Days() <= limit, fmt.Sprintf("%d days, %s", g.Days(), g.Range))
	if !length.Met {
		length.Detail = fmt.Sprintf("it lasts %d days, more than the %d allowed", g.Days(), limit)
	}
	return []Condition{clearance, approval, r.supervisorCondition(p, g), agreed, length}
}

// approvalCondition checks that id may approve p's access on day on.
func (r *Roster) approvalCondition(p *Person, id string, on Day, what string) Condition {
	c := Condition{Text: "approval from a Lead Developer or the Head of Technology, who is not the person", Met: r.approverFails(p, id, on) == 0}
	if c.Met {
		c.Detail = fmt.Sprintf("approved by %s, a %s", id, r.byID[id].Role)
	} else {
		c.Detail = r.approverProblem(p, id, on, what)
	}
	return c
}

// supervisorCondition checks the supervisor's level by the shift rules
// on each day of g, and names the days it is not permanent.
func (r *Roster) supervisorCondition(p *Person, g *TemporaryGrant) Condition {
	c := Condition{Rule: RuleTemporaryException, Text: "supervision by a production cleared person (with permanent access) on each day"}
	s := r.byID[g.Supervisor]
	switch {
	case s == nil:
		c.Detail = fmt.Sprintf("supervisor %s does not exist", g.Supervisor)
		return c
	case s == p:
		c.Detail = "the person cannot supervise themselves"
		return c
	}
	last := g.End
	if g.Days() > maxCheckedDays {
		last = g.Start + maxCheckedDays - 1
	}
	var gaps []string
	for d := g.Start; d <= last; {
		level := r.judge(s, d, false).level
		if level == Permanent {
			d++
			continue
		}
		from := d
		for d <= last && r.judge(s, d, false).level == level {
			d++
		}
		days := from.String()
		if d-1 > from {
			days = Range{from, d - 1}.String()
		}
		gaps = append(gaps, fmt.Sprintf("%s (%s access)", days, LevelWords(level)))
	}
	if len(gaps) == 0 {
		c.Met = true
		c.Detail = fmt.Sprintf("supervisor %s has permanent access on every day of %s", g.Supervisor, g.Range)
		return c
	}
	c.Detail = fmt.Sprintf("supervisor %s would not have permanent access on %s", g.Supervisor, strings.Join(gaps, ", "))
	return c
}

// ReinstatementConditions checks a reinstated entry of p: its approver
// may approve it, and it follows the end of a long absence that revoked
// access, so that it re-grants something.
func (r *Roster) ReinstatementConditions(p *Person, re *Reinstatement) []Condition {
	approval := r.approvalCondition(p, re.ApprovedBy, re.Date, "the reinstatement")
	approval.Rule = RuleLongAbsence
	after := Condition{Rule: RuleLongAbsence, Text: "dated on or after the end of an absence of more than " + fmt.Sprint(r.Policy.AbsenceLimitDays) + " days, which revoked access"}
	var open, later, ended *Absence
	for i := range p.Absences {
		a := &p.Absences[i]
		revokes := a.Start + Day(r.Policy.AbsenceLimitDays)
		switch {
		case a.End != nil && *a.End < revokes:
			// too short to revoke anything
		case a.End == nil && a.Start <= re.Date:
			open = a
		case a.End != nil && *a.End > re.Date:
			later = a
		case a.End != nil && (ended == nil || *a.End > *ended.End):
			ended = a
		}
	}
	switch {
	case ended != nil:
		after.Met = true
		after.Detail = fmt.Sprintf("the absence %s to %s revoked access from %s", ended.Start, ended.End, ended.Start+Day(r.Policy.AbsenceLimitDays))
	case open != nil:
		after.Detail = fmt.Sprintf("the absence from %s has no end yet; record its end first: a reinstatement counts only when dated on or after the absence's end", open.Start)
	case later != nil:
		after.Detail = fmt.Sprintf("the absence %s to %s ends after %s; a reinstatement counts only when dated on or after the absence's end", later.Start, later.End, re.Date)
	default:
		after.Detail = fmt.Sprintf("no absence of more than %d days ended on or before %s, so there is no revoked access to reinstate", r.Policy.AbsenceLimitDays, re.Date)
	}
	return []Condition{approval, after}
}
