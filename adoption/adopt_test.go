package adoption

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/internal/testday"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/personfile"
)

const testConfig = `people: people
policy:
  adopted_on: 2026-12-01
targets:
  - name: github-production
    type: github-team
    org: alphagov
    team: gov-uk-production
  - name: hieradata
    type: file
    repo: secrets
    path: hiera.rcp
    format: gpg-recipients
  - name: pass-store
    type: file
    repo: secrets
    path: pass/.gpg-id
    format: gpg-id
  - name: ssh
    type: file
    repo: puppet
    path: common.yaml
    format: yaml-list
    key: users::usernames
  - name: aws
    type: file
    repo: aws
    path: common.tfvars
    format: tfvars-list
    key: role_poweruser_user_arns
  - name: signon
    type: manual
    instructions: Grant Super Admin
`

const leadFile = `name: Alex Lead
email: alex.lead@example.gov.uk
github: alexlead-gds
programme: govuk
role: lead_developer
employment: civil_servant
clearance: sc
`

const headFile = `name: Hannah Head
email: hannah.head@example.gov.uk
programme: govuk
role: head_of_technology
employment: civil_servant
clearance: sc
`

func fp(c byte) string { return strings.Repeat(string(c), 40) }

// world is the targets of a small organisation, as adoption is given
// them: the lead's file exists, everyone else is found.
func world(t *testing.T, files map[string]string) Input {
	t.Helper()
	cfg, err := config.ParseConfig("prodaccess.yaml", []byte(testConfig))
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for id, body := range files {
		fsys[id+".yaml"] = &fstest.MapFile{Data: []byte(body)}
	}
	people, err := personfile.LoadPeople(fsys, "people")
	if err != nil {
		t.Fatal(err)
	}
	entry := func(subject, label string) outcome.Entry { return outcome.Entry{Subject: subject, Label: label} }
	return Input{
		Config: cfg, Roster: model.NewRoster(people, cfg.Policy), Label: "people",
		Today: testday.Parse(t, "2026-12-01"), Since: testday.Parse(t, "2026-11-30"),
		States: []outcome.TargetState{
			{Target: "github-production", Entries: []outcome.Entry{entry("alexlead-gds", ""), entry("bob-gh", ""), entry("sam-senior-gh", ""), entry("sam-sample-gh", ""), entry("govuk-ci", ""), entry("carol-gh", ""), entry("dan-gh", "")}},
			{Target: "hieradata", Entries: []outcome.Entry{
				entry(fp('A'), "Alex Lead <alex.lead@example.gov.uk>"), entry(fp('B'), "Bob Brown"),
				entry(fp('F'), "puppet master"), entry(fp('C'), "Dan Dare"), entry(fp('1'), "Sam Senior"), entry(fp('2'), "Sam Sample")}},
			{Target: "pass-store", Entries: []outcome.Entry{entry(fp('A'), ""), entry(fp('9'), "Sam")}},
			{Target: "ssh", Entries: []outcome.Entry{entry("bobb", ""), entry("olduser", ""), entry("alexlead", "")}},
			{Target: "aws", Entries: []outcome.Entry{entry("arn:aws:iam::123456789012:user/carol.cole@example.gov.uk", "")}},
		},
		Unread: []string{"signon: a manual target without a record"},
		Profiles: map[string]Profile{
			"alexlead-gds":  {Login: "alexlead-gds", ID: 11, Name: "Alex Lead"},
			"bob-gh":        {Login: "bob-gh", ID: 12, Name: "Bob Brown"},
			"sam-senior-gh": {Login: "sam-senior-gh", ID: 13, Name: "Sam Senior", Email: "sam.senior@example.gov.uk"},
			"sam-sample-gh": {Login: "sam-sample-gh", ID: 14, Name: "Sam Sample"},
			"govuk-ci":      {Login: "govuk-ci", ID: 15, Name: "GOV.UK CI bot"},
			"carol-gh":      {Login: "carol-gh", ID: 16, Name: "Carol Cole", Email: "carol.cole@example.gov.uk"},
			"dan-gh":        {Login: "dan-gh", ID: 17, Name: "Dan Dare"},
		},
		Keys:      []outcome.KeyIdentity{{Fingerprint: fp('C'), Names: []string{"Carol Cole"}, Emails: []string{"carol.cole@example.gov.uk"}, File: "keys/carol.asc"}},
		Approvers: []string{"alex-lead", "hannah-head"},
		Fields:    Fields{Programme: "govuk", Role: "developer", Employment: "civil_servant", Clearance: "bpss"},
		ReadFile: func(name string) ([]byte, error) {
			b, err := fs.ReadFile(fsys, name)
			return b, err
		},
	}
}

// TestAdopt: who is who across the targets, with the links and how sure
// each person is; a machine key and a bot proposed as keep entries; a
// username nobody has left to the first plan; a first name two people
// share placed with nobody; a key whose comment names someone other than
// its user id placed by the user id, and named as a conflict.
func TestAdopt(t *testing.T) {
	in := world(t, map[string]string{"alex-lead": leadFile, "hannah-head": headFile})
	res, err := Adopt(in)
	if err != nil {
		t.Fatal(err)
	}
	rep := res.Report
	type who struct {
		Match   outcome.Sureness
		Targets []string
		Changes []string
	}
	got := map[string]who{}
	for _, p := range rep.People {
		var targets []string
		for _, e := range p.Found {
			targets = append(targets, e.Target+" "+e.Subject)
		}
		got[p.ID] = who{p.Match, targets, p.Changes}
	}
	want := map[string]who{
		"alex-lead":  {outcome.MatchLikely, []string{"github-production alexlead-gds", "hieradata " + fp('A'), "pass-store " + fp('A'), "ssh alexlead"}, []string{"adds github_id", "adds gpg_fingerprint", "adds ssh_username", "adds held_before_adoption"}},
		"bob-brown":  {outcome.MatchLikeness, []string{"github-production bob-gh", "hieradata " + fp('B'), "ssh bobb"}, []string{"new file"}},
		"carol-cole": {outcome.MatchCertain, []string{"github-production carol-gh", "hieradata " + fp('C'), "aws arn:aws:iam::123456789012:user/carol.cole@example.gov.uk"}, []string{"new file"}},
		"dan-dare":   {outcome.MatchCertain, []string{"github-production dan-gh"}, []string{"new file"}},
		"sam-sample": {outcome.MatchLikely, []string{"github-production sam-sample-gh", "hieradata " + fp('2')}, []string{"new file"}},
		"sam-senior": {outcome.MatchLikely, []string{"github-production sam-senior-gh", "hieradata " + fp('1')}, []string{"new file"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("people (-want +got):\n%s", diff)
	}
	var unplaced []string
	for _, u := range rep.Unplaced {
		unplaced = append(unplaced, u.Target+" "+u.Subject+" keep="+map[bool]string{true: "yes", false: "no"}[u.Keep])
	}
	if diff := cmp.Diff([]string{"github-production govuk-ci keep=yes", "hieradata " + fp('F') + " keep=yes", "pass-store " + fp('9') + " keep=no", "ssh olduser keep=no"}, unplaced); diff != "" {
		t.Errorf("unplaced (-want +got):\n%s", diff)
	}
	var conflicts []string
	for _, c := range rep.Conflicts {
		conflicts = append(conflicts, c.Target+" "+c.Subject+" "+strings.Join(c.People, ",")+" placed with "+c.PlacedWith)
	}
	if diff := cmp.Diff([]string{"hieradata " + fp('C') + " carol-cole,dan-dare placed with carol-cole", "pass-store " + fp('9') + " sam-sample,sam-senior placed with "}, conflicts); diff != "" {
		t.Errorf("conflicts (-want +got):\n%s", diff)
	}
	if t.Failed() {
		b, _ := json.MarshalIndent(rep, "", "  ")
		t.Logf("report:\n%s", b)
	}
}

// TestAdoptAgainWritesNothing: once the files adoption wrote are in
// place, adopting the same targets again writes nothing.
func TestAdoptAgainWritesNothing(t *testing.T) {
	files := map[string]string{"alex-lead": leadFile, "hannah-head": headFile}
	res, err := Adopt(world(t, files))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Files {
		files[f.ID] = string(f.After)
	}
	again, err := Adopt(world(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if again.Report.Changed() || len(again.Files) > 0 {
		b, _ := json.MarshalIndent(again.Report.People, "", "  ")
		t.Errorf("the second adoption writes %d file(s):\n%s", len(again.Files), b)
	}
	if len(again.Report.People) != len(res.Report.People) {
		t.Errorf("the second adoption found %d people, the first %d", len(again.Report.People), len(res.Report.People))
	}
}

// TestAdoptRefuses: without policy.adopted_on, or without a lead to
// approve, nothing is adopted.
func TestAdoptRefuses(t *testing.T) {
	in := world(t, map[string]string{"alex-lead": leadFile})
	in.Config.Policy.AdoptedOn = nil
	if _, err := Adopt(in); err == nil || !strings.Contains(err.Error(), "policy.adopted_on is not set in prodaccess.yaml") {
		t.Errorf("without adopted_on: %v", err)
	}
	in = world(t, map[string]string{"alex-lead": leadFile})
	in.Approvers = []string{"bob"}
	if _, err := Adopt(in); err == nil || !strings.Contains(err.Error(), `--approver bob: there is no person "bob"`) {
		t.Errorf("an approver without a file: %v", err)
	}
	in = world(t, map[string]string{"alex-lead": leadFile})
	in.Approvers = []string{"alex-lead"}
	if _, err := Adopt(in); err == nil || !strings.Contains(err.Error(), "alex-lead: every approver given is the person") {
		t.Errorf("the lead approving their own: %v", err)
	}
}
