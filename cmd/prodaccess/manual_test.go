package main

import (
	"strings"
	"testing"
)

// TestManualChangesStayListed: a change to a manual target stays listed
// for the days of the window after it happens, so that a day without a
// successful run does not lose it.
func TestManualChangesStayListed(t *testing.T) {
	t.Parallel()
	w := newStack(t, map[string]string{
		"alice": permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""),
		"carol": permanentFile("Carol Leaving", "carol-gh", 0, fingerprint('C'), "carol", "last_day: 2030-03-10\n"),
	}, []string{fingerprint('A'), fingerprint('C')}, []string{"alice", "carol"})
	w.gh.AddUser("alice-gh", 1, true)
	w.gh.AddUser("carol-gh", 2, true)
	w.gh.SetMember("gov-uk-production", "alice-gh", "member")
	for _, tt := range []struct {
		at     string
		listed bool
	}{
		{"2030-03-10", false},
		{"2030-03-11", true},
		{"2030-03-12", true},
		{"2030-03-17", true},
		{"2030-03-18", false},
	} {
		r := w.run("plan", "--allow-mass-removal", "--at", tt.at)
		if r.code != 2 && r.code != 0 {
			t.Fatalf("plan --at %s: exit %d\n%s%s", tt.at, r.code, r.stdout, r.stderr)
		}
		listed := strings.Contains(squash(r.stdout), "- carol.leaving@example.gov.uk carol")
		if listed != tt.listed {
			t.Errorf("plan --at %s: carol's revocation in Signon listed %t, want %t:\n%s", tt.at, listed, tt.listed, r.stdout)
		}
	}
}
