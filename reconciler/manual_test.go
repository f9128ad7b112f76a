package reconciler

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

func TestManualHeld(t *testing.T) {
	target := &config.Target{Name: "signon", Type: model.Manual, Levels: model.AccessLevels}
	person := func(id string) *model.Person {
		return &model.Person{ID: id, Name: id, Email: id + "@example.gov.uk"}
	}
	ann, ben, cy, dee := person("ann"), person("ben"), person("cy"), person("dee")
	decide := func(entitled ...*model.Person) []model.Decision {
		var out []model.Decision
		for _, p := range []*model.Person{ann, ben, cy, dee} {
			dc := model.Decision{Person: p}
			for _, e := range entitled {
				if e == p {
					dc.Level = model.Permanent
				}
			}
			out = append(out, dc)
		}
		return out
	}
	// Three days of window, newest first. ann: entitled throughout and
	// today. ben: entitled two days ago, not since (a revocation three
	// days old stays listed). cy: granted yesterday (the grant stays
	// listed). dee: granted and revoked within the window (revoke).
	window := []Snapshot{
		{Day: 3, Decisions: decide(ann, cy)},
		{Day: 2, Decisions: decide(ann, dee)},
		{Day: 1, Decisions: decide(ann, ben)},
	}
	got := ManualHeld(target, decide(ann, cy), window)
	want := []outcome.Entry{
		{Subject: "ann@example.gov.uk", Label: "ann"},
		{Subject: "ben@example.gov.uk", Label: "ben"},
		{Subject: "dee@example.gov.uk", Label: "dee"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("held (-want +got):\n%s", diff)
	}
	// Days before the first commit are left out of the window; with no
	// day at all, nothing is held and everything entitled is listed.
	got = ManualHeld(target, decide(ann), []Snapshot{{Day: 2, Decisions: decide(ann)}, {Day: 1}})
	if diff := cmp.Diff([]outcome.Entry{{Subject: "ann@example.gov.uk", Label: "ann"}}, got); diff != "" {
		t.Errorf("held with one day of history (-want +got):\n%s", diff)
	}
	got = ManualHeld(target, decide(ann), []Snapshot{{Day: 2}, {Day: 1}})
	if diff := cmp.Diff([]outcome.Entry{}, got); diff != "" {
		t.Errorf("held before the first commit (-want +got):\n%s", diff)
	}
}
