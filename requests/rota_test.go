package requests

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/evidence"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
)

// TestPlanRota: a shift the file holds (one of the same kind shares a
// day with it) is not proposed; one that shares a day with a shift of
// another kind, in the file or from the rota, is not proposed and said
// why; so are the shifts of a file with problems; the rest are, in order.
func TestPlanRota(t *testing.T) {
	file := func(email, shifts string) string {
		return "name: Dee\nemail: " + email + "\nprogramme: govuk\nrole: developer\nemployment: civil_servant\nclearance: bpss\nshifts:\n" + shifts
	}
	fsys := fstest.MapFS{
		"dee.yaml": {Data: []byte(file("dee@example.gov.uk", "  - {type: primary, start: 2026-11-02, end: 2026-11-06}\n  - {type: shadow, start: 2026-11-16, end: 2026-11-20}\n"))},
		"bad.yaml": {Data: []byte(file("bad@example.gov.uk", "  - {type: primary, start: 2026-11-02}\n"))},
	}
	people, err := personfile.LoadPeople(fsys, "people")
	if err != nil {
		t.Fatal(err)
	}
	roster := model.NewRoster(people, model.DefaultPolicy())
	rota := model.Rota{Match: model.MatchEmail}
	day := func(s string) model.Day {
		d, err := model.ParseDay(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	shift := func(user, typ, from, to string) evidence.RotaShift {
		return evidence.RotaShift{User: user, Email: user + "@example.gov.uk", Type: model.ShiftType(typ), Range: model.Range{Start: day(from), End: day(to)},
			OnCalls: []model.OnCallFact{{Schedule: "P" + strings.ToUpper(typ), User: user, Start: time.Time{}}}}
	}
	plan := planRota(roster, rota, []evidence.RotaShift{
		shift("dee", "primary", "2026-11-04", "2026-11-06"),   // held: the file's primary shares days with it
		shift("dee", "secondary", "2026-11-19", "2026-11-23"), // shares days with the file's shadow shift
		shift("dee", "primary", "2026-11-30", "2026-12-04"),
		shift("dee", "secondary", "2026-12-03", "2026-12-04"), // shares days with the rota's primary
		shift("dee", "shadow", "2026-11-09", "2026-11-13"),
		shift("bad", "primary", "2026-11-09", "2026-11-13"),
		shift("zed", "shadow", "2026-11-09", "2026-11-13"),
	})
	var proposed []string
	for _, p := range plan.proposals {
		for _, s := range p.shifts {
			proposed = append(proposed, p.person.ID+" "+string(s.Type)+" "+s.Range.String())
		}
	}
	if diff := cmp.Diff([]string{"dee shadow 2026-11-09 to 2026-11-13", "dee primary 2026-11-30 to 2026-12-04"}, proposed); diff != "" {
		t.Errorf("proposed (-want +got):\n%s", diff)
	}
	want := []string{
		"dee: secondary shift 2026-11-19 to 2026-11-23 is not proposed: it shares a day with the shadow shift 2026-11-16 to 2026-11-20 at line 9",
		"dee: secondary shift 2026-12-03 to 2026-12-04 is not proposed: it shares a day with the primary shift 2026-11-30 to 2026-12-04 the rota also shows",
		"bad: primary shift 2026-11-09 to 2026-11-13 is not proposed: people/bad.yaml has problems; fix them first (prodaccess validate)",
	}
	if diff := cmp.Diff(want, plan.skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if len(plan.unknown) != 1 || plan.unknown[0].User != "zed" {
		t.Errorf("unknown: %v", plan.unknown)
	}
}
