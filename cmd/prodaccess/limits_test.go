package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFlagLimits: every flag and argument has a maximum length, and one
// beyond it is refused with an error that gives its length, before
// anything is read or written; a reason of 100,000 characters, which once
// crashed grant, is one of them.
func TestFlagLimits(t *testing.T) {
	t.Parallel()
	dir := requestDir(t, blockStyle)
	grant := func(reason string, more ...string) []string {
		return append([]string{"grant", "chris", "--from", "2099-12-01", "--to", "2099-12-20", "--approver", "alex-lead", "--supervisor", "sam-senior", "--reason", reason}, more...)
	}
	var reviewers []string
	for range 16 {
		reviewers = append(reviewers, "--reviewer", "sam-gds")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{grant(strings.Repeat("a", 100_000)), "prodaccess: --reason: is 100000 characters long; at most 500 are allowed\n"},
		{grant(strings.Repeat("é", 501)), "prodaccess: --reason: is 501 characters long; at most 500 are allowed\n"},
		{grant("Cover", "--as", strings.Repeat("x", 65)), "prodaccess: --as: is 65 characters long; at most 64 are allowed\n"},
		{grant("Cover", "--pr", "--branch", strings.Repeat("b", 201)), "prodaccess: --branch: is 201 characters long; at most 200 are allowed\n"},
		{grant("Cover", append([]string{"--pr"}, reviewers...)...), "prodaccess: --reviewer: given 16 times; at most 15 are allowed\n"},
		{[]string{"person", "new", "priya-new", "--name", strings.Repeat("P", 201), "--email", "priya@example.gov.uk", "--github", "priya-gds",
			"--programme", "govuk", "--role", "developer", "--employment", "civil_servant", "--clearance", "bpss"}, "prodaccess: --name: is 201 characters long; at most 200 are allowed\n"},
		{[]string{"shift", "dan", "--type", "primary", "--from", strings.Repeat("2", 41), "--to", "2099-01-01"}, "prodaccess: --from: is 41 characters long; at most 40 are allowed\n"},
		{[]string{"explain", strings.Repeat("x", 5000)}, "prodaccess: argument 1 is 5000 characters long; at most 4096 are allowed\n"},
		{[]string{"who", "--config", strings.Repeat("c", 4097)}, "prodaccess: --config: is 4097 characters long; at most 4096 are allowed\n"},
	} {
		r := prodaccess(t, dir, tc.args...)
		if r.code != 1 || r.stderr != tc.want || r.stdout != "" {
			t.Errorf("%.60q: exit %d\nstdout:\n%s\nstderr:\n%.300s\nwant:\n%s", tc.args, r.code, r.stdout, r.stderr, tc.want)
		}
	}
	for id, f := range blockStyle {
		if got, _ := os.ReadFile(filepath.Join(dir, "people", id+".yaml")); string(got) != f {
			t.Errorf("%s.yaml was changed", id)
		}
	}
	// At the limit, the reason is taken.
	r := prodaccess(t, dir, grant(strings.Repeat("é", 500), "--dry-run")...)
	must(t, r, 0, "a reason of 500 characters")
}
