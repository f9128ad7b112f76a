package model_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/internal/example"
	"github.com/prodaccess/prodaccess/model"
)

// TestExamplePeopleValidate is the repository's own data test: the shipped
// people and configuration must validate.
func TestExamplePeopleValidate(t *testing.T) {
	cfg, r := example.Roster(t)
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
		if tg.Type == model.Manual && (tg.Record == nil || len(tg.Owners) == 0) {
			t.Errorf("the manual system %s keeps no record, or has no owners to review it", tg.Name)
		}
	}
}

// TestExamplePeopleShowEveryRule checks that on the demo day the example
// people between them fire every rule, each as the reason for someone's
// level, and that every level occurs.
func TestExamplePeopleShowEveryRule(t *testing.T) {
	_, r := example.Roster(t)
	reasons := map[string][]string{}
	levels := map[model.Level]bool{}
	for _, dc := range r.Evaluate(day(t, example.Day)) {
		levels[dc.Level] = true
		for _, rr := range dc.Reasons {
			if rr.Fired {
				reasons[rr.Rule] = append(reasons[rr.Rule], dc.Person.ID)
			}
		}
	}
	for _, rule := range []string{model.RuleShadowShift, model.RuleAfterShadowShifts, model.RuleAfterPrimaryShift, model.RuleTemporaryException, model.RuleNotStarted, model.RuleLeft, model.RuleLongAbsence} {
		if len(reasons[rule]) == 0 {
			t.Errorf("no example person has %s as a reason on %s", rule, example.Day)
		}
	}
	for _, l := range model.Levels {
		if !levels[l] {
			t.Errorf("no example person is at level %s on %s", l, example.Day)
		}
	}
}
