package model

import (
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
