package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prodaccess/prodaccess/internal/devstack"
)

// BenchmarkEvidenceRequests counts the requests a plan makes to look up
// the evidence of 50 grants in force, each merged through its own
// approved pull request: cold (nothing recorded) and warm (all recorded
// by an earlier apply, which a warm plan reads from the notes and asks
// GitHub nothing about).
func BenchmarkEvidenceRequests(b *testing.B) {
	const n = 50
	s := newEvidenceStack(b, "required")
	for i := range n {
		id := fmt.Sprintf("contractor-%02d", i)
		login := fmt.Sprintf("contractor-%02d-gh", i)
		u := s.gh.AddUser(login, int64(1000+i), true)
		body := strings.NewReplacer("Chris Contractor", "Contractor "+fmt.Sprint(i), "chris.contractor@", id+"@", "chris-gh", login, "github_id: 22", fmt.Sprintf("github_id: %d", 1000+i)).Replace(chrisGrant("Migrating the search cluster"))
		pr, err := devstack.MergePull(s.people, s.gh, devstack.Pull{Repo: "alphagov/people", Branch: "grant-" + id, Title: "Grant " + id, Author: u, Method: devstack.Squash, MergedBy: s.alex,
			Commits: []devstack.PullCommit{{Files: map[string]string{"people/" + id + ".yaml": body}, Message: "Grant " + id, Author: u}}})
		if err != nil {
			b.Fatal(err)
		}
		s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
	}
	s.push()
	evidence := func() int {
		n := 0
		for _, r := range s.gh.Requests() {
			if strings.Contains(r.Path, "/pulls") || strings.Contains(r.Path, "/contents/") {
				n++
			}
		}
		return n
	}
	plan := func() (total, ev int) {
		s.gh.ResetRequests()
		r := s.run("", "plan")
		if r.code != 0 && r.code != 2 {
			b.Fatalf("plan: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		return len(s.gh.Requests()), evidence()
	}
	notes := filepath.Join(s.people, ".git", "refs", "notes")
	b.Run("cold", func(b *testing.B) {
		var total, ev int
		for b.Loop() {
			os.RemoveAll(notes)
			total, ev = plan()
		}
		b.ReportMetric(float64(total), "requests/op")
		b.ReportMetric(float64(ev), "evidence-requests/op")
	})
	b.Run("warm", func(b *testing.B) {
		r := s.run("", "apply")
		if r.code != 0 && r.code != 1 {
			b.Fatalf("apply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		var total, ev int
		for b.Loop() {
			total, ev = plan()
		}
		b.ReportMetric(float64(total), "requests/op")
		b.ReportMetric(float64(ev), "evidence-requests/op")
	})
}
