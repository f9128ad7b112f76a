package reconciler

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

func TestRemovals(t *testing.T) {
	d := func(s string) model.Day {
		v, err := model.ParseDay(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ptr := func(v model.Day) *model.Day { return &v }
	all := []model.Level{model.TemporarySupervised, model.Supervised, model.Permanent}
	targets := []config.Target{
		{Name: "team", Type: model.GitHubTeam, Levels: all},
		{Name: "recipients", Type: model.FileTarget, Format: config.GPGID, Levels: all},
		{Name: "senior", Type: model.GitHubTeam, Levels: []model.Level{model.Permanent}},
		{Name: "signon", Type: model.Manual, Levels: all}, // changed by hand, recorded nowhere
	}
	person := func(id string) *model.Person {
		return &model.Person{ID: id, GitHub: id + "-gh", GPGFingerprint: "FP" + id, Email: id + "@example.gov.uk"}
	}
	commit := &outcome.Commit{SHA: "1111111111111111111111111111111111111111"}
	tl := &outcome.Timeline{To: d("2026-12-31"), People: map[string]*model.Person{"pat": person("pat"), "kim": person("kim"), "lou": person("lou"), "max": person("max")}, Events: []outcome.TimelineEvent{
		// pat's last day, recorded 9 days late.
		{Day: d("2026-11-10"), Person: "pat", From: model.Permanent, To: model.None, Cause: outcome.CauseCommit, Commit: commit, Due: ptr(d("2026-11-01")), Rule: model.RuleLeft},
		// kim drops to supervised: only the senior team loses her.
		{Day: d("2026-11-20"), Person: "kim", From: model.Permanent, To: model.Supervised, Cause: outcome.CauseRule, Rule: model.RuleLongAbsence, WrittenOn: ptr(d("2026-10-01")), Written: "absence 2026-10-01: added in #4"},
		// lou loses access, is removed, gains it again and loses it again.
		{Day: d("2026-12-01"), Person: "lou", From: model.Supervised, To: model.None, Cause: outcome.CauseRule, Rule: model.RuleTemporaryException},
		{Day: d("2026-12-10"), Person: "lou", From: model.None, To: model.Supervised, Cause: outcome.CauseRule, Rule: model.RuleTemporaryException},
		{Day: d("2026-12-20"), Person: "lou", From: model.Supervised, To: model.None, Cause: outcome.CauseRule, Rule: model.RuleTemporaryException},
		// max loses access on the last day: still within the allowance.
		{Day: d("2026-12-31"), Person: "max", From: model.Permanent, To: model.None, Cause: outcome.CauseRule, Rule: model.RuleLeft},
	}}
	merged := at("2026-11-12T09:00:00Z")
	done := func(target, person string) outcome.AppliedChange {
		return outcome.AppliedChange{Target: target, Action: outcome.Remove, Subject: person + "-gh", Person: person, Status: outcome.Done}
	}
	records := []*outcome.AppliedRecord{
		{AppliedAt: at("2026-11-10T12:00:00Z"), Day: d("2026-11-10"), Commit: commit.SHA, Changes: []outcome.AppliedChange{
			done("team", "pat"),
			{Target: "recipients", Action: outcome.Remove, Person: "pat", Status: outcome.Pending, Pull: &outcome.TargetPull{Repo: "o/secrets", Number: 3}},
			done("senior", "pat"),
		}},
		{AppliedAt: at("2026-11-12T10:00:00Z"), Pulls: []outcome.TargetPull{{Repo: "o/secrets", Number: 3, MergedAt: &merged, MergedBy: "sam-gh"}}},
		{AppliedAt: at("2026-11-20T06:30:00Z"), Changes: []outcome.AppliedChange{done("senior", "kim")}},
		{AppliedAt: at("2026-12-01T07:00:00Z"), Changes: []outcome.AppliedChange{done("team", "lou")}},
		// A record after the period's end counts for nothing.
		{AppliedAt: at("2027-01-05T07:00:00Z"), Changes: []outcome.AppliedChange{done("team", "max")}},
	}
	got := Removals(RemovalInput{Timeline: tl, Targets: targets, Records: records, From: d("2026-11-01"), To: d("2026-12-31"), Within: 24 * time.Hour, Location: time.UTC})
	var rows []string
	for _, r := range got.Rows {
		rows = append(rows, r.Due.String()+" "+r.Person+" "+r.Target+": "+r.Status+" "+r.Delay)
	}
	want := []string{
		"2026-11-01 pat recipients: late 11d 9h",
		"2026-11-01 pat senior: late 9d 12h",
		"2026-11-01 pat team: late 9d 12h",
		"2026-11-20 kim senior: on time 6h",
		"2026-12-01 lou recipients: not recorded 9d",
		"2026-12-01 lou team: on time 7h",
		"2026-12-20 lou recipients: not recorded 12d",
		"2026-12-20 lou team: not recorded 12d",
		"2026-12-31 max recipients: waiting 1d",
		"2026-12-31 max senior: waiting 1d",
		"2026-12-31 max team: waiting 1d",
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("removals (-want +got):\n%s", diff)
	}
	wantSummary := []outcome.RemovalSummary{
		{Total: 11, OnTime: 2, Late: 3, Waiting: 3, Unrecorded: 3, Median: "9d 12h", Worst: "11d 9h"},
		{Target: "team", Total: 4, OnTime: 1, Late: 1, Waiting: 1, Unrecorded: 1, Median: "4d 21h", Worst: "9d 12h"},
		{Target: "recipients", Total: 4, Late: 1, Waiting: 1, Unrecorded: 2, Median: "11d 9h", Worst: "11d 9h"},
		{Target: "senior", Total: 3, OnTime: 1, Late: 1, Waiting: 1, Median: "4d 21h", Worst: "9d 12h"},
	}
	if diff := cmp.Diff(wantSummary, got.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if r := got.Rows[0]; r.How != "pull request o/secrets#3 merged by sam-gh" || !r.Changed.Equal(merged) {
		t.Errorf("pat's recipients changed %v by %q, want the merge", r.Changed, r.How)
	}
}
