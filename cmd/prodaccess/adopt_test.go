package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/testkeys"
	"github.com/prodaccess/prodaccess/outcome"
)

// adoptee is one person of an organisation that grants access the old
// way: where they are, and what each place says of them.
type adoptee struct {
	name, login string
	// in says which targets hold them: t the team, r the recipients
	// file, g the .gpg-id, p puppet's users, a the AWS role's list.
	in string
	// publicEmail: their GitHub profile shows their email.
	publicEmail bool
	// comment is the recipients file's comment on their key ("" for
	// "Name <email>").
	comment string
	// keyIn is where their public key is kept: "" nowhere, "repo" in the
	// secrets repository, "keys" in the people repository's keys folder.
	keyIn string
}

// adoptees are thirty people spread across the targets: two leads whose
// files exist, two who share a first name, one in a single target, and
// one whose key the recipients file gives the wrong name.
var adoptees = []adoptee{
	{name: "Alex Lead", login: "alexlead-gds", in: "trgpa", keyIn: "keys"},
	{name: "Hannah Head", login: "hannahhead-gds", in: "trg", publicEmail: true},
	{name: "Amira Patel", login: "amirapatel-gds", in: "trgpa"},
	{name: "Ben Okafor", login: "benokafor-gds", in: "trgpa", publicEmail: true},
	{name: "Chloe Martin", login: "chloemartin-gds", in: "trgp"},
	{name: "Dev Sharma", login: "devsharma-gds", in: "trpa"},
	{name: "Ellie Walsh", login: "elliewalsh-gds", in: "trgpa", keyIn: "repo"},
	{name: "Farid Haddad", login: "faridhaddad-gds", in: "trgpa"},
	{name: "Grace Kim", login: "gracekim-gds", in: "tra"},
	{name: "Harry Jones", login: "harryjones-gds", in: "trgpa", publicEmail: true},
	{name: "Imogen Reid", login: "imogenreid-gds", in: "trgp"},
	{name: "Jamal Ali", login: "jamalali-gds", in: "trgpa"},
	{name: "Kate Novak", login: "katenovak-gds", in: "trga"},
	{name: "Liam Byrne", login: "liambyrne-gds", in: "trgpa", keyIn: "repo"},
	{name: "Maya Cohen", login: "mayacohen-gds", in: "trp"},
	{name: "Nina Rossi", login: "ninarossi-gds", in: "trgpa", publicEmail: true},
	{name: "Oscar Lund", login: "oscarlund-gds", in: "trgpa"},
	{name: "Priya Nair", login: "priyanair-gds", in: "trga"},
	{name: "Quinn Adler", login: "quinnadler-gds", in: "trgp"},
	{name: "Rosa Diaz", login: "rosadiaz-gds", in: "trgpa"},
	{name: "Tom Baker", login: "tombaker-gds", in: "trgpa"},
	{name: "Uma Singh", login: "umasingh-gds", in: "trg"},
	{name: "Victor Chen", login: "victorchen-gds", in: "trgpa"},
	{name: "Wendy Park", login: "wendypark-gds", in: "trpa"},
	// Two people called Sam: nothing may take one for the other.
	{name: "Sam Senior", login: "samsenior-gds", in: "trgp"},
	{name: "Sam Sample", login: "samsample-gds", in: "trga"},
	// The recipients file calls Dan's key Erin's; its user id and the AWS
	// list say it is Dan's.
	{name: "Dan Dare", login: "dandare-gds", in: "trpa", comment: "Erin Example", keyIn: "repo"},
	{name: "Erin Example", login: "erinexample-gds", in: "trg"},
	// Only in the team: their profile says who they are.
	{name: "Olu Only", login: "oluonly-gds", in: "t", publicEmail: true},
	{name: "Yusuf Aziz", login: "yusufaziz-gds", in: "trgpa"},
}

func (a adoptee) id() string { return strings.ToLower(strings.ReplaceAll(a.name, " ", "-")) }
func (a adoptee) email() string {
	return strings.ToLower(strings.ReplaceAll(a.name, " ", ".")) + "@example.gov.uk"
}

// username is their puppet username: initial and surname.
func (a adoptee) username() string {
	first, last, _ := strings.Cut(strings.ToLower(a.name), " ")
	return first[:1] + last
}

func (a adoptee) arn() string { return "arn:aws:iam::123456789012:user/" + a.email() }

const adoptLeads = `name: Alex Lead
email: alex.lead@example.gov.uk
github: alexlead-gds
programme: govuk
role: lead_developer
employment: civil_servant
clearance: sc
`

const adoptHead = `name: Hannah Head
email: hannah.head@example.gov.uk
github: hannahhead-gds
programme: govuk
role: head_of_technology
employment: civil_servant
clearance: sc
`

// adoptStack is an organisation about to adopt prodaccess: a people
// repository (cloned from an origin) that holds the configuration and the
// leads' files, and targets that hold everyone the old way.
type adoptStack struct {
	*evidenceStack
	secrets, puppet, aws string
	keys                 map[string]*testkeys.Key // by id, and "puppet master"
	day                  string                   // today, as prodaccess sees it
	users                map[string]*fakegithub.User
}

func newAdoptStack(t *testing.T) *adoptStack {
	t.Helper()
	dir := t.TempDir()
	s := &adoptStack{evidenceStack: &evidenceStack{t: t, origin: filepath.Join(dir, "origin.git"), people: filepath.Join(dir, "people")},
		secrets: filepath.Join(dir, "secrets"), puppet: filepath.Join(dir, "puppet"), aws: filepath.Join(dir, "aws"),
		keys: map[string]*testkeys.Key{}, users: map[string]*fakegithub.User{}}
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	s.day = time.Now().In(loc).Format("2006-01-02")

	// GitHub: everyone in the team, and a bot.
	s.gh = fakegithub.New(t, "alphagov")
	s.gh.Token = testToken
	s.gh.AddTeam("gov-uk-production", "")
	for i, a := range adoptees {
		u := s.gh.AddUser(a.login, int64(2001+i), true)
		u.Name = a.name
		if a.publicEmail {
			u.Email = a.email()
		}
		s.users[a.id()] = u
		if strings.Contains(a.in, "t") {
			s.gh.SetMember("gov-uk-production", a.login, "member")
		}
	}
	bot := s.gh.AddUser("govuk-ci-bot", 2999, true)
	bot.Name = "GOV.UK CI"
	s.gh.SetMember("gov-uk-production", "govuk-ci-bot", "member")

	// The targets, as the old way left them.
	rcp := []string{"# Recipients of production hieradata"}
	gpgID := []string{}
	users := []string{"users::usernames:"}
	arns := []string{"role_poweruser_user_arns = ["}
	secretFiles := map[string]string{}
	peopleKeys := map[string]string{}
	for _, a := range adoptees {
		k, err := testkeys.NewFixed(a.name, a.email())
		if err != nil {
			t.Fatal(err)
		}
		s.keys[a.id()] = k
		comment := a.comment
		if comment == "" {
			comment = a.name + " <" + a.email() + ">"
		}
		if strings.Contains(a.in, "r") {
			rcp = append(rcp, k.Fingerprint+" # "+comment)
		}
		if strings.Contains(a.in, "g") {
			gpgID = append(gpgID, k.Fingerprint)
		}
		if strings.Contains(a.in, "p") {
			users = append(users, "  - "+a.username())
		}
		if strings.Contains(a.in, "a") {
			arns = append(arns, fmt.Sprintf("  %q,", a.arn()))
		}
		switch a.keyIn {
		case "repo":
			secretFiles["gpg_public_keys/"+a.username()+".asc"] = string(k.Public())
		case "keys":
			peopleKeys["keys/"+a.id()+".asc"] = string(k.Public())
		}
	}
	// The puppet master's key, and a key nobody holds any more.
	master, err := testkeys.NewFixed("puppet master", "puppet@example.gov.uk")
	if err != nil {
		t.Fatal(err)
	}
	s.keys["puppet master"] = master
	rcp = append(rcp, master.Fingerprint+" # puppet master")
	secretFiles["gpg_public_keys/puppet.asc"] = string(master.Public())
	gone, err := testkeys.NewFixed("Gone Person", "gone@example.gov.uk")
	if err != nil {
		t.Fatal(err)
	}
	s.keys["gone"] = gone
	gpgID = append(gpgID, gone.Fingerprint)
	secretFiles["hiera.rcp"] = strings.Join(rcp, "\n") + "\n"
	secretFiles["pass/.gpg-id"] = strings.Join(gpgID, "\n") + "\n"
	for _, repo := range []struct {
		dir   string
		files map[string]string
	}{
		{s.secrets, secretFiles},
		{s.puppet, map[string]string{"common.yaml": strings.Join(users, "\n") + "\n"}},
		{s.aws, map[string]string{"common.tfvars": strings.Join(arns, "\n") + "\n]\n"}},
	} {
		if err := devstack.NewRepo(repo.dir, repo.files); err != nil {
			t.Fatal(err)
		}
	}

	// The people repository: the configuration, adopted today, and the
	// leads' files, whose approvals are the adoption's.
	if _, err := devstack.Git(dir, "init", "-q", "--bare", "-b", "main", s.origin); err != nil {
		t.Fatal(err)
	}
	if _, err := devstack.Git(dir, "clone", "-q", s.origin, s.people); err != nil {
		t.Fatal(err)
	}
	s.key = newTestSigningKey(t)
	files := map[string]string{
		"prodaccess.yaml":         s.withSigners(s.config("")),
		"people/alex-lead.yaml":   adoptLeads,
		"people/hannah-head.yaml": adoptHead,
	}
	for name, body := range peopleKeys {
		files[name] = body
	}
	if err := devstack.CommitAt(s.people, files, "Adopt prodaccess: the configuration and the leads", time.Now().Add(-72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	s.push()
	s.alex = s.users["alex-lead"]
	s.gh.SetRepoDir("alphagov/people", s.people)
	s.gh.RulesetWriter = true
	s.gh.SetRules("alphagov/people", "main", []fakegithub.RuleInForce{{Type: "pull_request", RulesetID: 1, Parameters: map[string]any{
		"required_approving_review_count": 1, "require_code_owner_review": true, "require_last_push_approval": true,
		"dismiss_stale_reviews_on_push": true, "required_review_thread_resolution": false}}}, fakegithub.Ruleset{ID: 1, Name: "people"})
	return s
}

// config is the configuration, with keep entries added to the targets
// (YAML lines, by target name).
func (s *adoptStack) config(keep string) string {
	return fmt.Sprintf(`people: people
people_repo: alphagov/people
policy:
  evidence: required
  adopted_on: %s
safety:
  max_removal_fraction: 0.5
targets:
  - name: github-production
    type: github-team
    org: alphagov
    team: gov-uk-production
  - name: hieradata
    type: file
    repo: %s
    path: hiera.rcp
    format: gpg-recipients
  - name: pass-store
    type: file
    repo: %s
    path: pass/.gpg-id
    format: gpg-id
  - name: ssh-puppet
    type: file
    repo: %s
    path: common.yaml
    format: yaml-list
    key: users::usernames
  - name: aws-poweruser
    type: file
    repo: %s
    path: common.tfvars
    format: tfvars-list
    key: role_poweruser_user_arns
`, s.day, s.secrets, s.secrets, s.puppet, s.aws) + keep
}

// adoptArgs are the flags every adoption in the tests is run with.
var adoptArgs = []string{"--approver", "alex-lead", "--approver", "hannah-head", "--programme", "govuk", "--role", "developer", "--employment", "civil_servant", "--clearance", "bpss"}

// normalised takes out of adoption's output what differs from run to run:
// today, the day before, and the folders of the test.
func (s *adoptStack) normalised(out string) string {
	d, err := time.Parse("2006-01-02", s.day)
	if err != nil {
		s.t.Fatal(err)
	}
	return strings.NewReplacer(s.day, "TODAY", d.AddDate(0, 0, -1).Format("2006-01-02"), "YESTERDAY", s.secrets, "SECRETS").Replace(out)
}

// TestAdoptAnOrganisation: thirty people spread across a GitHub team, a
// recipients file, a .gpg-id, puppet's users and an AWS list are adopted
// in one pull request. The report names the machine key, the bot and the
// key whose comment is wrong; the files pass validate; once the leads
// approve and the pull request is merged, the first plan adds nobody and
// removes only the key nobody holds; adopting again writes nothing.
func TestAdoptAnOrganisation(t *testing.T) {
	t.Parallel()
	s := newAdoptStack(t)

	dry := s.run("", append([]string{"adopt", "--dry-run"}, adoptArgs...)...)
	must(t, dry, 0, "adopt --dry-run")
	report, files, _ := strings.Cut(dry.stdout, "\n--- ")
	golden(t, "adopt/report.golden", s.normalised(report))
	containsAll(t, "the report", squash(report), report,
		"hieradata "+s.keys["puppet master"].Fingerprint+" keep \"puppet master\" in the user id of the key in gpg_public_keys/puppet.asc in the repository of hieradata, pass-store names a machine (\"puppet\"): proposed as a keep entry",
		"github-production govuk-ci-bot keep the GitHub login \"govuk-ci-bot\" names a machine (\"ci\"): proposed as a keep entry",
		"pass-store "+s.keys["gone"].Fingerprint+" removed by the first plan",
		"hieradata "+s.keys["dan-dare"].Fingerprint+" (dan-dare, erin-example): placed with dan-dare by the stronger evidence; also the name Erin Example",
		"sam-senior (Sam Senior <sam.senior@example.gov.uk>): people/sam-senior.yaml, new",
		"sam-sample (Sam Sample <sam.sample@example.gov.uk>): people/sam-sample.yaml, new",
		"olu-only (Olu Only <olu.only@example.gov.uk>): people/olu-only.yaml, new",
		"30 people found: 28 new file(s) (0 to complete), 2 changed, 0 unchanged; 3 entr(ies) not placed (2 proposed as keep entries, 1 the first plan removes); 1 conflict(s).",
	)
	if !strings.Contains(files, "Nothing is written (--dry-run).") || branchHead(t, s.people) != "" {
		t.Errorf("a dry run wrote something:\n%s", files)
	}

	// As data, the same report.
	asJSON := s.run("", append([]string{"adopt", "--dry-run", "--format", "json"}, adoptArgs...)...)
	must(t, asJSON, 0, "adopt --format json")
	for _, want := range []string{`"id": "dan-dare"`, `"keep": true`, `"placed_with": "dan-dare"`, `"match": "likeness only"`} {
		if !strings.Contains(asJSON.stdout, want) {
			t.Errorf("the JSON report lacks %s", want)
		}
	}

	// The pull request, which asks both leads for a review.
	r := s.run("", append([]string{"adopt"}, adoptArgs...)...)
	must(t, r, 0, "adopt")
	prs := s.gh.OpenPulls("alphagov/people")
	if len(prs) != 1 || prs[0].Head != "adopt/"+s.day {
		t.Fatalf("pull requests: %+v\n%s\n%s", prs, r.stdout, r.stderr)
	}
	if diff := cmp.Diff([]string{"alexlead-gds", "hannahhead-gds"}, prs[0].RequestedReviewers); diff != "" {
		t.Errorf("reviewers asked (-want +got):\n%s", diff)
	}
	for _, want := range []string{"their approving review of this pull request is the approval", "| dan-dare Dan Dare | new | likeness only |", "### Conflicts"} {
		if !strings.Contains(prs[0].Body, want) {
			t.Errorf("the pull request's description lacks %q:\n%s", want, prs[0].Body)
		}
	}
	for _, id := range []string{"alex-lead", "dan-dare"} {
		golden(t, "adopt/"+id+".yaml.golden", s.normalised(show(t, s.people, "adopt/"+s.day, "people/"+id+".yaml")))
	}

	// The files pass validate.
	if _, err := devstack.Git(s.people, "checkout", "-q", "adopt/"+s.day); err != nil {
		t.Fatal(err)
	}
	v := s.run("", "validate")
	must(t, v, 0, "validate of the adopted files")
	if _, err := devstack.Git(s.people, "checkout", "-q", "main"); err != nil {
		t.Fatal(err)
	}

	// The leads approve, the pull request is merged, and the keep entries
	// the report proposes are added.
	merged := time.Now().Add(-10 * time.Minute)
	pr, err := devstack.MergeOpen(s.people, s.gh, "alphagov/people", prs[0].Number, nil, s.alex, merged)
	if err != nil {
		t.Fatal(err)
	}
	for _, lead := range []*fakegithub.User{s.users["alex-lead"], s.users["hannah-head"]} {
		s.gh.AddReview("alphagov/people", pr.Number, fakegithub.Review{User: lead, State: "APPROVED", CommitID: pr.Commits[len(pr.Commits)-1].SHA, SubmittedAt: merged.Add(-time.Minute)})
	}
	keep := fmt.Sprintf("    keep: [%q]\n", s.keys["puppet master"].Fingerprint)
	cfg := strings.Replace(s.withSigners(s.config("")), "    format: gpg-recipients\n", "    format: gpg-recipients\n"+keep, 1)
	cfg = strings.Replace(cfg, "    team: gov-uk-production\n", "    team: gov-uk-production\n    keep: [govuk-ci-bot]\n", 1)
	if err := devstack.Commit(s.people, map[string]string{"prodaccess.yaml": cfg}, "Keep the puppet master's key and the CI bot"); err != nil {
		t.Fatal(err)
	}
	s.push()

	// The first plan: nobody added, nobody matched removed; only the key
	// nobody holds goes.
	plan := s.run("", "plan")
	must(t, plan, 2, "the first plan after adoption")
	containsAll(t, "the first plan", s.normalised(plan.stdout), plan.stdout,
		": 0 to add, 1 to remove, 0 waiting, 0 by hand\n",
		"Adopted on TODAY: 30 people rest on access held before adoption. This plan adds nobody, and removes only the 1 entry that no person file names.",
	)
	data := s.run("", "plan", "--format", "json")
	must(t, data, 2, "the first plan after adoption, as data")
	var got outcome.Plan
	if err := json.Unmarshal([]byte(data.stdout), &got); err != nil {
		t.Fatal(err)
	}
	var changes []string
	for _, tp := range got.Targets {
		for _, c := range tp.Changes {
			changes = append(changes, fmt.Sprintf("%s %s %s of %q", tp.Target, c.Action, c.Subject, c.Person))
		}
	}
	if diff := cmp.Diff([]string{"pass-store remove " + s.keys["gone"].Fingerprint + ` of ""`}, changes); diff != "" {
		t.Errorf("the first plan's changes (-want +got):\n%s", diff)
	}

	// apply removes the key and records the approvals as signed notes,
	// from which the access review, which asks GitHub nothing, lists
	// everyone who rests on what was held.
	must(t, s.run("", "apply"), 0, "apply")
	review := s.run("", "audit", "review")
	must(t, review, 0, "audit review")
	if n := strings.Count(review.stdout, "rests on access held before adoption"); n != 30 {
		t.Errorf("the review flags %d people as resting on access held before adoption, want 30:\n%s", n, review.stdout)
	}

	// Adopting the adopted organisation again writes nothing.
	again := s.run("", append([]string{"adopt"}, adoptArgs...)...)
	must(t, again, 0, "adopt again")
	if !strings.Contains(again.stdout, "Nothing to write: every person found has a file that says what they hold.") {
		t.Errorf("adopt again:\n%s", again.stdout)
	}
	if n := len(s.gh.OpenPulls("alphagov/people")); n != 0 {
		t.Errorf("adopting again opened %d pull request(s)", n)
	}
	if branches, err := devstack.Git(s.people, "branch", "--list", "adopt/*"); err != nil || strings.Count(branches, "adopt/") != 1 {
		t.Errorf("branches after adopting again: %q %v", branches, err)
	}
}
