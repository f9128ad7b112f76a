package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkEvidenceRequests counts the requests a plan makes to look up
// the evidence of 50 grants in force, each merged through its own
// approved pull request: cold (nothing recorded) and warm (all recorded
// by an earlier apply, which a warm plan reads from the notes and asks
// GitHub nothing about).
func BenchmarkEvidenceRequests(b *testing.B) {
	const n = 50
	s := newEvidenceStack(b, "required")
	s.manyGrants(n)
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
