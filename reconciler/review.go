package reconciler

import (
	"fmt"
	"strings"
	"time"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// Review builds an access review for day d: everyone with access, the
// basis of it, the approver and supervisor of an exception, since and
// until when, and flags for the reviewer: access ending within 14 days, an
// approver or supervisor who has since left, a long absence under way,
// temporary access held for more than a year, access that rests on what
// was held before adoption, and a public key that may not be used or
// expires within 30 days of keyTime (keys may be nil).
func Review(r *model.Roster, d model.Day, commit *outcome.Commit, keys map[string]model.KeyCheck, keyTime time.Time) *outcome.Review {
	rv := &outcome.Review{At: d, Commit: commit, Rows: []outcome.ReviewRow{}}
	for _, dc := range r.Evaluate(d) {
		if dc.Level == model.None {
			continue
		}
		p := dc.Person
		row := outcome.ReviewRow{ID: p.ID, Name: p.Name, Level: dc.Level, Basis: dc.ReasonStrings(), Since: r.Since(p, d), Until: dc.Until, Flags: []string{}}
		exception := false
		for _, rr := range dc.Reasons {
			if rr.Rule == model.RuleTemporaryException && rr.Fired {
				row.ApprovedBy, row.Supervisor, exception = rr.ApprovedBy, rr.Supervisor, true
			}
		}
		for _, pf := range dc.Evidence {
			row.Evidence = append(row.Evidence, fmt.Sprintf("%s: %s", pf.Entry.Kind, pf.Summary()))
			row.Approvals = append(row.Approvals, outcome.NewApproval(pf))
			for _, f := range pf.Flags {
				if f == "approval not proven" {
					f += ": " + strings.Join(pf.Missing, "; ")
				}
				row.Flags = append(row.Flags, f)
			}
		}
		if h := p.HeldBeforeAdoption; h != nil && d >= h.Since {
			if dc.RestsOnHeld() {
				row.Flags = append(row.Flags, fmt.Sprintf("rests on access held before adoption (%s, approved by %s): replace it with the facts that give the access, such as shifts", h.Text(), h.ApprovedBy))
			} else {
				row.Flags = append(row.Flags, fmt.Sprintf("held_before_adoption (%s) is no longer needed: the rules give %s without it; remove it", h.Text(), dc.Level))
			}
		}
		if dc.Until != nil && *dc.Until-d <= 14 {
			row.Flags = append(row.Flags, fmt.Sprintf("access ends within 14 days: %s is its last day", dc.Until))
		}
		for _, who := range []struct{ role, id string }{{"approver", row.ApprovedBy}, {"supervisor", row.Supervisor}} {
			if who.id == "" {
				continue
			}
			switch q := r.Person(who.id); {
			case q == nil:
				row.Flags = append(row.Flags, fmt.Sprintf("the %s %s no longer has a person file", who.role, who.id))
			case q.LastDay != nil && *q.LastDay < d:
				row.Flags = append(row.Flags, fmt.Sprintf("the %s %s left on %s", who.role, who.id, q.LastDay))
			}
		}
		for _, a := range p.Absences {
			if a.Start <= d && (a.End == nil || *a.End >= d) {
				revokes := a.Start + model.Day(r.Policy.AbsenceLimitDays)
				row.Flags = append(row.Flags, fmt.Sprintf("absent since %s: access is revoked on %s unless the absence ends before then", a.Start, revokes))
			}
		}
		if exception && dc.Level == model.TemporarySupervised && row.Since != nil && d-*row.Since >= 365 {
			row.Flags = append(row.Flags, fmt.Sprintf("on temporary access since %s, more than a year", row.Since))
		}
		if k, ok := keys[p.ID]; ok {
			switch {
			case !k.OK():
				row.Flags = append(row.Flags, "the GPG key "+k.Reason())
			case k.ExpiresSoon(keyTime):
				row.Flags = append(row.Flags, fmt.Sprintf("the GPG key expires on %s, within %d days", k.Expires.Format("2006-01-02"), model.KeyWarningDays))
			}
		}
		rv.Rows = append(rv.Rows, row)
	}
	return rv
}
