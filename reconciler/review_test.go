package reconciler

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/personfile"
)

func TestReviewFlags(t *testing.T) {
	fsys := fstest.MapFS{
		"lee.yaml": {Data: []byte(strings.Replace(person("Lee Lead", "lee-gh", fp("1"), "lee", permanentShifts+"last_day: 2022-01-31\n"), "role: developer", "role: lead_developer", 1))},
		"sam.yaml": {Data: []byte(person("Sam Sup", "sam-gh", fp("2"), "sam", permanentShifts))},
		"cy.yaml": {Data: []byte("name: Cy\nemail: cy@example.gov.uk\nprogramme: other\nrole: other\nemployment: contractor\nclearance: bpss\ntemporary_access:\n" +
			"  - {start: 2021-01-01, end: 2021-03-31, approved_by: lee, supervisor: sam, agreed: true, reason: One}\n" +
			"  - {start: 2021-04-01, end: 2021-06-29, approved_by: lee, supervisor: sam, agreed: true, reason: Two}\n" +
			"  - {start: 2021-06-30, end: 2021-09-27, approved_by: lee, supervisor: sam, agreed: true, reason: Three}\n" +
			"  - {start: 2021-09-28, end: 2021-12-26, approved_by: lee, supervisor: sam, agreed: true, reason: Four}\n" +
			"  - {start: 2021-12-27, end: 2022-03-26, approved_by: lee, supervisor: sam, agreed: true, reason: Five}\n")},
	}
	people, err := personfile.LoadPeople(fsys, "people")
	if err != nil {
		t.Fatal(err)
	}
	r := model.NewRoster(people, model.DefaultPolicy())
	if ps := r.Problems(); len(ps) > 0 {
		t.Fatal(ps)
	}
	exp := time.Date(2022, 4, 1, 0, 0, 0, 0, time.UTC)
	keys := map[string]model.KeyCheck{"cy": {ID: "cy", File: "keys/cy.asc", Expires: &exp}}
	rv := Review(r, model.DayFromDate(2022, 3, 15), &outcome.Commit{SHA: "abc"}, keys, time.Date(2022, 3, 15, 0, 0, 0, 0, time.UTC))
	var cy outcome.ReviewRow
	for _, row := range rv.Rows {
		if row.ID == "cy" {
			cy = row
		}
	}
	want := []string{
		"access ends within 14 days: 2022-03-26 is its last day",
		"the approver lee left on 2022-01-31",
		"on temporary access since 2021-01-01, more than a year",
		"the GPG key expires on 2022-04-01, within 30 days",
	}
	if diff := cmp.Diff(want, cy.Flags); diff != "" {
		t.Errorf("flags (-want +got):\n%s", diff)
	}
}
