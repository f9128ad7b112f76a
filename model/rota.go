package model

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// A shift in a person file is a claim, like an approval: "a non-shadow
// 2nd line shift has been completed" is whatever the file says. The
// on-call rota (PagerDuty's schedules) shows who really was on call. This
// file holds the rota as the policy names it, what a read of it shows of
// one shift (kept in the signed notes, see CommitEvidence.Shifts), the
// rule that says when that proves the shift, and how the rota's on-calls
// become shifts.

// RotaMatch says how a PagerDuty user is matched to a person file.
type RotaMatch string

// Ways of matching.
const (
	// MatchEmail matches the PagerDuty user's email to the file's email,
	// without regard to case.
	MatchEmail RotaMatch = "email"
	// MatchPagerDutyID matches the PagerDuty user's id to the file's
	// pagerduty_id.
	MatchPagerDutyID RotaMatch = "pagerduty_id"
)

// DefaultRotaRetentionDays is how far back the rota is read by default:
// a year. PagerDuty documents no limit; a shift older than this when it
// is first looked up needs a lead's approval instead.
const DefaultRotaRetentionDays = 365

// RotaSchedule is a PagerDuty schedule and the kind of shift it stands
// for.
type RotaSchedule struct {
	ID    string
	Shift ShiftType
}

// Rota is the on-call rota that proves shifts: the schedules that stand
// for each kind of shift, how people are matched to PagerDuty users, and
// how far back it is the record.
type Rota struct {
	Schedules []RotaSchedule
	Match     RotaMatch
	// Since is the first day the schedules are the record of 2nd line
	// (the rota's adoption): a shift that starts before it needs a lead's
	// approval. nil: no such day.
	Since *Day
	// RetentionDays is how far back the rota is read: a shift that
	// started longer ago when it is first looked up needs a lead's
	// approval.
	RetentionDays int
}

// Configured reports whether the rota names any schedule.
func (r Rota) Configured() bool { return len(r.Schedules) > 0 }

// SchedulesFor returns the ids of the schedules that stand for shifts of
// type t, in the configuration's order.
func (r Rota) SchedulesFor(t ShiftType) []string {
	var out []string
	for _, s := range r.Schedules {
		if s.Shift == t {
			out = append(out, s.ID)
		}
	}
	return out
}

// ShiftOf returns the kind of shift a schedule stands for, or "".
func (r Rota) ShiftOf(schedule string) ShiftType {
	for _, s := range r.Schedules {
		if s.ID == schedule {
			return s.Shift
		}
	}
	return ""
}

// KeyOf is what the rota matches p by: their email (lower case) or their
// pagerduty_id; "" when the file gives none.
func (r Rota) KeyOf(p *Person) string {
	if p == nil {
		return ""
	}
	if r.Match == MatchPagerDutyID {
		return p.PagerDutyID
	}
	return strings.ToLower(p.Email)
}

// MatchesUser reports whether a PagerDuty user is the one the key names.
func (r Rota) MatchesUser(key, userID, email string) bool {
	if key == "" {
		return false
	}
	if r.Match == MatchPagerDutyID {
		return userID == key
	}
	return strings.EqualFold(email, key)
}

// ShiftEntry is the kind of entry a 2nd line shift is: it needs the rota,
// or a lead's approval, to count.
const ShiftEntry EntryKind = "shift"

// Ref names a shift of person id.
func (s *Shift) Ref(id string) EntryRef {
	start, end := s.Start, s.End
	return EntryRef{Person: id, Kind: ShiftEntry, Start: &start, End: &end, Shift: s.Type}
}

func (s *Shift) entryKey(id string) string {
	if s.key != "" {
		return s.key
	}
	return s.Ref(id).Key()
}

// ShiftEntries lists the shifts of p as entries that need evidence.
func (p *Person) ShiftEntries() []EntryRef {
	out := make([]EntryRef, len(p.Shifts))
	for i := range p.Shifts {
		out[i] = p.Shifts[i].Ref(p.ID)
	}
	return out
}

// AllEntries lists every entry of p whose evidence is looked up: the
// entries that need approval and the shifts.
func (p *Person) AllEntries() []EntryRef { return append(p.Entries(), p.ShiftEntries()...) }

// OnCallFact is one on-call of a PagerDuty user through a schedule, as
// the rota showed it: from Start until End.
type OnCallFact struct {
	Schedule     string    `json:"schedule"`
	ScheduleName string    `json:"schedule_name,omitempty"`
	User         string    `json:"user"` // the PagerDuty user's id
	Name         string    `json:"name,omitempty"`
	Email        string    `json:"email"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
}

// Days are the first and last days, in loc, that the on-call is on call
// for any part of.
func (o OnCallFact) Days(loc *time.Location) Range {
	return Range{DayOf(o.Start, loc), DayOf(o.End.Add(-time.Nanosecond), loc)}
}

func (o OnCallFact) String() string {
	who := o.Email
	if o.Name != "" {
		who = o.Name + " <" + o.Email + ">"
	}
	return fmt.Sprintf("%s on call in %s from %s to %s", who, o.Schedule, o.Start.UTC().Format(time.RFC3339), o.End.UTC().Format(time.RFC3339))
}

// ShiftEvidence is what the rota showed of one shift entry when it was
// read: the person's on-calls, on the schedules that stand for the
// shift's kind, that overlap its days.
type ShiftEvidence struct {
	Entry EntryRef `json:"entry"`
	// Schedules are the schedules read: those that stood for the shift's
	// kind before the pull request that wrote it.
	Schedules []ScheduleRef `json:"schedules"`
	// Match and Key are how the person was looked for: their email, or
	// their pagerduty_id, as their file gave it before that pull request.
	Match RotaMatch `json:"match"`
	Key   string    `json:"key"`
	// OnCalls are the person's on-calls that overlap the shift's days.
	OnCalls []OnCallFact `json:"on_calls"`
	// LookedUpAt is when the rota was read. Days after it are what the
	// rota planned, not what happened.
	LookedUpAt time.Time `json:"looked_up_at"`
	// OutOfReach says why the rota was not read, when it was not: the
	// shift is older than its retention, or no schedule stands for its
	// kind. Such a shift needs a lead's approval.
	OutOfReach string `json:"out_of_reach,omitempty"`
}

// ScheduleRef names a PagerDuty schedule: its id, and its name when
// known.
type ScheduleRef struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

func (s ScheduleRef) String() string {
	if s.Name == "" {
		return s.ID
	}
	return s.ID + " (" + s.Name + ")"
}

// ShiftEvidenceVersion is the version of a note that holds what the rota
// showed (CommitEvidence.Shifts): a version 2 note and more. A note with
// no shift is written as version 2, so that a prodaccess that reads only
// version 2 still reads it.
const ShiftEvidenceVersion = 3

// Shift returns what the commit knows of a shift entry from the rota, or
// nil.
func (ce *CommitEvidence) Shift(e EntryRef) *ShiftEvidence {
	if ce == nil {
		return nil
	}
	key := e.Key()
	for i := range ce.Shifts {
		if ce.Shifts[i].Entry.Key() == key {
			return &ce.Shifts[i]
		}
	}
	return nil
}

// ShiftSettled reports whether what a note holds of an entry cannot
// change any more: for a shift, the rota was read after the shift ended
// (so it shows what happened, not a plan), or it is out of the rota's
// reach; every other entry is settled. A note with an entry that is not
// settled is looked up again.
func (ce *CommitEvidence) ShiftSettled(e EntryRef, loc *time.Location) bool {
	if e.Kind != ShiftEntry {
		return true
	}
	se := ce.Shift(e)
	switch {
	case se == nil:
		return false
	case se.OutOfReach != "":
		return true
	}
	return DayOf(se.LookedUpAt, orUTC(loc)) > *e.End
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// OutOfReach says why the rota, read at readAt, cannot prove a shift, so
// that it needs a lead's approval instead: it starts before the rota
// became the record (since), no schedule stands for its kind, or it
// started longer ago than the rota's retention; "" when the rota is what
// proves it.
func (r Rota) OutOfReach(e EntryRef, readAt time.Time, loc *time.Location) string {
	if why := r.unprovable(e); why != "" {
		return why
	}
	if r.RetentionDays > 0 && *e.Start < DayOf(readAt, orUTC(loc))-Day(r.RetentionDays) {
		return fmt.Sprintf("it started more than the rota's retention of %d days before the rota was read on %s", r.RetentionDays, DayOf(readAt, orUTC(loc)))
	}
	return ""
}

// unprovable says why the rota can never prove a shift: it starts before
// since, or no schedule stands for its kind.
func (r Rota) unprovable(e EntryRef) string {
	switch {
	case r.Since != nil && *e.Start < *r.Since:
		return fmt.Sprintf("it starts before the rota became the record of 2nd line (rota.since %s)", r.Since)
	case len(r.SchedulesFor(e.Shift)) == 0:
		return fmt.Sprintf("no schedule in rota.schedules stands for %s shifts", e.Shift)
	}
	return ""
}

// outOfReach says why a shift needs a lead's approval rather than the
// rota, under rota and with what the rota showed of it (se, nil when it
// was not read); "" when the rota is what proves it.
func outOfReach(rota Rota, e EntryRef, se *ShiftEvidence) string {
	if why := rota.unprovable(e); why != "" {
		return why
	}
	if se != nil {
		return se.OutOfReach
	}
	return ""
}

// proveShift applies the rule of evidence to a shift. Within the rota's
// reach it is proven when the rota, read after the pull request that
// wrote it, shows the person on call on a schedule that stood for its
// kind before that pull request, on every day of the shift, for any part
// of the day (in the policy time zone): hand-overs within a day and
// overrides are on-calls like any other. It counts from when the rota
// was read; a shift read only before it ended is shown as planned, not
// worked. Out of the rota's reach (before rota.since, older than its
// retention, or a kind no schedule stands for) it needs an approving
// review by a lead of record before that pull request, other than the
// person, as a change to the authority does.
func proveShift(ev *CommitEvidence, e EntryRef, base *EntryBase) *Proof {
	if base == nil {
		base = &EntryBase{}
	}
	rota := base.Authority.Policy.Rota
	se := ev.Shift(e)
	if reach := outOfReach(rota, e, se); reach != "" {
		pf := proveApproval(ev, e, nil, nil, base)
		pf.Rota = se
		pf.Worked = pf.Proven()
		if !pf.Proven() {
			pf.Missing = []string{fmt.Sprintf("not approved: %s, so it needs an approving review by a lead of record: %s", reach, strings.Join(pf.Missing, "; "))}
		}
		return pf
	}
	pf := &Proof{Entry: e, Agreed: true, Rota: se}
	if ev != nil {
		pf.Commit = ev.Commit
	}
	if se == nil {
		pf.Missing = []string{"not in the rota: it has not been read from the rota (PagerDuty) yet"}
		pf.Flags = []string{fmt.Sprintf("%s shift %s not proven", e.Shift, Range{*e.Start, *e.End})}
		return pf
	}
	loc := orUTC(base.Location)
	schedules := rota.SchedulesFor(e.Shift)
	shift := Range{*e.Start, *e.End}
	covered := map[Day]bool{}
	names := map[string]string{}
	for _, sr := range se.Schedules {
		names[sr.ID] = sr.Name
	}
	for _, oc := range se.OnCalls {
		if !slices.Contains(schedules, oc.Schedule) || !rota.MatchesUser(se.Key, oc.User, oc.Email) {
			continue
		}
		days := oc.Days(loc)
		for d := max(days.Start, shift.Start); d <= min(days.End, shift.End); d++ {
			covered[d] = true
		}
	}
	var gaps []Day
	for d := shift.Start; d <= shift.End; d++ {
		if !covered[d] {
			gaps = append(gaps, d)
		}
	}
	if len(gaps) > 0 {
		var scheds []string
		for _, id := range schedules {
			scheds = append(scheds, ScheduleRef{ID: id, Name: names[id]}.String())
		}
		what := "none of its days"
		if len(covered) > 0 {
			var on []Day
			for d := shift.Start; d <= shift.End; d++ {
				if covered[d] {
					on = append(on, d)
				}
			}
			what = fmt.Sprintf("%s, but not on %s", DaysText(on), DaysText(gaps))
		}
		who := se.Key
		if who == "" {
			who = fmt.Sprintf("nobody: %s's file gives no %s", e.Person, matchField(se.Match))
		}
		pf.Missing = []string{fmt.Sprintf("not in the rota: PagerDuty schedule %s, read on %s, shows %s on call on %s", strings.Join(scheds, " or "), DayOf(se.LookedUpAt, loc), who, what)}
		pf.Flags = []string{fmt.Sprintf("%s shift %s not proven", e.Shift, Range{*e.Start, *e.End})}
		return pf
	}
	pf.Approved = true
	at := se.LookedUpAt
	pf.ProvenAt = &at
	pf.Worked = DayOf(at, loc) > shift.End
	if !pf.Worked {
		pf.Flags = append(pf.Flags, "planned in the rota, not yet worked")
	}
	return pf
}

func matchField(m RotaMatch) string {
	if m == MatchPagerDutyID {
		return "pagerduty_id"
	}
	return "email"
}

// DaysText writes days in order as ranges: "2026-11-02 to 2026-11-04,
// 2026-11-06".
func DaysText(days []Day) string {
	var parts []string
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && days[j+1] == days[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, days[i].String())
		} else {
			parts = append(parts, Range{days[i], days[j]}.String())
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// rotaSummary says in one line what the rota showed of a proven shift:
// the schedules, who was on call, from when to when, and when it was
// read.
func rotaSummary(se *ShiftEvidence, pf *Proof) string {
	var scheds []string
	first, last := time.Time{}, time.Time{}
	who := se.Key
	for _, oc := range se.OnCalls {
		name := oc.Schedule
		if oc.ScheduleName != "" {
			name += " (" + oc.ScheduleName + ")"
		}
		if !slices.Contains(scheds, name) {
			scheds = append(scheds, name)
		}
		if first.IsZero() || oc.Start.Before(first) {
			first = oc.Start
		}
		if oc.End.After(last) {
			last = oc.End
		}
		if oc.Name != "" {
			who = fmt.Sprintf("%s <%s>", oc.Name, oc.Email)
		}
	}
	s := fmt.Sprintf("in the rota: PagerDuty schedule %s shows %s on call on every day, %d on-call(s) from %s to %s, read %s",
		strings.Join(scheds, " and "), who, len(se.OnCalls), first.UTC().Format(time.RFC3339), last.UTC().Format(time.RFC3339), se.LookedUpAt.UTC().Format(time.RFC3339))
	if !pf.Worked {
		s += " (before it ended: planned, not yet worked)"
	}
	return s
}
