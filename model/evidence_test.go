package model_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/model"
)

func TestProve(t *testing.T) {
	lead := &model.Person{ID: "alex-lead", GitHub: "alexlead-gds", GitHubID: 11, Role: model.LeadDeveloper}
	leadNoID := &model.Person{ID: "alex-lead", GitHub: "AlexLead-GDS", Role: model.LeadDeveloper}
	leadNoLogin := &model.Person{ID: "alex-lead", Role: model.LeadDeveloper}
	chris := &model.Person{ID: "chris-contractor", GitHub: "chris-gh", GitHubID: 22}
	start, end := model.DayFromDate(2026, 11, 16), model.DayFromDate(2027, 1, 31)
	agreed := true
	entry := model.EntryRef{Person: "chris-contractor", Kind: model.TemporaryEntry, Start: &start, End: &end, ApprovedBy: "alex-lead", Supervisor: "sam-senior", Agreed: &agreed, Reason: "Migrating"}
	at := func(min int) time.Time { return time.Date(2026, 11, 10, 12, min, 0, 0, time.UTC) }
	alex := model.Account{Login: "alexlead-gds", ID: 11}
	chrisAcct := model.Account{Login: "chris-gh", ID: 22}
	mallory := model.Account{Login: "mallory", ID: 66}
	review := func(id int64, user model.Account, state string, min int) model.ReviewFact {
		return model.ReviewFact{ID: id, User: user, State: state, CommitID: "c", SubmittedAt: at(min)}
	}
	merged := at(50)
	pr := func(author model.Account, reviews ...model.ReviewFact) model.PullRequestFact {
		return model.PullRequestFact{Number: 15, Author: author, MergedBy: &alex, MergedAt: &merged, Base: "main", Reviews: reviews}
	}
	evidence := func(onEntry []int64, prs ...model.PullRequestFact) *model.CommitEvidence {
		return &model.CommitEvidence{Commit: "0123456789abcdef", Branch: "main", PullRequests: prs, Entries: []model.EntryEvidence{{Entry: entry, ReviewsOnEntry: onEntry}}}
	}
	tests := []struct {
		name      string
		ev        *model.CommitEvidence
		approver  *model.Person
		approved  bool
		agreed    bool
		missing   string
		approval  int64
		agreedHow string
	}{
		{name: "approved by the lead; opened by the person", ev: evidence([]int64{1}, pr(chrisAcct, review(1, alex, model.ReviewApproved, 10))), approver: lead,
			approved: true, agreed: true, approval: 1, agreedHow: "chris-gh opened #15"},
		{name: "no evidence recorded", ev: nil, approver: lead, missing: "no evidence is recorded for the commit that wrote it"},
		{name: "pushed without a pull request", ev: evidence(nil), approver: lead, missing: "commit 0123456789ab was pushed to main without a pull request"},
		{name: "no review", ev: evidence(nil, pr(chrisAcct)), approver: lead, agreed: true, missing: "no approving review by alexlead-gds on #15"},
		{name: "approved only before the entry was written", ev: evidence(nil, pr(chrisAcct, review(1, alex, model.ReviewApproved, 10))), approver: lead, agreed: true,
			missing: "alexlead-gds approved #15 only on a commit before the entry was written"},
		{name: "the approver opened the pull request", ev: evidence([]int64{1}, pr(alex, review(1, alex, model.ReviewApproved, 10))), approver: lead,
			missing: "alexlead-gds opened #15, and an author's own approval does not count; the person's agreement is not shown: chris-gh neither opened, wrote a commit in, nor approved #15"},
		{name: "dismissed", ev: evidence([]int64{1}, pr(chrisAcct, review(1, alex, model.ReviewDismissed, 10))), approver: lead, agreed: true,
			missing: "the approving review by alexlead-gds on #15 was dismissed"},
		{name: "changes requested after approving", ev: evidence([]int64{1, 2}, pr(chrisAcct, review(1, alex, model.ReviewApproved, 10), review(2, alex, model.ReviewChangesRequested, 20))), approver: lead, agreed: true,
			missing: "alexlead-gds approved #15, then requested changes or had the approval dismissed"},
		{name: "approved again after requesting changes", ev: evidence([]int64{1, 2, 3}, pr(chrisAcct, review(1, alex, model.ReviewApproved, 10), review(2, alex, model.ReviewChangesRequested, 20), review(3, alex, model.ReviewApproved, 30))), approver: lead,
			approved: true, agreed: true, approval: 3, agreedHow: "chris-gh opened #15"},
		{name: "a comment does not approve", ev: evidence([]int64{1}, pr(chrisAcct, review(1, alex, model.ReviewCommented, 10))), approver: lead, agreed: true,
			missing: "no approving review by alexlead-gds on #15"},
		{name: "someone else approved", ev: evidence([]int64{1}, pr(chrisAcct, review(1, mallory, model.ReviewApproved, 10))), approver: lead, agreed: true,
			missing: "no approving review by alexlead-gds on #15"},
		{name: "renamed login: the id decides", ev: evidence([]int64{1}, pr(chrisAcct, review(1, model.Account{Login: "alex-new-name", ID: 11}, model.ReviewApproved, 10))), approver: lead,
			approved: true, agreed: true, approval: 1, agreedHow: "chris-gh opened #15"},
		{name: "old login now someone else's: the id decides", ev: evidence([]int64{1}, pr(chrisAcct, review(1, model.Account{Login: "alexlead-gds", ID: 99}, model.ReviewApproved, 10))), approver: lead, agreed: true,
			missing: "no approving review by alexlead-gds on #15"},
		{name: "without an id, the login without regard to case", ev: evidence([]int64{1}, pr(chrisAcct, review(1, alex, model.ReviewApproved, 10))), approver: leadNoID,
			approved: true, agreed: true, approval: 1, agreedHow: "chris-gh opened #15"},
		{name: "approver without a login", ev: evidence([]int64{1}, pr(chrisAcct, review(1, alex, model.ReviewApproved, 10))), approver: leadNoLogin, agreed: true,
			missing: "approver alex-lead has no github login in their file, so no review can be theirs"},
		{name: "agreement by a commit", ev: evidence([]int64{1}, func() model.PullRequestFact {
			p := pr(mallory, review(1, alex, model.ReviewApproved, 10))
			p.CommitAuthors = []model.Account{chrisAcct}
			return p
		}()), approver: lead, approved: true, agreed: true, approval: 1, agreedHow: "chris-gh wrote a commit in #15"},
		{name: "agreement by approving", ev: evidence([]int64{1, 2}, pr(mallory, review(1, alex, model.ReviewApproved, 10), review(2, chrisAcct, model.ReviewApproved, 11))), approver: lead,
			approved: true, agreed: true, approval: 1, agreedHow: "chris-gh approved #15"},
		{name: "no agreement", ev: evidence([]int64{1}, pr(mallory, review(1, alex, model.ReviewApproved, 10))), approver: lead, approved: true, approval: 1,
			missing: "the person's agreement is not shown: chris-gh neither opened, wrote a commit in, nor approved #15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pf := model.Prove(tt.ev, entry, chris, tt.approver)
			if pf.Approved != tt.approved || pf.Agreed != tt.agreed {
				t.Errorf("approved %t agreed %t, want %t %t; missing %q", pf.Approved, pf.Agreed, tt.approved, tt.agreed, pf.Missing)
			}
			if got := strings.Join(pf.Missing, "; "); got != tt.missing {
				t.Errorf("missing:\n got %q\nwant %q", got, tt.missing)
			}
			var approval int64
			if pf.Approval != nil {
				approval = pf.Approval.ID
			}
			if approval != tt.approval || (tt.agreedHow != "" || !tt.agreed) && pf.AgreedHow != tt.agreedHow {
				t.Errorf("approval %d (%q), want %d (%q)", approval, pf.AgreedHow, tt.approval, tt.agreedHow)
			}
		})
	}
}

// TestEvidencePolicy: with evidence required, an entry without proven
// approval grants nothing and says why; with warn it grants and says what
// is not proven; a reinstatement needs proof as a grant does.
func TestEvidencePolicy(t *testing.T) {
	lead := leadFile + "github: lee-gh\n"
	contractor := `
name: Cy Contractor
email: cy.contractor@example.gov.uk
github: cy-gh
programme: other
role: other
employment: contractor
clearance: bpss
temporary_access:
  - {start: 2026-03-01, end: 2026-03-31, approved_by: lead, supervisor: pam, agreed: true, reason: Migrating the search cluster}
`
	returned := strings.Replace(permFile, "pam.permanent@", "ron.returned@", 1) + `
absences:
  - {start: 2025-07-01, end: 2025-09-20}
reinstated:
  - {date: 2025-09-21, approved_by: lead}
`
	r := rosterOf(t, model.DefaultPolicy(), map[string]string{"p": contractor, "lead": lead, "pam": permFile, "ron": returned})
	grant := r.Person("p").TemporaryAccess[0].Ref("p")
	reinstatement := r.Person("ron").Reinstated[0].Ref("ron")
	merged := time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)
	approvedPR := model.PullRequestFact{Number: 15, Author: model.Account{Login: "cy-gh", ID: 2}, MergedAt: &merged,
		Reviews: []model.ReviewFact{{ID: 7, User: model.Account{Login: "lee-gh", ID: 1}, State: model.ReviewApproved}}}
	proven := map[string]*model.CommitEvidence{
		grant.Key():         {Commit: "aaaa", PullRequests: []model.PullRequestFact{approvedPR}, Entries: []model.EntryEvidence{{Entry: grant, ReviewsOnEntry: []int64{7}}}},
		reinstatement.Key(): {Commit: "bbbb", PullRequests: []model.PullRequestFact{approvedPR}, Entries: []model.EntryEvidence{{Entry: reinstatement, ReviewsOnEntry: []int64{7}}}},
	}
	unproven := map[string]*model.CommitEvidence{grant.Key(): {Commit: "aaaa", Branch: "main"}}

	check := func(name string, ev *model.Evidence, want map[string]model.Level, reason string) {
		t.Helper()
		r.SetEvidence(ev)
		got := map[string]model.Level{"p": r.Level(r.Person("p"), model.DayFromDate(2026, 3, 10)), "ron": r.Level(r.Person("ron"), model.DayFromDate(2026, 3, 10))}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: levels (-want +got):\n%s", name, diff)
		}
		all := strings.Join(append(r.Decide(r.Person("p"), model.DayFromDate(2026, 3, 10)).ReasonStrings(), r.Decide(r.Person("ron"), model.DayFromDate(2026, 3, 10)).ReasonStrings()...), "\n")
		if !strings.Contains(all, reason) {
			t.Errorf("%s: reasons do not say %q:\n%s", name, reason, all)
		}
	}
	check("no evidence looked at", nil, map[string]model.Level{"p": model.TemporarySupervised, "ron": model.Permanent}, "approved by lead, supervised by pam: Migrating the search cluster")
	check("required, proven", &model.Evidence{Policy: model.EvidenceRequired, ByEntry: proven}, map[string]model.Level{"p": model.TemporarySupervised, "ron": model.Permanent}, "approved by lead, supervised by pam: Migrating the search cluster")
	check("required, pushed without review", &model.Evidence{Policy: model.EvidenceRequired, ByEntry: unproven}, map[string]model.Level{"p": model.None, "ron": model.None},
		"temporary-exception: 2026-03-01 to 2026-03-31 grants nothing: commit aaaa was pushed to main without a pull request")
	check("required, reinstatement", &model.Evidence{Policy: model.EvidenceRequired, ByEntry: unproven}, map[string]model.Level{"p": model.None, "ron": model.None},
		"the reinstatement of 2025-09-21 does not count: approval not proven: no evidence is recorded for the commit that wrote it")
	check("warn", &model.Evidence{Policy: model.EvidenceWarn, ByEntry: unproven}, map[string]model.Level{"p": model.TemporarySupervised, "ron": model.Permanent},
		"(not proven: commit aaaa was pushed to main without a pull request)")
	check("off", &model.Evidence{Policy: model.EvidenceOff, ByEntry: unproven}, map[string]model.Level{"p": model.TemporarySupervised, "ron": model.Permanent}, "supervised by pam: Migrating")
}
