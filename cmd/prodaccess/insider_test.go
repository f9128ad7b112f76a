package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
)

// The attacks of someone with write access to the people repository on
// the evidence of approvals: each runs through the binary, on a fresh
// clone with the notes fetched as the scheduled workflow fetches them.

// freshClone clones origin, as actions/checkout does, and fetches the
// notes, as the reconcile workflow does; it returns the clone.
func (s *evidenceStack) freshClone() string {
	s.t.Helper()
	dir := filepath.Join(s.t.TempDir(), "clone")
	if _, err := devstack.Git(filepath.Dir(dir), "clone", "-q", s.origin, dir); err != nil {
		s.t.Fatal(err)
	}
	if _, err := devstack.Git(dir, "fetch", "-q", "origin", "refs/notes/*:refs/notes/*"); err != nil && !strings.Contains(err.Error(), "couldn't find remote ref") {
		s.t.Fatal(err)
	}
	return dir
}

// forgeNote writes a note on commit as an insider would, from a clone of
// their own, and force-pushes the notes ref to origin.
func (s *evidenceStack) forgeNote(commit string, note []byte) {
	s.t.Helper()
	dir := s.freshClone()
	file := filepath.Join(s.t.TempDir(), "note")
	if err := os.WriteFile(file, note, 0o644); err != nil {
		s.t.Fatal(err)
	}
	for _, args := range [][]string{
		{"notes", "--ref", "prodaccess", "add", "-f", "-F", file, commit},
		{"push", "-q", "-f", "origin", "refs/notes/prodaccess"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=Mallory Writer", "GIT_AUTHOR_EMAIL=mallory@example.gov.uk", "GIT_COMMITTER_NAME=Mallory Writer", "GIT_COMMITTER_EMAIL=mallory@example.gov.uk")
		if out, err := cmd.CombinedOutput(); err != nil {
			s.t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

// forgedEvidence is the note an insider writes: a pull request that does
// not exist, approved by the lead, in the unsigned form of the first
// notes.
func forgedEvidence(commit, entryPerson string) []byte {
	at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	return []byte(fmt.Sprintf(`{
  "version": 1,
  "commit": %q,
  "branch": "main",
  "pull_requests": [{"number": 4242, "url": "https://github.com/alphagov/people/pull/4242", "title": "Grant", "author": {"login": "chris-gh", "id": 22},
    "merged_by": {"login": "alexlead-gds", "id": 11}, "merged_at": %q, "merge_commit_sha": %q, "base": "main",
    "reviews": [{"id": 1, "user": {"login": "alexlead-gds", "id": 11}, "state": "APPROVED", "commit_id": %q, "submitted_at": %q}], "commit_authors": []}],
  "entries": [],
  "recorded_at": %q,
  "complete": true
}
`, commit, at, commit, commit, at, at))
}

func head(t testing.TB, dir string) string {
	t.Helper()
	out, err := devstack.Git(dir, "rev-parse", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

// TestForgedNotesAreNotEvidence: a grant approved only by a colleague
// stays ungranted whatever note an insider pushes for its commit:
// unsigned, signed by a key not listed, or a genuine signed note copied
// from another commit; plan and audit review report the note, naming the
// commit and who last wrote the notes ref.
func TestForgedNotesAreNotEvidence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		forge  func(s *evidenceStack, grant string)
		saying string
	}{
		{"unsigned", func(s *evidenceStack, grant string) {
			s.forgeNote(grant, forgedEvidence(grant, "chris"))
		}, "unsigned"},
		{"signed by a key not listed", func(s *evidenceStack, grant string) {
			other := newTestSigningKey(t)
			s.forgeNote(grant, signNote(t, other, forgedEvidence(grant, "chris")))
		}, "unknown signer"},
		{"a genuine note copied from another commit", func(s *evidenceStack, grant string) {
			// A lead-approved grant of someone else, recorded by apply.
			other, err := devstack.MergePull(s.people, s.gh, devstack.Pull{Repo: "alphagov/people", Branch: "grant-sam", Title: "Sam", Author: s.sam, Method: devstack.Squash, MergedBy: s.alex,
				Commits: []devstack.PullCommit{{Files: map[string]string{"people/dana.yaml": danaGrant()}, Message: "Grant Dana", Author: s.sam}}})
			if err != nil {
				t.Fatal(err)
			}
			s.push()
			s.review(other, s.alex, "APPROVED", other.Commits[0].SHA)
			must(t, s.run("", "apply"), 0, "apply, which records the genuine note")
			note, err := devstack.Git(s.origin, "notes", "--ref", "prodaccess", "show", other.MergeCommitSHA)
			if err != nil {
				t.Fatal(err)
			}
			s.forgeNote(grant, []byte(note))
		}, "is the note of commit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newEvidenceStack(t, "required")
			pr := s.grant(devstack.Squash, s.chris)
			s.review(pr, s.sam, "APPROVED", pr.Commits[0].SHA) // a colleague, not the lead named
			grant := pr.MergeCommitSHA
			tt.forge(s, grant)

			clone := s.freshClone()
			r := s.run(clone, "plan")
			if strings.Contains(squash(r.stdout), "+ chris-gh chris") {
				t.Fatalf("a forged note granted access:\n%s", r.stdout)
			}
			for _, want := range []string{"the note of commit " + grant[:12] + " in refs/notes/prodaccess is not evidence", tt.saying, "Mallory Writer"} {
				if !strings.Contains(r.stdout+r.stderr, want) {
					t.Errorf("plan does not say %q:\n%s\n%s", want, r.stdout, r.stderr)
				}
			}
			for _, args := range [][]string{{"audit", "review"}, {"audit", "at", time.Now().Format("2006-01-02")}} {
				ra := prodaccessEnv(t, s.freshClone(), []string{"GITHUB_TOKEN="}, args...)
				if strings.Contains(ra.stdout, "#4242") || strings.Contains(ra.stdout, "proven") && !strings.Contains(ra.stdout, "not proven") {
					t.Errorf("%v believes the forged note:\n%s", args, ra.stdout)
				}
				if args[1] == "review" && !strings.Contains(ra.stdout, grant[:12]) {
					t.Errorf("audit review does not name the commit of the tampered note:\n%s", ra.stdout)
				}
			}
		})
	}
}

// danaGrant is the file of a contractor with a grant over today approved
// by alex.
func danaGrant() string {
	return strings.NewReplacer("Chris Contractor", "Dana Contractor", "chris.contractor@", "dana.contractor@", "chris-gh", "dana-gh", "github_id: 22", "github_id: 44").Replace(chrisGrant("Another migration"))
}

// TestApproverFromBeforeThePullRequest: the approver's GitHub account and
// role are read from the people branch before the pull request that wrote
// the grant; a pull request cannot make its own approver.
func TestApproverFromBeforeThePullRequest(t *testing.T) {
	t.Parallel()
	mallory := `name: Mallory Lead
email: mallory@example.gov.uk
github: mallory
github_id: 66
programme: govuk
role: lead_developer
employment: civil_servant
clearance: sc
`
	renamed := strings.NewReplacer("github: alexlead-gds", "github: mallory", "github_id: 11", "github_id: 66").Replace(leadAlex)
	byMallory := strings.Replace(chrisGrant("Migrating the search cluster"), "approved_by: alex", "approved_by: mallory", 1)
	tests := []struct {
		name    string
		prs     [][]map[string]string // pull requests, each a list of commits' files; the last writes the grant
		approve string                // who approves the last (mallory's account)
		saying  string
	}{
		{"the lead's account changed in the same pull request", [][]map[string]string{{{"people/alex.yaml": renamed, "people/chris.yaml": chrisGrant("Migrating the search cluster")}}},
			"mallory", "taken from before the pull request"},
		{"the lead's account changed in an earlier commit of the same pull request, rebased", [][]map[string]string{{{"people/alex.yaml": renamed}, {"people/chris.yaml": chrisGrant("Migrating the search cluster")}}},
			"mallory", "taken from before the pull request"},
		{"a new lead in the same pull request", [][]map[string]string{{{"people/mallory.yaml": mallory, "people/chris.yaml": byMallory}}},
			"mallory", "mallory was not an approver before"},
		{"a new lead in an earlier pull request that no lead approved", [][]map[string]string{{{"people/mallory.yaml": mallory}}, {{"people/chris.yaml": byMallory}}},
			"mallory", "not approved by a lead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newEvidenceStack(t, "required")
			var last *fakegithub.PullRequest
			for i, commits := range tt.prs {
				var pcs []devstack.PullCommit
				for j, files := range commits {
					pcs = append(pcs, devstack.PullCommit{Files: files, Message: fmt.Sprintf("Change %d", j), Author: s.chris})
				}
				pr, err := devstack.MergePull(s.people, s.gh, devstack.Pull{Repo: "alphagov/people", Branch: fmt.Sprintf("change-%d", i), Title: "Change", Author: s.chris, Method: devstack.Rebase, MergedBy: s.sam, Commits: pcs,
					When: time.Now().Add(time.Duration(i-len(tt.prs)) * time.Hour)})
				if err != nil {
					t.Fatal(err)
				}
				// A colleague approves each: branch protection is content.
				s.review(pr, s.sam, "APPROVED", pr.Commits[len(pr.Commits)-1].SHA)
				last = pr
			}
			s.push()
			s.review(last, s.mallory, "APPROVED", last.Commits[len(last.Commits)-1].SHA)
			got, out := s.granted(s.freshClone())
			if got {
				t.Errorf("granted on the approval of an approver the pull requests made:\n%s", out)
			}
			if !strings.Contains(out, tt.saying) {
				t.Errorf("the plan does not say %q:\n%s", tt.saying, out)
			}
		})
	}
}

// TestAgreementIsGivenNotTyped: a commit credited to the grantee by its
// author email is not their agreement; one GitHub verified as signed by
// their account is.
func TestAgreementIsGivenNotTyped(t *testing.T) {
	t.Parallel()
	for _, signed := range []bool{false, true} {
		t.Run(fmt.Sprintf("signed=%t", signed), func(t *testing.T) {
			s := newEvidenceStack(t, "required")
			pr, err := devstack.MergePull(s.people, s.gh, devstack.Pull{Repo: "alphagov/people", Branch: "grant-chris", Title: "Chris", Author: s.sam, Method: devstack.Squash, MergedBy: s.alex,
				Commits: []devstack.PullCommit{{Files: map[string]string{"people/chris.yaml": chrisGrant("Migrating the search cluster")}, Message: "Grant", Author: s.chris, Signed: signed}}})
			if err != nil {
				t.Fatal(err)
			}
			s.push()
			s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
			got, out := s.granted(s.freshClone())
			if got != signed {
				t.Errorf("granted %t, want %t:\n%s", got, signed, out)
			}
			if !signed && !strings.Contains(out, "the person's agreement is not shown") {
				t.Errorf("the plan does not say the agreement is missing:\n%s", out)
			}
		})
	}
}

// auditJSON runs audit at day in a fresh clone with no token and returns
// each person's level.
func (s *evidenceStack) auditLevels(day string) (map[string]string, string) {
	s.t.Helper()
	r := prodaccessEnv(s.t, s.freshClone(), []string{"GITHUB_TOKEN="}, "audit", "at", day, "--format", "json")
	must(s.t, r, 0, "audit at "+day)
	var out struct {
		People []struct{ ID, Level string } `json:"people"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		s.t.Fatalf("audit at %s: %v\n%s", day, err, r.stdout)
	}
	levels := map[string]string{}
	for _, p := range out.People {
		levels[p.ID] = p.Level
	}
	text := prodaccessEnv(s.t, s.freshClone(), []string{"GITHUB_TOKEN="}, "audit", "at", day)
	return levels, text.stdout
}

// TestGrantFromWhenItWasProven: a grant merged before its approval is in
// force from the day of the approval, and says so.
func TestGrantFromWhenItWasProven(t *testing.T) {
	t.Parallel()
	s := newEvidenceStack(t, "required")
	merged := time.Now().Add(-48 * time.Hour)
	pr, err := devstack.MergePull(s.people, s.gh, devstack.Pull{Repo: "alphagov/people", Branch: "grant-chris", Title: "Chris", Author: s.chris, Method: devstack.Squash, MergedBy: s.sam, When: merged.Add(-2 * time.Minute),
		Commits: []devstack.PullCommit{{Files: map[string]string{"people/chris.yaml": chrisGrant("Migrating the search cluster")}, Message: "Grant", Author: s.chris}}})
	if err != nil {
		t.Fatal(err)
	}
	s.push()
	s.gh.AddReview("alphagov/people", pr.Number, fakegithub.Review{User: s.alex, State: "APPROVED", CommitID: pr.Commits[0].SHA, SubmittedAt: time.Now().Add(-time.Hour)})
	must(t, s.run("", "apply", "--timeout", "5m"), 0, "apply, which records the evidence")

	levels, text := s.auditLevels(merged.Format("2006-01-02"))
	if levels["chris"] != "none" {
		t.Errorf("audit at the day of the merge: chris has %s, before the approval existed:\n%s", levels["chris"], text)
	}
	levels, text = s.auditLevels(time.Now().Format("2006-01-02"))
	if levels["chris"] != "temporary_supervised" {
		t.Errorf("audit at the day of the approval: chris has %s:\n%s", levels["chris"], text)
	}
	if !strings.Contains(text, "approved after merge") {
		t.Errorf("audit at does not flag the approval after the merge:\n%s", text)
	}
}

// TestBypassesAreFindings: a grant pushed straight to main, with no pull
// request, is a finding of audit review and a line of audit timeline,
// naming its commit, even though it grants nothing; a commit message that
// claims a pull request names none.
func TestBypassesAreFindings(t *testing.T) {
	t.Parallel()
	s := newEvidenceStack(t, "required")
	if err := devstack.Commit(s.people, map[string]string{"people/chris.yaml": chrisGrant("Migrating the search cluster")}, "Merge pull request #99 from alphagov/grant-chris"); err != nil {
		t.Fatal(err)
	}
	s.push()
	commit := head(t, s.people)
	must(t, s.run("", "apply"), 0, "apply, which records the direct push")
	clone := s.freshClone()
	for _, args := range [][]string{{"audit", "review"}, {"audit", "timeline"}} {
		r := prodaccessEnv(t, clone, []string{"GITHUB_TOKEN="}, args...)
		must(t, r, 0, strings.Join(args, " "))
		if !strings.Contains(r.stdout, "pushed without a pull request") || !strings.Contains(r.stdout, commit[:12]) {
			t.Errorf("%v does not show the direct push of %s:\n%s", args, commit[:12], r.stdout)
		}
		for _, claim := range []string{"added in #99", "pull request #99)", "#99 approved", "(#99"} {
			if strings.Contains(r.stdout, claim) {
				t.Errorf("%v takes a pull request number from a commit message (%q):\n%s", args, claim, r.stdout)
			}
		}
	}
}

// TestRebaseMergeNamesItsPullRequest: a fact written by a rebase merge is
// named by its pull request, from the evidence, not from a message.
func TestRebaseMergeNamesItsPullRequest(t *testing.T) {
	t.Parallel()
	s := newEvidenceStack(t, "required")
	pr := s.grant(devstack.Rebase, s.chris)
	s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
	must(t, s.run("", "apply"), 0, "apply, which records the evidence")
	r := prodaccessEnv(t, s.freshClone(), []string{"GITHUB_TOKEN="}, "audit", "timeline", "chris", "--to", time.Now().AddDate(0, 0, 40).Format("2006-01-02"))
	must(t, r, 0, "audit timeline")
	if !strings.Contains(r.stdout, fmt.Sprintf("added in #%d", pr.Number)) {
		t.Errorf("the timeline does not name #%d:\n%s", pr.Number, r.stdout)
	}
}

// TestHiddenBypassActors: GitHub leaves a ruleset's bypass actors out of
// its answer unless the token may write the ruleset; that is "cannot see
// who may bypass", never "nobody may".
func TestHiddenBypassActors(t *testing.T) {
	t.Parallel()
	for _, policy := range []string{"required", "warn"} {
		t.Run(policy, func(t *testing.T) {
			s := newEvidenceStack(t, policy)
			s.gh.RulesetWriter = false
			pr := s.grant(devstack.Squash, s.chris)
			s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
			r := s.run("", "plan")
			if !strings.Contains(r.stdout, "cannot see who may bypass ruleset 1: the token needs write access to rulesets") {
				t.Errorf("the plan does not say it cannot see the bypass actors:\n%s", r.stdout)
			}
			refused := strings.Contains(r.stdout, "GRANTS REFUSED")
			if want := policy == "required"; refused != want || r.code != map[bool]int{true: 1, false: 2}[want] {
				t.Errorf("exit %d, grants refused %t under %s:\n%s", r.code, refused, policy, r.stdout)
			}
		})
	}
}

// TestPolicyOfTheBase: a pull request that adds a grant and lowers
// policy.evidence (or deletes the line) is judged under the policy before
// it; the lowering is reported and takes effect only with a lead's
// approval.
func TestPolicyOfTheBase(t *testing.T) {
	t.Parallel()
	required := fmt.Sprintf(evidenceConfig, "required")
	for _, lowered := range []string{strings.Replace(required, "evidence: required", `evidence: "off"`, 1), strings.Replace(required, "  evidence: required\n", "", 1)} {
		s := newEvidenceStack(t, "required")
		config := s.withSigners(lowered)
		pr, err := devstack.MergePull(s.people, s.gh, devstack.Pull{Repo: "alphagov/people", Branch: "grant-chris", Title: "Chris", Author: s.chris, Method: devstack.Squash, MergedBy: s.sam,
			Commits: []devstack.PullCommit{{Files: map[string]string{"people/chris.yaml": chrisGrant("Migrating the search cluster"), "prodaccess.yaml": config}, Message: "Grant", Author: s.chris}}})
		if err != nil {
			t.Fatal(err)
		}
		s.push()
		s.review(pr, s.sam, "APPROVED", pr.Commits[0].SHA) // a code owner, not a lead
		got, out := s.granted(s.freshClone())
		if got {
			t.Errorf("a pull request that lowered the policy granted under it:\n%s", out)
		}
		if !strings.Contains(out, "policy.evidence lowered from required to") || !strings.Contains(out, "not approved by a lead") {
			t.Errorf("the plan does not report the lowered policy:\n%s", out)
		}
		r := prodaccessEnv(t, s.freshClone(), []string{"GITHUB_TOKEN="}, "audit", "review")
		if !strings.Contains(r.stdout, "policy.evidence lowered from required to") {
			t.Errorf("audit review does not report the lowered policy:\n%s", r.stdout)
		}
		// The pull request's comment says so before the merge.
		c := prodaccessEnv(t, s.freshClone(), []string{"GITHUB_TOKEN="}, "changes", "--from", "HEAD~1", "--to", "HEAD", "--format", "markdown")
		must(t, c, 0, "changes")
		if !strings.Contains(c.stdout, "policy.evidence lowered from required to") || !strings.Contains(c.stdout, "widens access") {
			t.Errorf("the pull request's comment does not report the lowered policy:\n%s", c.stdout)
		}
	}
}

// TestUnreadableProtectionRefusesGrants: under required, protection that
// cannot be read refuses grants, naming the permission; removals go ahead.
func TestUnreadableProtectionRefusesGrants(t *testing.T) {
	t.Parallel()
	s := newEvidenceStack(t, "required")
	s.leaverAndApprovedGrant()
	forbidden := `{"message":"Resource not accessible by integration"}`
	s.gh.SetFaults(
		&fakegithub.Fault{Method: "GET", PathPrefix: "/repos/alphagov/people/rules/branches/", Status: 403, Body: forbidden},
		&fakegithub.Fault{Method: "GET", PathPrefix: "/repos/alphagov/people/branches/main/protection", Status: 403, Body: forbidden},
	)
	r := s.run("", "apply")
	if r.code != 1 || !strings.Contains(r.stdout, "GRANTS REFUSED") || !strings.Contains(r.stdout, "the token needs Administration: read on alphagov/people") {
		t.Errorf("exit %d; grants not refused, or the permission not named:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	members := strings.Join(s.gh.Members("gov-uk-production"), " ")
	if strings.Contains(members, "chris-gh") || strings.Contains(members, "pat-gh") {
		t.Errorf("team after apply: %s (chris must not be added, pat must be removed)", members)
	}
}

// TestAuditorVerifiesANoteWithSshKeygen: a note apply wrote verifies with
// ssh-keygen and the allowed-signers file evidence signers prints, as
// docs/evidence.md tells an auditor, with no prodaccess; a note changed
// after signing does not.
func TestAuditorVerifiesANoteWithSshKeygen(t *testing.T) {
	t.Parallel()
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("ssh-keygen is not installed")
	}
	s := newEvidenceStack(t, "required")
	pr := s.grant(devstack.Squash, s.chris)
	s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
	must(t, s.run("", "apply"), 0, "apply, which records the evidence")
	clone := s.freshClone()
	signers := prodaccessEnv(t, clone, []string{"GITHUB_TOKEN="}, "evidence", "signers")
	must(t, signers, 0, "evidence signers")
	dir := t.TempDir()
	allowed := filepath.Join(dir, "allowed_signers")
	if err := os.WriteFile(allowed, []byte(signers.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	note, err := devstack.Git(clone, "notes", "--ref", "prodaccess", "show", pr.MergeCommitSHA)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(note, "\n-----BEGIN SSH SIGNATURE-----")
	if i < 0 {
		t.Fatalf("the note is not signed:\n%s", note)
	}
	sig := filepath.Join(dir, "note.sig")
	if err := os.WriteFile(sig, []byte(note[i+1:]), 0o644); err != nil {
		t.Fatal(err)
	}
	verify := func(payload string) (string, error) {
		cmd := exec.Command(keygen, "-Y", "verify", "-f", allowed, "-I", "prodaccess", "-n", "prodaccess-evidence", "-s", sig)
		cmd.Stdin = strings.NewReader(payload)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := verify(note[:i+1]); err != nil {
		t.Errorf("ssh-keygen -Y verify refused the note apply wrote: %v\n%s", err, out)
	}
	if !strings.Contains(note[:i], `"commit": "`+pr.MergeCommitSHA+`"`) {
		t.Errorf("the signed note does not name the commit it is attached to:\n%s", note)
	}
	if out, err := verify(strings.Replace(note[:i+1], "alexlead-gds", "mallory", 1)); err == nil {
		t.Errorf("ssh-keygen verified a changed note:\n%s", out)
	}
}

// TestWarmPlanAsksNoEvidence: with 50 grants in force, each recorded in a
// signed note by an earlier apply, a plan asks GitHub for no evidence.
func TestWarmPlanAsksNoEvidence(t *testing.T) {
	t.Parallel()
	s := newEvidenceStack(t, "required")
	const n = 50
	s.manyGrants(n)
	must(t, s.run("", "apply"), 0, "apply, which records the evidence")
	if got := len(s.gh.Members("gov-uk-production")); got != 2+n {
		t.Fatalf("%d team members after apply, want %d", got, 2+n)
	}
	clone := s.freshClone()
	s.gh.ResetRequests()
	r := s.run(clone, "plan")
	must(t, r, 0, "a warm plan")
	for _, req := range s.gh.Requests() {
		if strings.Contains(req.Path, "/pulls") || strings.Contains(req.Path, "/contents/") || strings.Contains(req.Path, "/commits/") {
			t.Errorf("a warm plan asked for evidence: %s %s", req.Method, req.Path)
		}
	}
}
