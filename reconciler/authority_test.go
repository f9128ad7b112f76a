package reconciler

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/evidence"
	"github.com/prodaccess/prodaccess/model"
)

// TestBuildAuthority: along the line, a change that widens access takes
// effect when a lead of record before its pull request approved it, and
// not otherwise under a required policy; a later change cannot ride on an
// earlier unapproved one; the evidence of a change is looked up when it
// is not recorded.
func TestBuildAuthority(t *testing.T) {
	lead := func(id, login string, ghid int64) *model.Person {
		return &model.Person{ID: id, GitHub: login, GitHubID: ghid, Role: model.LeadDeveloper}
	}
	alex, mallory, hannah := lead("alex", "alexlead-gds", 11), lead("mallory", "mallory", 66), lead("hannah", "hannah-gh", 12)
	required := model.DefaultPolicy()
	required.Evidence = model.EvidenceRequired
	off := required
	off.Evidence = model.EvidenceOff
	merged := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	// approvedBy is the evidence of a commit whose pull request (by chris)
	// a reviewer approved, on a commit holding the entries.
	approvedBy := func(commit string, reviewer model.Account, entries ...model.EntryRef) *model.CommitEvidence {
		ev := &model.CommitEvidence{Commit: commit, Branch: "main", PullRequests: []model.PullRequestFact{{Number: len(commit), MergeCommit: commit, Commits: 1, MergedAt: &merged,
			Author: model.Account{Login: "chris-gh", ID: 22}, Reviews: []model.ReviewFact{{ID: 1, User: reviewer, State: model.ReviewApproved, SubmittedAt: merged}}}}}
		for _, e := range entries {
			ev.Entries = append(ev.Entries, model.EntryEvidence{Entry: e, ReviewsOnEntry: []int64{1}})
		}
		return ev
	}
	entry := func(p *model.Person) model.EntryRef { e, _ := evidence.ApproverEntryOf(p); return e }
	// step is a commit whose files hold the people and the policy (written
	// by policyIntro), with the commits that wrote some people's standing.
	step := func(commit string, policy model.Policy, policyIntro string, intro map[*model.Person]string, people ...*model.Person) AuthorityStep {
		s := AuthorityStep{Commit: commit, People: people, Policy: policy, Intro: map[string]string{}}
		for p, c := range intro {
			s.Intro[entry(p).Key()] = c
		}
		s.Intro[evidence.PolicyEntryOf(policy).Key()] = policyIntro
		return s
	}
	line := []string{"c0", "c1", "c2", "c3", "c4"}
	steps := []AuthorityStep{
		step("c0", required, "c0", nil, alex),
		step("c1", required, "c0", map[*model.Person]string{hannah: "c1"}, alex, hannah),           // hannah promoted; alex approves
		step("c2", required, "c0", map[*model.Person]string{mallory: "c2"}, alex, hannah, mallory), // mallory promoted; only mallory approves
		step("c3", off, "c3", map[*model.Person]string{mallory: "c2"}, alex, hannah, mallory),      // the policy lowered: no evidence yet
		step("c4", off, "c3", map[*model.Person]string{mallory: "c2"}, alex, hannah, mallory),      // nothing new
	}
	alexAcct, malloryAcct, hannahAcct := model.Account{Login: "alexlead-gds", ID: 11}, model.Account{Login: "mallory", ID: 66}, model.Account{Login: "hannah-gh", ID: 12}
	recorded := map[string]*model.CommitEvidence{
		"c1": approvedBy("c1", alexAcct, entry(hannah)),
		"c2": approvedBy("c2", malloryAcct, entry(mallory)),
	}
	asked := map[string]int{}
	lookup := func(commit string, signers []string) (*model.CommitEvidence, bool) {
		asked[commit]++
		ev, ok := recorded[commit]
		return ev, ok
	}
	chain := BuildAuthority(line, steps, lookup)
	approvers := func(a model.Authority) []string {
		var out []string
		for id := range a.Approvers {
			out = append(out, id)
		}
		return sortedStrings(out)
	}
	if diff := cmp.Diff([]string{"alex", "hannah"}, approvers(chain.Tip())); diff != "" {
		t.Errorf("approvers at the tip (-want +got):\n%s", diff)
	}
	if got := chain.Tip().Policy.Evidence; got != model.EvidenceRequired {
		t.Errorf("the policy at the tip is %s: an unapproved lowering took effect", got)
	}
	if diff := cmp.Diff([]string{"c3"}, chain.Lookups); diff != "" {
		t.Errorf("lookups (-want +got):\n%s", diff)
	}
	var pending []string
	for _, p := range chain.Pending {
		pending = append(pending, p.Commit+": "+p.What)
	}
	if diff := cmp.Diff([]string{"c2: mallory becomes an approver (lead_developer)", "c3: policy.evidence lowered from required to off"}, pending); diff != "" {
		t.Errorf("pending (-want +got):\n%s", diff)
	}
	if got := approvers(chain.At("c0")); strings.Join(got, ",") != "alex" {
		t.Errorf("approvers after c0: %v", got)
	}

	// Hannah approves the lowering: it takes effect from c3.
	recorded["c3"] = approvedBy("c3", hannahAcct, evidence.PolicyEntryOf(off))
	chain = BuildAuthority(line, steps, lookup)
	if got := chain.At("c2").Policy.Evidence; got != model.EvidenceRequired {
		t.Errorf("the policy after c2 is %s", got)
	}
	if got := chain.Tip().Policy.Evidence; got != model.EvidenceOff {
		t.Errorf("the policy at the tip is %s after a lead approved lowering it", got)
	}
}

func sortedStrings(s []string) []string { return slices.Sorted(slices.Values(s)) }
