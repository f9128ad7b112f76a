package reconciler

import (
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
)

// TestFlagSecretReaders flags, on 2022-03-15, a person who left more than
// seven days before and can still read secrets; not one who left within
// seven days, nor one who left and can read nothing, nor anyone with access.
func TestFlagSecretReaders(t *testing.T) {
	fsys := fstest.MapFS{
		"old.yaml":    {Data: []byte(person("Old Leaver", "old-gh", fp("1"), "old", permanentShifts+"last_day: 2022-03-01\n"))},
		"recent.yaml": {Data: []byte(person("Recent Leaver", "recent-gh", fp("2"), "recent", permanentShifts+"last_day: 2022-03-10\n"))},
		"clean.yaml":  {Data: []byte(person("Clean Leaver", "clean-gh", fp("3"), "clean", permanentShifts+"last_day: 2022-01-01\n"))},
		"staff.yaml":  {Data: []byte(person("Staff Member", "staff-gh", fp("4"), "staff", permanentShifts))},
	}
	people, err := personfile.LoadPeople(fsys, "people")
	if err != nil {
		t.Fatal(err)
	}
	r := model.NewRoster(people, model.DefaultPolicy())
	rv := &model.Review{At: model.DayFromDate(2022, 3, 15), Rows: []model.ReviewRow{}}
	reports := []*model.SecretsReport{
		{Target: "hieradata", Secrets: []model.SecretCheck{
			{Secret: model.Secret{File: "a.yaml", Key: "x"}, Readers: []string{"old", "recent", "staff"}, Stale: []string{"old", "recent"}},
			{Secret: model.Secret{File: "a.yaml", Key: "y"}, Readers: []string{"old", "staff"}, Stale: []string{"old"}},
		}},
		{Target: "pass", Secrets: []model.SecretCheck{
			{Secret: model.Secret{File: "db.gpg"}, Readers: []string{"old"}, Stale: []string{"old"}, Missing: []string{"staff"}},
		}},
	}
	FlagSecretReaders(rv, r, reports)
	since := model.DayFromDate(2022, 3, 2)
	want := []model.ReviewRow{{
		ID: "old", Name: "Old Leaver", Level: model.None, Basis: []string{"left: last day was 2022-03-01"}, Since: &since,
		Flags: []string{"has had no access since 2022-03-02 and can still read secrets (2 in hieradata, 1 in pass): re-encrypt them with prodaccess secrets reencrypt, then rotate them"},
	}}
	if diff := cmp.Diff(want, rv.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
