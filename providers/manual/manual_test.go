package manual

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/model"
)

func TestManualStateIsYesterdaysEntitlement(t *testing.T) {
	body := func(name, extra string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("name: " + name + "\nemail: " + name + "@example.gov.uk\nprogramme: govuk\nrole: developer\nemployment: civil_servant\nclearance: sc\nprobation_passed: 2019-01-01\nshifts:\n  - {type: shadow, start: 2019-02-04, end: 2019-02-08}\n  - {type: shadow, start: 2019-03-04, end: 2019-03-08}\n" + extra)}
	}
	people, err := model.LoadPeople(fstest.MapFS{
		"ann.yaml": body("ann", ""),
		"ben.yaml": body("ben", "last_day: 2021-05-31\n"),
	}, "people")
	if err != nil {
		t.Fatal(err)
	}
	yesterday := model.NewRoster(people, model.DefaultPolicy()).Evaluate(model.DayFromDate(2021, 5, 31))
	targets := []*model.Target{
		{Name: "signon", Type: model.Manual, Instructions: "Grant Super Admin", Levels: model.AccessLevels},
		{Name: "team", Type: model.GitHubTeam},
		{Name: "gcp", Type: model.Manual, Instructions: "Grant Storage Admin", Levels: []model.Level{model.Permanent}},
	}
	p := New(targets, yesterday, "the end of 2021-05-31")
	if diff := cmp.Diff([]string{"signon", "gcp"}, p.Targets()); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
	states, err := p.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []model.TargetState{
		{Target: "signon", Version: "entitled at the end of 2021-05-31", Entries: []model.Entry{{Subject: "ann@example.gov.uk", Label: "ann"}, {Subject: "ben@example.gov.uk", Label: "ben"}}},
		{Target: "gcp", Version: "entitled at the end of 2021-05-31", Entries: []model.Entry{}},
	}
	if diff := cmp.Diff(want, states); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
	res := p.Apply(context.Background(), nil, []model.Change{
		{Target: "signon", Action: model.Remove, Subject: "ben@example.gov.uk"},
		{Target: "signon", Action: model.Add, Subject: "cy@example.gov.uk"},
	})
	got := []string{res[0].Detail, res[1].Detail}
	if diff := cmp.Diff([]string{"undo for ben@example.gov.uk: Grant Super Admin", "Grant Super Admin for cy@example.gov.uk"}, got); diff != "" || res[0].Status != model.ByHand {
		t.Errorf("instructions (-want +got):\n%s", diff)
	}
}
