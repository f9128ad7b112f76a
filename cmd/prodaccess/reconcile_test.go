package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/testkeys"
)

// fingerprint makes a distinct, valid fingerprint from a letter.
func fingerprint(c byte) string { return strings.Repeat(string(c), 40) }

const keepKey = "F00DF00DF00DF00DF00DF00DF00DF00DF00DF00D"

// permanentFile is a developer with permanent access since 2019.
func permanentFile(name, login string, id int64, fp, ssh, extra string) string {
	s := fmt.Sprintf(`name: %s
email: %s@example.gov.uk
github: %s
gpg_fingerprint: "%s"
ssh_username: %s
programme: govuk
role: developer
employment: civil_servant
clearance: sc
probation_passed: 2019-01-01
shifts:
  - {type: shadow, start: 2019-02-04, end: 2019-02-08}
  - {type: shadow, start: 2019-03-04, end: 2019-03-08}
  - {type: primary, start: 2019-04-01, end: 2019-04-05}
`, name, strings.ToLower(strings.ReplaceAll(name, " ", ".")), login, fp, ssh)
	if id != 0 {
		s += fmt.Sprintf("github_id: %d\n", id)
	}
	return s + extra
}

// stack is a people repository, two target repositories and a GitHub
// stand-in, built in a temporary folder for one test.
type stack struct {
	t               *testing.T
	people, secrets string
	puppet          string
	gh              *fakegithub.Server
}

const testToken = "ghs_test_token_must_never_be_printed"

// appLogin is the account the stand-in's token belongs to unless a test
// says otherwise: prodaccess's GitHub App, whose token GET /user refuses,
// so that the environment must name it.
const appLogin = "prodaccess[bot]"

var appLoginEnv = loginEnv + "=" + appLogin

func newStack(t *testing.T, people map[string]string, recipients []string, usernames []string) *stack {
	t.Helper()
	dir := t.TempDir()
	w := &stack{t: t, people: filepath.Join(dir, "people-repo"), secrets: filepath.Join(dir, "secrets"), puppet: filepath.Join(dir, "puppet")}
	w.gh = fakegithub.New(t, "alphagov")
	w.gh.Token = testToken
	w.gh.AddTeam("gov-uk-production", "")
	w.gh.AddTeam("gov-uk-production-oncall", "gov-uk-production")

	if err := devstack.NewRepo(w.secrets, map[string]string{
		"hiera.rcp": "# production hieradata\n" + strings.Join(recipients, "\n") + "\n",
	}); err != nil {
		t.Fatal(err)
	}
	var list []string
	for _, u := range usernames {
		list = append(list, "  - "+u)
	}
	if err := devstack.NewRepo(w.puppet, map[string]string{
		"common.yaml": "users::usernames:\n" + strings.Join(list, "\n") + "\nother: kept\n",
	}); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"prodaccess.yaml": fmt.Sprintf(`people: people
safety:
  max_removal_fraction: 0.5
targets:
  - name: github-production
    type: github-team
    org: alphagov
    team: gov-uk-production
    child_teams:
      - team: gov-uk-production-oncall
        reason: the on-call rota, whose members the SRE leads choose
  - name: hieradata
    type: file
    repo: %s
    github_repo: alphagov/govuk-secrets
    path: hiera.rcp
    format: gpg-recipients
    keep: [%q]
  - name: ssh
    type: file
    repo: %s
    path: common.yaml
    format: yaml-list
    key: users::usernames
  - name: signon
    type: manual
    instructions: Grant Super Admin in Signon
`, w.secrets, keepKey, w.puppet)}
	for id, body := range people {
		files["people/"+id+".yaml"] = body
	}
	// Committed two days ago, so that the manual targets, which list what
	// changed since yesterday, start with nothing to do.
	if err := devstack.NewRepo(w.people, nil); err != nil {
		t.Fatal(err)
	}
	if err := devstack.CommitAt(w.people, files, "People", time.Now().Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	return w
}

// run runs the built binary in the people repository.
func (w *stack) run(args ...string) result {
	w.t.Helper()
	r := prodaccessEnv(w.t, w.people, []string{"GITHUB_API_URL=" + w.gh.URL(), "GITHUB_TOKEN=" + testToken, appLoginEnv}, args...)
	if strings.Contains(r.stdout+r.stderr, testToken) {
		w.t.Fatalf("the token appears in the output of %v", args)
	}
	return r
}

func (w *stack) commitPeople(files map[string]string, msg string) {
	w.t.Helper()
	for id, body := range files {
		delete(files, id)
		files["people/"+id+".yaml"] = body
	}
	if err := devstack.Commit(w.people, files, msg); err != nil {
		w.t.Fatal(err)
	}
}

// squash collapses runs of spaces, so that tests do not depend on how
// columns are padded.
func squash(s string) string {
	return regexp.MustCompile(` +`).ReplaceAllString(s, " ")
}

func branchHead(t *testing.T, repo string) string {
	t.Helper()
	out, err := devstack.Git(repo, "rev-parse", "--verify", "-q", "refs/heads/prodaccess/sync")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(out)
}

func show(t *testing.T, repo, branch, file string) string {
	t.Helper()
	out, err := devstack.Show(repo, branch, file)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func must(t testing.TB, r result, code int, what string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", what, r.code, code, r.stdout, r.stderr)
	}
}

// TestReconcileEndToEnd covers a grant, a revocation, a pending
// invitation, a child-team member, a kept machine key, and a second apply
// that has nothing to write.
func TestReconcileEndToEnd(t *testing.T) {
	t.Parallel()
	w := newStack(t, map[string]string{
		"alice": permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""),
		"bob":   permanentFile("Bob Brown", "bob-gh", 0, fingerprint('B'), "bob", ""),
		"carol": permanentFile("Carol Gone", "carol-gh", 0, fingerprint('C'), "carol", "last_day: 2020-12-31\n"),
		"dave":  permanentFile("Dave Invited", "dave-gh", 0, fingerprint('D'), "dave", ""),
		"erin":  permanentFile("Erin Outsider", "erin-gh", 0, fingerprint('E'), "erin", ""),
		"frank": permanentFile("Frank Child", "frank-gh", 0, fingerprint('F'), "frank", "last_day: 2020-12-31\n"),
	}, []string{keepKey + " # puppet master", fingerprint('A') + " # Alice", fingerprint('C') + " # Carol"}, []string{"alice", "carol", "bob"})
	for i, u := range []string{"alice-gh", "bob-gh", "carol-gh", "frank-gh"} {
		w.gh.AddUser(u, int64(100+i), true)
	}
	w.gh.AddUser("dave-gh", 200, false)
	w.gh.AddUser("erin-gh", 201, false)
	w.gh.SetMember("gov-uk-production", "alice-gh", "maintainer")
	w.gh.SetMember("gov-uk-production", "carol-gh", "member")
	w.gh.SetMember("gov-uk-production-oncall", "frank-gh", "member")
	w.gh.Invite("dave-gh", "gov-uk-production")

	plan := w.run("plan")
	must(t, plan, 2, "plan")
	plan.stdout = squash(plan.stdout)
	for _, want := range []string{
		"carol none left: last day was 2020-12-31",
		"bob permanent after-primary-shift",
		"- carol-gh carol",
		"+ bob-gh bob",
		"+ erin-gh erin",
		"- " + fingerprint('C') + " carol",
		"- carol carol",
		"frank-gh is not entitled (left: last day was 2020-12-31) but stays: a member through child team alphagov/gov-uk-production-oncall",
	} {
		if !strings.Contains(plan.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan.stdout)
		}
	}
	for _, unwanted := range []string{"+ dave-gh", "alice-gh", keepKey, "- frank-gh"} {
		if strings.Contains(plan.stdout, unwanted) {
			t.Errorf("plan has %q:\n%s", unwanted, plan.stdout)
		}
	}

	w.gh.ResetRequests()
	apply := w.run("apply")
	must(t, apply, 0, "apply")
	if diff := cmp.Diff([]string{"alice-gh", "bob-gh"}, w.gh.Members("gov-uk-production")); diff != "" {
		t.Errorf("direct members (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"dave-gh", "erin-gh"}, w.gh.Invited("gov-uk-production")); diff != "" {
		t.Errorf("invitations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"frank-gh"}, w.gh.Members("gov-uk-production-oncall")); diff != "" {
		t.Errorf("child team (-want +got):\n%s", diff)
	}
	// Revocations before grants: the DELETE came before every PUT.
	var order []string
	for _, r := range w.gh.Requests() {
		if r.Method == "DELETE" || r.Method == "PUT" {
			order = append(order, r.Method+" "+r.Path[strings.LastIndex(r.Path, "/")+1:])
		}
	}
	if diff := cmp.Diff([]string{"DELETE carol-gh", "PUT bob-gh", "PUT erin-gh"}, order); diff != "" {
		t.Errorf("write order (-want +got):\n%s", diff)
	}
	if !strings.Contains(squash(apply.stdout), "done remove carol-gh (carol) github-production") {
		t.Errorf("apply output:\n%s", apply.stdout)
	}

	// The recipients file on the branch: Carol gone, Bob added, the kept
	// key untouched. The base branch is not touched.
	want := "# production hieradata\n" + keepKey + " # puppet master\n" + fingerprint('A') + " # Alice\n" +
		fingerprint('B') + " # Bob Brown <bob.brown@example.gov.uk>\n" + fingerprint('D') + " # Dave Invited <dave.invited@example.gov.uk>\n" +
		fingerprint('E') + " # Erin Outsider <erin.outsider@example.gov.uk>\n"
	if diff := cmp.Diff(want, show(t, w.secrets, "prodaccess/sync", "hiera.rcp")); diff != "" {
		t.Errorf("recipients on the branch (-want +got):\n%s", diff)
	}
	if got := show(t, w.secrets, "main", "hiera.rcp"); strings.Contains(got, fingerprint('B')) {
		t.Errorf("the base branch changed:\n%s", got)
	}
	if diff := cmp.Diff("users::usernames:\n  - alice\n  - bob\n  - dave\n  - erin\nother: kept\n", show(t, w.puppet, "prodaccess/sync", "common.yaml")); diff != "" {
		t.Errorf("puppet users on the branch (-want +got):\n%s", diff)
	}
	prs := w.gh.OpenPulls("alphagov/govuk-secrets")
	if len(prs) != 1 || prs[0].Head != "prodaccess/sync" || prs[0].Base != "main" {
		t.Fatalf("pull requests: %+v", prs)
	}
	for _, want := range []string{"| hieradata | remove | `" + fingerprint('C') + "` | carol (Carol Gone) | left: last day was 2020-12-31 |", "Rotate every secret that carol could read", "Re-encrypt every secret"} {
		if !strings.Contains(prs[0].Body, want) {
			t.Errorf("the pull request body lacks %q:\n%s", want, prs[0].Body)
		}
	}
	// No github_repo for puppet: the branch is pushed, no pull request.
	if branchHead(t, w.puppet) == "" {
		t.Error("the puppet branch was not pushed")
	}

	// A plan right after has nothing to do, and says what waits where.
	waiting := w.run("plan")
	must(t, waiting, 0, "plan after apply")
	containsAll(t, "plan after apply", squash(waiting.stdout), waiting.stdout,
		"hieradata: hiera.rcp in "+w.secrets+" (main) (3 entries now)\n pull request #1 (https://github.example/alphagov/govuk-secrets/pull/1), open 0m, no review requested",
		"ssh: common.yaml in "+w.puppet+" (main) (3 entries now)\n branch prodaccess/sync, open 0m",
		"0 to add, 0 to remove, 7 waiting, 0 by hand",
	)

	// A saved plan of what waits applies as it is.
	saved := filepath.Join(t.TempDir(), "plan.json")
	must(t, w.run("plan", "--out", saved), 0, "plan --out of what waits")
	must(t, w.run("apply", "--plan", saved), 0, "apply --plan of what waits")

	// A second apply right after writes nothing and opens nothing.
	heads := []string{branchHead(t, w.secrets), branchHead(t, w.puppet)}
	w.gh.ResetRequests()
	again := w.run("apply")
	must(t, again, 0, "second apply")
	if n := w.gh.Writes(); n != 0 {
		t.Errorf("the second apply made %d write requests: %+v", n, w.gh.Requests())
	}
	if diff := cmp.Diff(heads, []string{branchHead(t, w.secrets), branchHead(t, w.puppet)}); diff != "" {
		t.Errorf("the second apply pushed (-before +after):\n%s", diff)
	}
	if n := len(w.gh.OpenPulls("alphagov/govuk-secrets")); n != 1 {
		t.Errorf("%d open pull requests after the second apply", n)
	}
}

// TestPullRequestUpdatedThenClosed: the pull request follows the people
// files: updated in place when they change again, closed (and its branch
// deleted) when the change is undone.
func TestPullRequestUpdatedThenClosed(t *testing.T) {
	t.Parallel()
	alice := permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", "")
	w := newStack(t, map[string]string{"alice": alice}, []string{keepKey, fingerprint('A')}, []string{"alice"})
	w.gh.AddUser("alice-gh", 1, true)
	w.gh.AddUser("bob-gh", 2, true)
	w.gh.AddUser("cy-gh", 3, true)
	w.gh.SetMember("gov-uk-production", "alice-gh", "member")
	must(t, w.run("plan"), 0, "plan of a stack in line")

	w.commitPeople(map[string]string{"bob": permanentFile("Bob Brown", "bob-gh", 0, fingerprint('B'), "bob", "")}, "Add Bob")
	must(t, w.run("apply"), 0, "apply after adding Bob")
	prs := w.gh.OpenPulls("alphagov/govuk-secrets")
	if len(prs) != 1 || !strings.Contains(prs[0].Body, "bob (Bob Brown)") {
		t.Fatalf("pull requests after adding Bob: %+v", prs)
	}
	first := branchHead(t, w.secrets)

	w.commitPeople(map[string]string{"cy": permanentFile("Cy Cole", "cy-gh", 0, fingerprint('9'), "cy", "")}, "Add Cy")
	must(t, w.run("apply"), 0, "apply after adding Cy")
	prs = w.gh.OpenPulls("alphagov/govuk-secrets")
	if len(prs) != 1 || prs[0].Number != 1 || !strings.Contains(prs[0].Body, "cy (Cy Cole)") || !strings.Contains(prs[0].Title, "2 additions") {
		t.Fatalf("the pull request was not updated in place: %+v", prs)
	}
	if branchHead(t, w.secrets) == first {
		t.Error("the branch was not updated")
	}

	// Undo both: the files already hold what the rules want.
	w.commitPeople(map[string]string{"bob": "", "cy": ""}, "Remove Bob and Cy again")
	must(t, w.run("apply", "--allow-mass-removal"), 0, "apply after undoing")
	if prs := w.gh.OpenPulls("alphagov/govuk-secrets"); len(prs) != 0 {
		t.Errorf("open pull requests after undoing: %+v", prs)
	}
	if h := branchHead(t, w.secrets); h != "" {
		t.Errorf("the sync branch still exists at %s", h)
	}
}

// TestLoginIDMismatch: a login that now belongs to another GitHub user id
// is refused, the other changes go on, and the run fails.
func TestLoginIDMismatch(t *testing.T) {
	t.Parallel()
	w := newStack(t, map[string]string{
		"alice":   permanentFile("Alice Able", "alice-gh", 101, fingerprint('A'), "alice", ""),
		"mallory": permanentFile("Mal Renamed", "mal-gh", 999, fingerprint('E'), "mal", ""),
	}, []string{keepKey, fingerprint('A'), fingerprint('E')}, []string{"alice", "mal"})
	w.gh.AddUser("alice-gh", 101, true)
	w.gh.AddUser("mal-gh", 555, true) // someone else took the login
	r := w.run("apply")
	must(t, r, 1, "apply")
	if !strings.Contains(squash(r.stdout), "REFUSED add mal-gh (mallory) github-production login mal-gh now belongs to GitHub user id 555, but the person file says 999") {
		t.Errorf("apply output:\n%s\n%s", r.stdout, r.stderr)
	}
	if diff := cmp.Diff([]string{"alice-gh"}, w.gh.Members("gov-uk-production")); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	if n := w.gh.Count("PUT", "/orgs/alphagov/teams/gov-uk-production/memberships/mal-gh"); n != 0 {
		t.Errorf("%d PUT requests for mal-gh", n)
	}
}

// TestRemovalLimit: a plan that removes too much of a target is refused
// before any write; --allow-mass-removal lets it through, but nothing
// lets a target be emptied.
func TestRemovalLimit(t *testing.T) {
	t.Parallel()
	people := map[string]string{"alice": permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", "")}
	var usernames []string
	for i, l := range "bcdef" {
		login := string(l) + "-gh"
		people[string(l)+"x"] = permanentFile("Gone "+string(l), login, 0, fingerprint(byte('B'+i)), string(l)+"x", "last_day: 2020-01-31\n")
		usernames = append(usernames, string(l)+"x")
	}
	w := newStack(t, people, []string{keepKey, fingerprint('A')}, append([]string{"alice"}, usernames...))
	w.gh.AddUser("alice-gh", 1, true)
	w.gh.SetMember("gov-uk-production", "alice-gh", "member")
	for i, l := range "bcdef" {
		w.gh.AddUser(string(l)+"-gh", int64(10+i), true)
		w.gh.SetMember("gov-uk-production", string(l)+"-gh", "member")
	}
	r := w.run("plan")
	must(t, r, 1, "plan")
	if !strings.Contains(r.stdout, "REFUSED") || !strings.Contains(r.stdout, "github-production: would remove 5 of its 6 entries, more than the limit of 3") {
		t.Errorf("plan output:\n%s", r.stdout)
	}
	w.gh.ResetRequests()
	r = w.run("apply")
	must(t, r, 1, "apply")
	if n := w.gh.Writes(); n != 0 || branchHead(t, w.puppet) != "" {
		t.Errorf("a refused apply wrote: %d GitHub writes, puppet branch %q", n, branchHead(t, w.puppet))
	}
	r = w.run("apply", "--allow-mass-removal")
	must(t, r, 0, "apply --allow-mass-removal")
	if diff := cmp.Diff([]string{"alice-gh"}, w.gh.Members("gov-uk-production")); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}

	// Nobody left with access: even the override does not empty a target.
	w.commitPeople(map[string]string{"alice": permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", "last_day: 2020-01-31\n")}, "Alice left")
	r = w.run("apply", "--allow-mass-removal")
	must(t, r, 1, "apply that would empty the team")
	if !strings.Contains(r.stderr+r.stdout, "github-production: would be left with no one") {
		t.Errorf("output:\n%s\n%s", r.stdout, r.stderr)
	}
}

// TestFailedReadTouchesItsTargetOnly: when a target cannot be read,
// nothing is changed there, the run fails naming the read, and every
// other target's changes are made.
func TestFailedReadTouchesItsTargetOnly(t *testing.T) {
	t.Parallel()
	w := newStack(t, map[string]string{
		"alice": permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""),
		"bob":   permanentFile("Bob Brown", "bob-gh", 0, fingerprint('B'), "bob", ""),
	}, []string{fingerprint('A')}, []string{"alice"})
	w.gh.AddUser("alice-gh", 1, true)
	w.gh.AddUser("bob-gh", 2, true)
	w.gh.SetMember("gov-uk-production", "alice-gh", "member")
	w.gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: "/orgs/alphagov/invitations", Status: 403, Body: `{"message":"Resource not accessible by integration"}`})
	r := w.run("apply")
	must(t, r, 1, "apply")
	if !strings.Contains(r.stdout, "FAILED") || !strings.Contains(r.stdout, "list the pending invitations of organisation alphagov") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	if diff := cmp.Diff([]string{"alice-gh"}, w.gh.Members("gov-uk-production")); diff != "" {
		t.Errorf("the team whose read failed was changed (-want +got):\n%s", diff)
	}
	if branchHead(t, w.secrets) == "" || branchHead(t, w.puppet) == "" {
		t.Errorf("the targets that read well were not changed: branches %q %q", branchHead(t, w.secrets), branchHead(t, w.puppet))
	}
}

// TestSavedPlan: apply --plan applies the plan as reviewed, and refuses
// once the stack has moved.
func TestSavedPlan(t *testing.T) {
	t.Parallel()
	w := newStack(t, map[string]string{
		"alice": permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""),
		"bob":   permanentFile("Bob Brown", "bob-gh", 0, fingerprint('B'), "bob", ""),
	}, []string{fingerprint('A')}, []string{"alice"})
	w.gh.AddUser("alice-gh", 1, true)
	w.gh.AddUser("bob-gh", 2, true)
	w.gh.AddUser("zed-gh", 3, true)
	w.gh.SetMember("gov-uk-production", "alice-gh", "member")
	planFile := filepath.Join(t.TempDir(), "plan.json")
	must(t, w.run("plan", "--out", planFile), 2, "plan --out")

	// Someone changes the team by hand: the saved plan no longer holds.
	w.gh.SetMember("gov-uk-production", "zed-gh", "member")
	r := w.run("apply", "--plan", planFile)
	must(t, r, 1, "apply --plan after a change")
	if !strings.Contains(r.stderr, "github-production: changed since the plan was made") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	w.gh.Lock()
	delete(w.gh.Teams["gov-uk-production"].Roles, "zed-gh")
	w.gh.Unlock()
	must(t, w.run("apply", "--plan", planFile), 0, "apply --plan")
	if diff := cmp.Diff([]string{"alice-gh", "bob-gh"}, w.gh.Members("gov-uk-production")); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	// A plan made for another day cannot be applied. (It has nothing to
	// do: the file changes wait in the pull request the apply opened.)
	must(t, w.run("plan", "--at", "2030-01-01", "--out", planFile), 0, "plan for another day")
	r = w.run("apply", "--plan", planFile)
	must(t, r, 1, "apply a plan for another day")
	if !strings.Contains(r.stderr, "the plan was made for 2030-01-01") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

// TestKeysKeepPeopleOffGPGTargets: a person whose public key may not be
// used is kept off GPG targets, and nothing else; validate and the plan
// say why, and a key about to expire is a warning in both and in the pull
// request.
func TestKeysKeepPeopleOffGPGTargets(t *testing.T) {
	t.Parallel()
	now := time.Now()
	key := func(name string, kind testkeys.Kind) *testkeys.Key {
		k, err := testkeys.New(name, kind, now)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	alice, bob, cy := key("alice", testkeys.Good), key("bob", testkeys.Expired), key("cy", testkeys.ExpiresSoon)
	w := newStack(t, map[string]string{
		"alice": permanentFile("Alice Able", "alice-gh", 0, alice.Fingerprint, "alice", ""),
		"bob":   permanentFile("Bob Brown", "bob-gh", 0, bob.Fingerprint, "bob", ""),
		"cy":    permanentFile("Cy Cole", "cy-gh", 0, cy.Fingerprint, "cy", ""),
	}, []string{keepKey}, []string{"alice", "bob", "cy"})
	for i, u := range []string{"alice-gh", "bob-gh", "cy-gh"} {
		w.gh.AddUser(u, int64(i+1), true)
	}
	if err := devstack.Commit(w.people, map[string]string{
		"keys/alice.asc": string(alice.Public()), "keys/bob.asc": string(bob.Public()), "keys/cy.asc": string(cy.Public()),
	}, "Add keys"); err != nil {
		t.Fatal(err)
	}

	r := w.run("validate")
	must(t, r, 1, "validate")
	if !strings.Contains(r.stdout, "keys/bob.asc:1:1: the key of bob expired on ") || !strings.Contains(r.stdout, "keys/cy.asc:1:1: warning: the key of cy expires on ") {
		t.Errorf("validate:\n%s", r.stdout)
	}

	plan := w.run("plan")
	must(t, plan, 2, "plan")
	out := squash(plan.stdout)
	for _, want := range []string{
		"+ " + alice.Fingerprint + " alice",
		"+ " + cy.Fingerprint + " cy",
		"+ bob-gh bob", // the team is not a GPG target
		"hieradata: bob has permanent access but is not added: the key keys/bob.asc expired on",
		"keys/cy.asc:1:1: warning: the key of cy expires on",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan.stdout)
		}
	}
	if strings.Contains(out, "+ "+bob.Fingerprint) {
		t.Errorf("bob's expired key is planned for a GPG target:\n%s", plan.stdout)
	}
	must(t, w.run("apply"), 0, "apply")
	prs := w.gh.OpenPulls("alphagov/govuk-secrets")
	if len(prs) != 1 || !strings.Contains(prs[0].Body, "### Keys about to expire") || !strings.Contains(prs[0].Body, "the key of cy expires on") {
		t.Errorf("pull request: %+v", prs)
	}
}

// TestBadLineRefusesItsTargetOnly: a recipients file with a malformed
// line (a fingerprint with a tab in it) is an error for that target, which
// is left as it is; the leaver is still removed from the team in the same
// run, and the run fails naming the line.
func TestBadLineRefusesItsTargetOnly(t *testing.T) {
	t.Parallel()
	w := faultStack(t)
	if err := devstack.Commit(w.secrets, map[string]string{"hiera.rcp": keepKey + "\n" + fingerprint('A') + "\n" + fingerprint('C')[:20] + "\t" + fingerprint('C')[20:] + " # Carol\n"}, "A tab"); err != nil {
		t.Fatal(err)
	}
	r := w.run("apply")
	must(t, r, 1, "apply with a bad line in one target")
	if !strings.Contains(r.stdout, "FAILED") || !strings.Contains(r.stdout, "target hieradata") {
		t.Errorf("the failure is not named:\n%s", r.stdout)
	}
	if diff := cmp.Diff([]string{"alice-gh", "bob-gh"}, w.gh.Members("gov-uk-production")); diff != "" {
		t.Errorf("team (-want +got):\n%s", diff)
	}
	if b := branchHead(t, w.secrets); b != "" {
		t.Errorf("the repository with the bad line got branch %q", b)
	}
}

// TestPlanWarnsOfUncommittedChanges: a plan is made from what is
// committed, and warns of each person file whose working copy differs
// (scanned beside the load of the committed files): changed, added and
// deleted, and no more once they are undone.
func TestPlanWarnsOfUncommittedChanges(t *testing.T) {
	t.Parallel()
	alice := permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", "")
	bob := permanentFile("Bob Brown", "bob-gh", 0, fingerprint('B'), "bob", "")
	w := newStack(t, map[string]string{"alice": alice, "bob": bob}, []string{keepKey, fingerprint('A'), fingerprint('B')}, []string{"alice", "bob"})
	w.gh.AddUser("alice-gh", 1, true)
	w.gh.AddUser("bob-gh", 2, true)
	w.gh.SetMember("gov-uk-production", "alice-gh", "member")
	w.gh.SetMember("gov-uk-production", "bob-gh", "member")
	const warning = "uncommitted changes are ignored, only what is committed counts"
	r := w.run("plan")
	must(t, r, 0, "plan of a clean working copy")
	if strings.Contains(r.stdout+r.stderr, warning) {
		t.Fatalf("a clean working copy is warned of:\n%s%s", r.stdout, r.stderr)
	}
	write(t, filepath.Join(w.people, "people", "alice.yaml"), strings.Replace(alice, "Alice Able", "Alice Abel", 1))
	write(t, filepath.Join(w.people, "people", "cy.yaml"), permanentFile("Cy Clark", "cy-gh", 0, fingerprint('C'), "cy", ""))
	if err := os.Remove(filepath.Join(w.people, "people", "bob.yaml")); err != nil {
		t.Fatal(err)
	}
	r = w.run("plan")
	must(t, r, 0, "plan with uncommitted changes")
	if out := r.stdout + r.stderr; !strings.Contains(out, warning+": people/alice.yaml, people/bob.yaml, people/cy.yaml") || strings.Contains(out, "Alice Abel") || strings.Contains(out, "cy-gh") {
		t.Errorf("plan with alice changed, bob deleted and cy added, not committed:\n%s", out)
	}
	if _, err := devstack.Git(w.people, "checkout", "--", "people"); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(w.people, "people", "cy.yaml")); err != nil {
		t.Fatal(err)
	}
	r = w.run("plan")
	if strings.Contains(r.stdout+r.stderr, warning) {
		t.Errorf("warned once the changes were undone:\n%s%s", r.stdout, r.stderr)
	}
}
