package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/model"
)

// TestCheckHeldTargets: a held_before_adoption entry may name only the
// configuration's targets.
func TestCheckHeldTargets(t *testing.T) {
	c, err := ParseConfig("prodaccess.yaml", []byte("targets:\n  - {name: github-production, type: github-team, org: alphagov, team: prod}\n  - {name: signon, type: manual, instructions: Grant it}\n"))
	if err != nil {
		t.Fatal(err)
	}
	people := []*model.Person{
		{ID: "jo", File: "people/jo.yaml", HeldBeforeAdoption: &model.HeldAccess{Targets: []string{"github-production", "hieradata"}, TargetsPos: model.Pos{Line: 12, Col: 12}}},
		{ID: "al", File: "people/al.yaml", HeldBeforeAdoption: &model.HeldAccess{Targets: []string{"signon"}}},
		{ID: "cy", File: "people/cy.yaml"},
	}
	want := model.Problems{{File: "people/jo.yaml", Line: 12, Col: 12, Message: `held_before_adoption.targets: prodaccess.yaml has no target "hieradata" (its targets: github-production, signon)`}}
	if diff := cmp.Diff(want, CheckHeldTargets(c, people)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}
