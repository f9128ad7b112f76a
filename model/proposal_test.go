package model_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/model"
)

// gitaFile becomes permanent once her primary shift ends on 2026-12-05,
// and leaves on 2026-12-20.
const gitaFile = `
name: Gita Supervised
email: gita@example.gov.uk
programme: govuk
role: developer
employment: civil_servant
clearance: sc
probation_passed: 2026-07-01
last_day: 2026-12-20
shifts:
  - {type: shadow, start: 2026-08-03, end: 2026-08-07}
  - {type: shadow, start: 2026-09-07, end: 2026-09-11}
  - {type: primary, start: 2026-12-01, end: 2026-12-05}
`

func TestGrantConditions(t *testing.T) {
	roster := rosterOf(t, model.DefaultPolicy(), map[string]string{
		"lee":   leadFile,
		"pam":   permFile,
		"gita":  gitaFile,
		"gone":  strings.NewReplacer("probation_passed", "last_day: 2026-11-30\nprobation_passed", "lee.lead@", "gone@").Replace(leadFile),
		"cy":    "name: Cy\nemail: cy@example.gov.uk\nprogramme: other\nrole: other\nemployment: contractor\nclearance: bpss\n",
		"kim":   "name: Kim\nemail: kim@example.gov.uk\nprogramme: other\nrole: other\nemployment: contractor\nclearance: none\n",
		"dee":   devFile(""),
		"heads": strings.NewReplacer("lead_developer", "head_of_technology", "lee.lead@", "heads@").Replace(leadFile),
	})
	grant := func(start, end, approver, supervisor string, agreed bool) *model.TemporaryGrant {
		return &model.TemporaryGrant{Range: model.Range{day(t, start), day(t, end)}, ApprovedBy: approver, Supervisor: supervisor, Agreed: agreed, Reason: "Cover"}
	}
	details := func(cs []model.Condition) []string {
		var out []string
		for _, c := range cs {
			state := "met"
			if !c.Met {
				state = "NOT MET"
				if c.Later {
					state = "later"
				}
			}
			out = append(out, state+": "+c.Refusal())
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		person string
		grant  *model.TemporaryGrant
		want   []string
	}{{
		name: "every condition met but the agreement to come", person: "cy",
		grant: grant("2026-12-01", "2027-01-31", "lee", "pam", false),
		want: []string{
			"met: temporary-exception: clearance bpss",
			"met: temporary-exception: approved by lee, a lead_developer",
			"met: temporary-exception: supervisor pam has permanent access on every day of 2026-12-01 to 2027-01-31",
			"later: temporary-exception: the person has not agreed to use it only while supervised (agreed: false)",
			"met: temporary-exception: 62 days, 2026-12-01 to 2027-01-31",
		},
	}, {
		name: "the supervisor's gaps are named as ranges", person: "cy",
		grant: grant("2026-12-01", "2026-12-31", "heads", "gita", true),
		want: []string{
			"met: temporary-exception: clearance bpss",
			"met: temporary-exception: approved by heads, a head_of_technology",
			"NOT MET: temporary-exception: supervisor gita would not have permanent access on 2026-12-01 to 2026-12-05 (supervised access), 2026-12-21 to 2026-12-31 (no access)",
			"met: temporary-exception: agreed: true",
			"met: temporary-exception: 31 days, 2026-12-01 to 2026-12-31",
		},
	}, {
		name: "one day short of permanent", person: "cy",
		grant: grant("2026-12-05", "2026-12-06", "lee", "gita", true),
		want: []string{
			"met: temporary-exception: clearance bpss",
			"met: temporary-exception: approved by lee, a lead_developer",
			"NOT MET: temporary-exception: supervisor gita would not have permanent access on 2026-12-05 (supervised access)",
			"met: temporary-exception: agreed: true",
			"met: temporary-exception: 2 days, 2026-12-05 to 2026-12-06",
		},
	}, {
		name: "no clearance, a developer approving, too long", person: "kim",
		grant: grant("2026-12-01", "2027-03-31", "dee", "kim", true),
		want: []string{
			"NOT MET: temporary-exception: clearance none is below bpss",
			"NOT MET: temporary-exception: approver dee is a developer, not a lead_developer or head_of_technology",
			"NOT MET: temporary-exception: the person cannot supervise themselves",
			"met: temporary-exception: agreed: true",
			"NOT MET: temporary-exception: it lasts 121 days, more than the 90 allowed",
		},
	}, {
		name: "approving themselves, an approver who has left, a supervisor who does not exist", person: "lee",
		grant: grant("2026-12-01", "2026-12-02", "lee", "nobody", true),
		want: []string{
			"met: temporary-exception: clearance sc",
			"NOT MET: temporary-exception: it is approved by the person themselves",
			"NOT MET: temporary-exception: supervisor nobody does not exist",
			"met: temporary-exception: agreed: true",
			"met: temporary-exception: 2 days, 2026-12-01 to 2026-12-02",
		},
	}, {
		name: "an approver who left before it starts", person: "cy",
		grant: grant("2026-12-01", "2026-12-02", "gone", "pam", true),
		want: []string{
			"met: temporary-exception: clearance bpss",
			"NOT MET: temporary-exception: approver gone left on 2026-11-30, before the entry starts on 2026-12-01",
			"met: temporary-exception: supervisor pam has permanent access on every day of 2026-12-01 to 2026-12-02",
			"met: temporary-exception: agreed: true",
			"met: temporary-exception: 2 days, 2026-12-01 to 2026-12-02",
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := details(roster.GrantConditions(roster.Person(tc.person), tc.grant))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestReinstatementConditions(t *testing.T) {
	away := func(id, absences string) string {
		return strings.Replace(permFile, "pam.permanent@", id+"@", 1) + "absences:\n" + absences
	}
	roster := rosterOf(t, model.DefaultPolicy(), map[string]string{
		"lee":    leadFile,
		"dee":    devFile(""),
		"back":   away("back", "  - {start: 2026-01-05, end: 2026-03-31}\n  - {start: 2026-06-01, end: 2026-06-05}\n"),
		"open":   away("open", "  - {start: 2026-09-01}\n"),
		"short":  away("short", "  - {start: 2026-09-01, end: 2026-10-01}\n"),
		"future": away("future", "  - {start: 2026-09-01, end: 2026-12-31}\n"),
	})
	for _, tc := range []struct {
		person, approver, date string
		want                   []string
	}{
		{"back", "lee", "2026-04-01", []string{"met: approved by lee, a lead_developer", "met: the absence 2026-01-05 to 2026-03-31 revoked access from 2026-02-16"}},
		{"open", "dee", "2026-11-02", []string{"NOT MET: approver dee is a developer, not a lead_developer or head_of_technology", "NOT MET: the absence from 2026-09-01 has no end yet; record its end first: a reinstatement counts only when dated on or after the absence's end"}},
		{"short", "lee", "2026-11-02", []string{"met: approved by lee, a lead_developer", "NOT MET: no absence of more than 42 days ended on or before 2026-11-02, so there is no revoked access to reinstate"}},
		{"future", "future", "2026-11-02", []string{"NOT MET: it is approved by the person themselves", "NOT MET: the absence 2026-09-01 to 2026-12-31 ends after 2026-11-02; a reinstatement counts only when dated on or after the absence's end"}},
	} {
		p := roster.Person(tc.person)
		var got []string
		for _, c := range roster.ReinstatementConditions(p, &model.Reinstatement{Date: day(t, tc.date), ApprovedBy: tc.approver}) {
			if c.Rule != model.RuleLongAbsence {
				t.Errorf("%s: rule %q", tc.person, c.Rule)
			}
			state := "met: "
			if !c.Met {
				state = "NOT MET: "
			}
			got = append(got, state+c.Detail)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.person, diff)
		}
	}
}
