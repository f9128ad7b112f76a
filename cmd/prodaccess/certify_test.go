package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// headHannah is the head of technology, of the techops programme: a lead
// of record from the first commit, with no access of her own.
const headHannah = `name: Hannah Head
email: hannah.head@example.gov.uk
github: hannah-gh
github_id: 44
programme: techops
role: head_of_technology
employment: civil_servant
clearance: sc
`

// sreOmar has permanent access on the SRE track.
var sreOmar = strings.Replace(strings.Replace(permanentFile("Omar SRE", "omar-gh", 55, fingerprint('9'), "omar", ""), "programme: govuk", "programme: techops", 1), "role: developer", "role: sre", 1)

// TestAuditCertifyEndToEnd: audit certify opens the pull request that
// lists everyone with access, asking the leads of record for a review;
// each lead's approval, recorded by apply as evidence, certifies the rows
// that name them; the audit, from a fresh clone with no token, shows who
// is certified and flags who is not, until the other lead approves too.
func TestAuditCertifyEndToEnd(t *testing.T) {
	t.Parallel()
	s := newEvidenceStackFiles(t, "required", map[string]string{"people/hannah.yaml": headHannah, "people/omar.yaml": sreOmar})
	hannah := s.gh.AddUser("hannah-gh", 44, true)
	s.gh.AddUser("omar-gh", 55, true)
	period := model.PeriodOf(model.CertifyQuarterly, model.DayOf(time.Now(), london(t))).Name
	file := "reviews/" + period + ".yaml"
	author := []string{"GIT_AUTHOR_NAME=Rota Keeper", "GIT_AUTHOR_EMAIL=rota.keeper@example.gov.uk"}

	r := prodaccessEnv(t, s.people, append(author, "GITHUB_API_URL="+s.gh.URL(), "GITHUB_TOKEN="+testToken), "audit", "certify")
	must(t, r, 0, "audit certify")
	for _, want := range []string{"Committed " + file + " on branch review/" + period, "3 people with production access", "Opened pull request #1", "Asked alexlead-gds, hannah-gh for a review"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("audit certify does not say %q:\n%s", want, r.stdout)
		}
	}
	pr, err := devstack.TrackOpened(s.people, s.gh, devstack.Opened{Repo: "alphagov/people", Number: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"alexlead-gds", "hannah-gh"}, pr.RequestedReviewers); diff != "" {
		t.Errorf("reviewers (-want +got):\n%s", diff)
	}
	for _, want := range []string{"alex (alexlead-gds) signs off 1 row: sam", "hannah (hannah-gh) signs off 2 rows: alex, omar", "| omar (Omar SRE) | permanent |"} {
		if !strings.Contains(pr.Body, want) {
			t.Errorf("the pull request's body does not say %q:\n%s", want, pr.Body)
		}
	}
	// The review file reads back, rows and all.
	content, err := devstack.Show(s.people, pr.Head, file)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"period: " + period, "  - id: sam\n", "    certifiers: [alex]\n", "    certifiers: [hannah]\n"} {
		if !strings.Contains(content, want) {
			t.Errorf("the review file does not hold %q:\n%s", want, content)
		}
	}
	// A second certify of the period is refused while the branch waits.
	r = prodaccessEnv(t, s.people, append(author, "GITHUB_API_URL="+s.gh.URL(), "GITHUB_TOKEN="+testToken), "audit", "certify", "--period", period)
	if r.code != 1 || !strings.Contains(r.stderr, "origin already has a branch review/"+period) {
		t.Errorf("a second certify: exit %d\n%s", r.code, r.stderr)
	}

	// Alex approves, and the pull request is merged; Hannah has not
	// approved yet.
	s.gh.AddReview("alphagov/people", 1, fakeReview(s.alex, pr.Commits[0].SHA, time.Now().Add(-30*time.Minute)))
	if err := devstack.MergeTracked(s.people, s.gh, devstack.Opened{Repo: "alphagov/people", Number: 1}, s.alex, time.Now().Add(-20*time.Minute)); err != nil {
		t.Fatal(err)
	}
	must(t, s.run("", "apply"), 0, "apply after the merge")

	certified := func(when string) map[string]string {
		t.Helper()
		clone := s.freshClone()
		r := prodaccessEnv(t, clone, []string{"GITHUB_TOKEN="}, "audit", "review", "--format", "json")
		must(t, r, 0, "audit review "+when)
		var rv outcome.Review
		if err := json.Unmarshal([]byte(r.stdout), &rv); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, row := range rv.Rows {
			state := "-"
			if c := row.Certified; c != nil {
				state = c.Period + " not proven"
				if c.Proven {
					state = c.Period + " by " + c.By
				}
			}
			if slices.ContainsFunc(row.Flags, func(f string) bool { return strings.HasPrefix(f, "access not certified for "+period) }) {
				state += ", flagged"
			}
			got[row.ID] = state
		}
		return got
	}
	want := map[string]string{"alex": period + " not proven, flagged", "omar": period + " not proven, flagged", "sam": period + " by alexlead-gds"}
	if diff := cmp.Diff(want, certified("after alex's approval")); diff != "" {
		t.Errorf("certified after alex's approval (-want +got):\n%s", diff)
	}

	// Hannah approves after the merge: the next apply finds it, and every
	// row is signed off.
	s.gh.AddReview("alphagov/people", 1, fakeReview(hannah, pr.Commits[0].SHA, time.Now().Add(-10*time.Minute)))
	must(t, s.run("", "apply"), 0, "apply after hannah's approval")
	want = map[string]string{"alex": period + " by hannah-gh", "omar": period + " by hannah-gh", "sam": period + " by alexlead-gds"}
	if diff := cmp.Diff(want, certified("after hannah's approval")); diff != "" {
		t.Errorf("certified after hannah's approval (-want +got):\n%s", diff)
	}

	// The report shows it, linked to the pull request.
	out := filepath.Join(t.TempDir(), "report.html")
	must(t, prodaccessEnv(t, s.freshClone(), []string{"GITHUB_TOKEN="}, "audit", "report", "--out", out), 0, "audit report")
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(page), ">"+period+" by hannah-gh (#1)</a>"); n != 2 {
		t.Errorf("the report shows hannah's certification %d times, want 2 (alex and omar)", n)
	}
}

// TestAuditCertifyRefusals: certify needs a day in the period, a token,
// and a lead besides the person for every row.
func TestAuditCertifyRefusals(t *testing.T) {
	t.Parallel()
	alone := newEvidenceStack(t, "required")
	two := newEvidenceStackFiles(t, "required", map[string]string{"people/hannah.yaml": headHannah})
	for _, tt := range []struct {
		s    *evidenceStack
		args []string
		env  []string
		want string
	}{
		{two, []string{"--period", "2020-Q1"}, nil, "--period 2020-Q1 runs from 2020-01-01 to 2020-03-31"},
		{two, []string{"--period", "2020-Q5"}, nil, `"2020-Q5" is not a period`},
		{two, nil, []string{"GITHUB_TOKEN="}, "GITHUB_TOKEN is not set"},
		{alone, nil, nil, "nobody can sign off alex's access: there is no other lead of record"},
	} {
		r := prodaccessEnv(t, tt.s.people, append([]string{"GITHUB_API_URL=" + tt.s.gh.URL(), "GITHUB_TOKEN=" + testToken}, tt.env...), append([]string{"audit", "certify"}, tt.args...)...)
		if r.code != 1 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("certify %v: exit %d, want 1 saying %q:\n%s", tt.args, r.code, tt.want, r.stderr)
		}
	}
}

// fakeReview is an approval by u of commit, submitted at when.
func fakeReview(u *fakegithub.User, commit string, when time.Time) fakegithub.Review {
	return fakegithub.Review{User: u, State: "APPROVED", CommitID: commit, SubmittedAt: when}
}

func london(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
