package config

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// branchCorpus is every name of one or two characters from characters
// that git's ref rules treat specially, names built around each rule, and
// names prodaccess refuses although git takes them.
func branchCorpus() []string {
	names := []string{
		"main", "access/chris-2026-12-01", "prodaccess/sync", "HEAD", "refs/heads/main", "refs", "refs/x", "heads/x", "HEAD/x", "x/HEAD",
		"-x", "a/-b", "@", "a@b", "a/@", "a@{b", "@{-1}", "a/.b", ".a", "a/.", "a.lock", "a/b.lock/c", "foo.lock.x", "a.lock/b", "a..b", "a/",
		"/a", "a//b", "a.", "a b", "a~b", "a^b", "a:b", "a?b", "a*b", "a[b", "a]b", "a\\b", "a\x7fb", "a\tb", "ü", "\u202eab", "a{b}", "a,b",
		"a'b", "a\"b", "a#b", "a!b", "a$b", "a%b", "a&b", "a(b)", "a+b", "a;b", "a<b>", "a=b", "a|b", "a`b", "x..", "..x", "x/..", "a/b/c",
		"x.lock.lock", ".lock", "a/.lock", "lock", "a_b", "1", "über/straße",
	}
	special := []string{"a", ".", "/", "-", "@", "{", "}", "~", "^", ":", "?", "*", "[", "\\", " ", "L"}
	for _, x := range special {
		names = append(names, x)
		for _, y := range special {
			names = append(names, x+y)
		}
	}
	return names
}

// TestBranchRulesAreGits: gitBranchRule takes exactly the names the real
// git check-ref-format --branch takes, over the corpus.
func TestBranchRulesAreGits(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	if out, err := exec.Command(git, "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	for _, name := range branchCorpus() {
		cmd := exec.Command(git, "check-ref-format", "--branch", name)
		cmd.Dir = dir
		out, err := cmd.Output()
		gitTakes := err == nil
		if gitTakes && strings.TrimSpace(string(out)) != name {
			t.Errorf("git check-ref-format --branch %q names %q", name, out)
		}
		if why := gitBranchRule(name); (why == "") != gitTakes {
			t.Errorf("%q: git takes it: %v; gitBranchRule says %q", name, gitTakes, why)
		}
	}
}

// TestCheckBranchName: beyond git's rules, prodaccess refuses HEAD and @,
// names under refs/, refused characters and names too long, and says why.
func TestCheckBranchName(t *testing.T) {
	for name, want := range map[string]string{
		"access/chris-2026-12-01": "",
		"prodaccess/sync":         "",
		"über/straße":             "",
		"HEAD":                    `"HEAD" is not a branch name: git reads it as the commit checked out`,
		"@":                       `"@" is not a branch name: git reads it as the commit checked out`,
		"refs/heads/main":         `"refs/heads/main" is not a branch name: give the name without refs/ or refs/heads/`,
		"refs/x":                  `"refs/x" is not a branch name: give the name without refs/ or refs/heads/`,
		"access/\u202eab":         `the branch name "access/\u202eab" holds U+202E (character 8), which changes how the text around it is shown; only visible text is allowed`,
		"a\u3164b":                "the branch name \"a\u3164b\" holds the invisible character U+3164 (character 2); only visible text is allowed",
		"access/x..y":             `"access/x..y" is not a branch name: it holds ..`,
		"-x":                      `"-x" is not a branch name: it starts with -`,
		"a b":                     `"a b" is not a branch name: it holds ' ', which git does not allow in a ref`,
		"a/b.lock":                `"a/b.lock" is not a branch name: a part of it ends with .lock`,
		strings.Repeat("b", 201):  "the branch name is 201 characters long; at most 200 are allowed",
	} {
		got := ""
		if err := CheckBranchName(name); err != nil {
			got = err.Error()
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("CheckBranchName(%q) (-want +got):\n%s", name, diff)
		}
	}
}
