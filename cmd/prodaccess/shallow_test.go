package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prodaccess/prodaccess/internal/devstack"
)

// TestShallowPeopleRepository: plan and the audit need the people branch's
// history, and in a shallow clone the message says what is wrong.
func TestShallowPeopleRepository(t *testing.T) {
	t.Parallel()
	w := newStack(t, map[string]string{
		"alice": permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""),
	}, []string{fingerprint('A')}, []string{"alice"})
	w.gh.AddUser("alice-gh", 1, true)
	w.gh.SetMember("gov-uk-production", "alice-gh", "member")
	w.commitPeople(map[string]string{"bob": permanentFile("Bob Brown", "bob-gh", 0, fingerprint('B'), "bob", "")}, "Bob joins")

	clone := filepath.Join(t.TempDir(), "clone")
	if out, err := exec.Command("git", "clone", "-q", "--depth", "1", "file://"+w.people, clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone --depth 1: %v\n%s", err, out)
	}
	env := []string{"GITHUB_API_URL=" + w.gh.URL(), "GITHUB_TOKEN=" + testToken, appLoginEnv}

	r := prodaccessEnv(t, clone, env, "plan")
	must(t, r, 1, "plan with a manual target in a shallow clone")
	const want = "the people repository is a shallow clone and this needs its history: fetch it (git fetch --unshallow, or fetch-depth: 0 with actions/checkout)"
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	r = prodaccessEnv(t, clone, env, "audit", "timeline")
	must(t, r, 1, "audit timeline in a shallow clone")
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr:\n%s", r.stderr)
	}

	// Without manual targets, plan needs only the commit at HEAD.
	cfg := show(t, clone, "HEAD", "prodaccess.yaml")
	cfg = cfg[:strings.Index(cfg, "  - name: signon")]
	if err := devstack.Commit(w.people, map[string]string{"prodaccess.yaml": cfg}, "No manual targets"); err != nil {
		t.Fatal(err)
	}
	shallow2 := filepath.Join(t.TempDir(), "clone2")
	if out, err := exec.Command("git", "clone", "-q", "--depth", "1", "file://"+w.people, shallow2).CombinedOutput(); err != nil {
		t.Fatalf("git clone --depth 1: %v\n%s", err, out)
	}
	// Without manual targets, who may approve still comes from the
	// history: grants are refused, removals would go ahead, and the run
	// fails saying why.
	r = prodaccessEnv(t, shallow2, env, "plan")
	must(t, r, 1, "plan without manual targets in a shallow clone")
	if !strings.Contains(r.stdout, "GRANTS REFUSED") || !strings.Contains(r.stdout, want) {
		t.Errorf("stdout:\n%s", r.stdout)
	}
}
