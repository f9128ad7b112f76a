package model_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/model"
)

// TestApproversMustBeAbleToApprove: reinstatements and temporary grants
// are approved by the same rule: the approver exists, is someone else,
// has a valid file and an approving role, and is employed on the day the
// grant starts or the reinstatement is dated.
func TestApproversMustBeAbleToApprove(t *testing.T) {
	permanent := devFile(`
probation_passed: 2020-06-01
shifts:
  - {type: shadow, start: 2020-01-06, end: 2020-01-10}
  - {type: shadow, start: 2020-02-03, end: 2020-02-07}
  - {type: secondary, start: 2020-07-06, end: 2020-07-10}
absences:
  - {start: 2021-07-01, end: 2021-09-20}
reinstated:
  - {date: 2021-09-21, approved_by: lead}
`)
	contractor := `
name: Cy Contractor
email: cy.contractor@example.gov.uk
programme: other
role: other
employment: contractor
clearance: bpss
temporary_access:
  - {start: 2026-03-01, end: 2026-03-31, approved_by: lead, supervisor: pam, agreed: true, reason: Migrating the search cluster}
`
	tests := []struct {
		name, lead string
		file       string
		at         string
		want       model.Level
		reason     string
	}{
		{"reinstatement by a lead", leadFile, permanent, "2021-09-21", model.Permanent, "after-primary-shift"},
		{"reinstatement by a broken file", "name: Lee Lead\nemail: lee.lead@example.gov.uk\n", permanent, "2021-09-21", model.None,
			"the reinstatement of 2021-09-21 does not count: approver lead's file is invalid"},
		{"reinstatement by a lead who had left", leadFile + "last_day: 2015-03-31\n", permanent, "2021-09-21", model.None,
			"the reinstatement of 2021-09-21 does not count: approver lead left on 2015-03-31, before the reinstatement on 2021-09-21"},
		{"reinstatement by a lead not yet started", leadFile + "start_date: 2030-01-01\n", permanent, "2021-09-21", model.None,
			"approver lead starts only on 2030-01-01, after the reinstatement on 2021-09-21"},
		{"grant by a lead", leadFile, contractor, "2026-03-10", model.TemporarySupervised, "temporary-exception: 2026-03-01 to 2026-03-31, approved by lead"},
		{"grant by a lead who left in 2015", leadFile + "last_day: 2015-03-31\n", contractor, "2026-03-10", model.None,
			"grants nothing: approver lead left on 2015-03-31, before the entry starts on 2026-03-01"},
		{"grant by a lead starting in 2030", leadFile + "start_date: 2030-01-01\n", contractor, "2026-03-10", model.None,
			"grants nothing: approver lead starts only on 2030-01-01, after the entry starts on 2026-03-01"},
		{"grant by a lead who leaves during it", leadFile + "last_day: 2026-03-05\n", contractor, "2026-03-10", model.TemporarySupervised, "temporary-exception"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rosterOf(t, model.DefaultPolicy(), map[string]string{"p": tt.file, "lead": tt.lead, "pam": permFile})
			dc := r.Decide(r.Person("p"), day(t, tt.at))
			if dc.Level != tt.want {
				t.Errorf("level %s, want %s; reasons %q", dc.Level, tt.want, dc.ReasonStrings())
			}
			if got := strings.Join(dc.ReasonStrings(), "\n"); !strings.Contains(got, tt.reason) {
				t.Errorf("reasons do not say %q:\n%s", tt.reason, got)
			}
		})
	}
}

// TestSupervisorMustBeEmployedEachDay: a supervisor who leaves during a
// grant supervises no day after their last.
func TestSupervisorMustBeEmployedEachDay(t *testing.T) {
	r := rosterOf(t, model.DefaultPolicy(), map[string]string{
		"p": `
name: Cy Contractor
email: cy.contractor@example.gov.uk
programme: other
role: other
employment: contractor
clearance: bpss
temporary_access:
  - {start: 2026-03-01, end: 2026-03-31, approved_by: lead, supervisor: pam, agreed: true, reason: Migrating the search cluster}
`, "lead": leadFile, "pam": permFile + "last_day: 2026-03-10\n"})
	p := r.Person("p")
	var got []model.Level
	for _, d := range []string{"2026-03-10", "2026-03-11"} {
		got = append(got, r.Level(p, day(t, d)))
	}
	if diff := cmp.Diff([]model.Level{model.TemporarySupervised, model.None}, got); diff != "" {
		t.Errorf("levels (-want +got):\n%s", diff)
	}
}

// TestSharedEmailIsAClash: two files with the same email, whatever its
// case, are one person claiming two identities, like a shared login; so
// the one cannot approve the other's access.
func TestSharedEmailIsAClash(t *testing.T) {
	eve := `
name: Eve Lead
email: eve@example.gov.uk
programme: govuk
role: lead_developer
employment: civil_servant
clearance: sc
`
	eve2 := `
name: Eve Again
email: EVE@example.gov.uk
programme: other
role: other
employment: contractor
clearance: bpss
temporary_access:
  - {start: 2026-03-01, end: 2026-03-31, approved_by: eve, supervisor: pam, agreed: true, reason: Just me}
`
	r := rosterOf(t, model.DefaultPolicy(), map[string]string{"eve": eve, "eve-again": eve2, "pam": permFile})
	var got []string
	for _, p := range r.Problems() {
		got = append(got, p.String())
	}
	want := []string{
		"people/eve-again.yaml:2:8: email: the same email address is in people/eve.yaml; each person needs their own",
		"people/eve.yaml:2:8: email: the same email address is in people/eve-again.yaml; each person needs their own",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if l := r.Level(r.Person("eve-again"), day(t, "2026-03-10")); l != model.None {
		t.Errorf("eve-again has %s access, approved by the other file of the same person", l)
	}
}
