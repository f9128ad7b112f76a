package model

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	goldenfile "github.com/prodaccess/prodaccess/internal/golden"
)

// demoDay is the day the README and make demo show the example people on.
const demoDay = "2026-12-01"

func exampleRoster(t *testing.T) (*Config, *Roster) {
	t.Helper()
	data, err := os.ReadFile("../prodaccess.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig("prodaccess.yaml", data)
	if err != nil {
		t.Fatalf("the example configuration is invalid:\n%v", err)
	}
	people, err := LoadPeople(os.DirFS(filepath.Join("..", cfg.People)), "people")
	if err != nil {
		t.Fatal(err)
	}
	return cfg, NewRoster(people, cfg.Policy)
}

// TestExamplePeopleValidate is the repository's own data test: the shipped
// people and configuration must validate.
func TestExamplePeopleValidate(t *testing.T) {
	cfg, r := exampleRoster(t)
	if len(r.Problems()) > 0 {
		t.Fatalf("the example people have problems:\n%v", r.Problems())
	}
	if len(r.People) < 12 {
		t.Errorf("%d example people; at least 12 are needed to show every rule", len(r.People))
	}
	var kinds []string
	for _, tg := range cfg.Targets {
		kinds = append(kinds, string(tg.Type)+"/"+string(tg.Format)+":"+tg.IdentityField())
	}
	want := []string{
		"file/gpg-recipients:gpg_fingerprint",
		"file/gpg-id:gpg_fingerprint",
		"github-team/:github",
		"file/yaml-list:ssh_username",
		"file/tfvars-list:aws_user_arn",
		"manual/:email",
		"manual/:email",
		"manual/:email",
	}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("the eight systems (-want +got):\n%s", diff)
	}
	for _, tg := range cfg.Targets {
		if tg.Type == Manual && (tg.Record == nil || len(tg.Owners) == 0) {
			t.Errorf("the manual system %s keeps no record, or has no owners to review it", tg.Name)
		}
	}
}

// TestExamplePeopleShowEveryRule checks that on the demo day the example
// people between them fire every rule, each as the reason for someone's
// level, and that every level occurs.
func TestExamplePeopleShowEveryRule(t *testing.T) {
	_, r := exampleRoster(t)
	reasons := map[string][]string{}
	levels := map[Level]bool{}
	for _, dc := range r.Evaluate(day(t, demoDay)) {
		levels[dc.Level] = true
		for _, rr := range dc.Reasons {
			if rr.Fired {
				reasons[rr.Rule] = append(reasons[rr.Rule], dc.Person.ID)
			}
		}
	}
	for _, rule := range []string{RuleShadowShift, RuleAfterShadowShifts, RuleAfterPrimaryShift, RuleTemporaryException, RuleNotStarted, RuleLeft, RuleLongAbsence} {
		if len(reasons[rule]) == 0 {
			t.Errorf("no example person has %s as a reason on %s", rule, demoDay)
		}
	}
	for _, l := range Levels {
		if !levels[l] {
			t.Errorf("no example person is at level %s on %s", l, demoDay)
		}
	}
}

// golden compares got with the golden file at path (see -update).
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	goldenfile.Check(t, path, got, *update)
}
