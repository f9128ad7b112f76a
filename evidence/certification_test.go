package evidence

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/model"
)

// TestProveCertification: a row of a review file is signed off by the
// approval of a lead of record before the pull request whom the row
// names, not the person, on a commit that held the row.
func TestProveCertification(t *testing.T) {
	at := model.DayFromDate(2026, time.December, 6)
	cert := &Certification{Period: "2026-Q4", At: at, Commit: strings.Repeat("a", 40), Rows: []CertificationRow{{ID: "sam", Name: "Sam", Level: model.Permanent, Basis: []string{"after-primary-shift"}, Certifiers: []string{"alex"}}}}
	row := cert.Ref(cert.Rows[0])
	merged := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	alex, hannah := model.Account{Login: "alex-gh", ID: 11}, model.Account{Login: "hannah-gh", ID: 44}
	base := &model.EntryBase{Commit: strings.Repeat("b", 40), Authority: model.Authority{Approvers: map[string]model.Approver{"alex": {GitHub: "alex-gh", GitHubID: 11, Role: model.LeadDeveloper}, "hannah": {GitHub: "hannah-gh", GitHubID: 44, Role: model.HeadOfTechnology}}}}
	ev := func(by model.Account, onEntry bool) *model.CommitEvidence {
		r := model.ReviewFact{ID: 7, User: by, State: model.ReviewApproved, CommitID: "c", SubmittedAt: merged.Add(-time.Hour)}
		ee := model.EntryEvidence{Entry: row, ReviewsOnEntry: []int64{}}
		if onEntry {
			ee.ReviewsOnEntry = []int64{7}
		}
		return &model.CommitEvidence{Commit: strings.Repeat("c", 40), PullRequests: []model.PullRequestFact{{Number: 3, Author: model.Account{Login: "prodaccess[bot]", ID: 1}, MergedAt: &merged, Reviews: []model.ReviewFact{r}}}, Entries: []model.EntryEvidence{ee}}
	}
	tests := []struct {
		name    string
		ev      *model.CommitEvidence
		base    *model.EntryBase
		proven  bool
		missing string
	}{
		{"the lead named approved", ev(alex, true), base, true, ""},
		{"another lead, not named, approved", ev(hannah, true), base, false, "no approving review by a lead of record named to sign it off (alex) on #3"},
		{"the lead approved an earlier commit", ev(alex, false), base, false, "approved #3 only on a commit before the entry was written"},
		{"the lead named was no lead before the pull request", ev(alex, true), &model.EntryBase{Authority: model.Authority{Approvers: map[string]model.Approver{"hannah": base.Authority.Approvers["hannah"]}}}, false, "none of the leads named to sign the row off (alex) was a lead of record before #3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pf := model.Prove(tt.ev, row, nil, nil, tt.base)
			if pf.Proven() != tt.proven || !strings.Contains(strings.Join(pf.Missing, "; "), tt.missing) {
				t.Errorf("proven %t (want %t), missing %q (want %q)", pf.Proven(), tt.proven, pf.Missing, tt.missing)
			}
		})
	}
	// A changed row is another entry.
	changed := cert.Rows[0]
	changed.Level = model.Supervised
	if diff := cmp.Diff(row.Key(), cert.Ref(changed).Key()); diff == "" {
		t.Error("a row with another level has the same key")
	}
}
