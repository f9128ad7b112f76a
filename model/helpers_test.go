package model_test

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prodaccess/prodaccess/internal/testday"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
)

// rosterOf loads person files given as id → YAML through the real loader.
func rosterOf(t testing.TB, policy model.Policy, files map[string]string) *model.Roster {
	t.Helper()
	fsys := fstest.MapFS{}
	for id, body := range files {
		fsys[id+".yaml"] = &fstest.MapFile{Data: []byte(strings.TrimLeft(body, "\n"))}
	}
	people, err := personfile.LoadPeople(fsys, "people")
	if err != nil {
		t.Fatalf("LoadPeople: %v", err)
	}
	return model.NewRoster(people, policy)
}

func day(t testing.TB, s string) model.Day { return testday.Parse(t, s) }

// Fixtures shared by the rule tests: an approver and a supervisor with
// permanent access since 2020.
const (
	leadFile = `
name: Lee Lead
email: lee.lead@example.gov.uk
programme: govuk
role: lead_developer
employment: civil_servant
clearance: sc
probation_passed: 2019-01-01
shifts:
  - {type: shadow, start: 2019-02-01, end: 2019-02-01}
  - {type: shadow, start: 2019-03-01, end: 2019-03-01}
  - {type: primary, start: 2019-04-01, end: 2019-04-05}
`
	permFile = `
name: Pam Permanent
email: pam.permanent@example.gov.uk
programme: govuk
role: developer
employment: civil_servant
clearance: sc
probation_passed: 2019-01-01
shifts:
  - {type: shadow, start: 2019-02-01, end: 2019-02-01}
  - {type: shadow, start: 2019-03-01, end: 2019-03-01}
  - {type: primary, start: 2019-04-01, end: 2019-04-05}
`
)

// devFile is a GOV.UK developer with the given extra YAML.
func devFile(extra string) string {
	return `
name: Dee Developer
email: dee.developer@example.gov.uk
programme: govuk
role: developer
employment: civil_servant
clearance: bpss
` + strings.TrimLeft(extra, "\n")
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
