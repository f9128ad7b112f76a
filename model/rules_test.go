package model_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/model"
)

// outcome is what the rule tests compare: the level, until, and the names
// of the rules given as reasons.
type outcome struct {
	Level   model.Level
	Until   string
	Reasons []string
}

func outcomeOf(dc model.Decision) outcome {
	o := outcome{Level: dc.Level}
	if dc.Until != nil {
		o.Until = dc.Until.String()
	}
	for _, r := range dc.Reasons {
		o.Reasons = append(o.Reasons, r.Rule)
	}
	return o
}

type at struct {
	day  string
	want outcome
}

func TestRules(t *testing.T) {
	const (
		ss  = model.RuleShadowShift
		ass = model.RuleAfterShadowShifts
		aps = model.RuleAfterPrimaryShift
		te  = model.RuleTemporaryException
		ns  = model.RuleNotStarted
		lft = model.RuleLeft
		la  = model.RuleLongAbsence
	)
	// A developer on the written path: two shadow shifts, probation the day
	// after the second, then a primary shift.
	onTrack := devFile(`
probation_passed: 2021-02-24
shifts:
  - {type: shadow, start: 2021-01-06, end: 2021-01-12}
  - {type: shadow, start: 2021-02-17, end: 2021-02-23}
  - {type: primary, start: 2021-03-08, end: 2021-03-12}
`)
	permanent := devFile(`
probation_passed: 2020-06-01
shifts:
  - {type: shadow, start: 2020-01-06, end: 2020-01-10}
  - {type: shadow, start: 2020-02-03, end: 2020-02-07}
  - {type: secondary, start: 2020-07-06, end: 2020-07-10}
`)
	contractor := func(extra string) string {
		return `
name: Cy Contractor
email: cy.contractor@example.gov.uk
programme: other
role: other
employment: contractor
` + extra
	}
	grant := `
temporary_access:
  - start: 2021-03-01
    end: 2021-03-31
    approved_by: lead
    supervisor: %s
    agreed: %s
    reason: Migrating the search cluster
`
	grantWith := func(supervisor, agreed string) string {
		return sprintf(grant, supervisor, agreed)
	}

	tests := []struct {
		name   string
		files  map[string]string
		policy *model.Policy
		days   []at
	}{
		{
			name:  "developer path: shadow shifts, probation the day after the second, primary shift",
			files: map[string]string{"p": onTrack},
			days: []at{
				{"2021-01-05", outcome{model.None, "2021-01-05", nil}},
				{"2021-01-06", outcome{model.TemporarySupervised, "2021-01-12", []string{ss}}},
				{"2021-01-12", outcome{model.TemporarySupervised, "2021-01-12", []string{ss}}},
				{"2021-01-13", outcome{model.None, "2021-02-16", nil}},
				{"2021-02-17", outcome{model.TemporarySupervised, "2021-02-23", []string{ss}}},
				{"2021-02-23", outcome{model.TemporarySupervised, "2021-02-23", []string{ss}}},
				{"2021-02-24", outcome{model.Supervised, "2021-03-12", []string{ass}}},
				{"2021-03-12", outcome{model.Supervised, "2021-03-12", []string{ass}}},
				{"2021-03-13", outcome{model.Permanent, "", []string{aps}}},
			},
		},
		{
			name: "probation passed a week after the second shadow shift",
			files: map[string]string{"p": devFile(`
probation_passed: 2021-03-02
shifts:
  - {type: shadow, start: 2021-01-06, end: 2021-01-12}
  - {type: shadow, start: 2021-02-17, end: 2021-02-23}
`)},
			days: []at{
				{"2021-02-24", outcome{model.None, "2021-03-01", nil}},
				{"2021-03-01", outcome{model.None, "2021-03-01", nil}},
				{"2021-03-02", outcome{model.Supervised, "", []string{ass}}},
			},
		},
		{
			name: "no probation recorded: no supervised access after the shadow shifts",
			files: map[string]string{"p": devFile(`
shifts:
  - {type: shadow, start: 2021-01-06, end: 2021-01-12}
  - {type: shadow, start: 2021-02-17, end: 2021-02-23}
  - {type: primary, start: 2021-03-08, end: 2021-03-12}
`)},
			days: []at{
				{"2021-02-23", outcome{model.TemporarySupervised, "2021-02-23", []string{ss}}},
				{"2021-02-24", outcome{model.None, "", nil}},
				{"2021-04-01", outcome{model.None, "", nil}},
			},
		},
		{
			name: "SRE without probation: no access during shadow shifts, supervised after them",
			files: map[string]string{"p": `
name: Sal SRE
email: sal.sre@example.gov.uk
programme: techops
role: sre
employment: civil_servant
clearance: sc
shifts:
  - {type: shadow, start: 2021-01-06, end: 2021-01-12}
  - {type: shadow, start: 2021-02-17, end: 2021-02-23}
  - {type: primary, start: 2021-03-08, end: 2021-03-12}
`},
			days: []at{
				{"2021-01-06", outcome{model.None, "2021-02-23", nil}},
				{"2021-02-23", outcome{model.None, "2021-02-23", nil}},
				{"2021-02-24", outcome{model.Supervised, "2021-03-12", []string{ass}}},
				{"2021-03-13", outcome{model.Permanent, "", []string{aps}}},
			},
		},
		{
			name: "a govuk SRE is on no track",
			files: map[string]string{"p": `
name: Gus GOVUK SRE
email: gus@example.gov.uk
programme: govuk
role: sre
employment: civil_servant
clearance: sc
shifts:
  - {type: shadow, start: 2021-01-06, end: 2021-01-12}
  - {type: shadow, start: 2021-02-17, end: 2021-02-23}
`},
			days: []at{
				{"2021-01-06", outcome{model.None, "", nil}},
				{"2021-03-01", outcome{model.None, "", nil}},
			},
		},
		{
			name: "a third shadow shift grants nothing",
			files: map[string]string{"p": devFile(`
shifts:
  - {type: shadow, start: 2021-04-05, end: 2021-04-09}
  - {type: shadow, start: 2021-01-06, end: 2021-01-12}
  - {type: shadow, start: 2021-02-17, end: 2021-02-23}
`)},
			days: []at{
				{"2021-04-05", outcome{model.None, "", nil}},
				{"2021-04-09", outcome{model.None, "", nil}},
			},
		},
		{
			name: "a primary shift between the two shadow shifts does not count",
			files: map[string]string{"p": devFile(`
probation_passed: 2020-12-01
shifts:
  - {type: shadow, start: 2021-01-06, end: 2021-01-12}
  - {type: primary, start: 2021-01-20, end: 2021-01-26}
  - {type: shadow, start: 2021-02-17, end: 2021-02-23}
`)},
			days: []at{
				{"2021-01-27", outcome{model.None, "2021-02-16", nil}},
				{"2021-02-24", outcome{model.Supervised, "", []string{ass}}},
				{"2022-01-01", outcome{model.Supervised, "", []string{ass}}},
			},
		},
		{
			name: "a primary shift that starts on the day the second shadow shift ends does not count",
			files: map[string]string{"p": devFile(`
probation_passed: 2020-12-01
shifts:
  - {type: shadow, start: 2021-01-06, end: 2021-01-12}
  - {type: shadow, start: 2021-02-17, end: 2021-02-23}
  - {type: primary, start: 2021-02-23, end: 2021-02-26}
`)},
			days: []at{
				{"2021-03-01", outcome{model.Supervised, "", []string{ass}}},
			},
		},
		{
			name: "long absence with no end: day 42 keeps access, day 43 loses it",
			files: map[string]string{"p": permanent + `
absences:
  - start: 2021-07-01
`},
			days: []at{
				{"2021-07-01", outcome{model.Permanent, "2021-08-11", []string{aps}}},
				{"2021-08-11", outcome{model.Permanent, "2021-08-11", []string{aps}}},
				{"2021-08-12", outcome{model.None, "", []string{la}}},
			},
		},
		{
			name: "an absence of exactly 42 days changes nothing",
			files: map[string]string{"p": permanent + `
absences:
  - {start: 2021-07-01, end: 2021-08-11}
`},
			days: []at{
				{"2021-07-01", outcome{model.Permanent, "", []string{aps}}},
				{"2021-08-12", outcome{model.Permanent, "", []string{aps}}},
			},
		},
		{
			name: "an absence of 43 days revokes on its last day and stays revoked",
			files: map[string]string{"p": permanent + `
absences:
  - {start: 2021-07-01, end: 2021-08-12}
`},
			days: []at{
				{"2021-08-11", outcome{model.Permanent, "2021-08-11", []string{aps}}},
				{"2021-08-12", outcome{model.None, "", []string{la}}},
				{"2021-08-13", outcome{model.None, "", []string{la}}},
			},
		},
		{
			name: "reinstated on the day the absence ends: access from the next day",
			files: map[string]string{"p": permanent + `
absences:
  - {start: 2021-07-01, end: 2021-08-12}
reinstated:
  - {date: 2021-08-12, approved_by: lead}
`, "lead": leadFile},
			days: []at{
				{"2021-08-12", outcome{model.None, "2021-08-12", []string{la}}},
				{"2021-08-13", outcome{model.Permanent, "", []string{aps}}},
			},
		},
		{
			name: "a reinstatement dated before the absence ends does not count",
			files: map[string]string{"p": permanent + `
absences:
  - {start: 2021-07-01, end: 2021-09-20}
reinstated:
  - {date: 2021-09-01, approved_by: lead}
`, "lead": leadFile},
			days: []at{
				{"2021-09-01", outcome{model.None, "", []string{la}}},
				{"2021-09-21", outcome{model.None, "", []string{la}}},
			},
		},
		{
			name: "a reinstatement dated after the absence ends restores access on its date",
			files: map[string]string{"p": permanent + `
absences:
  - {start: 2021-07-01, end: 2021-09-20}
reinstated:
  - {date: 2021-09-27, approved_by: lead}
`, "lead": leadFile},
			days: []at{
				{"2021-09-20", outcome{model.None, "2021-09-26", []string{la}}},
				{"2021-09-26", outcome{model.None, "2021-09-26", []string{la}}},
				{"2021-09-27", outcome{model.Permanent, "", []string{aps}}},
			},
		},
		{
			name: "a second long absence needs its own reinstatement",
			files: map[string]string{"p": permanent + `
absences:
  - {start: 2021-01-04, end: 2021-03-31}
  - {start: 2022-01-03, end: 2022-03-31}
reinstated:
  - {date: 2021-04-01, approved_by: lead}
`, "lead": leadFile},
			days: []at{
				{"2021-04-01", outcome{model.Permanent, "2022-02-13", []string{aps}}},
				{"2022-04-01", outcome{model.None, "", []string{la}}},
			},
		},
		{
			name: "temporary exception: first and last day of the grant",
			files: map[string]string{
				"p":    contractor("clearance: bpss\n" + grantWith("perm", "true")),
				"lead": leadFile, "perm": permFile,
			},
			days: []at{
				{"2021-02-28", outcome{model.None, "2021-02-28", nil}},
				{"2021-03-01", outcome{model.TemporarySupervised, "2021-03-31", []string{te}}},
				{"2021-03-31", outcome{model.TemporarySupervised, "2021-03-31", []string{te}}},
				{"2021-04-01", outcome{model.None, "", nil}},
			},
		},
		{
			name: "temporary exception without BPSS grants nothing",
			files: map[string]string{
				"p":    contractor("clearance: none\n" + grantWith("perm", "true")),
				"lead": leadFile, "perm": permFile,
			},
			days: []at{{"2021-03-15", outcome{model.None, "", []string{te}}}},
		},
		{
			name: "temporary exception not agreed grants nothing",
			files: map[string]string{
				"p":    contractor("clearance: sc\n" + grantWith("perm", "false")),
				"lead": leadFile, "perm": permFile,
			},
			days: []at{{"2021-03-15", outcome{model.None, "", []string{te}}}},
		},
		{
			name: "a supervisor who becomes permanent in the middle of a grant",
			files: map[string]string{
				"p":    contractor("clearance: bpss\n" + grantWith("sup", "true")),
				"lead": leadFile,
				"sup": `
name: Sue Supervisor
email: sue@example.gov.uk
programme: govuk
role: developer
employment: civil_servant
clearance: sc
probation_passed: 2020-06-01
shifts:
  - {type: shadow, start: 2021-01-06, end: 2021-01-12}
  - {type: shadow, start: 2021-02-17, end: 2021-02-23}
  - {type: primary, start: 2021-03-08, end: 2021-03-14}
`,
			},
			days: []at{
				{"2021-03-01", outcome{model.None, "2021-03-14", []string{te}}},
				{"2021-03-14", outcome{model.None, "2021-03-14", []string{te}}},
				{"2021-03-15", outcome{model.TemporarySupervised, "2021-03-31", []string{te}}},
			},
		},
		{
			name: "a supervisor who is permanent only through their own exception does not count",
			files: map[string]string{
				"p":    contractor("clearance: bpss\n" + grantWith("other", "true")),
				"lead": leadFile, "perm": permFile,
				"other": strings.Replace(contractor("clearance: sc\n"+grantWith("perm", "true")), "cy.contractor@", "oz.other@", 1),
			},
			days: []at{{"2021-03-15", outcome{model.None, "", []string{te}}}},
		},
		{
			name: "a supervisor on a long absence does not count",
			files: map[string]string{
				"p":    contractor("clearance: bpss\n" + grantWith("perm", "true")),
				"lead": leadFile,
				"perm": permFile + "absences:\n  - {start: 2021-01-01}\n",
			},
			days: []at{{"2021-03-15", outcome{model.None, "", []string{te}}}},
		},
		{
			name: "a grant carries a developer on from a shadow shift: one unbroken level",
			files: map[string]string{
				"p": devFile(`
shifts:
  - {type: shadow, start: 2021-02-24, end: 2021-03-02}
  - {type: shadow, start: 2021-04-05, end: 2021-04-09}
` + grantWith("perm", "true")[1:]),
				"lead": leadFile, "perm": permFile,
			},
			days: []at{
				{"2021-02-26", outcome{model.TemporarySupervised, "2021-03-31", []string{ss}}},
				{"2021-03-01", outcome{model.TemporarySupervised, "2021-03-31", []string{ss, te}}},
				{"2021-03-05", outcome{model.TemporarySupervised, "2021-03-31", []string{te}}},
				{"2021-04-01", outcome{model.None, "2021-04-04", nil}},
			},
		},
		{
			name: "a temporary exception applies again once a long absence has ended",
			files: map[string]string{
				"p": contractor(`clearance: bpss
absences:
  - {start: 2021-01-15, end: 2021-03-10}
` + grantWith("perm", "true")[1:]),
				"lead": leadFile, "perm": permFile,
			},
			days: []at{
				{"2021-03-01", outcome{model.None, "2021-03-10", []string{la}}},
				{"2021-03-10", outcome{model.None, "2021-03-10", []string{la}}},
				{"2021-03-11", outcome{model.TemporarySupervised, "2021-03-31", []string{te, la}}},
			},
		},
		{
			name: "not started: no access before the start date, even in a shadow shift",
			files: map[string]string{"p": devFile(`
start_date: 2021-01-08
shifts:
  - {type: shadow, start: 2021-01-06, end: 2021-01-12}
`)},
			days: []at{
				{"2021-01-06", outcome{model.None, "2021-01-07", []string{ns}}},
				{"2021-01-08", outcome{model.TemporarySupervised, "2021-01-12", []string{ss}}},
			},
		},
		{
			name:  "left: the last day keeps access, the day after removes it",
			files: map[string]string{"p": permanent + "last_day: 2021-03-31\n"},
			days: []at{
				{"2021-03-31", outcome{model.Permanent, "2021-03-31", []string{aps}}},
				{"2021-04-01", outcome{model.None, "", []string{lft}}},
			},
		},
		{
			name:   "policy: three shadow shifts required",
			policy: &model.Policy{ShadowShiftsRequired: 3, AbsenceLimitDays: 42, MaxTemporaryDays: 90},
			files: map[string]string{"p": devFile(`
probation_passed: 2020-12-01
shifts:
  - {type: shadow, start: 2021-01-06, end: 2021-01-12}
  - {type: shadow, start: 2021-02-17, end: 2021-02-23}
  - {type: shadow, start: 2021-03-01, end: 2021-03-05}
`)},
			days: []at{
				{"2021-02-24", outcome{model.None, "2021-02-28", nil}},
				{"2021-03-01", outcome{model.TemporarySupervised, "2021-03-05", []string{ss}}},
				{"2021-03-06", outcome{model.Supervised, "", []string{ass}}},
			},
		},
		{
			name:   "policy: a shorter absence limit",
			policy: &model.Policy{ShadowShiftsRequired: 2, AbsenceLimitDays: 14, MaxTemporaryDays: 90},
			files:  map[string]string{"p": permanent + "absences:\n  - {start: 2021-07-01, end: 2021-07-20}\n"},
			days: []at{
				{"2021-07-14", outcome{model.Permanent, "2021-07-14", []string{aps}}},
				{"2021-07-15", outcome{model.None, "", []string{la}}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			policy := model.DefaultPolicy()
			if tt.policy != nil {
				policy = *tt.policy
			}
			r := rosterOf(t, policy, tt.files)
			if len(r.Problems()) > 0 {
				t.Fatalf("fixture has problems:\n%v", r.Problems())
			}
			p := r.Person("p")
			for _, a := range tt.days {
				got := outcomeOf(r.Decide(p, day(t, a.day)))
				if diff := cmp.Diff(a.want, got); diff != "" {
					t.Errorf("on %s (-want +got):\n%s", a.day, diff)
				}
			}
		})
	}
}

// TestUntilIsExact checks, day by day over several years, that until is
// the last day of an unbroken run of the same level: the level holds every
// day up to until and differs the day after.
func TestUntilIsExact(t *testing.T) {
	r := rosterOf(t, model.DefaultPolicy(), map[string]string{
		"lead": leadFile, "perm": permFile,
		"p": devFile(`
probation_passed: 2021-03-01
last_day: 2023-06-30
shifts:
  - {type: shadow, start: 2021-01-06, end: 2021-01-12}
  - {type: shadow, start: 2021-02-17, end: 2021-02-23}
  - {type: shadow, start: 2021-02-27, end: 2021-03-02}
  - {type: primary, start: 2021-05-03, end: 2021-05-07}
temporary_access:
  - {start: 2020-12-01, end: 2021-01-31, approved_by: lead, supervisor: perm, agreed: true, reason: Onboarding}
absences:
  - {start: 2021-08-02, end: 2021-08-31}
  - {start: 2022-01-03, end: 2022-04-29}
  - {start: 2022-10-03}
reinstated:
  - {date: 2022-05-09, approved_by: lead}
`),
	})
	if len(r.Problems()) > 0 {
		t.Fatal(r.Problems())
	}
	p := r.Person("p")
	start, end := day(t, "2020-11-01"), day(t, "2024-01-01")
	for d := start; d < end; d++ {
		dc := r.Decide(p, d)
		if dc.Until == nil {
			for x := d; x < end; x++ {
				if l := r.Level(p, x); l != dc.Level {
					t.Fatalf("on %s: level %s with no end, but %s on %s", d, dc.Level, l, x)
				}
			}
			continue
		}
		for x := d; x <= *dc.Until; x++ {
			if l := r.Level(p, x); l != dc.Level {
				t.Fatalf("on %s: level %s until %s, but %s on %s", d, dc.Level, dc.Until, l, x)
			}
		}
		if l := r.Level(p, *dc.Until+1); l == dc.Level {
			t.Fatalf("on %s: until %s, but the level is still %s the day after", d, dc.Until, l)
		}
	}
}
