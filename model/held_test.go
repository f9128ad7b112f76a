package model_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/evidence"
	"github.com/prodaccess/prodaccess/model"
)

// adoptedPolicy is the default policy with prodaccess adopted on day.
func adoptedPolicy(t testing.TB, adopted string) model.Policy {
	p := model.DefaultPolicy()
	d := day(t, adopted)
	p.AdoptedOn = &d
	return p
}

// heldFile is a developer with no shifts on record who held permanent
// access on the GitHub team and the recipients file before adoption.
func heldFile(extra string) string {
	return devFile(`
held_before_adoption:
  level: permanent
  since: 2026-11-30
  approved_by: lead
  targets: [github-production, hieradata]
` + strings.TrimLeft(extra, "\n"))
}

// TestHeldBeforeAdoption: access held before adoption gives its level from
// since, on the targets it names alone, under the blocking rules, and
// only when valid.
func TestHeldBeforeAdoption(t *testing.T) {
	const (
		held = model.RuleHeldBeforeAdoption
		lft  = model.RuleLeft
		la   = model.RuleLongAbsence
		aps  = model.RuleAfterPrimaryShift
	)
	tests := []struct {
		name    string
		file    string
		adopted string // "" leaves policy.adopted_on unset
		days    []at
	}{
		{
			name:    "held from since, with nothing to end it",
			file:    heldFile(""),
			adopted: "2026-12-01",
			days: []at{
				{"2026-11-29", outcome{model.None, "2026-11-29", nil}},
				{"2026-11-30", outcome{model.Permanent, "", []string{held}}},
				{"2027-06-01", outcome{model.Permanent, "", []string{held}}},
			},
		},
		{
			name:    "a leaver loses it",
			file:    heldFile("last_day: 2026-12-31\n"),
			adopted: "2026-12-01",
			days: []at{
				{"2026-12-31", outcome{model.Permanent, "2026-12-31", []string{held}}},
				{"2027-01-01", outcome{model.None, "", []string{lft}}},
			},
		},
		{
			name: "a long absence revokes it until a reinstatement",
			file: heldFile(`
absences:
  - {start: 2027-01-04, end: 2027-03-31}
reinstated:
  - {date: 2027-04-05, approved_by: lead}
`),
			adopted: "2026-12-01",
			days: []at{
				{"2027-02-14", outcome{model.Permanent, "2027-02-14", []string{held}}},
				{"2027-02-15", outcome{model.None, "2027-04-04", []string{la}}},
				{"2027-04-01", outcome{model.None, "2027-04-04", []string{la}}},
				{"2027-04-05", outcome{model.Permanent, "", []string{held}}},
			},
		},
		{
			name:    "since on adopted_on: the file is invalid",
			file:    heldFile(""),
			adopted: "2026-11-30",
			days:    []at{{"2026-12-15", outcome{model.None, "", []string{model.RuleInvalidFile}}}},
		},
		{
			name: "without policy.adopted_on: the file is invalid",
			file: heldFile(""),
			days: []at{{"2026-12-15", outcome{model.None, "", []string{model.RuleInvalidFile}}}},
		},
		{
			name: "the rules give it too: both are reasons",
			file: heldFile(`
probation_passed: 2020-06-01
shifts:
  - {type: shadow, start: 2020-01-06, end: 2020-01-10}
  - {type: shadow, start: 2020-02-03, end: 2020-02-07}
  - {type: primary, start: 2020-07-06, end: 2020-07-10}
`),
			adopted: "2026-12-01",
			days:    []at{{"2026-12-15", outcome{model.Permanent, "", []string{aps, held}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			policy := model.DefaultPolicy()
			if tt.adopted != "" {
				policy = adoptedPolicy(t, tt.adopted)
			}
			r := rosterOf(t, policy, map[string]string{"p": tt.file, "lead": leadFile})
			for _, a := range tt.days {
				if diff := cmp.Diff(a.want, outcomeOf(r.Decide(r.Person("p"), day(t, a.day)))); diff != "" {
					t.Errorf("%s (-want +got):\n%s\nreasons: %q", a.day, diff, r.Decide(r.Person("p"), day(t, a.day)).ReasonStrings())
				}
			}
		})
	}
}

// TestHeldProblems: validate names what makes an entry invalid.
func TestHeldProblems(t *testing.T) {
	tests := []struct {
		name, file, adopted, want string
	}{
		{"since on adopted_on", heldFile(""), "2026-11-30",
			"people/p.yaml:9:10: held_before_adoption.since: 2026-11-30 is not before policy.adopted_on 2026-11-30; access from that day on is given by the rules, not held before adoption"},
		{"no adopted_on", heldFile(""), "",
			"people/p.yaml:9:10: held_before_adoption.since: policy.adopted_on is not set in the configuration; access held before adoption needs the day prodaccess was adopted"},
		{"approver without a lead's role", strings.Replace(heldFile(""), "approved_by: lead", "approved_by: pam", 1), "2026-12-01",
			"people/p.yaml:10:16: held_before_adoption.approved_by: pam is a developer; only a lead_developer or head_of_technology can approve"},
		{"approver who does not exist", strings.Replace(heldFile(""), "approved_by: lead", "approved_by: nobody", 1), "2026-12-01",
			"people/p.yaml:10:16: held_before_adoption.approved_by: there is no person \"nobody\" (no file nobody.yaml)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			policy := model.DefaultPolicy()
			if tt.adopted != "" {
				policy = adoptedPolicy(t, tt.adopted)
			}
			r := rosterOf(t, policy, map[string]string{"p": tt.file, "lead": leadFile, "pam": permFile})
			if diff := cmp.Diff(tt.want, r.Problems().Error()); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHeldOnItsTargetsOnly: the level counts on the targets the entry
// names; elsewhere the person has what the other rules give.
func TestHeldOnItsTargetsOnly(t *testing.T) {
	r := rosterOf(t, adoptedPolicy(t, "2026-12-01"), map[string]string{"p": heldFile(`
temporary_access:
  - {start: 2026-12-10, end: 2026-12-20, approved_by: lead, supervisor: pam, agreed: true, reason: Migrating the search cluster}
`), "lead": leadFile, "pam": permFile})
	got := map[string][]model.Level{}
	for _, d := range []string{"2026-12-05", "2026-12-15"} {
		dc := r.Decide(r.Person("p"), day(t, d))
		got[d] = []model.Level{dc.Level, dc.LevelOn("github-production"), dc.LevelOn("hieradata"), dc.LevelOn("ssh-puppet")}
	}
	want := map[string][]model.Level{
		"2026-12-05": {model.Permanent, model.Permanent, model.Permanent, model.None},
		"2026-12-15": {model.Permanent, model.Permanent, model.Permanent, model.TemporarySupervised},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("levels: overall, github-production, hieradata, ssh-puppet (-want +got):\n%s", diff)
	}
	if dc := r.Decide(r.Person("pam"), day(t, "2026-12-05")); dc.RestsOnHeld() || dc.LevelOn("ssh-puppet") != model.Permanent {
		t.Errorf("someone without the entry: rests on held %t, level on ssh-puppet %s", dc.RestsOnHeld(), dc.LevelOn("ssh-puppet"))
	}
}

// TestHeldNeedsEvidence: under policy.evidence required the entry gives
// its level only once a lead's approving review of the pull request that
// wrote it is proven, and from the day it was; under warn it gives it and
// says what is missing.
func TestHeldNeedsEvidence(t *testing.T) {
	lead := leadFile + "github: lee-gh\n"
	r := rosterOf(t, adoptedPolicy(t, "2026-12-01"), map[string]string{"p": heldFile(""), "lead": lead})
	entry := r.Person("p").Entries()[0]
	if entry.Kind != model.HeldEntry || entry.Level != model.Permanent || strings.Join(entry.Targets, ",") != "github-production,hieradata" {
		t.Fatalf("the entry: %+v", entry)
	}
	merged := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	approved := func(at time.Time) *model.CommitEvidence {
		pr := model.PullRequestFact{Number: 3, Author: model.Account{Login: "adopter", ID: 9}, MergedAt: &merged,
			Reviews: []model.ReviewFact{{ID: 7, User: model.Account{Login: "lee-gh", ID: 1}, State: model.ReviewApproved, SubmittedAt: at}}}
		return &model.CommitEvidence{Commit: "aaaa", PullRequests: []model.PullRequestFact{pr}, Entries: []model.EntryEvidence{{Entry: entry, ReviewsOnEntry: []int64{7}}}}
	}
	base := func(e model.EvidencePolicy) map[string]*model.EntryBase {
		policy := adoptedPolicy(t, "2026-12-01")
		policy.Evidence = e
		return map[string]*model.EntryBase{entry.Key(): {Commit: "base", Authority: evidence.NewAuthority(r.People, policy), Files: map[string]*model.Person{"lead": r.Person("lead")}}}
	}
	unproven := map[string]*model.CommitEvidence{entry.Key(): {Commit: "aaaa", Branch: "main"}}
	tests := []struct {
		name   string
		ev     *model.Evidence
		day    string
		want   model.Level
		saying string
	}{
		{"required, pushed without review", &model.Evidence{Policy: model.EvidenceRequired, ByEntry: unproven, Bases: base(model.EvidenceRequired)}, "2026-12-05", model.None,
			"held-before-adoption: permanent since 2026-11-30 on github-production, hieradata grants nothing: approval not proven: commit aaaa was pushed to main without a pull request"},
		{"required, approved on the 3rd, asked on the 2nd", &model.Evidence{Policy: model.EvidenceRequired, ByEntry: map[string]*model.CommitEvidence{entry.Key(): approved(merged.Add(24 * time.Hour))}, Bases: base(model.EvidenceRequired), Location: time.UTC}, "2026-12-02", model.None,
			"it counts from 2026-12-03, when its evidence was complete (#3 approved by lee-gh on 2026-12-03)"},
		{"required, approved", &model.Evidence{Policy: model.EvidenceRequired, ByEntry: map[string]*model.CommitEvidence{entry.Key(): approved(merged.Add(-time.Hour))}, Bases: base(model.EvidenceRequired), Location: time.UTC}, "2026-12-05", model.Permanent,
			"held-before-adoption: permanent since 2026-11-30 on github-production, hieradata, approved by lead"},
		{"warn, pushed without review", &model.Evidence{Policy: model.EvidenceWarn, ByEntry: unproven, Bases: base(model.EvidenceWarn)}, "2026-12-05", model.Permanent,
			"(not proven: commit aaaa was pushed to main without a pull request)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r.SetEvidence(tt.ev)
			dc := r.Decide(r.Person("p"), day(t, tt.day))
			why := strings.Join(dc.ReasonStrings(), "\n")
			for _, rr := range dc.Rules {
				if rr.Rule == model.RuleHeldBeforeAdoption {
					why += "\n" + rr.Reason()
				}
			}
			if dc.Level != tt.want || !strings.Contains(why, tt.saying) {
				t.Errorf("got %s, saying:\n%s\nwant %s, saying %q", dc.Level, why, tt.want, tt.saying)
			}
		})
	}
}

// TestAdoptedOnIsAuthority: setting policy.adopted_on, or moving it later,
// lets more days pass as held before adoption, so it widens access and
// takes effect only once a lead approves it; moving it earlier or removing
// it takes effect at once.
func TestAdoptedOnIsAuthority(t *testing.T) {
	at := func(s string) *model.Day {
		if s == "" {
			return nil
		}
		d := day(t, s)
		return &d
	}
	policy := func(adopted string) model.Policy {
		p := model.DefaultPolicy()
		p.AdoptedOn = at(adopted)
		return p
	}
	tests := []struct {
		from, to string
		widens   []string
		unproven string // adopted_on in force when the change is not approved
	}{
		{"", "2026-12-01", []string{"policy.adopted_on set to 2026-12-01"}, ""},
		{"2026-12-01", "2027-01-01", []string{"policy.adopted_on moved from 2026-12-01 to 2027-01-01"}, "2026-12-01"},
		{"2026-12-01", "2026-11-01", nil, "2026-11-01"},
		{"2026-12-01", "", nil, ""},
	}
	for _, tt := range tests {
		a := evidence.NewAuthority(nil, policy(tt.from))
		var widens []string
		for _, c := range evidence.Changes(a, nil, policy(tt.to)) {
			widens = append(widens, c.What)
		}
		if diff := cmp.Diff(tt.widens, widens); diff != "" {
			t.Errorf("%q to %q: widening changes (-want +got):\n%s", tt.from, tt.to, diff)
		}
		got := evidence.Apply(a, nil, policy(tt.to), func(model.EntryRef) bool { return false }).Policy.AdoptedOn
		if diff := cmp.Diff(at(tt.unproven), got); diff != "" {
			t.Errorf("%q to %q, not approved: adopted_on in force (-want +got):\n%s", tt.from, tt.to, diff)
		}
	}
}
