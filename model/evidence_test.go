package model_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/evidence"
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
	noteOf := func(onEntry []int64, prs ...model.PullRequestFact) *model.CommitEvidence {
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
		{name: "approved by the lead; opened by the person", ev: noteOf([]int64{1}, pr(chrisAcct, review(1, alex, model.ReviewApproved, 10))), approver: lead,
			approved: true, agreed: true, approval: 1, agreedHow: "chris-gh opened #15"},
		{name: "no evidence recorded", ev: nil, approver: lead, missing: "no evidence is recorded for the commit that wrote it"},
		{name: "pushed without a pull request", ev: noteOf(nil), approver: lead, missing: "commit 0123456789ab was pushed to main without a pull request"},
		{name: "no review", ev: noteOf(nil, pr(chrisAcct)), approver: lead, agreed: true, missing: "no approving review by alexlead-gds on #15"},
		{name: "approved only before the entry was written", ev: noteOf(nil, pr(chrisAcct, review(1, alex, model.ReviewApproved, 10))), approver: lead, agreed: true,
			missing: "alexlead-gds approved #15 only on a commit before the entry was written"},
		{name: "the approver opened the pull request", ev: noteOf([]int64{1}, pr(alex, review(1, alex, model.ReviewApproved, 10))), approver: lead,
			missing: "alexlead-gds opened #15, and an author's own approval does not count; the person's agreement is not shown: chris-gh neither opened #15, approved it, nor committed to it with a commit GitHub verified as signed by them"},
		{name: "dismissed", ev: noteOf([]int64{1}, pr(chrisAcct, review(1, alex, model.ReviewDismissed, 10))), approver: lead, agreed: true,
			missing: "the approving review by alexlead-gds on #15 was dismissed"},
		{name: "changes requested after approving", ev: noteOf([]int64{1, 2}, pr(chrisAcct, review(1, alex, model.ReviewApproved, 10), review(2, alex, model.ReviewChangesRequested, 20))), approver: lead, agreed: true,
			missing: "alexlead-gds approved #15, then requested changes or had the approval dismissed"},
		{name: "approved again after requesting changes", ev: noteOf([]int64{1, 2, 3}, pr(chrisAcct, review(1, alex, model.ReviewApproved, 10), review(2, alex, model.ReviewChangesRequested, 20), review(3, alex, model.ReviewApproved, 30))), approver: lead,
			approved: true, agreed: true, approval: 3, agreedHow: "chris-gh opened #15"},
		{name: "a comment does not approve", ev: noteOf([]int64{1}, pr(chrisAcct, review(1, alex, model.ReviewCommented, 10))), approver: lead, agreed: true,
			missing: "no approving review by alexlead-gds on #15"},
		{name: "someone else approved", ev: noteOf([]int64{1}, pr(chrisAcct, review(1, mallory, model.ReviewApproved, 10))), approver: lead, agreed: true,
			missing: "no approving review by alexlead-gds on #15"},
		{name: "renamed login: the id decides", ev: noteOf([]int64{1}, pr(chrisAcct, review(1, model.Account{Login: "alex-new-name", ID: 11}, model.ReviewApproved, 10))), approver: lead,
			approved: true, agreed: true, approval: 1, agreedHow: "chris-gh opened #15"},
		{name: "old login now someone else's: the id decides", ev: noteOf([]int64{1}, pr(chrisAcct, review(1, model.Account{Login: "alexlead-gds", ID: 99}, model.ReviewApproved, 10))), approver: lead, agreed: true,
			missing: "no approving review by alexlead-gds on #15"},
		{name: "without an id, the login without regard to case", ev: noteOf([]int64{1}, pr(chrisAcct, review(1, alex, model.ReviewApproved, 10))), approver: leadNoID,
			approved: true, agreed: true, approval: 1, agreedHow: "chris-gh opened #15"},
		{name: "approver without a login", ev: noteOf([]int64{1}, pr(chrisAcct, review(1, alex, model.ReviewApproved, 10))), approver: leadNoLogin, agreed: true,
			missing: "approver alex-lead has no github login in their file, so no review can be theirs"},
		{name: "agreement by a commit GitHub verified as signed by the person", ev: noteOf([]int64{1}, func() model.PullRequestFact {
			p := pr(mallory, review(1, alex, model.ReviewApproved, 10))
			p.SignedBy = []model.Account{chrisAcct}
			return p
		}()), approver: lead, approved: true, agreed: true, approval: 1, agreedHow: "chris-gh committed to #15 with a commit GitHub verified as signed by them"},
		{name: "agreement by approving", ev: noteOf([]int64{1, 2}, pr(mallory, review(1, alex, model.ReviewApproved, 10), review(2, chrisAcct, model.ReviewApproved, 11))), approver: lead,
			approved: true, agreed: true, approval: 1, agreedHow: "chris-gh approved #15"},
		{name: "no agreement", ev: noteOf([]int64{1}, pr(mallory, review(1, alex, model.ReviewApproved, 10))), approver: lead, approved: true, approval: 1,
			missing: "the person's agreement is not shown: chris-gh neither opened #15, approved it, nor committed to it with a commit GitHub verified as signed by them"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := &model.EntryBase{Authority: evidence.NewAuthority([]*model.Person{tt.approver}, model.DefaultPolicy()), Files: map[string]*model.Person{tt.approver.ID: tt.approver}}
			pf := model.Prove(tt.ev, entry, chris, tt.approver, base)
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
	// The branch before both entries, under a policy: lead was the
	// approver of record.
	basesUnder := func(e model.EvidencePolicy) map[string]*model.EntryBase {
		policy := model.DefaultPolicy()
		policy.Evidence = e
		before := &model.EntryBase{Commit: "base", Authority: evidence.NewAuthority(r.People, policy), Files: map[string]*model.Person{"lead": r.Person("lead")}}
		return map[string]*model.EntryBase{grant.Key(): before, reinstatement.Key(): before}
	}

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
	check("required, proven", &model.Evidence{Policy: model.EvidenceRequired, ByEntry: proven, Bases: basesUnder(model.EvidenceRequired)}, map[string]model.Level{"p": model.TemporarySupervised, "ron": model.Permanent}, "approved by lead, supervised by pam: Migrating the search cluster")
	check("required, pushed without review", &model.Evidence{Policy: model.EvidenceRequired, ByEntry: unproven, Bases: basesUnder(model.EvidenceRequired)}, map[string]model.Level{"p": model.None, "ron": model.None},
		"temporary-exception: 2026-03-01 to 2026-03-31 grants nothing: commit aaaa was pushed to main without a pull request")
	check("required, reinstatement", &model.Evidence{Policy: model.EvidenceRequired, ByEntry: unproven, Bases: basesUnder(model.EvidenceRequired)}, map[string]model.Level{"p": model.None, "ron": model.None},
		"the reinstatement of 2025-09-21 does not count: approval not proven: no evidence is recorded for the commit that wrote it")
	check("warn", &model.Evidence{Policy: model.EvidenceWarn, ByEntry: unproven, Bases: basesUnder(model.EvidenceWarn)}, map[string]model.Level{"p": model.TemporarySupervised, "ron": model.Permanent},
		"(not proven: commit aaaa was pushed to main without a pull request)")
	check("off", &model.Evidence{Policy: model.EvidenceOff, ByEntry: unproven, Bases: basesUnder(model.EvidenceOff)}, map[string]model.Level{"p": model.TemporarySupervised, "ron": model.Permanent}, "supervised by pam: Migrating")

	// Approved on 12 March, after the merge: the grant counts from then,
	// and the reinstatement, approved on 5 March, from then.
	at := func(day int) *model.CommitEvidence {
		pr := approvedPR
		pr.Reviews = []model.ReviewFact{{ID: 7, User: model.Account{Login: "lee-gh", ID: 1}, State: model.ReviewApproved, SubmittedAt: time.Date(2026, 3, day, 9, 0, 0, 0, time.UTC)}}
		return &model.CommitEvidence{Commit: "cccc", PullRequests: []model.PullRequestFact{pr}, Entries: []model.EntryEvidence{{Entry: grant, ReviewsOnEntry: []int64{7}}, {Entry: reinstatement, ReviewsOnEntry: []int64{7}}}}
	}
	r.SetEvidence(&model.Evidence{Policy: model.EvidenceRequired, ByEntry: map[string]*model.CommitEvidence{grant.Key(): at(12), reinstatement.Key(): at(5)}, Bases: basesUnder(model.EvidenceRequired), Location: time.UTC})
	for _, c := range []struct {
		id   string
		day  model.Day
		want model.Level
	}{{"p", model.DayFromDate(2026, 3, 11), model.None}, {"p", model.DayFromDate(2026, 3, 12), model.TemporarySupervised}, {"ron", model.DayFromDate(2026, 3, 4), model.None}, {"ron", model.DayFromDate(2026, 3, 5), model.Permanent}} {
		if got := r.Level(r.Person(c.id), c.day); got != c.want {
			t.Errorf("%s on %s: %s, want %s: %q", c.id, c.day, got, c.want, r.Decide(r.Person(c.id), c.day).ReasonStrings())
		}
	}
	if why := strings.Join(r.Decide(r.Person("p"), model.DayFromDate(2026, 3, 11)).ReasonStrings(), "\n"); !strings.Contains(why, "it counts from 2026-03-12, when its evidence was complete") {
		t.Errorf("the reason does not say from when the grant counts:\n%s", why)
	}
	if days := r.ChangeDays(r.Person("p")); !slices.Contains(days, model.DayFromDate(2026, 3, 12)) {
		t.Errorf("the day the grant was proven is not a day its level may change: %v", days)
	}
}

// TestProveFromTheBase: who may approve, and with which account, is what
// the branch held before the pull request that wrote the entry; a change
// to the authority is approved by any approver of record but the one it
// concerns, and not by the pull request's author.
func TestProveFromTheBase(t *testing.T) {
	alexFile := &model.Person{ID: "alex", GitHub: "alexlead-gds", GitHubID: 11, Role: model.LeadDeveloper}
	hannahFile := &model.Person{ID: "hannah", GitHub: "hannah-gh", GitHubID: 12, Role: model.HeadOfTechnology}
	malloryDev := &model.Person{ID: "mallory", GitHub: "mallory", GitHubID: 66, Role: model.Developer}
	malloryLead := &model.Person{ID: "mallory", GitHub: "mallory", GitHubID: 66, Role: model.LeadDeveloper}
	chris := &model.Person{ID: "chris", GitHub: "chris-gh", GitHubID: 22}
	alex, mallory, hannah, chrisAcct := model.Account{Login: "alexlead-gds", ID: 11}, model.Account{Login: "mallory", ID: 66}, model.Account{Login: "hannah-gh", ID: 12}, model.Account{Login: "chris-gh", ID: 22}
	start, end := model.DayFromDate(2026, 11, 16), model.DayFromDate(2026, 12, 31)
	agreed := true
	grant := func(by string) model.EntryRef {
		return model.EntryRef{Person: "chris", Kind: model.TemporaryEntry, Start: &start, End: &end, ApprovedBy: by, Supervisor: "sam", Agreed: &agreed, Reason: "R"}
	}
	promotion := model.EntryRef{Kind: model.ApproverEntry, Person: "mallory", Reason: "role=lead_developer github=mallory github_id=66"}
	merged := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	ev := func(e model.EntryRef, author model.Account, reviewers ...model.Account) *model.CommitEvidence {
		var reviews []model.ReviewFact
		var ids []int64
		for i, r := range reviewers {
			reviews = append(reviews, model.ReviewFact{ID: int64(i + 1), User: r, State: model.ReviewApproved, CommitID: "c", SubmittedAt: merged.Add(-time.Minute)})
			ids = append(ids, int64(i+1))
		}
		return &model.CommitEvidence{Commit: "0123456789abcdef", Branch: "main", Entries: []model.EntryEvidence{{Entry: e, ReviewsOnEntry: ids}},
			PullRequests: []model.PullRequestFact{{Number: 7, Author: author, MergedAt: &merged, Reviews: reviews}}}
	}
	base := func(files ...*model.Person) *model.EntryBase {
		var approvers []*model.Person
		b := &model.EntryBase{Commit: "base", Files: map[string]*model.Person{}}
		for _, f := range files {
			b.Files[f.ID] = f
			approvers = append(approvers, f)
		}
		b.Authority = evidence.NewAuthority(approvers, model.DefaultPolicy())
		return b
	}
	tests := []struct {
		name    string
		ev      *model.CommitEvidence
		entry   model.EntryRef
		now     *model.Person // the approver's file after the pull request
		base    *model.EntryBase
		proven  bool
		missing string
	}{
		{"the lead of record approves", ev(grant("alex"), chrisAcct, alex), grant("alex"), alexFile, base(alexFile), true, ""},
		{"the pull request gave the lead's file another account", ev(grant("alex"), chrisAcct, mallory), grant("alex"),
			&model.Person{ID: "alex", GitHub: "mallory", GitHubID: 66, Role: model.LeadDeveloper}, base(alexFile), false,
			"no approving review by alexlead-gds on #7; alex's GitHub account is taken from before the pull request that wrote the entry (alexlead-gds (id 11)), since a change to an approver's account counts only once a lead approves it"},
		{"a lead the pull request made", ev(grant("mallory"), chrisAcct, mallory), grant("mallory"), malloryLead, base(alexFile), false,
			"mallory was not an approver before #7, which wrote the entry (they had no person file): a pull request cannot make its own approver"},
		{"a lead the pull request promoted", ev(grant("mallory"), chrisAcct, mallory), grant("mallory"), malloryLead, base(alexFile, malloryDev), false,
			"mallory was not an approver before #7, which wrote the entry (their role was developer): a pull request cannot make its own approver"},
		{"a lead whose promotion no lead approved", ev(grant("mallory"), chrisAcct, mallory), grant("mallory"), malloryLead,
			func() *model.EntryBase { b := base(alexFile); b.Files["mallory"] = malloryLead; return b }(), false,
			"mallory was not an approver of record before #7: the change that made them one is not approved by a lead"},
		{"a promotion approved by another lead", ev(promotion, chrisAcct, hannah), promotion, nil, base(alexFile, hannahFile), true, ""},
		{"a promotion approved only by the one promoted", ev(promotion, chrisAcct, mallory), promotion, nil,
			func() *model.EntryBase {
				b := base(alexFile)
				b.Authority.Approvers["mallory"] = model.Approver{"mallory", 66, model.LeadDeveloper}
				return b
			}(), false,
			"no approving review by a lead of record (alex) on #7"},
		{"a promotion its author approved", ev(promotion, alex, alex), promotion, nil, base(alexFile), false,
			"a lead of record (alex) opened #7, and an author's own approval does not count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			grantee := chris
			if tt.entry.Kind != model.TemporaryEntry {
				grantee = nil
			}
			pf := model.Prove(tt.ev, tt.entry, grantee, tt.now, tt.base)
			if pf.Proven() != tt.proven {
				t.Errorf("proven %t, want %t: %q", pf.Proven(), tt.proven, pf.Missing)
			}
			if got := strings.Join(pf.Missing, "; "); got != tt.missing {
				t.Errorf("missing:\n got %q\nwant %q", got, tt.missing)
			}
		})
	}
}

// TestProvenAt: an entry is proven when its evidence is complete, the
// later of the merge, the approval and an agreement given by review; an
// approval after the merge is flagged.
func TestProvenAt(t *testing.T) {
	lead := &model.Person{ID: "alex", GitHub: "alexlead-gds", GitHubID: 11, Role: model.LeadDeveloper}
	chris := &model.Person{ID: "chris", GitHub: "chris-gh", GitHubID: 22}
	alex, chrisAcct, sam := model.Account{Login: "alexlead-gds", ID: 11}, model.Account{Login: "chris-gh", ID: 22}, model.Account{Login: "sam", ID: 33}
	start, end := model.DayFromDate(2026, 11, 16), model.DayFromDate(2026, 12, 31)
	agreed := true
	e := model.EntryRef{Person: "chris", Kind: model.TemporaryEntry, Start: &start, End: &end, ApprovedBy: "alex", Supervisor: "sam", Agreed: &agreed, Reason: "R"}
	day := func(d int) time.Time { return time.Date(2026, 12, d, 12, 0, 0, 0, time.UTC) }
	base := &model.EntryBase{Authority: evidence.NewAuthority([]*model.Person{lead}, model.DefaultPolicy()), Files: map[string]*model.Person{"alex": lead}}
	tests := []struct {
		name     string
		author   model.Account
		merged   time.Time
		reviews  []model.ReviewFact
		provenAt time.Time
		flagged  bool
	}{
		{"approved, then merged", chrisAcct, day(4), []model.ReviewFact{{ID: 1, User: alex, State: model.ReviewApproved, SubmittedAt: day(3)}}, day(4), false},
		{"merged, then approved", chrisAcct, day(4), []model.ReviewFact{{ID: 1, User: alex, State: model.ReviewApproved, SubmittedAt: day(6)}}, day(6), true},
		{"agreed by a review after the approval", sam, day(4), []model.ReviewFact{
			{ID: 1, User: alex, State: model.ReviewApproved, SubmittedAt: day(3)},
			{ID: 2, User: chrisAcct, State: model.ReviewApproved, SubmittedAt: day(8)}}, day(8), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ids []int64
			for _, r := range tt.reviews {
				ids = append(ids, r.ID)
			}
			ev := &model.CommitEvidence{Commit: "c0ffee", Branch: "main", Entries: []model.EntryEvidence{{Entry: e, ReviewsOnEntry: ids}},
				PullRequests: []model.PullRequestFact{{Number: 2, Author: tt.author, MergedAt: &tt.merged, Reviews: tt.reviews}}}
			pf := model.Prove(ev, e, chris, lead, base)
			if !pf.Proven() || pf.ProvenAt == nil || !pf.ProvenAt.Equal(tt.provenAt) {
				t.Fatalf("proven %t at %v, want at %v (%q)", pf.Proven(), pf.ProvenAt, tt.provenAt, pf.Missing)
			}
			if got := slices.Contains(pf.Flags, "approved after merge"); got != tt.flagged {
				t.Errorf("flags %q", pf.Flags)
			}
		})
	}
}
