package reconciler

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// A loss of access is timed three ways: when the rules ended it (the day
// the facts give: the day after a last day or a grant's end, the 43rd day
// of an absence), when the files said so (the commit), and when each
// target changed, as apply recorded it (the removal it made, or the merge
// of the target's pull request). "Access removed N days late" is the
// classic finding of an access audit; the history and the records answer
// it without asking any target.

// RemovalInput is what Removals works from.
type RemovalInput struct {
	Timeline *outcome.Timeline
	// Targets are the targets as configured; a removal is timed for each
	// that held the person's level and not the new one.
	Targets []config.Target
	// Records are apply's records, verified.
	Records  []*outcome.AppliedRecord
	From, To model.Day
	// Within is how long after the start of its due day a removal may
	// take and be on time.
	Within   time.Duration
	Location *time.Location
}

// removedAt is one time a target stopped holding a person, as recorded.
type removedAt struct {
	at  time.Time
	how string
}

// Removals times every loss of access whose due day falls from From to
// To, for each target that held it: the removal recorded first after the
// start of its due day (and before the person next gained the target),
// its delay, and whether it was on time; a summary per target and for
// all. A target without a record of the removal is "waiting" while within
// the allowance, and "not recorded" after it.
func Removals(in RemovalInput) *outcome.RemovalReport {
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	start := func(d model.Day) time.Time {
		y, m, dd := d.Time().Date()
		return time.Date(y, m, dd, 0, 0, 0, 0, loc)
	}
	end := start(in.To + 1)
	within := fmt.Sprintf("%dh", int(in.Within/time.Hour))
	if m := int(in.Within % time.Hour / time.Minute); m != 0 {
		within += fmt.Sprintf("%dm", m)
	}
	out := &outcome.RemovalReport{From: in.From, To: in.To, Within: within, Rows: []outcome.Removal{}, Records: len(in.Records)}
	done := removalsRecorded(in.Records, end)

	byPerson := map[string][]outcome.TimelineEvent{}
	for _, e := range in.Timeline.Events {
		if e.Person != "" && (e.Cause == outcome.CauseCommit || e.Cause == outcome.CauseRule) {
			byPerson[e.Person] = append(byPerson[e.Person], e)
		}
	}
	for id, events := range byPerson {
		p := in.Timeline.People[id]
		for i, e := range events {
			due := e.Day
			if e.Due != nil {
				due = *e.Due
			}
			if due < in.From || due > in.To {
				continue
			}
			for ti := range in.Targets {
				t := &in.Targets[ti]
				if !t.Includes(e.From) || t.Includes(e.To) || p == nil || t.Identity(p) == "" || t.Type == model.Manual && t.Record == nil {
					continue
				}
				bound := end
				for _, later := range events[i+1:] {
					if !t.Includes(later.From) && t.Includes(later.To) {
						bound = start(later.Day)
						break
					}
				}
				r := outcome.Removal{Person: id, Target: t.Name, Subject: t.Identity(p), From: e.From, To: e.To, Due: due, Rule: e.Rule}
				if e.Cause == outcome.CauseCommit {
					day := e.Day
					r.FilesOn, r.Commit = &day, e.Commit.SHA
					if e.Due != nil {
						r.Detail = e.Detail
					}
				} else {
					r.Detail, r.FilesOn, r.Written = e.Detail, e.WrittenOn, e.Written
				}
				from := start(due)
				var found *removedAt
				for _, x := range done[t.Name+"\x00"+id] {
					if !x.at.Before(from) && x.at.Before(bound) && (found == nil || x.at.Before(found.at)) {
						found = &x
					}
				}
				delay := bound.Sub(from) // to when the person gained it again, or the period's end
				switch {
				case found != nil:
					at := found.at
					r.Changed, r.How = &at, found.how
					delay = at.Sub(from)
					r.Status = outcome.RemovalOnTime
					if delay > in.Within {
						r.Status = outcome.RemovalLate
					}
				case delay <= in.Within:
					r.Status = outcome.RemovalWaiting
				default:
					r.Status = outcome.RemovalUnrecorded
				}
				r.DelaySeconds, r.Delay = int64(delay/time.Second), outcome.DurationText(delay)
				out.Rows = append(out.Rows, r)
			}
		}
	}
	slices.SortFunc(out.Rows, func(a, b outcome.Removal) int {
		return cmp.Or(cmp.Compare(a.Due, b.Due), cmp.Compare(a.Person, b.Person), cmp.Compare(a.Target, b.Target))
	})
	out.Summary = summarise(out.Rows, in.Targets)
	return out
}

// removalsRecorded lists, by target and person, when apply's records say a
// target stopped holding someone before end: a removal done, or the merge
// of the pull request that held it.
func removalsRecorded(records []*outcome.AppliedRecord, end time.Time) map[string][]removedAt {
	merged := map[string]outcome.TargetPull{}
	for _, rec := range records {
		for _, p := range rec.Pulls {
			if p.MergedAt != nil && p.MergedAt.Before(end) {
				merged[p.Key()] = p
			}
		}
	}
	out := map[string][]removedAt{}
	for _, rec := range records {
		if !rec.AppliedAt.Before(end) {
			continue
		}
		for _, c := range rec.Changes {
			if c.Action != outcome.Remove || c.Person == "" {
				continue
			}
			key := c.Target + "\x00" + c.Person
			switch {
			case c.Status == outcome.Done:
				out[key] = append(out[key], removedAt{rec.AppliedAt, fmt.Sprintf("removed by apply (plan of %s, people commit %s)", rec.Day, model.ShortSHA(rec.Commit))})
			case c.Status == outcome.Pending && c.Pull != nil:
				if m, ok := merged[c.Pull.Key()]; ok {
					how := fmt.Sprintf("pull request %s#%d merged", m.Repo, m.Number)
					if m.MergedBy != "" {
						how += " by " + m.MergedBy
					}
					out[key] = append(out[key], removedAt{*m.MergedAt, how})
				}
			}
		}
	}
	return out
}

// summarise counts the removals of each target, and of all.
func summarise(rows []outcome.Removal, targets []config.Target) []outcome.RemovalSummary {
	var out []outcome.RemovalSummary
	for _, t := range append([]string{""}, targetNames(targets)...) {
		s := outcome.RemovalSummary{Target: t}
		var delays []int64
		for _, r := range rows {
			if t != "" && r.Target != t {
				continue
			}
			s.Total++
			switch r.Status {
			case outcome.RemovalOnTime:
				s.OnTime++
			case outcome.RemovalLate:
				s.Late++
			case outcome.RemovalWaiting:
				s.Waiting++
			case outcome.RemovalUnrecorded:
				s.Unrecorded++
			}
			if r.Changed != nil {
				delays = append(delays, r.DelaySeconds)
			}
		}
		if t != "" && s.Total == 0 {
			continue
		}
		if len(delays) > 0 {
			slices.Sort(delays)
			median := delays[len(delays)/2]
			if len(delays)%2 == 0 {
				median = (delays[len(delays)/2-1] + median) / 2
			}
			s.Median = outcome.DurationText(time.Duration(median) * time.Second)
			s.Worst = outcome.DurationText(time.Duration(delays[len(delays)-1]) * time.Second)
		}
		out = append(out, s)
	}
	return out
}

func targetNames(ts []config.Target) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}
