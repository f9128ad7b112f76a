package model

import (
	"fmt"
	"slices"
	"strings"
)

// UpcomingChange is a change of someone's level that the files already
// make certain: a grant or shift ending, an absence reaching the day it
// revokes access, a shift completing, a last day passing.
type UpcomingChange struct {
	Day    Day    `json:"day"` // the first day at the new level
	Person string `json:"person"`
	Name   string `json:"name"`
	GitHub string `json:"github,omitempty"`
	From   Level  `json:"from"`
	To     Level  `json:"to"`
	Rule   string `json:"rule"`
	Detail string `json:"detail"`
	// For a change a temporary grant makes: who approved it, and who
	// supervises it (person ids).
	ApprovedBy string `json:"approved_by,omitempty"`
	Supervisor string `json:"supervisor,omitempty"`
	// IfWorked, for a change that a shift the rota plans would make, and
	// the files do not hold yet, names that shift: the change happens if
	// it is worked (and recorded).
	IfWorked string `json:"if_worked,omitempty"`
}

// Upcoming is every level change certain in a window of days after a day.
type Upcoming struct {
	After   Day              `json:"after"` // the day the window follows (today)
	Until   Day              `json:"until"` // its last day
	Changes []UpcomingChange `json:"changes"`
}

// Upcoming lists every change of level, for anyone, on the days after
// today up to and including today+days, in order of day and person.
// People whose files have problems hold nothing and change nothing.
func (r *Roster) Upcoming(today Day, days int) *Upcoming {
	u := &Upcoming{After: today, Until: today + Day(days), Changes: []UpcomingChange{}}
	for _, p := range r.People {
		if !r.Valid(p) {
			continue
		}
		for _, d := range r.ChangeDays(p) {
			if d <= today || d > u.Until {
				continue
			}
			from, to := r.Level(p, d-1), r.Level(p, d)
			if from == to {
				continue
			}
			rule, detail := r.Transition(p, d)
			c := UpcomingChange{Day: d, Person: p.ID, Name: p.Name, GitHub: p.GitHub, From: from, To: to, Rule: rule, Detail: detail}
			if rule == RuleTemporaryException {
				c.ApprovedBy, c.Supervisor = r.grantParties(p, d)
			}
			u.Changes = append(u.Changes, c)
		}
	}
	slices.SortStableFunc(u.Changes, func(a, b UpcomingChange) int {
		if a.Day != b.Day {
			return int(a.Day - b.Day)
		}
		return strings.Compare(a.Person, b.Person)
	})
	return u
}

// grantParties names the approver and supervisor of the temporary grant
// that begins on d or ended the day before.
func (r *Roster) grantParties(p *Person, d Day) (approver, supervisor string) {
	for _, day := range []Day{d, d - 1} {
		if v := r.judge(p, day, true); v.exceptionFires() {
			return v.grant.ApprovedBy, v.grant.Supervisor
		}
	}
	if v := r.judge(p, d, true); v.grant != nil {
		return v.grant.ApprovedBy, v.grant.Supervisor
	}
	return "", ""
}

// PlannedShift is a shift the rota plans for a person that their file
// does not hold.
type PlannedShift struct {
	Person string
	Shift  Shift
	// Source names where the rota plans it: "PagerDuty schedule PABC123
	// (2nd line primary)".
	Source string
}

// UpcomingIfWorked lists the changes of level, on the days after today
// up to and including today+days, that the planned shifts would make if
// they are worked: the changes the files would make with them that they
// do not make without them.
func (r *Roster) UpcomingIfWorked(today Day, days int, planned []PlannedShift) []UpcomingChange {
	byPerson := map[string][]PlannedShift{}
	for _, ps := range planned {
		if p := r.byID[ps.Person]; p != nil && r.Valid(p) {
			byPerson[ps.Person] = append(byPerson[ps.Person], ps)
		}
	}
	if len(byPerson) == 0 {
		return nil
	}
	people := slices.Clone(r.People)
	for i, p := range people {
		ps := byPerson[p.ID]
		if len(ps) == 0 {
			continue
		}
		q := *p
		q.Shifts = slices.Clone(p.Shifts)
		for _, s := range ps {
			q.Shifts = append(q.Shifts, s.Shift)
		}
		q.Derive()
		people[i] = &q
	}
	with := NewRoster(people, r.Policy)
	without := r.Upcoming(today, days)
	known := map[UpcomingChange]bool{}
	for _, c := range without.Changes {
		known[c] = true
	}
	var out []UpcomingChange
	for _, c := range with.Upcoming(today, days).Changes {
		ps := byPerson[c.Person]
		if len(ps) == 0 || known[c] {
			continue
		}
		var credit *PlannedShift
		for i := range ps {
			if ps[i].Shift.Start <= c.Day && (credit == nil || ps[i].Shift.Start > credit.Shift.Start) {
				credit = &ps[i]
			}
		}
		if credit == nil {
			continue
		}
		c.IfWorked = fmt.Sprintf("the %s shift %s that %s plans", credit.Shift.Type, credit.Shift.Range, credit.Source)
		out = append(out, c)
	}
	return out
}
