package reconciler

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
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
	rv := &outcome.Review{At: model.DayFromDate(2022, 3, 15), Rows: []outcome.ReviewRow{}}
	reports := []*outcome.SecretsReport{
		{Target: "hieradata", Secrets: []outcome.SecretCheck{
			{Secret: outcome.Secret{File: "a.yaml", Key: "x"}, Readers: []string{"old", "recent", "staff"}, Stale: []string{"old", "recent"}},
			{Secret: outcome.Secret{File: "a.yaml", Key: "y"}, Readers: []string{"old", "staff"}, Stale: []string{"old"}},
		}},
		{Target: "pass", Secrets: []outcome.SecretCheck{
			{Secret: outcome.Secret{File: "db.gpg"}, Readers: []string{"old"}, Stale: []string{"old"}, Missing: []string{"staff"}},
		}},
	}
	FlagSecretReaders(rv, r, reports)
	since := model.DayFromDate(2022, 3, 2)
	want := []outcome.ReviewRow{{
		ID: "old", Name: "Old Leaver", Level: model.None, Basis: []string{"left: last day was 2022-03-01"}, Since: &since,
		Flags: []string{"has had no access since 2022-03-02 and can still read secrets (2 in hieradata, 1 in pass): re-encrypt them with prodaccess secrets reencrypt, then rotate them"},
	}}
	if diff := cmp.Diff(want, rv.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

// TestSubStores plans the sub-stores of a gpg-id target, each as
// configured: the default and keep_own_list remove only those not entitled
// to the target and add no one; people and people_of make the store hold
// exactly those of them entitled to the target. Keep entries stay where
// they are listed. A sub-store that would be left with no one is not
// changed, and the plan says so.
func TestSubStores(t *testing.T) {
	cfg, err := config.ParseConfig("prodaccess.yaml", []byte(`people: people
targets:
  - {name: team, type: github-team, org: alphagov, team: ops, levels: [permanent]}
  - name: pass
    type: file
    repo: /srv/secrets
    path: pass/.gpg-id
    format: gpg-id
    keep: ["`+fp("F")+`"]
    sub_stores:
      - {path: pass/listed, people: [alice, carol]}
      - {path: pass/ops, people_of: team}
      - {path: pass/own, keep_own_list: true}
`))
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"alice.yaml": {Data: []byte(person("Alice Able", "alice-gh", fp("A"), "alice", permanentShifts))},
		"bob.yaml":   {Data: []byte(person("Bob Brown", "bob-gh", fp("B"), "bob", supervisedShifts))},
		"carol.yaml": {Data: []byte(person("Carol Gone", "carol-gh", fp("C"), "carol", permanentShifts+"last_day: 2022-03-01\n"))},
	}
	people, err := personfile.LoadPeople(fsys, "people")
	if err != nil {
		t.Fatal(err)
	}
	day := model.DayFromDate(2022, 3, 15)
	entries := func(fps ...string) []outcome.Entry {
		var out []outcome.Entry
		for _, f := range fps {
			out = append(out, outcome.Entry{Subject: f})
		}
		return out
	}
	st := outcome.TargetState{Target: "pass", Entries: entries(fp("A"), fp("B"), fp("C"), fp("F")), Secrets: &outcome.SecretScan{},
		SubStores: []outcome.SubStore{
			{Path: "pass/default", Entries: entries(fp("B"), fp("C"))},
			{Path: "pass/listed", Entries: entries(fp("B"), fp("C"), fp("F"))},
			{Path: "pass/ops", Entries: entries(fp("C"))},
			{Path: "pass/own", Entries: entries(fp("B"), fp("C"))},
			{Path: "pass/only-carol", Entries: entries(fp("C"))},
		}}
	plan := Diff(Input{Config: cfg, At: day, Decisions: model.NewRoster(people, model.DefaultPolicy()).Evaluate(day), States: []outcome.TargetState{st, {Target: "team"}}})
	var got []string
	for _, c := range plan.Target("pass").Changes {
		got = append(got, fmt.Sprintf("%s %s %s", c.Store, c.Action, c.Person))
	}
	want := []string{
		" remove carol",
		"pass/default remove carol",
		"pass/listed remove bob",
		"pass/listed remove carol",
		"pass/ops remove carol",
		"pass/own remove carol",
		"pass/listed add alice",
		"pass/ops add alice",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	wantErr := "pass: the sub-store pass/only-carol/.gpg-id would be left with no one, which pass cannot encrypt to, so it is not changed; say who may be there under sub_stores, or remove the sub-store"
	if !slices.Contains(plan.Errors, wantErr) {
		t.Errorf("errors %v lack %q", plan.Errors, wantErr)
	}
	for _, warn := range []string{"pass/default/.gpg-id is not listed under sub_stores", "pass/only-carol/.gpg-id is not listed under sub_stores"} {
		if !slices.ContainsFunc(plan.Warnings, func(w string) bool { return strings.Contains(w, warn) }) {
			t.Errorf("warnings %v lack %q", plan.Warnings, warn)
		}
	}
	// Who should read each store's secrets is what the plan leaves there.
	holders := StoreHolders(cfg, cfg.Target("pass"), st.SubStores, model.NewRoster(people, model.DefaultPolicy()).Evaluate(day), nil)
	names := map[string][]string{}
	for dir, hs := range holders {
		names[dir] = []string{}
		for _, h := range hs {
			names[dir] = append(names[dir], h.Name)
		}
		slices.Sort(names[dir])
	}
	keep := "keep " + fp("F")
	wantHolders := map[string][]string{"": {"alice", "bob", keep}, "pass/default": {"bob"}, "pass/listed": {"alice", keep}, "pass/ops": {"alice"}, "pass/own": {"bob"}, "pass/only-carol": {}}
	if diff := cmp.Diff(wantHolders, names); diff != "" {
		t.Errorf("holders (-want +got):\n%s", diff)
	}
	// The sub-stores' removals are not the target's: one removal of its
	// own is within the limit.
	CheckSafety(plan, cfg, false)
	if len(plan.Refusals) > 0 {
		t.Errorf("refused: %v", plan.Refusals)
	}
}

// TestFlagRotation flags, more than rotate_within days after they became
// due, the values a person could read that are not recorded as rotated,
// on that person's row, and the values a key without a person could read
// on a row of their own.
func TestFlagRotation(t *testing.T) {
	fsys := fstest.MapFS{
		"old.yaml":   {Data: []byte(person("Old Leaver", "old-gh", fp("1"), "old", permanentShifts+"last_day: 2022-03-01\n"))},
		"staff.yaml": {Data: []byte(person("Staff Member", "staff-gh", fp("4"), "staff", permanentShifts))},
	}
	people, err := personfile.LoadPeople(fsys, "people")
	if err != nil {
		t.Fatal(err)
	}
	r := model.NewRoster(people, model.DefaultPolicy())
	at := model.DayFromDate(2022, 3, 15)
	due := model.DayFromDate(2022, 3, 2)
	rv := &outcome.Review{At: at, Rows: []outcome.ReviewRow{{ID: "staff", Name: "Staff Member", Flags: []string{}}}}
	entry := func(file string, d model.Day, readers ...string) outcome.RotationEntry {
		return outcome.RotationEntry{File: file, Readers: readers, Due: d, ReadableAt: strings.Repeat("a", 40)}
	}
	reports := []*outcome.SecretsReport{{Target: "pass", Rotation: []outcome.RotationEntry{
		entry("a.gpg", due, "old"),
		entry("b.gpg", due, "old", "key id 0123456789ABCDEF (no known public key has it)"),
		entry("c.gpg", at-3, "old"),
		entry("d.gpg", due, "staff's revoked key 0123456789ABCDEF"),
	}}}
	FlagRotation(rv, r, reports, 7)
	var got []string
	for _, row := range rv.Rows {
		got = append(got, row.ID+": "+strings.Join(row.Flags, " | "))
	}
	want := []string{
		"staff: could read values not yet rotated more than 7 days after they became due (1 in pass, due since 2022-03-02): change each value where it is used, then record it with prodaccess secrets rotation --record",
		"key id 0123456789ABCDEF (no known public key has it): could read values not yet rotated more than 7 days after they became due (1 in pass, due since 2022-03-02): change each value where it is used, then record it with prodaccess secrets rotation --record",
		"old: could read values not yet rotated more than 7 days after they became due (2 in pass, due since 2022-03-02): change each value where it is used, then record it with prodaccess secrets rotation --record",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
