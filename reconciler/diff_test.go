package reconciler

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/personfile"
	"github.com/prodaccess/prodaccess/render"
)

var update = flag.Bool("update", false, "rewrite golden files")

const testConfig = `
people: people
safety:
  max_removal_fraction: 0.25
targets:
  - {name: team, type: github-team, org: alphagov, team: prod, keep: [deploy-bot]}
  - name: recipients
    type: file
    repo: /srv/secrets
    path: hiera.rcp
    format: gpg-recipients
    keep: ["F00D F00D F00D F00D F00D F00D F00D F00D F00D F00D"]
  - {name: ssh, type: file, repo: /srv/puppet, path: users.yaml, format: yaml-list, key: users, levels: [permanent]}
  - {name: signon, type: manual, instructions: Grant Super Admin in Signon}
`

func person(name, login, fp, ssh, extra string) string {
	return "name: " + name + "\nemail: " + strings.ToLower(strings.Fields(name)[0]) + "@example.gov.uk\ngithub: " + login +
		"\ngpg_fingerprint: \"" + fp + "\"\nssh_username: " + ssh +
		"\nprogramme: govuk\nrole: developer\nemployment: civil_servant\nclearance: sc\nprobation_passed: 2019-01-01\n" + extra
}

const permanentShifts = "shifts:\n  - {type: shadow, start: 2019-02-04, end: 2019-02-08}\n  - {type: shadow, start: 2019-03-04, end: 2019-03-08}\n  - {type: primary, start: 2019-04-01, end: 2019-04-05}\n"
const supervisedShifts = "shifts:\n  - {type: shadow, start: 2019-02-04, end: 2019-02-08}\n  - {type: shadow, start: 2019-03-04, end: 2019-03-08}\n"

func fp(c string) string { return strings.Repeat(c, 40) }

// input builds a diff input from person files and target states.
func input(t *testing.T, people map[string]string, states ...outcome.TargetState) Input {
	t.Helper()
	cfg, err := config.ParseConfig("prodaccess.yaml", []byte(testConfig))
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for id, body := range people {
		fsys[id+".yaml"] = &fstest.MapFile{Data: []byte(body)}
	}
	ps, err := personfile.LoadPeople(fsys, "people")
	if err != nil {
		t.Fatal(err)
	}
	roster := model.NewRoster(ps, cfg.Policy)
	day := model.DayFromDate(2021, 6, 1)
	return Input{Config: cfg, At: day, Commit: "0123456789abcdef0123456789abcdef01234567", Decisions: roster.Evaluate(day), States: states}
}

func entries(subjects ...string) []outcome.Entry {
	out := []outcome.Entry{}
	for _, s := range subjects {
		out = append(out, outcome.Entry{Subject: s})
	}
	return out
}

func states(team, recipients, ssh, signon []outcome.Entry) []outcome.TargetState {
	return []outcome.TargetState{
		{Target: "team", Entries: team, Version: "v1"},
		{Target: "recipients", Entries: recipients, Version: "v2"},
		{Target: "ssh", Entries: ssh, Version: "v3"},
		{Target: "signon", Entries: signon, Version: "v4"},
	}
}

type change struct {
	Target, Action, Subject, Person string
}

func changesOf(p *outcome.Plan) []change {
	var out []change
	for _, tp := range p.Targets {
		for _, c := range tp.Changes {
			out = append(out, change{c.Target, string(c.Action), c.Subject, c.Person})
		}
	}
	return out
}

// danWarnings are what Diff says of a person with access and no identities.
var danWarnings = []string{
	"team: dan has permanent access but no github in people/dan.yaml, so nothing is added",
	"recipients: dan has permanent access but no gpg_fingerprint in people/dan.yaml, so nothing is added",
	"ssh: dan has permanent access but no ssh_username in people/dan.yaml, so nothing is added",
}

func TestDiff(t *testing.T) {
	people := map[string]string{
		"alice": person("Alice Able", "Alice-GH", fp("A"), "alice", permanentShifts),
		"bob":   person("Bob Brown", "bob-gh", fp("B"), "bob", supervisedShifts),
		"carol": person("Carol Gone", "carol-gh", fp("C"), "carol", permanentShifts+"last_day: 2021-01-31\n"),
		"dan":   "name: Dan NoIDs\nemail: dan@example.gov.uk\nprogramme: govuk\nrole: developer\nemployment: civil_servant\nclearance: sc\nprobation_passed: 2019-01-01\n" + permanentShifts,
	}
	tests := []struct {
		name         string
		states       []outcome.TargetState
		want         []change
		wantWarnings []string
	}{
		{
			name: "logins compare without case; fingerprints without spaces",
			states: states(entries("alice-gh", "bob-gh"),
				entries("AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA", fp("B")),
				entries("alice"),
				entries("alice@example.gov.uk", "bob@example.gov.uk", "dan@example.gov.uk")),
			wantWarnings: danWarnings,
		},
		{
			name: "adds, removals with their reasons, keep entries and levels",
			states: states(entries("deploy-bot", "carol-gh", "stranger"),
				entries("F00DF00DF00DF00DF00DF00DF00DF00DF00DF00D", fp("C")),
				entries("alice", "bob"),
				entries("carol@example.gov.uk")),
			want: []change{
				{"team", "remove", "carol-gh", "carol"},
				{"team", "remove", "stranger", ""},
				{"team", "add", "Alice-GH", "alice"},
				{"team", "add", "bob-gh", "bob"},
				{"recipients", "remove", fp("C"), "carol"},
				{"recipients", "add", fp("A"), "alice"},
				{"recipients", "add", fp("B"), "bob"},
				{"ssh", "remove", "bob", "bob"},
				{"signon", "remove", "carol@example.gov.uk", "carol"},
				{"signon", "add", "alice@example.gov.uk", "alice"},
				{"signon", "add", "bob@example.gov.uk", "bob"},
				{"signon", "add", "dan@example.gov.uk", "dan"},
			},
			wantWarnings: danWarnings,
		},
		{
			name: "protected entries are never removed",
			states: states([]outcome.Entry{{Subject: "alice-gh"}, {Subject: "bob-gh"}, {Subject: "carol-gh", Protected: "a member through child team alphagov/oncall"}},
				entries(fp("A"), fp("B")), entries("alice"), entries("alice@example.gov.uk", "bob@example.gov.uk", "dan@example.gov.uk")),
			wantWarnings: []string{
				danWarnings[0],
				"team: carol-gh is not entitled (left: last day was 2021-01-31) but stays: a member through child team alphagov/oncall",
				danWarnings[1], danWarnings[2],
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := Diff(input(t, people, tt.states...))
			if diff := cmp.Diff(tt.want, changesOf(plan)); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantWarnings, plan.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckSafety(t *testing.T) {
	cfg := &config.Config{Safety: config.Safety{MaxRemovalFraction: 0.25}, Targets: []config.Target{{Name: "t"}, {Name: "k", Keep: []string{"bot"}}}}
	plan := func(target string, current, kept, removals, adds int) *outcome.Plan {
		tp := outcome.TargetPlan{Target: target, Current: current, Kept: kept}
		for range removals {
			tp.Changes = append(tp.Changes, outcome.Change{Action: outcome.Remove})
		}
		for range adds {
			tp.Changes = append(tp.Changes, outcome.Change{Action: outcome.Add})
		}
		return &outcome.Plan{Targets: []outcome.TargetPlan{tp}}
	}
	tests := []struct {
		name                     string
		plan                     *outcome.Plan
		allow                    bool
		wantRefused, wantWarning bool
	}{
		{"one removal is always allowed", plan("t", 2, 0, 1, 0), false, false, false},
		{"a quarter of eight", plan("t", 8, 0, 2, 0), false, false, false},
		{"more than a quarter of eight", plan("t", 8, 0, 3, 0), false, true, false},
		{"more than a quarter, allowed", plan("t", 8, 0, 3, 0), true, false, true},
		{"emptying is refused even when allowed", plan("t", 4, 0, 4, 0), true, true, true},
		{"emptying of all but the keep entries is refused", plan("k", 3, 1, 2, 0), true, true, true},
		{"replacing everyone is not emptying", plan("t", 1, 0, 1, 1), false, false, false},
		{"additions alone are never refused", plan("t", 0, 0, 0, 50), false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			CheckSafety(tt.plan, cfg, tt.allow)
			if got := len(tt.plan.Refusals) > 0; got != tt.wantRefused {
				t.Errorf("refused = %v, want %v: %v", got, tt.wantRefused, tt.plan.Refusals)
			}
			if got := len(tt.plan.Warnings) > 0; got != tt.wantWarning {
				t.Errorf("warned = %v, want %v: %v", got, tt.wantWarning, tt.plan.Warnings)
			}
		})
	}
}

// TestPlanGolden renders a plan as text and markdown and compares them
// with testdata/plan.{txt,md}.golden; run with -update to rewrite them.
func TestPlanGolden(t *testing.T) {
	in := input(t, map[string]string{
		"alice": person("Alice Able", "alice-gh", fp("A"), "alice", permanentShifts),
		"bob":   person("Bob Brown", "bob-gh", fp("B"), "bob", supervisedShifts),
		"carol": person("Carol Gone", "carol-gh", fp("C"), "carol", permanentShifts+"last_day: 2021-01-31\n"),
	}, states(entries("alice-gh", "carol-gh", "deploy-bot"),
		entries("F00DF00DF00DF00DF00DF00DF00DF00DF00DF00D", fp("A"), fp("C")),
		entries("alice", "carol"),
		entries("alice@example.gov.uk", "carol@example.gov.uk"))...)
	in.States[1].PullRequest = "https://github.com/alphagov/govuk-secrets/pull/12"
	// The pull request already removes Carol's key; Bob's is still to
	// add, and it has been open for longer than a revocation may wait.
	opened := time.Date(2021, 5, 30, 9, 0, 0, 0, time.UTC)
	in.States[1].Proposed = &outcome.ProposedChanges{Branch: "prodaccess/sync", Since: opened, Removes: []string{strings.ToLower(fp("C"))},
		PullRequest: &outcome.PullRequest{Number: 12, URL: "https://github.com/alphagov/govuk-secrets/pull/12", Opened: opened, Reviewers: []string{"alex-lead", "alphagov/leads"}}}
	plan := Diff(in)
	CheckSafety(plan, in.Config, false)
	CheckWaiting(plan, in.Config, opened.Add(50*time.Hour+20*time.Minute))
	for _, md := range []bool{false, true} {
		var b bytes.Buffer
		if err := render.WritePlan(&b, plan, md); err != nil {
			t.Fatal(err)
		}
		name := "testdata/plan.txt.golden"
		if md {
			name = "testdata/plan.md.golden"
		}
		if *update {
			if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), b.String()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

// TestCheckWaiting: only a revocation that an open pull request has held
// for longer than the limit is overdue; grants may wait.
func TestCheckWaiting(t *testing.T) {
	cfg := &config.Config{Safety: config.Safety{MaxRevocationWait: 48 * time.Hour}}
	opened := time.Date(2021, 6, 1, 12, 0, 0, 0, time.UTC)
	waiting := &outcome.WaitingOn{PullRequest: 3, URL: "https://github.com/o/r/pull/3", Since: opened}
	tests := []struct {
		name   string
		change outcome.Change
		after  time.Duration
		want   int
	}{
		{"a revocation at the limit", outcome.Change{Action: outcome.Remove, Progress: outcome.Waiting, Waiting: waiting}, 48 * time.Hour, 0},
		{"a revocation past the limit", outcome.Change{Action: outcome.Remove, Progress: outcome.Waiting, Waiting: waiting}, 48*time.Hour + time.Minute, 1},
		{"a grant past the limit", outcome.Change{Action: outcome.Add, Progress: outcome.Waiting, Waiting: waiting}, 100 * time.Hour, 0},
		{"a revocation still to do", outcome.Change{Action: outcome.Remove, Progress: outcome.ToDo}, 100 * time.Hour, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.change.Target, tt.change.Subject = "t", "x"
			plan := &outcome.Plan{Targets: []outcome.TargetPlan{{Target: "t", Changes: []outcome.Change{tt.change}}}}
			CheckWaiting(plan, cfg, opened.Add(tt.after))
			if len(plan.Overdue) != tt.want {
				t.Errorf("overdue %v, want %d", plan.Overdue, tt.want)
			}
		})
	}
}

// TestChildTeams: someone not entitled who holds a team's access through
// a child team is never removed; if the target's child_teams lists the
// team, that is a warning with its reason, and if not, an error that
// fails the run, while the plan's other changes stand.
func TestChildTeams(t *testing.T) {
	people := map[string]string{
		"alice": person("Alice Able", "alice-gh", fp("A"), "alice", permanentShifts),
		"carol": person("Carol Gone", "carol-gh", fp("C"), "carol", permanentShifts+"last_day: 2021-01-31\n"),
		"erin":  person("Erin Early", "erin-gh", fp("E"), "erin", permanentShifts+"last_day: 2021-01-31\n"),
	}
	in := input(t, people, states([]outcome.Entry{
		{Subject: "alice-gh", Protected: "a member through child team alphagov/rogue", ChildTeam: "rogue"},
		{Subject: "carol-gh", Protected: "a member through child team alphagov/oncall", ChildTeam: "oncall"},
		{Subject: "erin-gh"},
		{Subject: "mallory", Protected: "a member through child team alphagov/rogue", ChildTeam: "rogue"},
		{Subject: "invited", Pending: true, Protected: "invited to organisation alphagov"},
	}, entries(fp("A")), entries("alice"), entries("alice@example.gov.uk"))...)
	in.Config.Targets[0].ChildTeams = []config.ChildTeam{{Team: "OnCall", Reason: "the on-call rota"}}
	plan := Diff(in)
	if diff := cmp.Diff([]change{{"team", "remove", "erin-gh", "erin"}}, changesOf(plan)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{
		"team: carol-gh is not entitled (left: last day was 2021-01-31) but stays: a member through child team alphagov/oncall, listed in child_teams (the on-call rota)",
		"team: invited is not entitled (belongs to no person file) but stays: invited to organisation alphagov",
	}, plan.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{
		"team: mallory is not entitled (belongs to no person file) but keeps the access as a member of child team alphagov/rogue, which the target's child_teams does not list; prodaccess never changes child teams: remove mallory from alphagov/rogue, or list the team under child_teams with a reason",
	}, plan.Errors); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	var b bytes.Buffer
	if err := render.WritePlan(&b, plan, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\nERRORS: access the rules do not give, which prodaccess does not take away; the run fails until a person resolves them:\n  - team: mallory is not entitled") {
		t.Errorf("the plan does not show the error:\n%s", b.String())
	}
}

// TestAdditionSaysWhatIsNotProven: an addition whose access rests on an
// unproven entry carries what is missing, for the pull request.
func TestAdditionSaysWhatIsNotProven(t *testing.T) {
	start, end := model.Day(20770), model.Day(20800)
	entry := model.EntryRef{Person: "cy", Kind: model.TemporaryEntry, Start: &start, End: &end, ApprovedBy: "lead", Reason: "Migrating"}
	dc := model.Decision{Person: &model.Person{ID: "cy", SSHUsername: "cy"}, Level: model.TemporarySupervised,
		Evidence: []*model.Proof{{Entry: entry, Agreed: true, Missing: []string{"no approving review by lead-gh on #15"}}}}
	c := outcome.Change{Action: outcome.Add}
	fillPerson(&c, &dc)
	if want := "cy's temporary access 2026-11-13 to 2026-12-13 (Migrating): no approving review by lead-gh on #15"; c.Unproven != want {
		t.Errorf("Unproven %q, want %q", c.Unproven, want)
	}
	c = outcome.Change{Action: outcome.Remove}
	fillPerson(&c, &dc)
	if c.Unproven != "" {
		t.Errorf("a removal says %q", c.Unproven)
	}
}
