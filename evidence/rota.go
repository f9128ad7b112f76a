package evidence

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prodaccess/prodaccess/model"
)

// rotaText is the rota as the entry of a change to the policy names it;
// "" when no rota is configured, so that the policy of a configuration
// without one reads as it always did.
func rotaText(r model.Rota) string {
	if !r.Configured() && r.Since == nil {
		return ""
	}
	var scheds []string
	for _, s := range r.Schedules {
		scheds = append(scheds, s.ID+":"+string(s.Shift))
	}
	slices.Sort(scheds)
	since := "none"
	if r.Since != nil {
		since = r.Since.String()
	}
	return fmt.Sprintf(" rota=%s match=%s since=%s retention_days=%d", strings.Join(scheds, ","), r.Match, since, r.RetentionDays)
}

// rotaWidened lists the ways next's rota lets more shifts count than
// old's: a schedule that stands for a kind of shift it did not, people
// matched another way, or fewer shifts held to the rota (a later since,
// a shorter retention), which leaves more to a lead's approval.
func rotaWidened(old, next model.Rota) []string {
	var out []string
	for _, s := range next.Schedules {
		if !slices.Contains(old.Schedules, s) {
			out = append(out, fmt.Sprintf("rota.schedules gains %s for %s shifts", s.ID, s.Shift))
		}
	}
	if old.Configured() && next.Match != old.Match {
		out = append(out, fmt.Sprintf("rota.match changes from %s to %s", old.Match, next.Match))
	}
	switch {
	case next.Since != nil && old.Since == nil:
		out = append(out, "rota.since set to "+next.Since.String())
	case next.Since != nil && *next.Since > *old.Since:
		out = append(out, fmt.Sprintf("rota.since moved from %s to %s", old.Since, next.Since))
	}
	if next.RetentionDays < old.RetentionDays {
		out = append(out, fmt.Sprintf("rota.retention_days lowered from %d to %d", old.RetentionDays, next.RetentionDays))
	}
	return out
}

// stricterRota is what stays in force of the rota while a change that
// widens it is not approved: the schedules both name, the old way of
// matching, the earlier since and the longer retention.
func stricterRota(old, next model.Rota) model.Rota {
	out := model.Rota{Match: old.Match, RetentionDays: max(old.RetentionDays, next.RetentionDays)}
	if !old.Configured() {
		out.Match = next.Match
	}
	for _, s := range next.Schedules {
		if slices.Contains(old.Schedules, s) {
			out.Schedules = append(out.Schedules, s)
		}
	}
	switch {
	case old.Since == nil || next.Since == nil:
	case *old.Since < *next.Since:
		out.Since = old.Since
	default:
		out.Since = next.Since
	}
	return out
}

// RotaShift is a shift the rota shows: a run of days on which one
// PagerDuty user was on call, for any part of each day, through the
// schedules that stand for one kind of shift, and the on-calls that make
// it.
type RotaShift struct {
	Type model.ShiftType
	model.Range
	User    string // the PagerDuty user's id
	Name    string
	Email   string
	OnCalls []model.OnCallFact
}

// RotaShifts turns on-calls into shifts of the rota r: for each user and kind of shift
// (the kind the schedule stands for), each run of consecutive days (in
// loc) on which they were on call, for any part of the day. Two rota
// weeks back to back are one run. On-calls of schedules the rota does not
// name are left out. The shifts come in order of user, then start.
func RotaShifts(r model.Rota, onCalls []model.OnCallFact, loc *time.Location) []RotaShift {
	type key struct {
		user string
		typ  model.ShiftType
	}
	days := map[key]map[model.Day][]model.OnCallFact{}
	users := map[string]model.OnCallFact{}
	for _, oc := range onCalls {
		typ := r.ShiftOf(oc.Schedule)
		if typ == "" {
			continue
		}
		k := key{oc.User, typ}
		if days[k] == nil {
			days[k] = map[model.Day][]model.OnCallFact{}
		}
		span := oc.Days(loc)
		for d := span.Start; d <= span.End; d++ {
			days[k][d] = append(days[k][d], oc)
		}
		users[oc.User] = oc
	}
	var out []RotaShift
	for k, byDay := range days {
		sorted := slices.Sorted(func(yield func(model.Day) bool) {
			for d := range byDay {
				if !yield(d) {
					return
				}
			}
		})
		u := users[k.user]
		for i := 0; i < len(sorted); {
			j := i
			for j+1 < len(sorted) && sorted[j+1] == sorted[j]+1 {
				j++
			}
			rs := RotaShift{Type: k.typ, Range: model.Range{Start: sorted[i], End: sorted[j]}, User: k.user, Name: u.Name, Email: u.Email}
			for _, d := range sorted[i : j+1] {
				for _, oc := range byDay[d] {
					if !slices.Contains(rs.OnCalls, oc) {
						rs.OnCalls = append(rs.OnCalls, oc)
					}
				}
			}
			slices.SortFunc(rs.OnCalls, func(a, b model.OnCallFact) int {
				return cmp.Or(a.Start.Compare(b.Start), strings.Compare(a.Schedule, b.Schedule))
			})
			out = append(out, rs)
			i = j + 1
		}
	}
	slices.SortFunc(out, func(a, b RotaShift) int {
		return cmp.Or(strings.Compare(a.User, b.User), cmp.Compare(a.Start, b.Start), strings.Compare(string(a.Type), string(b.Type)))
	})
	return out
}

// PersonFor returns the person of r that the rota matches a PagerDuty user to, or
// nil: the one person whose file gives the user's email (or id), when
// exactly one does.
func PersonFor(r *model.Roster, rota model.Rota, userID, email string) *model.Person {
	var found *model.Person
	for _, p := range r.People {
		if rota.MatchesUser(rota.KeyOf(p), userID, email) {
			if found != nil {
				return nil
			}
			found = p
		}
	}
	return found
}
