package model_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/evidence"
	"github.com/prodaccess/prodaccess/model"
)

var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return loc
}()

// londonAt is a time in London on 2026-11-dd.
func londonAt(dd, hh, mm int) time.Time { return time.Date(2026, 11, dd, hh, mm, 0, 0, london) }

func onCall(schedule, user string, from, to time.Time) model.OnCallFact {
	return model.OnCallFact{Schedule: schedule, ScheduleName: "2nd line " + schedule, User: user, Name: "Dee Developer", Email: strings.ToLower(user) + "@example.gov.uk", Start: from, End: to}
}

// inHours is an on-call for the working hours of 2026-11-dd.
func inHours(schedule, user string, dd int) model.OnCallFact {
	return onCall(schedule, user, londonAt(dd, 9, 30), londonAt(dd, 17, 30))
}

var rota = model.Rota{Schedules: []model.RotaSchedule{{ID: "PPRIMRY", Shift: model.Primary}, {ID: "POOH", Shift: model.Primary}, {ID: "PSHADOW", Shift: model.Shadow}},
	Match: model.MatchEmail, RetentionDays: 365}

func TestProveShift(t *testing.T) {
	start, end := model.DayFromDate(2026, 11, 2), model.DayFromDate(2026, 11, 6)
	entry := model.EntryRef{Person: "dee", Kind: model.ShiftEntry, Start: &start, End: &end, Shift: model.Primary}
	base := &model.EntryBase{Commit: "base", Location: london, Authority: model.Authority{Policy: model.Policy{Rota: rota},
		Approvers: map[string]model.Approver{"alex": {GitHub: "alexlead-gds", GitHubID: 11, Role: model.LeadDeveloper}}}}
	readAt := londonAt(9, 8, 0)
	var reached func(at time.Time, ocs []model.OnCallFact, outOfReach string, prs ...model.PullRequestFact) *model.CommitEvidence
	week := func(ocs ...model.OnCallFact) []model.OnCallFact {
		out := []model.OnCallFact{inHours("PPRIMRY", "DEE", 2), inHours("PPRIMRY", "DEE", 3), inHours("PPRIMRY", "DEE", 4), inHours("PPRIMRY", "DEE", 5), inHours("PPRIMRY", "DEE", 6)}
		return append(out, ocs...)
	}
	evidence := func(at time.Time, ocs []model.OnCallFact) *model.CommitEvidence { return reached(at, ocs, "") }
	reached = func(at time.Time, ocs []model.OnCallFact, outOfReach string, prs ...model.PullRequestFact) *model.CommitEvidence {
		return &model.CommitEvidence{Commit: "0123456789abcdef", Branch: "main", PullRequests: prs,
			Entries: []model.EntryEvidence{{Entry: entry, ReviewsOnEntry: []int64{1}}},
			Shifts: []model.ShiftEvidence{{Entry: entry, Schedules: []model.ScheduleRef{{ID: "PPRIMRY", Name: "2nd line primary"}, {ID: "POOH"}}, Match: model.MatchEmail,
				Key: "dee@example.gov.uk", OnCalls: ocs, LookedUpAt: at, OutOfReach: outOfReach}}}
	}
	merged := londonAt(9, 7, 0)
	approvedBy := func(login string, id int64) model.PullRequestFact {
		return model.PullRequestFact{Number: 7, Author: model.Account{Login: "dee-gh", ID: 5}, MergedAt: &merged, Base: "main",
			Reviews: []model.ReviewFact{{ID: 1, User: model.Account{Login: login, ID: id}, State: model.ReviewApproved, CommitID: "c", SubmittedAt: londonAt(9, 6, 0)}}}
	}
	since := model.DayFromDate(2026, 11, 3)
	tests := []struct {
		name    string
		ev      *model.CommitEvidence
		base    *model.EntryBase
		proven  bool
		worked  bool
		missing string
	}{
		{name: "on call every day, read after the shift", ev: evidence(readAt, week()), proven: true, worked: true},
		{name: "hand-overs inside a day, and another schedule of the same kind", ev: evidence(readAt, []model.OnCallFact{
			inHours("PPRIMRY", "DEE", 2),
			onCall("PPRIMRY", "DEE", londonAt(3, 9, 30), londonAt(3, 11, 0)), // handed over at 11:00
			onCall("POOH", "DEE", londonAt(3, 23, 0), londonAt(5, 1, 0)),     // out of hours, over two nights
			inHours("PPRIMRY", "DEE", 6),
		}), proven: true, worked: true},
		{name: "an override that ends at midnight counts only the day before", ev: evidence(readAt, append(week()[:4], onCall("PPRIMRY", "DEE", londonAt(5, 18, 0), londonAt(6, 0, 0)))),
			missing: "not in the rota: PagerDuty schedule PPRIMRY (2nd line primary) or POOH, read on 2026-11-09, shows dee@example.gov.uk on call on 2026-11-02 to 2026-11-05, but not on 2026-11-06"},
		{name: "a gap", ev: evidence(readAt, append(week()[:2], week()[4])),
			missing: "not in the rota: PagerDuty schedule PPRIMRY (2nd line primary) or POOH, read on 2026-11-09, shows dee@example.gov.uk on call on 2026-11-02 to 2026-11-03, 2026-11-06, but not on 2026-11-04 to 2026-11-05"},
		{name: "someone else on call", ev: evidence(readAt, []model.OnCallFact{inHours("PPRIMRY", "SAM", 2)}),
			missing: "not in the rota: PagerDuty schedule PPRIMRY (2nd line primary) or POOH, read on 2026-11-09, shows dee@example.gov.uk on call on none of its days"},
		{name: "on call on the shadow schedule, not a primary one", ev: evidence(readAt, []model.OnCallFact{inHours("PSHADOW", "DEE", 2)}),
			missing: "not in the rota: PagerDuty schedule PPRIMRY (2nd line primary) or POOH, read on 2026-11-09, shows dee@example.gov.uk on call on none of its days"},
		{name: "read before it ended: planned, not worked", ev: evidence(londonAt(4, 8, 0), week()), proven: true},
		{name: "not read", ev: &model.CommitEvidence{Commit: "0123456789abcdef"},
			missing: "not in the rota: it has not been read from the rota (PagerDuty) yet"},
		{name: "before rota.since, approved by a lead", ev: reached(readAt, nil, "", approvedBy("alexlead-gds", 11)),
			base: func() *model.EntryBase { b := *base; b.Authority.Policy.Rota.Since = &since; return &b }(), proven: true, worked: true},
		{name: "before rota.since, approved by a colleague", ev: reached(readAt, nil, "", approvedBy("sam-gh", 33)),
			base:    func() *model.EntryBase { b := *base; b.Authority.Policy.Rota.Since = &since; return &b }(),
			missing: "not approved: it starts before the rota became the record of 2nd line (rota.since 2026-11-03), so it needs an approving review by a lead of record: no approving review by a lead of record (alex) on #7"},
		{name: "older than the retention when read, and no pull request", ev: reached(readAt, nil, "it started more than the rota's retention of 365 days before the rota was read on 2027-12-01"),
			missing: "not approved: it started more than the rota's retention of 365 days before the rota was read on 2027-12-01, so it needs an approving review by a lead of record: commit 0123456789ab was pushed to main without a pull request"},
		{name: "no schedule stands for the kind", ev: evidence(readAt, week()),
			base: func() *model.EntryBase {
				b := *base
				b.Authority.Policy.Rota = model.Rota{Match: model.MatchEmail}
				return &b
			}(),
			missing: "not approved: no schedule in rota.schedules stands for primary shifts, so it needs an approving review by a lead of record: commit 0123456789ab was pushed to main without a pull request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.base
			if b == nil {
				b = base
			}
			pf := model.Prove(tt.ev, entry, nil, nil, b)
			if pf.Proven() != tt.proven || pf.Worked != tt.worked {
				t.Errorf("proven %t worked %t, want %t %t (%v)", pf.Proven(), pf.Worked, tt.proven, tt.worked, pf.Missing)
			}
			if got := strings.Join(pf.Missing, "; "); got != tt.missing {
				t.Errorf("missing:\n  got  %s\n  want %s", got, tt.missing)
			}
		})
	}
}

func TestRotaShifts(t *testing.T) {
	ocs := []model.OnCallFact{
		inHours("PPRIMRY", "DEE", 2), inHours("PPRIMRY", "DEE", 3), inHours("PPRIMRY", "DEE", 4),
		// The next week follows with no day between: one run.
		onCall("PPRIMRY", "DEE", londonAt(5, 9, 0), londonAt(12, 9, 0)),
		inHours("PSHADOW", "DEE", 3),                                 // another kind: its own run
		inHours("PPRIMRY", "SAM", 16), inHours("PPRIMRY", "SAM", 18), // a day between: two runs
		inHours("PUNKNWN", "SAM", 17), // a schedule the rota does not name
	}
	var got []string
	for _, rs := range evidence.RotaShifts(rota, ocs, london) {
		got = append(got, sprintf("%s %s %s (%d on-calls)", rs.User, rs.Type, rs.Range, len(rs.OnCalls)))
	}
	want := []string{
		"DEE primary 2026-11-02 to 2026-11-12 (4 on-calls)",
		"DEE shadow 2026-11-03 to 2026-11-03 (1 on-calls)",
		"SAM primary 2026-11-16 to 2026-11-16 (1 on-calls)",
		"SAM primary 2026-11-18 to 2026-11-18 (1 on-calls)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("shifts (-want +got):\n%s", diff)
	}
}

// TestShiftRules: under shift_evidence required, a shift counts only as
// its evidence says, and the reasons say why one does not.
func TestShiftRules(t *testing.T) {
	policy := model.DefaultPolicy()
	policy.ShiftEvidence = model.EvidenceRequired
	policy.Rota = rota
	r := rosterOf(t, policy, map[string]string{"dee": strings.Replace(devFile(`
probation_passed: 2026-01-01
shifts:
  - {type: shadow, start: 2026-09-07, end: 2026-09-11}
  - {type: shadow, start: 2026-10-05, end: 2026-10-09}
  - {type: primary, start: 2026-11-02, end: 2026-11-06}
`), "dee.developer@", "dee@", 1)})
	dee := r.Person("dee")
	if !r.Valid(dee) {
		t.Fatalf("dee's file: %v", r.ProblemsOf(dee))
	}
	base := &model.EntryBase{Commit: "base", Location: london, Authority: model.Authority{Policy: policy}}
	adopted := &model.EntryBase{BeforeAdoption: true, Location: london, Authority: model.Authority{Policy: policy}}
	primary := dee.Shifts[2].Ref("dee")
	ev := func(at time.Time, ocs ...model.OnCallFact) *model.CommitEvidence {
		return &model.CommitEvidence{Commit: "0123456789abcdef", Shifts: []model.ShiftEvidence{{Entry: primary, Key: "dee@example.gov.uk", Match: model.MatchEmail, OnCalls: ocs, LookedUpAt: at}}}
	}
	set := func(ce *model.CommitEvidence) {
		bases := map[string]*model.EntryBase{primary.Key(): base}
		for _, s := range dee.Shifts[:2] {
			bases[s.Ref("dee").Key()] = adopted // taken at their word
		}
		r.SetEvidence(&model.Evidence{Policy: model.EvidenceOff, Shifts: model.EvidenceRequired, Location: london,
			ByEntry: map[string]*model.CommitEvidence{primary.Key(): ce}, Bases: bases})
	}
	week := []model.OnCallFact{inHours("PPRIMRY", "DEE", 2), inHours("PPRIMRY", "DEE", 3), inHours("PPRIMRY", "DEE", 4), inHours("PPRIMRY", "DEE", 5), inHours("PPRIMRY", "DEE", 6)}
	d := model.DayFromDate(2026, 11, 20)
	reasonOf := func(rule string) string {
		for _, rr := range r.Decide(dee, d).Rules {
			if rr.Rule == rule {
				return rr.Reason()
			}
		}
		return ""
	}

	set(ev(londonAt(9, 8, 0), week[:3]...))
	if got := r.Level(dee, d); got != model.Supervised {
		t.Errorf("with a primary shift the rota does not show: %s, want supervised", got)
	}
	want := "after-primary-shift: primary shift 2026-11-02 to 2026-11-06 is not in the rota: PagerDuty schedule PPRIMRY or POOH, read on 2026-11-09, shows dee@example.gov.uk on call on 2026-11-02 to 2026-11-04, but not on 2026-11-05 to 2026-11-06"
	if got := reasonOf(model.RuleAfterPrimaryShift); got != want {
		t.Errorf("reason:\n  got  %s\n  want %s", got, want)
	}

	set(ev(londonAt(9, 8, 0), week...))
	if got := r.Level(dee, d); got != model.Permanent {
		t.Errorf("with the shift the rota shows: %s, want permanent", got)
	}
	if got := r.Level(dee, model.DayFromDate(2026, 11, 8)); got != model.Supervised {
		t.Errorf("before the rota was read: %s, want supervised (it counts from when it was read)", got)
	}
	if got := r.Decide(dee, d).Evidence; len(got) != 1 || got[0].Entry.Key() != primary.Key() {
		t.Errorf("the decision rests on %v, want the primary shift's proof alone (the shadow shifts are taken at their word)", got)
	}

	set(ev(londonAt(4, 8, 0), week...))
	if got := r.Level(dee, d); got != model.Supervised {
		t.Errorf("with the shift read only before it ended: %s, want supervised", got)
	}
	if got := reasonOf(model.RuleAfterPrimaryShift); !strings.Contains(got, "was read from the rota only on 2026-11-04, before it ended") {
		t.Errorf("reason: %s", got)
	}
}

func TestDecodeShiftEvidence(t *testing.T) {
	const note = `{"version": %d, "repository": "o/r", "commit": "0123456789012345678901234567890123456789", "branch": "main", "pull_requests": [], "entries": [],
  "shifts": [{"entry": {"person": "dee", "kind": "shift", "start": "2026-11-02", "end": "2026-11-06", "approved_by": "", "shift": "primary"},
    "schedules": [{"id": "PPRIMRY"}], "match": "email", "key": "dee@example.gov.uk", "on_calls": [], "looked_up_at": "2026-11-09T08:00:00Z"}],
  "recorded_at": "2026-11-09T08:00:00Z", "complete": true}`
	if _, err := evidence.DecodeEvidence([]byte(sprintf(note, 3))); err != nil {
		t.Errorf("version 3: %v", err)
	}
	for v, want := range map[int]string{
		2: "evidence version 2 holds what the rota showed, which only version 3 notes hold",
		4: "evidence version 4; this prodaccess reads versions 2 and 3",
	} {
		if _, err := evidence.DecodeEvidence([]byte(sprintf(note, v))); err == nil || err.Error() != want {
			t.Errorf("version %d: %v, want %s", v, err, want)
		}
	}
}
