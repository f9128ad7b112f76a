package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/testkeys"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
	"github.com/prodaccess/prodaccess/render"
)

// The people the request commands are tried on, in each style of file:
// block entries with comments and blank lines, flow entries with quoted
// dates, and block entries with CRLF line endings. alex-lead approves
// and sam-senior supervises; chris is granted access, dan gets a shift,
// an absence and a last day, lee's absence ends, nadia is reinstated.

const requestConfig = `people: people
targets:
  - {name: github-production, type: github-team, org: alphagov, team: gov-uk-production}
  - {name: signon, type: manual, instructions: Grant Super Admin in Signon}
`

var (
	alexFile = strings.Replace(permanentFile("Alex Lead", "alex-gds", 0, fingerprint('A'), "alex", ""), "role: developer", "role: lead_developer", 1)
	samFile  = permanentFile("Sam Senior", "sam-gds", 0, fingerprint('5'), "sam", "")
)

var blockStyle = map[string]string{
	"chris": `# A contractor on the temporary supervised access exception.
name: Chris Contractor
email: chris@example.gov.uk
github: chris-gds
programme: other
role: other
employment: contractor
clearance: bpss
start_date: 2026-10-05

temporary_access:
  # The first weeks of the migration.
  - start: 2026-11-16
    end: 2026-11-30
    approved_by: alex-lead
    supervisor: sam-senior
    agreed: true
    reason: Migrating search  # to OpenSearch
`,
	"dan": `# In his first shadow shift.
name: Dan Shadow
email: dan@example.gov.uk
github: dan-gds
programme: govuk
role: developer
employment: civil_servant
clearance: bpss
start_date: 2026-09-07
probation_passed: 2026-10-01
shifts:
  - type: shadow
    start: 2026-11-30
    end: 2026-12-04

  - type: shadow   # the second
    start: 2027-01-18
    end: 2027-01-22
`,
	"lee": `name: Lee Away
email: lee@example.gov.uk
github: lee-gds
programme: govuk
role: developer
employment: civil_servant
clearance: sc
probation_passed: 2020-03-02
shifts:
  - type: shadow
    start: 2019-10-07
    end: 2019-10-11
  - type: shadow
    start: 2019-11-04
    end: 2019-11-08
  - type: secondary
    start: 2019-12-02
    end: 2019-12-06
absences:
  - start: 2026-01-05
    end: 2026-01-09
  # Away since September, no return date yet.
  - start: 2026-09-01
`,
	"nadia": `name: Nadia Notreinstated
email: nadia@example.gov.uk
github: nadia-gds
programme: govuk
role: developer
employment: civil_servant
clearance: sc
probation_passed: 2017-08-06
shifts:
  - type: shadow
    start: 2017-03-06
    end: 2017-03-10
  - type: shadow
    start: 2017-04-03
    end: 2017-04-07
  - type: primary
    start: 2017-09-04
    end: 2017-09-08
absences:
  - start: 2026-05-04
    end: 2026-10-30
`,
}

var flowStyle = map[string]string{
	"chris": `name: Chris Contractor
email: chris@example.gov.uk
github: chris-gds
programme: other
role: other
employment: contractor
clearance: bpss
start_date: "2026-10-05"
temporary_access:
  - {start: "2026-11-16", end: "2026-11-30", approved_by: alex-lead, supervisor: sam-senior, agreed: true, reason: Migrating search}
`,
	"dan": `name: Dan Shadow
email: dan@example.gov.uk
github: dan-gds
programme: govuk
role: developer
employment: civil_servant
clearance: bpss
start_date: "2026-09-07"
probation_passed: "2026-10-01"
shifts:
- {type: shadow, start: "2026-11-30", end: "2026-12-04"}
- {type: shadow, start: "2027-01-18", end: "2027-01-22"}
`,
	"lee": `name: Lee Away
email: lee@example.gov.uk
github: lee-gds
programme: govuk
role: developer
employment: civil_servant
clearance: sc
probation_passed: 2020-03-02
shifts: [{type: shadow, start: 2019-10-07, end: 2019-10-11}, {type: shadow, start: 2019-11-04, end: 2019-11-08}, {type: secondary, start: 2019-12-02, end: 2019-12-06}]
absences:
  - { start: 2026-01-05, end: 2026-01-09 }
  - { start: 2026-09-01 }
`,
	"nadia": `name: Nadia Notreinstated
email: nadia@example.gov.uk
github: nadia-gds
programme: govuk
role: developer
employment: civil_servant
clearance: sc
probation_passed: 2017-08-06
shifts:
  - {type: shadow, start: 2017-03-06, end: 2017-03-10}
  - {type: shadow, start: 2017-04-03, end: 2017-04-07}
  - {type: primary, start: 2017-09-04, end: 2017-09-08}
absences: [{start: 2026-05-04, end: 2026-10-30}]
reinstated: []  # none yet
`,
}

// requestStyles are the styles of file, each as id → file.
func requestStyles() map[string]map[string]string {
	crlf := map[string]string{}
	for id, f := range blockStyle {
		crlf[id] = strings.ReplaceAll(f, "\n", "\r\n")
	}
	return map[string]map[string]string{"block": blockStyle, "flow": flowStyle, "crlf": crlf}
}

// requestToday is the day the request tests run on.
var requestToday = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// requestDir writes a configuration and the people of one style.
func requestDir(t testing.TB, people map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "prodaccess.yaml"), requestConfig)
	write(t, filepath.Join(dir, "people", "alex-lead.yaml"), alexFile)
	write(t, filepath.Join(dir, "people", "sam-senior.yaml"), samFile)
	for id, f := range people {
		write(t, filepath.Join(dir, "people", id+".yaml"), f)
	}
	return dir
}

// runAt runs prodaccess in this process in dir on requestToday, its
// output made printable as the binary's is.
func runAt(t testing.TB, dir string, env map[string]string, args ...string) result {
	t.Helper()
	// The commands read prodaccess.yaml where they run; go back at once,
	// so that golden files are found where they are.
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := os.Chdir(wd); err != nil {
			t.Fatal(err)
		}
	}()
	var stdout, stderr bytes.Buffer
	out, errOut := &printable{w: &stdout}, &printable{w: &stderr}
	o := &options{stdout: out, stderr: errOut, now: func() time.Time { return requestToday }, getenv: func(k string) string { return env[k] }}
	code := runWith(o, args)
	out.Flush()
	errOut.Flush()
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// requestCommands are the commands tried on every style, by name.
var requestCommands = []struct {
	name, file string // the golden's name, and the file changed
	args       []string
}{
	{"grant", "chris", []string{"grant", "chris", "--from", "2026-12-01", "--to", "2027-01-31", "--approver", "alex-lead", "--supervisor", "sam-senior", "--reason", "Search migration: phase 2"}},
	{"shift", "dan", []string{"shift", "dan", "--type", "primary", "--from", "2027-02-01", "--to", "2027-02-05"}},
	{"absence", "dan", []string{"absence", "dan", "--from", "2027-03-01", "--to", "2027-05-31"}},
	{"absence-end", "lee", []string{"absence", "lee", "--end", "2026-11-20"}},
	{"reinstate", "nadia", []string{"reinstate", "nadia", "--on", "2026-11-02", "--approver", "alex-lead"}},
	{"leave", "dan", []string{"leave", "dan", "--last-day", "2026-12-02"}},
}

// TestRequestGoldens runs every command on every style of file: the
// dry run (what the change does, and the diff) is golden, and the file
// written without --dry-run is the one the diff shows, and loads with no
// problem.
func TestRequestGoldens(t *testing.T) {
	for style, people := range requestStyles() {
		for _, c := range requestCommands {
			t.Run(c.name+"/"+style, func(t *testing.T) {
				dir := requestDir(t, people)
				r := runAt(t, dir, nil, append(c.args, "--dry-run")...)
				if r.code != 0 {
					t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
				}
				golden(t, filepath.Join("requests", c.name+"-"+style+".golden"), r.stdout)

				before := people[c.file]
				if r := runAt(t, dir, nil, c.args...); r.code != 0 {
					t.Fatalf("without --dry-run: exit %d\n%s", r.code, r.stderr)
				}
				after, err := os.ReadFile(filepath.Join(dir, "people", c.file+".yaml"))
				if err != nil {
					t.Fatal(err)
				}
				var diff bytes.Buffer
				render.WriteDiff(&printable{w: &diff}, "people/"+c.file+".yaml", []byte(before), after)
				if diff.Len() == 0 || !strings.Contains(r.stdout, diff.String()) {
					t.Errorf("the dry run's diff is not what was written:\n%s", diff.String())
				}
				people, err := personfile.LoadPeople(os.DirFS(filepath.Join(dir, "people")), "people")
				if err != nil {
					t.Fatal(err)
				}
				if ps := model.NewRoster(people, model.DefaultPolicy()).Problems(); len(ps) > 0 {
					t.Errorf("problems after the change:\n%v", ps)
				}
			})
		}
	}
}

func TestPersonNew(t *testing.T) {
	dir := requestDir(t, blockStyle)
	args := []string{"person", "new", "priya-new", "--name", "Priya New", "--email", "priya@example.gov.uk", "--github", "priya-gds",
		"--programme", "govuk", "--role", "developer", "--employment", "civil_servant", "--clearance", "bpss", "--start", "2027-01-04",
		"--github-id", "1000104", "--gpg-fingerprint", "321C A677 D44B 2838 43A0 776C 521D 8E67 5B56 9C86", "--no-key", "--ssh-username", "priya",
		"--aws-user-arn", "arn:aws:iam::210987654321:user/priya@example.gov.uk"}
	r := runAt(t, dir, nil, append(args, "--dry-run")...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	golden(t, filepath.Join("requests", "person-new.golden"), r.stdout)
	if r := runAt(t, dir, nil, args...); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if r := runAt(t, dir, nil, "validate"); r.code != 0 {
		t.Errorf("validate after person new: exit %d\n%s", r.code, r.stdout)
	}
	if r := runAt(t, dir, nil, args...); r.code != 1 || r.stderr != "prodaccess: people/priya-new.yaml exists already\n" {
		t.Errorf("a second time: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestRequestRefusals: each command refuses what the rules would not
// honour, in their words, and writes nothing.
func TestRequestRefusals(t *testing.T) {
	grant := func(from, to, approver, supervisor string, more ...string) []string {
		return append([]string{"grant", "chris", "--from", from, "--to", to, "--approver", approver, "--supervisor", supervisor, "--reason", "Cover"}, more...)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{{
		name: "a grant longer than the policy allows",
		args: grant("2026-12-01", "2027-03-31", "alex-lead", "sam-senior"),
		want: "temporary-exception: it lasts 121 days, more than the 90 allowed",
	}, {
		name: "a supervisor without permanent access on some days",
		args: grant("2026-12-01", "2026-12-31", "alex-lead", "dan"),
		want: "temporary-exception: supervisor dan would not have permanent access on 2026-12-01 to 2026-12-04 (temporary supervised access), 2026-12-05 to 2026-12-31 (no access)",
	}, {
		name: "an approver without an approving role",
		args: grant("2026-12-01", "2026-12-31", "sam-senior", "alex-lead"),
		want: "temporary-exception: approver sam-senior is a developer, not a lead_developer or head_of_technology",
	}, {
		name: "approving themselves",
		args: []string{"grant", "alex-lead", "--from", "2026-12-01", "--to", "2026-12-31", "--approver", "alex-lead", "--supervisor", "sam-senior", "--reason", "x"},
		want: "temporary-exception: it is approved by the person themselves",
	}, {
		name: "an approver or supervisor who does not exist",
		args: grant("2026-12-01", "2026-12-31", "nobody", "sam-senior"),
		want: "temporary-exception: approver nobody does not exist",
	}, {
		name: "a grant over before today",
		args: grant("2026-11-01", "2026-11-20", "alex-lead", "sam-senior"),
		want: "temporary-exception: the entry ends on 2026-11-20, before today (2026-11-27), so it would grant nothing",
	}, {
		name: "a grant that ends before it starts",
		args: grant("2026-12-31", "2026-12-01", "alex-lead", "sam-senior"),
		want: "people/chris.yaml:20:10: temporary_access[1].end: 2026-12-01 is before start 2026-12-31",
	}, {
		name: "a reason that is not one line of text",
		args: []string{"grant", "chris", "--from", "2026-12-01", "--to", "2026-12-31", "--approver", "alex-lead", "--supervisor", "sam-senior", "--reason", "a\x1b[2Jb"},
		want: "reason: holds the control character U+001B (character 2); only visible text is allowed",
	}, {
		name: "a shift that overlaps another",
		args: []string{"shift", "dan", "--type", "primary", "--from", "2026-12-03", "--to", "2026-12-07"},
		want: "shifts: the primary shift 2026-12-03 to 2026-12-07 overlaps the shadow shift 2026-11-30 to 2026-12-04 at line 12",
	}, {
		name: "an absence while another has no end",
		args: []string{"absence", "lee", "--from", "2026-12-01"},
		want: "absences: the absence from 2026-09-01 at line 23 has no end; end it first (prodaccess absence lee --end DAY)",
	}, {
		name: "an absence that overlaps another",
		args: []string{"absence", "lee", "--from", "2026-01-09", "--to", "2026-01-12"},
		want: "absences: the new absence overlaps the absence 2026-01-05 to 2026-01-09 at line 20",
	}, {
		name: "an absence that ends before it starts",
		args: []string{"absence", "lee", "--end", "2026-08-31"},
		want: "people/lee.yaml:24:10: absences[1].end: 2026-08-31 is before start 2026-09-01",
	}, {
		name: "a reinstatement before the absence ends",
		args: []string{"reinstate", "nadia", "--on", "2026-10-01", "--approver", "alex-lead"},
		want: "long-absence: the absence 2026-05-04 to 2026-10-30 ends after 2026-10-01; a reinstatement counts only when dated on or after the absence's end",
	}, {
		name: "a reinstatement approved by a developer",
		args: []string{"reinstate", "nadia", "--on", "2026-11-02", "--approver", "sam-senior"},
		want: "long-absence: approver sam-senior is a developer, not a lead_developer or head_of_technology",
	}, {
		name: "a last day before the first",
		args: []string{"leave", "dan", "--last-day", "2026-09-01"},
		want: "people/dan.yaml:10:11: last_day: 2026-09-01 is before start_date 2026-09-07",
	}, {
		name: "a new person with someone else's login",
		args: []string{"person", "new", "dan-two", "--name", "Dan Two", "--email", "dan.two@example.gov.uk", "--github", "DAN-gds", "--programme", "govuk", "--role", "developer", "--employment", "civil_servant", "--clearance", "bpss"},
		want: "people/dan-two.yaml:3:9: github: the same GitHub login is in people/dan.yaml; each person needs their own",
	}, {
		name: "a new person with an unknown role",
		args: []string{"person", "new", "dan-two", "--name", "Dan Two", "--email", "dan.two@example.gov.uk", "--github", "dantwo", "--programme", "govuk", "--role", "intern", "--employment", "civil_servant", "--clearance", "bpss"},
		want: `people/dan-two.yaml:5:7: role: unknown value "intern"; expected one of developer, lead_developer, sre, head_of_technology, other`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := requestDir(t, blockStyle)
			r := runAt(t, dir, nil, tc.args...)
			if r.code != 1 || !strings.HasPrefix(r.stderr, "prodaccess: refused; nothing is written:\n") || !strings.Contains(r.stderr, "\n  "+tc.want+"\n") {
				t.Errorf("exit %d\nstderr:\n%s\nwant the line:\n  %s", r.code, r.stderr, tc.want)
			}
			if r.stdout != "" {
				t.Errorf("stdout:\n%s", r.stdout)
			}
			for id, f := range blockStyle {
				if got, _ := os.ReadFile(filepath.Join(dir, "people", id+".yaml")); string(got) != f {
					t.Errorf("%s.yaml was changed", id)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "people", "dan-two.yaml")); err == nil {
				t.Error("dan-two.yaml was written")
			}
		})
	}
}

// TestRequestMistakes: wrong use of the commands is an error that says
// what to do, and writes nothing.
func TestRequestMistakes(t *testing.T) {
	dir := requestDir(t, blockStyle)
	write(t, filepath.Join(dir, "people", "bad.yaml"), "name: Bad\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"shift", "nobody", "--type", "shadow", "--from", "2026-12-01", "--to", "2026-12-02"}, `prodaccess: no person "nobody" in people`},
		{[]string{"shift", "dan", "--type", "night", "--from", "2026-12-01", "--to", "2026-12-02"}, `prodaccess: --type: "night" is not a kind of shift; use shadow, primary or secondary`},
		{[]string{"shift", "dan", "--type", "shadow", "--from", "2026-12-32", "--to", "2026-12-02"}, `prodaccess: --from: 2026-12-32 is not a day of the calendar`},
		{[]string{"absence", "dan", "--end", "2026-12-01"}, "prodaccess: people/dan.yaml has no absence without an end; record a new one with --from"},
		{[]string{"absence", "dan", "--end", "2026-12-01", "--from", "2026-11-01"}, "prodaccess: --end ends the absence under way and is given alone; --from (and --to) record a new absence"},
		{[]string{"absence", "dan"}, "prodaccess: give --from DAY (and --to DAY) for a new absence, or --end DAY to end the one under way"},
		{[]string{"leave", "bad", "--last-day", "2026-12-01"}, "prodaccess: people/bad.yaml has problems; fix them before changing it:\npeople/bad.yaml:1:1: missing required field \"email\""},
		{[]string{"leave", "Dan", "--last-day", "2026-12-01"}, `prodaccess: "Dan" is not a person id: lower-case letters and digits in words joined by single hyphens`},
		{[]string{"grant", "chris", "--from", "2026-12-01", "--to", "2026-12-31", "--approver", "alex-lead", "--supervisor", "sam-senior", "--reason", "x", "--as", "nobody"}, `prodaccess: --as: no person "nobody" in people`},
		{[]string{"grant", "chris", "--from", "2026-12-01"}, `prodaccess: required flag(s) "approver", "reason", "supervisor", "to" not set`},
	} {
		r := runAt(t, dir, nil, tc.args...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want+"\n") {
			t.Errorf("%v: exit %d\nstderr:\n%s\nwant:\n%s", tc.args, r.code, r.stderr, tc.want)
		}
	}
	if r := runAt(t, dir, nil, "leave", "dan", "--last-day", "2026-12-02"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := runAt(t, dir, nil, "leave", "dan", "--last-day", "2026-12-02")
	if r.code != 0 || r.stdout != "people/dan.yaml already says last_day: 2026-12-02; nothing to change.\n" {
		t.Errorf("the same last day again: exit %d, stdout %q", r.code, r.stdout)
	}
}

// TestGrantAgreement: agreed is true only when the person asking is the
// person granted: --as, or git's user.email is the email in their file.
func TestGrantAgreement(t *testing.T) {
	args := []string{"grant", "chris", "--from", "2026-12-01", "--to", "2026-12-31", "--approver", "alex-lead", "--supervisor", "sam-senior", "--reason", "Cover", "--dry-run"}
	for _, tc := range []struct {
		name   string
		more   []string
		env    map[string]string
		agreed bool
	}{
		{"someone unknown", nil, nil, false},
		{"--as the person", []string{"--as", "chris"}, nil, true},
		{"--as the approver", []string{"--as", "alex-lead"}, map[string]string{"GIT_AUTHOR_EMAIL": "chris@example.gov.uk"}, false},
		{"the git author", nil, map[string]string{"GIT_AUTHOR_EMAIL": "Chris@Example.gov.uk"}, true},
		{"another git author", nil, map[string]string{"GIT_AUTHOR_EMAIL": "alex@example.gov.uk"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := requestDir(t, blockStyle)
			if _, err := devstack.Git(dir, "init", "-q", "-b", "main"); err != nil {
				t.Fatal(err)
			}
			r := runAt(t, dir, tc.env, append(args, tc.more...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			line := fmt.Sprintf("+    agreed: %v\n", tc.agreed)
			if !strings.Contains(r.stdout, line) {
				t.Errorf("want %q in:\n%s", line, r.stdout)
			}
			if pending := strings.Contains(r.stdout, "Still to do: chris must agree"); pending == tc.agreed {
				t.Errorf("still to do shown: %v\n%s", pending, r.stdout)
			}
		})
	}
}

// pullRequestStack is a people repository cloned from a bare origin, and
// the GitHub stand-in, for --pr.
type pullRequestStack struct {
	work, origin string
	gh           *fakegithub.Server
	env          []string
}

func newPullRequestStack(t *testing.T) *pullRequestStack {
	t.Helper()
	base := t.TempDir()
	s := &pullRequestStack{work: filepath.Join(base, "work"), origin: filepath.Join(base, "origin.git")}
	files := map[string]string{"prodaccess.yaml": requestConfig, "people/alex-lead.yaml": alexFile, "people/sam-senior.yaml": samFile}
	for id, f := range blockStyle {
		files["people/"+id+".yaml"] = f
	}
	for _, args := range [][]string{{"init", "-q", "--bare", "-b", "main", s.origin}} {
		if _, err := devstack.Git(base, args...); err != nil {
			t.Fatal(err)
		}
	}
	if err := devstack.NewRepo(s.work, files); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"remote", "add", "origin", s.origin}, {"push", "-q", "origin", "main"}} {
		if _, err := devstack.Git(s.work, args...); err != nil {
			t.Fatal(err)
		}
	}
	s.gh = fakegithub.New(t, "alphagov")
	s.gh.Token = testToken
	s.gh.AddUser("alex-gds", 101, true)
	s.gh.AddUser("sam-gds", 102, true)
	s.env = []string{"GITHUB_API_URL=" + s.gh.URL(), "GITHUB_TOKEN=" + testToken, "GITHUB_REPOSITORY=", appLoginEnv,
		"GIT_AUTHOR_NAME=Chris Contractor", "GIT_AUTHOR_EMAIL=chris@example.gov.uk", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}
	return s
}

func (s *pullRequestStack) run(t *testing.T, env []string, args ...string) result {
	t.Helper()
	r := prodaccessEnv(t, s.work, append(slices.Clone(s.env), env...), args...)
	if strings.Contains(r.stdout+r.stderr, testToken) {
		t.Fatalf("the token appears in the output of %v", args)
	}
	return r
}

func (s *pullRequestStack) git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := devstack.Git(dir, args...)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

// TestRequestPullRequest: with --pr the change is committed on a branch
// of its own, pushed, and proposed in a pull request that asks the
// approver for their review; the checkout is left as it was. Then what
// --pr refuses.
func TestRequestPullRequest(t *testing.T) {
	s := newPullRequestStack(t)
	london, _ := time.LoadLocation("Europe/London")
	today := model.DayOf(time.Now(), london)
	from, to := (today + 7).String(), (today + 37).String()
	args := []string{"grant", "chris", "--from", from, "--to", to, "--approver", "alex-lead", "--supervisor", "sam-senior",
		"--reason", "Search migration", "--pr", "--repo", "alphagov/govuk-people", "--reviewer", "sam-gds", "--reviewer", "ALEX-gds"}
	r := s.run(t, nil, args...)
	must(t, r, 0, "grant --pr")
	branch := "access/chris-" + from
	for _, want := range []string{
		"Committed people/chris.yaml on branch " + branch + " (",
		"Opened pull request #1: ",
		"Asked alex-gds, sam-gds for a review.\n",
		"needs an approving review by alex-gds",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}

	// The branch on origin: one commit on main, by the person asking,
	// changing the one file by the entry alone.
	want := blockStyle["chris"] + fmt.Sprintf("  - start: %s\n    end: %s\n    approved_by: alex-lead\n    supervisor: sam-senior\n    agreed: true\n    reason: Search migration\n", from, to)
	if diff := cmp.Diff(want, show(t, s.origin, branch, "people/chris.yaml")); diff != "" {
		t.Errorf("people/chris.yaml on %s (-want +got):\n%s", branch, diff)
	}
	if got := s.git(t, s.origin, "log", "--format=%an <%ae>|%s", "main.."+branch); got != "Chris Contractor <chris@example.gov.uk>|Temporary production access for chris, "+from+" to "+to {
		t.Errorf("commits on the branch: %q", got)
	}
	if got := s.git(t, s.origin, "diff", "--name-only", "main", branch); got != "people/chris.yaml" {
		t.Errorf("files changed: %q", got)
	}
	if got := s.git(t, s.origin, "rev-parse", "main"); got != s.git(t, s.work, "rev-parse", "HEAD") {
		t.Errorf("origin's main moved")
	}
	// The checkout is as it was.
	if got := s.git(t, s.work, "status", "--porcelain"); got != "" {
		t.Errorf("the working tree changed:\n%s", got)
	}
	if got := s.git(t, s.work, "symbolic-ref", "--short", "HEAD"); got != "main" {
		t.Errorf("HEAD is on %s", got)
	}

	// The pull request.
	prs := s.gh.OpenPulls("alphagov/govuk-people")
	if len(prs) != 1 {
		t.Fatalf("%d open pull requests", len(prs))
	}
	pr := prs[0]
	if pr.Head != branch || pr.Base != "main" || pr.Title != "Temporary production access for chris, "+from+" to "+to {
		t.Errorf("pull request: head %q, base %q, title %q", pr.Head, pr.Base, pr.Title)
	}
	if diff := cmp.Diff([]string{"alex-gds", "sam-gds"}, pr.RequestedReviewers); diff != "" {
		t.Errorf("reviewers (-want +got):\n%s", diff)
	}
	for _, want := range []string{
		"This changes `people/chris.yaml` and nothing else.",
		"### The conditions of temporary-exception",
		"- **met**: supervision by a production cleared person (with permanent access) on each day: supervisor sam-senior has permanent access on every day of " + from + " to " + to,
		"- **met**: agreement from the person that they will only use the access while supervised: agreed: true",
		"- [ ] chris's temporary access " + from + " to " + to + " (Search migration) needs an approving review by alex-gds",
		"**chris** (Chris Contractor) gains temporary supervised access until " + to,
		"  - github-production add: `chris-gds`",
	} {
		if !strings.Contains(pr.Body, want) {
			t.Errorf("the body lacks %q:\n%s", want, pr.Body)
		}
	}

	// The same again: the branch exists.
	r = s.run(t, nil, args...)
	if r.code != 1 || !strings.Contains(r.stderr, "origin already has a branch "+branch+"; name another with --branch") {
		t.Errorf("again: exit %d\n%s", r.code, r.stderr)
	}
	if len(s.gh.OpenPulls("alphagov/govuk-people")) != 1 {
		t.Error("a second pull request was opened")
	}
	pullRequestRefusals(t, s)
}

// pullRequestRefusals: --pr checks all it needs before it writes
// anything, and writes nothing when something is missing. It leaves
// origin ahead of the checkout.
func pullRequestRefusals(t *testing.T, s *pullRequestStack) {
	shift := []string{"shift", "dan", "--type", "primary", "--from", "2027-02-01", "--to", "2027-02-05", "--pr", "--repo", "alphagov/govuk-people"}
	check := func(name string, env []string, want string, args ...string) {
		t.Helper()
		if args == nil {
			args = shift
		}
		r := s.run(t, env, args...)
		if r.code != 1 || !strings.Contains(r.stderr, want) || r.stdout != "" {
			t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s\nwant: %s", name, r.code, r.stdout, r.stderr, want)
		}
	}
	check("no token", []string{"GITHUB_TOKEN="}, "GITHUB_TOKEN is not set: --pr opens the pull request through GitHub's API")
	check("no repository", nil, "the people repository is not known on GitHub (origin is "+s.origin+"): set people_repo in prodaccess.yaml, or give --repo owner/name", shift[:len(shift)-2]...)
	check("no author", []string{"GIT_AUTHOR_EMAIL="}, "git config user.email is not set: the commit must say who made it")
	check("a bad branch name", nil, `"access/x..y" is not a branch name`, append(slices.Clone(shift), "--branch", "access/x..y")...)
	check("a bad reviewer", nil, `--reviewer: "not a login" is not a GitHub login`, append(slices.Clone(shift), "--reviewer", "not a login")...)
	check("a base origin lacks", nil, "has no branch trunk to propose the change to", append(slices.Clone(shift), "--base", "trunk")...)

	s.git(t, s.work, "branch", "access/dan-2027-02-01")
	check("a local branch of that name", nil, "a branch access/dan-2027-02-01 exists already in the people repository")
	s.git(t, s.work, "branch", "-D", "access/dan-2027-02-01")

	write(t, filepath.Join(s.work, "people", "dan.yaml"), blockStyle["dan"]+"# edited\n")
	check("the file edited and not committed", nil, "people/dan.yaml has uncommitted changes that are not this change; commit them, set them aside (git stash -u) or drop them (git checkout HEAD -- people/dan.yaml) first")
	s.git(t, s.work, "checkout", "-q", "--", "people/dan.yaml")

	// Someone else's change reaches origin first.
	other := filepath.Join(t.TempDir(), "other")
	s.git(t, filepath.Dir(other), "clone", "-q", s.origin, other)
	if err := devstack.Commit(other, map[string]string{"people/sam-senior.yaml": samFile + "# moved on\n"}, "Another change"); err != nil {
		t.Fatal(err)
	}
	s.git(t, other, "push", "-q", "origin", "main")
	check("a checkout behind origin", nil, "is not where origin's main is")

	if heads := s.git(t, s.origin, "for-each-ref", "--format=%(refname:short)", "refs/heads"); !strings.HasSuffix(heads, "\nmain") {
		t.Errorf("branches on origin: %q", heads)
	}
	if n := len(s.gh.OpenPulls("alphagov/govuk-people")); n != 1 {
		t.Errorf("%d pull requests", n)
	}
}

// hintedCommands are the commands a request printed after writing a
// file, in order: the lines indented by two spaces that follow a line
// ending in a colon.
func hintedCommands(stdout string) []string {
	var out []string
	lines := strings.Split(stdout, "\n")
	for i := 1; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "  ") && strings.HasSuffix(lines[i-1], ":") && !strings.HasPrefix(lines[i-1], " ") {
			out = append(out, strings.TrimPrefix(lines[i], "  "))
		}
	}
	return out
}

// shell runs a command line as a user pasting it would, with the built
// prodaccess first on PATH.
func (s *pullRequestStack) shell(t *testing.T, line string) result {
	t.Helper()
	env := append(slices.Clone(s.env), "PATH="+filepath.Dir(binary)+string(os.PathListSeparator)+os.Getenv("PATH"))
	r := prodaccessEnvCommand(t, s.work, env, "sh", "-c", line)
	if strings.Contains(r.stdout+r.stderr, testToken) {
		t.Fatalf("the token appears in the output of %s", line)
	}
	return r
}

// TestRequestHintsWork: after writing a file, a request names the
// commands that take it further, and each works as printed, pasted into
// a shell: the review shows the change (a new file too, which git diff
// alone does not show), and the same command with --pr proposes the file
// as written, then says how to drop the working copy before pulling.
func TestRequestHintsWork(t *testing.T) {
	s := newPullRequestStack(t)
	london, _ := time.LoadLocation("Europe/London")
	today := model.DayOf(time.Now(), london)
	from, to := (today + 7).String(), (today + 37).String()
	for _, tc := range []struct {
		name, file string
		args       []string
		review     string // the review command, and a line it shows
		shows      string
		pr, drop   string
	}{{
		name: "a changed file", file: "people/chris.yaml",
		args: []string{"grant", "chris", "--from", from, "--to", to, "--approver", "alex-lead", "--supervisor", "sam-senior",
			"--reason", "Search migration: it's phase 2", "--repo", "alphagov/govuk-people"},
		review: "git diff -- people/chris.yaml",
		shows:  "+    supervisor: sam-senior\n",
		pr:     "prodaccess grant chris --from " + from + " --to " + to + " --approver alex-lead --supervisor sam-senior --reason 'Search migration: it'\\''s phase 2' --repo alphagov/govuk-people --pr",
		drop:   "git checkout HEAD -- people/chris.yaml",
	}, {
		name: "a new person", file: "people/nia-newcomer.yaml",
		args: []string{"person", "new", "nia-newcomer", "--name", "Nia Newcomer", "--email", "nia@example.gov.uk", "--github", "nia-gds",
			"--programme", "govuk", "--role", "developer", "--employment", "civil_servant", "--clearance", "bpss", "--repo", "alphagov/govuk-people"},
		review: "git add -- people/nia-newcomer.yaml && git diff --cached -- people/nia-newcomer.yaml",
		shows:  "+name: Nia Newcomer\n",
		pr:     "prodaccess person new nia-newcomer --name 'Nia Newcomer' --email nia@example.gov.uk --github nia-gds --programme govuk --role developer --employment civil_servant --clearance bpss --repo alphagov/govuk-people --pr",
		drop:   "git rm -q -f -- people/nia-newcomer.yaml",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.run(t, nil, tc.args...)
			must(t, r, 0, "without --pr")
			if diff := cmp.Diff(hintedCommands(r.stdout[strings.LastIndex(r.stdout, "\nWrote "):]), []string{tc.review, tc.pr}); diff != "" {
				t.Fatalf("the commands named (-got +want):\n%s\nstdout:\n%s", diff, r.stdout)
			}
			written, err := os.ReadFile(filepath.Join(s.work, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			r = s.shell(t, tc.review)
			must(t, r, 0, tc.review)
			if !strings.Contains(r.stdout, tc.shows) {
				t.Errorf("%s shows no %q:\n%s", tc.review, tc.shows, r.stdout)
			}
			r = s.shell(t, tc.pr)
			must(t, r, 0, tc.pr)
			branch := strings.Fields(r.stdout[strings.Index(r.stdout, "on branch ")+len("on branch "):])[0]
			if diff := cmp.Diff(show(t, s.origin, branch, tc.file), string(written)); diff != "" {
				t.Errorf("%s on %s is not the file written (-got +want):\n%s", tc.file, branch, diff)
			}
			if diff := cmp.Diff(hintedCommands(r.stdout[strings.Index(r.stdout, "Opened pull request"):]), []string{tc.drop}); diff != "" {
				t.Fatalf("after --pr, the commands named (-got +want):\n%s\nstdout:\n%s", diff, r.stdout)
			}
			must(t, s.shell(t, tc.drop), 0, tc.drop)
			if got := s.git(t, s.work, "status", "--porcelain"); got != "" {
				t.Errorf("after %s the working tree holds:\n%s", tc.drop, got)
			}
		})
	}
}

// TestPersonNewKey: person new takes the person's public key, checks it
// as validate checks keys, writes it to keys/ID.asc and fills the
// fingerprint from it; a fingerprint without its key is refused unless
// --no-key says it comes later.
func TestPersonNewKey(t *testing.T) {
	made := requestToday.Add(-24 * time.Hour)
	key := func(kind testkeys.Kind) *testkeys.Key {
		k, err := testkeys.NewFor("Priya New", "priya@example.gov.uk", kind, made)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	good, other := key(testkeys.Good), key(testkeys.Good)
	args := []string{"person", "new", "priya-new", "--name", "Priya New", "--email", "priya@example.gov.uk", "--github", "priya-gds",
		"--programme", "govuk", "--role", "developer", "--employment", "civil_servant", "--clearance", "bpss"}
	for _, tc := range []struct {
		name string
		key  []byte // written to priya.asc, and given with --key-file
		more []string
		want string // the error; "" for success
	}{
		{name: "the key alone", key: good.Public()},
		{name: "the key and its fingerprint", key: good.Public(), more: []string{"--gpg-fingerprint", strings.ToLower(good.Fingerprint)}},
		{name: "a fingerprint without its key", more: []string{"--gpg-fingerprint", good.Fingerprint},
			want: "--gpg-fingerprint without its key: give the public key with --key-file PATH, so that the fingerprint is checked against it as validate checks keys, or add --no-key if the key comes later"},
		{name: "a fingerprint whose key comes later", more: []string{"--gpg-fingerprint", good.Fingerprint, "--no-key"}},
		{name: "a key and --no-key", key: good.Public(), more: []string{"--no-key"}, want: "--no-key says the key comes later, and --key-file gives it now: give one of them"},
		{name: "another key than the fingerprint's", key: other.Public(), more: []string{"--gpg-fingerprint", good.Fingerprint},
			want: "--key-file priya.asc: the key its fingerprint is " + other.Fingerprint + ", not " + good.Fingerprint + " as --gpg-fingerprint says; nothing is written"},
		{name: "a revoked key", key: key(testkeys.Revoked).Public(), want: "the key is revoked"},
		{name: "an expired key", key: key(testkeys.Expired).Public(), want: "the key expired on "},
		{name: "a key that cannot encrypt", key: key(testkeys.SignOnly).Public(), want: "the key has no usable encryption key"},
		{name: "a weak key", key: key(testkeys.RSA1024).Public(), want: "the key its primary key is RSA of 1024 bits, fewer than 2048"},
		{name: "a secret key", key: good.Secret(), want: "the key is a secret key"},
		{name: "no key at all", key: []byte("not a key\n"), want: "the key not an armored OpenPGP public key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := requestDir(t, blockStyle)
			more := tc.more
			if tc.key != nil {
				write(t, filepath.Join(dir, "priya.asc"), string(tc.key))
				more = append(more, "--key-file", "priya.asc")
			}
			r := runAt(t, dir, nil, append(slices.Clone(args), more...)...)
			written, err := os.ReadFile(filepath.Join(dir, "keys", "priya-new.asc"))
			if tc.want != "" {
				if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
					t.Errorf("exit %d\nstderr:\n%s\nwant: %s", r.code, r.stderr, tc.want)
				}
				if err == nil {
					t.Error("keys/priya-new.asc was written")
				}
				if _, err := os.Stat(filepath.Join(dir, "people", "priya-new.yaml")); err == nil {
					t.Error("people/priya-new.yaml was written")
				}
				return
			}
			must(t, r, 0, "person new")
			person, perr := os.ReadFile(filepath.Join(dir, "people", "priya-new.yaml"))
			if perr != nil {
				t.Fatal(perr)
			}
			if want := fmt.Sprintf("gpg_fingerprint: %q\n", good.Fingerprint); !strings.Contains(string(person), want) && tc.key != nil {
				t.Errorf("people/priya-new.yaml lacks %q:\n%s", want, person)
			}
			switch {
			case tc.key != nil && (err != nil || string(written) != string(tc.key)):
				t.Errorf("keys/priya-new.asc is not the key given (%v)", err)
			case tc.key == nil && err == nil:
				t.Error("keys/priya-new.asc was written without a key")
			}
			v := runAt(t, dir, nil, "validate")
			if v.code != 0 || tc.key != nil && strings.Contains(v.stdout+v.stderr, "no public key for priya-new") {
				t.Errorf("validate: exit %d\n%s%s", v.code, v.stdout, v.stderr)
			}
		})
	}
}
