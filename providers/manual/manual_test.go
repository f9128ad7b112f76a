package manual

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

func TestManualProvider(t *testing.T) {
	targets := []*config.Target{
		{Name: "signon", Type: model.Manual, Instructions: "Grant Super Admin", Levels: model.AccessLevels},
		{Name: "team", Type: model.GitHubTeam},
		{Name: "gcp", Type: model.Manual, Instructions: "Grant Storage Admin", Levels: []model.Level{model.Permanent}},
	}
	held := map[string][]outcome.Entry{"signon": {{Subject: "ann@example.gov.uk", Label: "ann"}}}
	p := New(targets, held, "entitled at the ends of 2021-05-24 to 2021-05-31")
	if diff := cmp.Diff([]string{"signon", "gcp"}, p.Targets()); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
	states, err := p.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []outcome.TargetState{
		{Target: "signon", Version: "entitled at the ends of 2021-05-24 to 2021-05-31", Entries: []outcome.Entry{{Subject: "ann@example.gov.uk", Label: "ann"}}},
		{Target: "gcp", Version: "entitled at the ends of 2021-05-24 to 2021-05-31", Entries: []outcome.Entry{}},
	}
	if diff := cmp.Diff(want, states); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
	res := p.Apply(context.Background(), nil, []outcome.Change{
		{Target: "signon", Action: outcome.Remove, Subject: "ben@example.gov.uk"},
		{Target: "signon", Action: outcome.Add, Subject: "cy@example.gov.uk"},
	})
	got := []string{res[0].Detail, res[1].Detail}
	if diff := cmp.Diff([]string{"undo for ben@example.gov.uk: Grant Super Admin", "Grant Super Admin for cy@example.gov.uk"}, got); diff != "" || res[0].Status != outcome.ByHand {
		t.Errorf("instructions (-want +got):\n%s", diff)
	}
}
