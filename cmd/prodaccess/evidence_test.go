package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/peoplerepo"
	"golang.org/x/crypto/ssh"
)

// evidenceStack is a people repository cloned from an origin, whose
// pull requests, reviews and protection the GitHub stand-in knows, with
// one target: the production team.
type evidenceStack struct {
	t              testing.TB
	origin, people string
	gh             *fakegithub.Server
	alex, chris    *fakegithub.User
	sam, mallory   *fakegithub.User
	// key signs the notes (PRODACCESS_SIGNING_KEY); its public half is
	// the one signer the configuration lists.
	key []byte
	// env is more of the environment prodaccess runs with, and secrets
	// what of it must never appear in its output.
	env, secrets []string
}

const evidenceConfig = `people: people
people_repo: alphagov/people
policy:
  evidence: %s
safety:
  max_removal_fraction: 0.5
targets:
  - name: github-production
    type: github-team
    org: alphagov
    team: gov-uk-production
`

const leadAlex = `name: Alex Lead
email: alex.lead@example.gov.uk
github: alexlead-gds
github_id: 11
programme: govuk
role: lead_developer
employment: civil_servant
clearance: sc
probation_passed: 2019-01-01
shifts:
  - {type: shadow, start: 2019-02-04, end: 2019-02-08}
  - {type: shadow, start: 2019-03-04, end: 2019-03-08}
  - {type: primary, start: 2019-04-01, end: 2019-04-05}
`

const contractorChris = `name: Chris Contractor
email: chris.contractor@example.gov.uk
github: chris-gh
github_id: 22
programme: other
role: other
employment: contractor
clearance: bpss
`

// chrisGrant is Chris's file with a grant over today, approved by alex.
func chrisGrant(reason string) string {
	today := time.Now()
	return contractorChris + "temporary_access:\n" +
		"  - start: " + today.AddDate(0, 0, -3).Format("2006-01-02") + "\n" +
		"    end: " + today.AddDate(0, 0, 30).Format("2006-01-02") + "\n" +
		"    approved_by: alex\n    supervisor: sam\n    agreed: true\n    reason: " + reason + "\n"
}

func newEvidenceStack(t testing.TB, policy string) *evidenceStack {
	t.Helper()
	return newEvidenceStackWith(t, strings.Replace(evidenceConfig, "%s", policy, 1), nil)
}

// newEvidenceStackFiles is newEvidenceStack with more files in the first
// commit (the one that adopts prodaccess, taken at its word): person
// files under people/, and prodaccess.yaml in place of the usual one.
func newEvidenceStackFiles(t testing.TB, policy string, more map[string]string) *evidenceStack {
	t.Helper()
	config := strings.Replace(evidenceConfig, "%s", policy, 1)
	people := map[string]string{}
	for name, body := range more {
		switch id, ok := strings.CutPrefix(name, "people/"); {
		case name == "prodaccess.yaml":
			config = body
		case ok:
			people[strings.TrimSuffix(id, ".yaml")] = body
		default:
			t.Fatalf("newEvidenceStackFiles: %s is neither the configuration nor a person file", name)
		}
	}
	return newEvidenceStackWith(t, config, people)
}

// newEvidenceStackWith is newEvidenceStack with a configuration of its
// own (the signers are added to its policy) and more person files.
func newEvidenceStackWith(t testing.TB, config string, people map[string]string) *evidenceStack {
	t.Helper()
	dir := t.TempDir()
	s := &evidenceStack{t: t, origin: filepath.Join(dir, "origin.git"), people: filepath.Join(dir, "people")}
	if _, err := devstack.Git(dir, "init", "-q", "--bare", "-b", "main", s.origin); err != nil {
		t.Fatal(err)
	}
	if _, err := devstack.Git(dir, "clone", "-q", s.origin, s.people); err != nil {
		t.Fatal(err)
	}
	s.key = newTestSigningKey(t)
	files := map[string]string{
		"prodaccess.yaml":   s.withSigners(config),
		"people/alex.yaml":  leadAlex,
		"people/sam.yaml":   permanentFile("Sam Senior", "sam-gh", 33, fingerprint('5'), "sam", ""),
		"people/chris.yaml": contractorChris,
	}
	for id, body := range people {
		files["people/"+id+".yaml"] = body
	}
	if err := devstack.CommitAt(s.people, files, "People", time.Now().Add(-72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	s.push()
	s.gh = fakegithub.New(t, "alphagov")
	s.gh.Token = testToken
	s.alex = s.gh.AddUser("alexlead-gds", 11, true)
	s.chris = s.gh.AddUser("chris-gh", 22, true)
	s.sam = s.gh.AddUser("sam-gh", 33, true)
	s.mallory = s.gh.AddUser("mallory", 66, true)
	s.gh.AddTeam("gov-uk-production", "")
	s.gh.SetMember("gov-uk-production", "alexlead-gds", "member")
	s.gh.SetMember("gov-uk-production", "sam-gh", "member")
	s.gh.SetRepoDir("alphagov/people", s.people)
	s.gh.RulesetWriter = true // the token may see who may bypass
	s.gh.SetRules("alphagov/people", "main", []fakegithub.RuleInForce{{Type: "pull_request", RulesetID: 1, Parameters: map[string]any{
		"required_approving_review_count": 1, "require_code_owner_review": true, "require_last_push_approval": true,
		"dismiss_stale_reviews_on_push": true, "required_review_thread_resolution": false}}}, fakegithub.Ruleset{ID: 1, Name: "people"})
	return s
}

func (s *evidenceStack) push() {
	s.t.Helper()
	if _, err := devstack.Git(s.people, "push", "-q", "origin", "main"); err != nil {
		s.t.Fatal(err)
	}
}

// leaverAndApprovedGrant gives the stack a leaver still in the team (pat)
// and a grant to chris that the lead approved, and returns the grant's
// pull request: a run must remove pat whatever becomes of chris.
func (s *evidenceStack) leaverAndApprovedGrant() *fakegithub.PullRequest {
	s.t.Helper()
	s.gh.AddUser("pat-gh", 77, true)
	s.gh.SetMember("gov-uk-production", "pat-gh", "member")
	if err := devstack.Commit(s.people, map[string]string{"people/pat.yaml": permanentFile("Pat Leaver", "pat-gh", 77, fingerprint('7'), "pat", "last_day: 2020-01-31\n")}, "Pat left"); err != nil {
		s.t.Fatal(err)
	}
	s.push()
	pr := s.grant(devstack.Squash, s.chris)
	s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
	return pr
}

// manyGrants merges n grants, each to its own contractor through its own
// pull request that the lead approved.
func (s *evidenceStack) manyGrants(n int) {
	s.t.Helper()
	for i := range n {
		id := fmt.Sprintf("contractor-%02d", i)
		login := fmt.Sprintf("contractor-%02d-gh", i)
		u := s.gh.AddUser(login, int64(1000+i), true)
		body := strings.NewReplacer("Chris Contractor", "Contractor "+fmt.Sprint(i), "chris.contractor@", id+"@", "chris-gh", login, "github_id: 22", fmt.Sprintf("github_id: %d", 1000+i)).Replace(chrisGrant("Migrating the search cluster"))
		pr, err := devstack.MergePull(s.people, s.gh, devstack.Pull{Repo: "alphagov/people", Branch: "grant-" + id, Title: "Grant " + id, Author: u, Method: devstack.Squash, MergedBy: s.alex,
			Commits: []devstack.PullCommit{{Files: map[string]string{"people/" + id + ".yaml": body}, Message: "Grant " + id, Author: u}}})
		if err != nil {
			s.t.Fatal(err)
		}
		s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
	}
	s.push()
}

// withSigners lists the stack's signing key as the one signer of notes in
// a configuration.
func (s *evidenceStack) withSigners(config string) string {
	return strings.Replace(config, "policy:\n", "policy:\n  evidence_signers:\n    - "+publicKeyLine(s.t, s.key)+"\n", 1)
}

// grant merges a pull request that gives Chris a grant, in one commit by
// author, and returns it; reviews are added by the caller.
func (s *evidenceStack) grant(method devstack.MergeMethod, author *fakegithub.User) *fakegithub.PullRequest {
	s.t.Helper()
	pr, err := devstack.MergePull(s.people, s.gh, devstack.Pull{Repo: "alphagov/people", Branch: "grant-chris", Title: "Temporary access for Chris",
		Author: author, Method: method, MergedBy: s.alex,
		Commits: []devstack.PullCommit{{Files: map[string]string{"people/chris.yaml": chrisGrant("Migrating the search cluster")}, Message: "Grant Chris", Author: author}}})
	if err != nil {
		s.t.Fatal(err)
	}
	s.push()
	return pr
}

func (s *evidenceStack) review(pr *fakegithub.PullRequest, u *fakegithub.User, state, commit string) *fakegithub.Review {
	return s.gh.AddReview("alphagov/people", pr.Number, fakegithub.Review{User: u, State: state, CommitID: commit, SubmittedAt: pr.MergedAt.Add(-time.Minute)})
}

// run runs prodaccess in dir (the people clone by default) with the token.
func (s *evidenceStack) run(dir string, args ...string) result {
	s.t.Helper()
	if dir == "" {
		dir = s.people
	}
	env := append([]string{"GITHUB_API_URL=" + s.gh.URL(), "GITHUB_TOKEN=" + testToken, "PRODACCESS_SIGNING_KEY=" + string(s.key), appLoginEnv}, s.env...)
	r := prodaccessEnv(s.t, dir, env, args...)
	for _, secret := range append([]string{testToken}, s.secrets...) {
		if strings.Contains(r.stdout+r.stderr, secret) {
			s.t.Fatalf("a token appears in the output of %v", args)
		}
	}
	return r
}

// granted reports whether a plan adds Chris to the team, and its output.
func (s *evidenceStack) granted(dir string) (bool, string) {
	return s.planAdds(dir, "+ chris-gh chris")
}

// planAdds reports whether a plan in dir holds the line (spaces
// squashed), and its output.
func (s *evidenceStack) planAdds(dir, line string) (bool, string) {
	s.t.Helper()
	r := s.run(dir, "plan")
	if r.code != 0 && r.code != 2 {
		s.t.Fatalf("plan: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	return strings.Contains(squash(r.stdout), line), r.stdout + r.stderr
}

// TestEvidenceOfApproval: with policy.evidence required, a grant gives
// access only when a lead really approved the pull request that wrote it,
// however it was merged.
func TestEvidenceOfApproval(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(s *evidenceStack)
		want   bool
		saying string
	}{
		{"squash merge, approved by the lead on the head commit", func(s *evidenceStack) {
			pr := s.grant(devstack.Squash, s.chris)
			s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
		}, true, ""},
		{"merge commit, approved", func(s *evidenceStack) {
			pr := s.grant(devstack.MergeCommit, s.chris)
			s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
		}, true, ""},
		{"rebase merge, approved", func(s *evidenceStack) {
			pr := s.grant(devstack.Rebase, s.chris)
			s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
		}, true, ""},
		{"no review", func(s *evidenceStack) {
			s.grant(devstack.Squash, s.chris)
		}, false, "no approving review by alexlead-gds on #1"},
		{"approved on a commit before the entry was written", func(s *evidenceStack) {
			pr, err := devstack.MergePull(s.people, s.gh, devstack.Pull{Repo: "alphagov/people", Branch: "grant-chris", Title: "Chris", Author: s.chris, Method: devstack.Squash, MergedBy: s.alex,
				Commits: []devstack.PullCommit{
					{Files: map[string]string{"people/chris.yaml": contractorChris + "start_date: 2020-01-01\n"}, Message: "Start date", Author: s.chris},
					{Files: map[string]string{"people/chris.yaml": chrisGrant("Migrating the search cluster")}, Message: "Grant", Author: s.chris}}})
			if err != nil {
				t.Fatal(err)
			}
			s.push()
			s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
		}, false, "alexlead-gds approved #1 only on a commit before the entry was written"},
		{"approved by the pull request's author", func(s *evidenceStack) {
			pr := s.grant(devstack.Squash, s.alex)
			s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
		}, false, "alexlead-gds opened #1, and an author's own approval does not count"},
		{"approved by the lead under a new login: the id decides", func(s *evidenceStack) {
			pr := s.grant(devstack.Squash, s.chris)
			s.review(pr, &fakegithub.User{Login: "alex-renamed", ID: 11}, "APPROVED", pr.Commits[0].SHA)
		}, true, ""},
		{"the lead's old login, now someone else's", func(s *evidenceStack) {
			pr := s.grant(devstack.Squash, s.chris)
			s.review(pr, &fakegithub.User{Login: "alexlead-gds", ID: 99}, "APPROVED", pr.Commits[0].SHA)
		}, false, "no approving review by alexlead-gds on #1"},
		{"approval dismissed", func(s *evidenceStack) {
			pr := s.grant(devstack.Squash, s.chris)
			rv := s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
			s.gh.Dismiss("alphagov/people", pr.Number, rv.ID)
		}, false, "the approving review by alexlead-gds on #1 was dismissed"},
		{"pushed to main without a pull request", func(s *evidenceStack) {
			if err := devstack.Commit(s.people, map[string]string{"people/chris.yaml": chrisGrant("Migrating the search cluster")}, "Grant Chris"); err != nil {
				t.Fatal(err)
			}
			s.push()
		}, false, "was pushed to main without a pull request"},
		{"an approver with no GitHub login in their file", func(s *evidenceStack) {
			if err := devstack.CommitAt(s.people, map[string]string{"people/alex.yaml": strings.Replace(strings.Replace(leadAlex, "github: alexlead-gds\n", "", 1), "github_id: 11\n", "", 1)}, "Alex has no login", time.Now().Add(-2*time.Hour)); err != nil {
				t.Fatal(err)
			}
			pr := s.grant(devstack.Squash, s.chris)
			s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
		}, false, "approver alex has no github login in their file, so no review can be theirs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newEvidenceStack(t, "required")
			tt.setup(s)
			got, out := s.granted("")
			if got != tt.want {
				t.Errorf("granted %t, want %t:\n%s", got, tt.want, out)
			}
			if tt.saying != "" && !strings.Contains(out, tt.saying) {
				t.Errorf("the plan does not say %q:\n%s", tt.saying, out)
			}
		})
	}
}

// TestEvidenceNotes: apply records the evidence as notes and pushes them;
// an auditor's fresh clone with no token reads them; a second apply
// records nothing again and needs no evidence request; a review added
// after the merge is found on the next run.
func TestEvidenceNotes(t *testing.T) {
	s := newEvidenceStack(t, "required")
	pr := s.grant(devstack.Squash, s.chris)

	// Merged without a review: nothing is granted, and the note says so.
	must(t, s.run("", "apply"), 0, "apply without an approval")
	if got := s.gh.Members("gov-uk-production"); strings.Contains(strings.Join(got, " "), "chris-gh") {
		t.Fatalf("chris added without an approval: %v", got)
	}
	// The lead approves after the merge: the next run finds it.
	s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
	must(t, s.run("", "apply"), 0, "apply after the approval")
	if got := s.gh.Members("gov-uk-production"); !strings.Contains(strings.Join(got, " "), "chris-gh") {
		t.Fatalf("chris not added after the approval: %v", got)
	}

	// Warm: the evidence is recorded and complete, so none is asked for.
	s.gh.ResetRequests()
	must(t, s.run("", "apply"), 0, "a second apply")
	for _, r := range s.gh.Requests() {
		if strings.Contains(r.Path, "/pulls") || strings.Contains(r.Path, "/contents/") {
			t.Errorf("a warm run asked for evidence: %s %s", r.Method, r.Path)
		}
	}
	notesBefore, _ := devstack.Git(s.origin, "rev-parse", "refs/notes/prodaccess")
	must(t, s.run("", "apply"), 0, "a third apply")
	if notesAfter, _ := devstack.Git(s.origin, "rev-parse", "refs/notes/prodaccess"); notesAfter != notesBefore || notesBefore == "" {
		t.Errorf("notes moved from %q to %q on a run with nothing new", notesBefore, notesAfter)
	}

	// An auditor: a fresh clone, notes fetched, no token.
	audit := filepath.Join(t.TempDir(), "audit")
	if _, err := devstack.Git(filepath.Dir(audit), "clone", "-q", s.origin, audit); err != nil {
		t.Fatal(err)
	}
	if _, err := devstack.Git(audit, "fetch", "-q", "origin", "refs/notes/*:refs/notes/*"); err != nil {
		t.Fatal(err)
	}
	if out, err := devstack.Git(audit, "log", "--notes=prodaccess", "-1", "main"); err != nil || !strings.Contains(out, `"number": 1`) {
		t.Errorf("git log --notes=prodaccess:\n%s %v", out, err)
	}
	r := prodaccessEnv(t, audit, []string{"GITHUB_TOKEN="}, "audit", "review")
	must(t, r, 0, "audit review without a token")
	if !strings.Contains(r.stdout, "#1") || !strings.Contains(r.stdout, "approved by alexlead-gds") || !strings.Contains(r.stdout, "merged by alexlead-gds") {
		t.Errorf("the review does not show the pull request, its approver and its merger:\n%s", r.stdout)
	}
}

// TestEvidenceWithGitHubDown: when the evidence of a grant cannot be
// read, that grant waits, the run goes on with everything else (a leaver
// is removed), and it fails saying what could not be read; no note is
// written for what was not read.
func TestEvidenceWithGitHubDown(t *testing.T) {
	s := newEvidenceStack(t, "required")
	pr := s.leaverAndApprovedGrant()
	s.gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: "/repos/alphagov/people/pulls/1/reviews", Status: 502})
	r := s.run("", "apply")
	must(t, r, 1, "apply while GitHub cannot give the evidence")
	if !strings.Contains(r.stdout, "FAILED") || !strings.Contains(r.stdout, "list the reviews of pull request #1") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	members := strings.Join(s.gh.Members("gov-uk-production"), " ")
	if strings.Contains(members, "chris-gh") || strings.Contains(members, "pat-gh") {
		t.Errorf("team after apply: %s (chris must wait, pat must be removed)", members)
	}
	if out, _ := devstack.Git(s.origin, "notes", "--ref", "prodaccess", "list"); strings.Contains(out, pr.MergeCommitSHA) {
		t.Errorf("a note was written for the commit whose evidence could not be read:\n%s", out)
	}
}

// TestBranchProtectionChecked: without protection that makes approvals
// meaningful, a required policy grants nothing (removals still go ahead)
// and a warn policy warns, naming the setting.
func TestBranchProtectionChecked(t *testing.T) {
	for _, policy := range []string{"required", "warn"} {
		t.Run(policy, func(t *testing.T) {
			s := newEvidenceStack(t, policy)
			pr := s.grant(devstack.Squash, s.chris)
			s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
			s.gh.SetRules("alphagov/people", "main", nil)
			r := s.run("", "plan")
			const weak = "pull requests are not required on main of alphagov/people"
			if !strings.Contains(r.stdout, weak) {
				t.Errorf("plan does not say %q:\n%s", weak, r.stdout)
			}
			want := 2
			if policy == "required" {
				want = 1
				if !strings.Contains(r.stdout, "GRANTS REFUSED") {
					t.Errorf("grants not refused:\n%s", r.stdout)
				}
			}
			must(t, r, want, "plan")
		})
	}
}

// TestEvidenceRecord: evidence record looks up every commit of the
// history that wrote an entry, records it once, and says what it found.
func TestEvidenceRecord(t *testing.T) {
	s := newEvidenceStack(t, "warn")
	pr := s.grant(devstack.MergeCommit, s.chris)
	s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
	if err := devstack.Commit(s.people, map[string]string{"people/chris.yaml": chrisGrant("Pushed straight to main")}, "Change the reason"); err != nil {
		t.Fatal(err)
	}
	s.push()
	r := s.run("", "evidence", "record")
	must(t, r, 0, "evidence record")
	for _, want := range []string{
		"2 commit(s) of main wrote entries that need approval: 0 already recorded, 2 looked up and recorded now (2 complete, 0 to look up again on the next run).",
		"Migrating the search cluster",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("evidence record does not say %q:\n%s", want, r.stdout)
		}
	}
	if got := strings.Count(r.stdout, ": proven: #1 approved by alexlead-gds"); got != 1 {
		t.Errorf("%d proven entries:\n%s", got, r.stdout)
	}
	if got := strings.Count(r.stdout, ": NOT PROVEN: "); got != 1 {
		t.Errorf("%d unproven entries:\n%s", got, r.stdout)
	}
	if out, err := devstack.Git(s.origin, "notes", "--ref", "prodaccess", "list"); err != nil || len(strings.Fields(out)) != 4 {
		t.Errorf("notes in origin: %q %v", out, err)
	}
	s.gh.ResetRequests()
	r = s.run("", "evidence", "record")
	must(t, r, 0, "evidence record again")
	if !strings.Contains(r.stdout, "2 already recorded, 0 looked up") || s.gh.Count("GET", "/repos/alphagov/people/commits/") != 0 {
		t.Errorf("a second record looked things up again:\n%s", r.stdout)
	}
}

// TestValidateLive: validate --live says which entries lack an approving
// review and fails under policy.evidence required, and passes once the
// review is there.
func TestValidateLive(t *testing.T) {
	s := newEvidenceStack(t, "required")
	pr := s.grant(devstack.Squash, s.chris)
	r := s.run("", "validate", "--live")
	must(t, r, 1, "validate --live without an approving review")
	if !strings.Contains(r.stdout, "live: warning: chris's temporary access") || !strings.Contains(r.stdout, "no approving review by alexlead-gds on #1") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
	r = s.run("", "validate", "--live")
	must(t, r, 0, "validate --live with the review")
}

// TestChangesSaysWhoseApprovalIsNeeded: the pull request comment names,
// for each new entry, whose approving review it needs and whether it is
// there yet.
func TestChangesSaysWhoseApprovalIsNeeded(t *testing.T) {
	s := newEvidenceStack(t, "required")
	pr, err := devstack.MergePull(s.people, s.gh, devstack.Pull{Repo: "alphagov/people", Branch: "grant-chris", Title: "Chris", Author: s.chris,
		Commits: []devstack.PullCommit{{Files: map[string]string{"people/chris.yaml": chrisGrant("Migrating the search cluster")}, Message: "Grant", Author: s.chris}}})
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"changes", "--from", "main", "--to", "grant-chris", "--format", "markdown", "--pr", "1"}
	r := s.run("", args...)
	must(t, r, 0, "changes --pr before the review")
	if !strings.Contains(r.stdout, "- [ ] chris's temporary access") || !strings.Contains(r.stdout, "needs an approving review by alexlead-gds, not there yet: no approving review by alexlead-gds on \\#1") {
		t.Errorf("before the review:\n%s", r.stdout)
	}
	s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
	r = s.run("", args...)
	must(t, r, 0, "changes --pr after the review")
	if !strings.Contains(r.stdout, "- [x] chris's temporary access") || !strings.Contains(r.stdout, "is approved by alexlead-gds") {
		t.Errorf("after the review:\n%s", r.stdout)
	}
}

// TestTimelineNamesWhoWroteTheFact: a change of level that the passing of
// time brings names the pull requests that wrote the fact behind it, and
// the timeline decides with the recorded evidence.
func TestTimelineNamesWhoWroteTheFact(t *testing.T) {
	s := newEvidenceStack(t, "required")
	first := s.grant(devstack.MergeCommit, s.chris)
	s.review(first, s.alex, "APPROVED", first.Commits[0].SHA)
	shorter := strings.Replace(chrisGrant("Migrating the search cluster"), time.Now().AddDate(0, 0, 30).Format("2006-01-02"), time.Now().AddDate(0, 0, 10).Format("2006-01-02"), 1)
	second, err := devstack.MergePull(s.people, s.gh, devstack.Pull{Repo: "alphagov/people", Branch: "shorten", Title: "Shorten Chris's grant", Author: s.chris, Method: devstack.Squash, MergedBy: s.alex,
		Commits: []devstack.PullCommit{{Files: map[string]string{"people/chris.yaml": shorter}, Message: "Shorten", Author: s.chris}}})
	if err != nil {
		t.Fatal(err)
	}
	s.push()
	s.review(second, s.alex, "APPROVED", second.Commits[0].SHA)
	must(t, s.run("", "apply"), 0, "apply, which records the evidence")
	// The first grant is not in force any more: only evidence record
	// looks its pull request up.
	must(t, s.run("", "evidence", "record"), 0, "evidence record")

	to := time.Now().AddDate(0, 0, 15).Format("2006-01-02")
	r := prodaccessEnv(t, s.people, []string{"GITHUB_TOKEN="}, "audit", "timeline", "chris", "--to", to)
	must(t, r, 0, "audit timeline")
	want := "temporary_supervised -> none  rule temporary-exception: ended: "
	if !strings.Contains(r.stdout, want) || !strings.Contains(r.stdout, "added in #1, shortened in #2)") {
		t.Errorf("the timeline does not name the pull requests behind the end of the grant:\n%s", r.stdout)
	}
}

// TestBranchProtectionUnreadable: under a required policy, protection the
// token may not read refuses grants, naming the permission: unreadable is
// not protected.
func TestBranchProtectionUnreadable(t *testing.T) {
	s := newEvidenceStack(t, "required")
	pr := s.grant(devstack.Squash, s.chris)
	s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
	s.gh.SetFaults(
		&fakegithub.Fault{Method: "GET", PathPrefix: "/repos/alphagov/people/rulesets/", Status: 403, Body: `{"message":"Resource not accessible by integration"}`},
		&fakegithub.Fault{Method: "GET", PathPrefix: "/repos/alphagov/people/branches/main/protection", Status: 403, Body: `{"message":"Resource not accessible by integration"}`},
	)
	r := s.run("", "plan")
	for _, want := range []string{
		"GRANTS REFUSED",
		"could not read who may bypass ruleset 1 (GET rulesets/1 answered 403; the token needs Administration: read on alphagov/people)",
		"could not read the classic protection of main (GET branches/main/protection answered 403; the token needs Administration: read on alphagov/people)",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan does not say %q:\n%s", want, r.stdout)
		}
	}
	must(t, r, 1, "plan with protection unreadable")
}

// newTestSigningKey makes an ed25519 key for signing notes and returns its
// OpenSSH private key text, as PRODACCESS_SIGNING_KEY holds it.
func newTestSigningKey(t testing.TB) []byte {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "reconcile@example")
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block)
}

// publicKeyLine is the authorized_keys line of a signing key.
func publicKeyLine(t testing.TB, key []byte) string {
	t.Helper()
	signer, err := peoplerepo.ParseSigningKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey()))) + " reconcile@example"
}

// signNote signs a note's payload with key, as apply does.
func signNote(t testing.TB, key, payload []byte) []byte {
	t.Helper()
	signer, err := peoplerepo.ParseSigningKey(key)
	if err != nil {
		t.Fatal(err)
	}
	note, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	return note
}
