package main

import (
	"slices"
	"strings"
	"testing"
)

// TestOddBranchNames: --pr refuses a branch git reads as something else
// (HEAD, refs/heads/main), a branch with a direction override, and a
// repository that is not owner/name, before anything is committed or
// pushed: origin keeps only main, the checkout gains no branch, and no
// pull request is opened.
func TestOddBranchNames(t *testing.T) {
	t.Parallel()
	s := newPullRequestStack(t)
	shift := []string{"shift", "dan", "--type", "primary", "--from", "2099-02-01", "--to", "2099-02-05", "--pr"}
	for _, tc := range []struct {
		more []string
		want string
	}{
		{[]string{"--repo", "alphagov/govuk-people", "--branch", "HEAD"}, `--branch: "HEAD" is not a branch name: git reads it as the commit checked out`},
		{[]string{"--repo", "alphagov/govuk-people", "--branch", "refs/heads/main"}, `--branch: "refs/heads/main" is not a branch name: give the name without refs/ or refs/heads/`},
		{[]string{"--repo", "alphagov/govuk-people", "--branch", "access/\u202eexe.txt"}, `--branch: the branch name "access/\u202eexe.txt" holds U+202E (character 8), which changes how the text around it is shown`},
		{[]string{"--repo", "alphagov/govuk-people", "--branch", "access/dan\u3164"}, `--branch: the branch name "access/dan\u3164" holds the invisible character U+3164 (character 11)`},
		{[]string{"--repo", "alphagov/govuk-people", "--base", "@"}, `--base: "@" is not a branch name: git reads it as the commit checked out`},
		{[]string{"--repo", "alphagov/..", "--branch", "access/dan-odd"}, `--repo: "alphagov/.." is not a GitHub owner/name`},
		{[]string{"--repo", "alphagov/../admin"}, `--repo: "alphagov/../admin" is not a GitHub owner/name`},
	} {
		args := append(slices.Clone(shift), tc.more...)
		r := s.run(t, nil, args...)
		// Quoted, or by the output filter, the characters show escaped.
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%v: exit %d\nstdout:\n%s\nstderr:\n%s\nwant: %s", tc.more, r.code, r.stdout, r.stderr, tc.want)
		}
	}
	if heads := s.git(t, s.origin, "for-each-ref", "--format=%(refname)"); heads != "refs/heads/main" {
		t.Errorf("refs on origin:\n%s", heads)
	}
	if heads := s.git(t, s.work, "for-each-ref", "--format=%(refname)", "refs/heads"); heads != "refs/heads/main" {
		t.Errorf("branches of the checkout:\n%s", heads)
	}
	if n := len(s.gh.OpenPulls("alphagov/govuk-people")); n != 0 {
		t.Errorf("%d pull requests opened", n)
	}
}
