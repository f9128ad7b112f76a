package model

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPeriods(t *testing.T) {
	tests := []struct {
		in          string
		name        string
		start, end  string
		of          Cadence
		day         string
		problemWith string
	}{
		{in: "2026-Q4", name: "2026-Q4", start: "2026-10-01", end: "2026-12-31", of: CertifyQuarterly, day: "2026-11-15"},
		{in: "2026-Q1", name: "2026-Q1", start: "2026-01-01", end: "2026-03-31", of: CertifyQuarterly, day: "2026-03-31"},
		{in: "2028-02", name: "2028-02", start: "2028-02-01", end: "2028-02-29", of: CertifyMonthly, day: "2028-02-29"},
		{in: "2026", name: "2026", start: "2026-01-01", end: "2026-12-31", of: CertifyYearly, day: "2026-07-04"},
		{in: "2026-Q5", problemWith: "not a period"},
		{in: "2026-13", problemWith: "not a period"},
		{in: "2026-+1", problemWith: "not a period"},
		{in: "0000", problemWith: "not a period"},
		{in: "26-Q1", problemWith: "not a period"},
	}
	for _, tt := range tests {
		p, err := ParsePeriod(tt.in)
		if tt.problemWith != "" {
			if err == nil || !strings.Contains(err.Error(), tt.problemWith) {
				t.Errorf("ParsePeriod(%q) = %v, %v; want an error saying %q", tt.in, p, err, tt.problemWith)
			}
			continue
		}
		start, _ := ParseDay(tt.start)
		end, _ := ParseDay(tt.end)
		want := Period{Name: tt.name, Start: start, End: end}
		if err != nil || p != want {
			t.Errorf("ParsePeriod(%q) = %v, %v; want %v", tt.in, p, err, want)
		}
		d, _ := ParseDay(tt.day)
		if got := PeriodOf(tt.of, d); got != want {
			t.Errorf("PeriodOf(%s, %s) = %v, want %v", tt.of, d, got, want)
		}
	}
}

// TestProveCertification: a row of a review file is signed off by the
// approval of a lead of record before the pull request whom the row
// names, not the person, on a commit that held the row.
func TestProveCertification(t *testing.T) {
	at := DayFromDate(2026, time.December, 6)
	cert := &Certification{Period: "2026-Q4", At: at, Commit: strings.Repeat("a", 40), Rows: []CertificationRow{{ID: "sam", Name: "Sam", Level: Permanent, Basis: []string{"after-primary-shift"}, Certifiers: []string{"alex"}}}}
	row := cert.Ref(cert.Rows[0])
	merged := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	alex, hannah := Account{Login: "alex-gh", ID: 11}, Account{Login: "hannah-gh", ID: 44}
	base := &EntryBase{Commit: strings.Repeat("b", 40), Authority: Authority{Approvers: map[string]Approver{"alex": {GitHub: "alex-gh", GitHubID: 11, Role: LeadDeveloper}, "hannah": {GitHub: "hannah-gh", GitHubID: 44, Role: HeadOfTechnology}}}}
	ev := func(by Account, onEntry bool) *CommitEvidence {
		r := ReviewFact{ID: 7, User: by, State: ReviewApproved, CommitID: "c", SubmittedAt: merged.Add(-time.Hour)}
		ee := EntryEvidence{Entry: row, ReviewsOnEntry: []int64{}}
		if onEntry {
			ee.ReviewsOnEntry = []int64{7}
		}
		return &CommitEvidence{Commit: strings.Repeat("c", 40), PullRequests: []PullRequestFact{{Number: 3, Author: Account{Login: "prodaccess[bot]", ID: 1}, MergedAt: &merged, Reviews: []ReviewFact{r}}}, Entries: []EntryEvidence{ee}}
	}
	tests := []struct {
		name    string
		ev      *CommitEvidence
		base    *EntryBase
		proven  bool
		missing string
	}{
		{"the lead named approved", ev(alex, true), base, true, ""},
		{"another lead, not named, approved", ev(hannah, true), base, false, "no approving review by a lead of record named to sign it off (alex) on #3"},
		{"the lead approved an earlier commit", ev(alex, false), base, false, "approved #3 only on a commit before the entry was written"},
		{"the lead named was no lead before the pull request", ev(alex, true), &EntryBase{Authority: Authority{Approvers: map[string]Approver{"hannah": base.Authority.Approvers["hannah"]}}}, false, "none of the leads named to sign the row off (alex) was a lead of record before #3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pf := Prove(tt.ev, row, nil, nil, tt.base)
			if pf.Proven() != tt.proven || !strings.Contains(strings.Join(pf.Missing, "; "), tt.missing) {
				t.Errorf("proven %t (want %t), missing %q (want %q)", pf.Proven(), tt.proven, pf.Missing, tt.missing)
			}
		})
	}
	// A changed row is another entry.
	changed := cert.Rows[0]
	changed.Level = Supervised
	if diff := cmp.Diff(row.Key(), cert.Ref(changed).Key()); diff == "" {
		t.Error("a row with another level has the same key")
	}
}
