package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRequestFlags drives the request commands (grant, shift, absence,
// reinstate, leave, person new) in this process with arbitrary values of
// their flags and arguments, with --dry-run. Whatever they are, the
// command exits 0 or 1, never panics, says why on standard error when it
// fails, and writes nothing.
func FuzzRequestFlags(f *testing.F) {
	f.Add(uint8(0), "chris", "2026-12-01", "2027-01-31", "alex-lead", "sam-senior", "Search migration: phase 2", "")
	f.Add(uint8(0), "chris", "2026-12-01", "2026-12-20", "alex-lead", "sam-senior", strings.Repeat("a", 100_000), "")
	f.Add(uint8(0), "chris", "2026-12-01", "2026-12-20", "alex-lead", "sam-senior", "Cover\U000E0041", "HEAD")
	f.Add(uint8(1), "dan", "2027-02-01", "2027-02-05", "primary", "", "", "refs/heads/main")
	f.Add(uint8(2), "dan", "2027-03-01", "2027-05-31", "", "", "", "alphagov/..")
	f.Add(uint8(3), "lee", "2026-11-20", "", "", "", "", "")
	f.Add(uint8(4), "nadia", "2026-11-02", "", "alex-lead", "", "", "")
	f.Add(uint8(5), "dan", "2026-12-02", "", "", "", "", "")
	f.Add(uint8(6), "priya-new", "2027-01-04", "", "priya-gds", "priya@example.gov.uk", "Priya \u3164New", "1000104")
	// One folder for every run: with --dry-run nothing is written to it,
	// which each run checks.
	dir := requestDir(f, blockStyle)
	f.Fuzz(func(t *testing.T, command uint8, id, day1, day2, who1, who2, text, extra string) {
		var args []string
		switch command % 7 {
		case 0:
			args = []string{"grant", id, "--from", day1, "--to", day2, "--approver", who1, "--supervisor", who2, "--reason", text}
		case 1:
			args = []string{"shift", id, "--type", who1, "--from", day1, "--to", day2}
		case 2:
			args = []string{"absence", id, "--from", day1, "--to", day2}
		case 3:
			args = []string{"absence", id, "--end", day1}
		case 4:
			args = []string{"reinstate", id, "--on", day1, "--approver", who1}
		case 5:
			args = []string{"leave", id, "--last-day", day1}
		case 6:
			args = []string{"person", "new", id, "--name", text, "--email", who2, "--github", who1, "--programme", "govuk", "--role", "developer",
				"--employment", "civil_servant", "--clearance", "bpss", "--start", day1, "--github-id", extra}
		}
		if extra != "" && command%7 != 6 {
			// With --pr and no token, nothing is pushed: the flags are
			// checked, and the command stops.
			args = append(args, "--pr", "--repo", extra, "--branch", extra, "--reviewer", extra)
		}
		r := runAt(t, dir, nil, append(args, "--dry-run")...)
		switch {
		case strings.Contains(r.stderr, "internal error"):
			t.Fatalf("%q: a panic:\n%s", args, r.stderr)
		case r.code != 0 && r.code != 1:
			t.Fatalf("%q: exit %d", args, r.code)
		case r.code == 1 && !strings.HasPrefix(r.stderr, "prodaccess: "):
			t.Fatalf("%q: failed without saying why:\n%s", args, r.stderr)
		}
		for name, want := range blockStyle {
			if got, err := os.ReadFile(filepath.Join(dir, "people", name+".yaml")); err != nil || string(got) != want {
				t.Fatalf("%q: people/%s.yaml was changed (%v)", args, name, err)
			}
		}
		if entries, _ := os.ReadDir(filepath.Join(dir, "people")); len(entries) != len(blockStyle)+2 {
			t.Fatalf("%q: %d files in people/", args, len(entries))
		}
	})
}
