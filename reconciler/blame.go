package reconciler

import (
	"fmt"
	"strings"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// Each fact of a person file that a rule reads (a shift, a grant, an
// absence, a reinstatement, a date) is written by some commit and changed
// by others. The timeline keeps who wrote what, so that a change of level
// that the passing of time brings can name, like git blame, the commits
// and pull requests behind the fact: "grant 2026-11-16: added in #15,
// shortened in #16".

// factWrite is one commit that wrote a fact.
type factWrite struct {
	word string // added, changed, shortened, extended
	ref  string // "#15", or "commit abc123def456"
	day  model.Day
}

// facts lists a person's facts as id → value; equal values, same fact.
func facts(p *model.Person) map[string]string {
	out := map[string]string{}
	if p == nil {
		return out
	}
	day := func(d *model.Day) string {
		if d == nil {
			return ""
		}
		return d.String()
	}
	if p.StartDate != nil {
		out["start_date"] = day(p.StartDate)
	}
	if p.LastDay != nil {
		out["last_day"] = day(p.LastDay)
	}
	if p.ProbationPassed != nil {
		out["probation passed"] = day(p.ProbationPassed)
	}
	for _, s := range p.Shifts {
		out["shift "+s.Start.String()] = fmt.Sprintf("%s %s", s.Type, s.End)
	}
	for _, g := range p.TemporaryAccess {
		out["grant "+g.Start.String()] = fmt.Sprintf("%s\x00%s\x00%s\x00%t\x00%s", g.End, g.ApprovedBy, g.Supervisor, g.Agreed, g.Reason)
	}
	for _, a := range p.Absences {
		out["absence "+a.Start.String()] = day(a.End)
	}
	for _, re := range p.Reinstated {
		out["reinstatement "+re.Date.String()] = re.ApprovedBy
	}
	return out
}

// blame records what commit c wrote of the facts of one person, moving
// from the file old to the file now (either may be nil).
func (t *timeline) blame(c *outcome.Commit, old, now *model.Person) {
	before, after := facts(old), facts(now)
	id := ""
	switch {
	case now != nil:
		id = now.ID
	case old != nil:
		id = old.ID
	}
	if t.writes[id] == nil {
		t.writes[id] = map[string][]factWrite{}
	}
	for fact, v := range after {
		w, ok := before[fact]
		switch {
		case !ok:
			t.writes[id][fact] = []factWrite{{word: "added", ref: t.ref(c), day: t.commitDay(c)}}
		case w != v:
			t.writes[id][fact] = append(t.writes[id][fact], factWrite{word: changeWord(w, v), ref: t.ref(c), day: t.commitDay(c)})
		}
	}
	for fact := range before {
		if _, ok := after[fact]; !ok {
			delete(t.writes[id], fact)
		}
	}
}

// changeWord says how an end moved, where the values start with one.
func changeWord(old, now string) string {
	o, _, _ := strings.Cut(old, "\x00")
	n, _, _ := strings.Cut(now, "\x00")
	od, oerr := model.ParseDay(lastField(o))
	nd, nerr := model.ParseDay(lastField(n))
	switch {
	case oerr != nil || nerr != nil || o == n:
		return "changed"
	case nd < od:
		return "shortened"
	}
	return "extended"
}

func lastField(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

// ref names a commit by its pull request where the evidence recorded
// knows one; a commit's message names none that counts.
func (t *timeline) ref(c *outcome.Commit) string {
	if ev := t.evidenceOf(c.SHA); ev != nil && len(ev.PullRequests) > 0 {
		return fmt.Sprintf("#%d", ev.PullRequests[0].Number)
	}
	return "commit " + c.SHA[:min(12, len(c.SHA))]
}

// commitDay is the day of a commit in the policy time zone.
func (t *timeline) commitDay(c *outcome.Commit) model.Day {
	return model.DayOf(c.When, t.opts.Location)
}

// written says which commits wrote the fact behind a change of p's level
// on day x under rule, and the day of the last; "" when none can be named.
func (t *timeline) written(p *model.Person, x model.Day, rule string) (string, *model.Day) {
	fact := ""
	limit := model.Day(t.eff.Policy.AbsenceLimitDays)
	switch rule {
	case model.RuleTemporaryException:
		for _, g := range p.TemporaryAccess {
			if g.Start == x || g.End+1 == x {
				fact = "grant " + g.Start.String()
			}
		}
	case model.RuleLongAbsence:
		for _, a := range p.Absences {
			if a.Start+limit == x || a.End != nil && *a.End+1 == x {
				fact = "absence " + a.Start.String()
			}
		}
		for _, re := range p.Reinstated {
			if re.Date == x {
				fact = "reinstatement " + re.Date.String()
			}
		}
	case model.RuleShadowShift, model.RuleAfterShadowShifts, model.RuleAfterPrimaryShift:
		for _, s := range p.Shifts {
			if s.Start == x || s.End+1 == x {
				fact = "shift " + s.Start.String()
			}
		}
		if p.ProbationPassed != nil && *p.ProbationPassed == x {
			fact = "probation passed"
		}
	case model.RuleNotStarted:
		fact = "start_date"
	case model.RuleLeft:
		fact = "last_day"
	}
	ws := t.writes[p.ID][fact]
	if fact == "" || len(ws) == 0 {
		return "", nil
	}
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.word + " in " + w.ref
	}
	last := ws[len(ws)-1].day
	return fact + ": " + strings.Join(parts, ", "), &last
}
