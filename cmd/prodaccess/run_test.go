package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/providers/github"
)

// TestRunTimeout: a target repository whose host accepts the connection
// and never answers (not even the TLS handshake) stops the run at
// --timeout, as failed.
func TestRunTimeout(t *testing.T) {
	t.Parallel()
	w := faultStack(t)
	addr, stop, err := devstack.SilentHost()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	config, err := os.ReadFile(filepath.Join(w.people, "prodaccess.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	hung := strings.Replace(string(config), "repo: "+w.secrets, "repo: https://"+addr+"/alphagov/govuk-secrets.git", 1)
	if err := devstack.Commit(w.people, map[string]string{"prodaccess.yaml": hung}, "Point at a hung host"); err != nil {
		t.Fatal(err)
	}
	r := w.run("plan", "--timeout", "1s")
	if r.code != 1 || !strings.Contains(r.stderr, "prodaccess: the run did not finish within --timeout 1s and was stopped") {
		t.Errorf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, bad := range []string{"0s", "-1m"} {
		if r := w.run("apply", "--timeout", bad); r.code != 1 || !strings.Contains(r.stderr, " is not a positive duration") {
			t.Errorf("--timeout %s: exit %d, stderr %q", bad, r.code, r.stderr)
		}
	}
}

// panicking is a transport that panics, as a bug would.
type panicking struct{}

func (panicking) RoundTrip(*http.Request) (*http.Response, error) { panic("a bug in reading") }

// TestPanicExitsOne: a panic, in the command or in a read running beside
// it, ends the run with status 1 and a message, never 2, which scripts
// read as "changes".
func TestPanicExitsOne(t *testing.T) {
	w := faultStack(t)
	r := w.runWithTransport(func() *github.Transport { return &github.Transport{Base: panicking{}} }, "plan")
	// A panic in a read fails that read: its target is listed as failed,
	// with the panic, and the run exits 1.
	if r.code != 1 || !strings.Contains(r.stdout+r.stderr, "internal error (a bug; please report it): a bug in reading") {
		t.Errorf("a panic in a read: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	var stdout, stderr bytes.Buffer
	o := &options{stdout: &stdout, stderr: &stderr, now: func() time.Time { panic("a bug in the command") }, getenv: func(string) string { return "" }}
	if code := runWith(o, []string{"who", "--people", filepath.Join(repoRoot, "people")}); code != 1 || !strings.Contains(stderr.String(), "prodaccess: internal error (a bug; please report it), nothing more was done: a bug in the command") {
		t.Errorf("a panic in the command: exit %d\n%s", code, stderr.String())
	}
}

// TestRedactor: the token is masked even when it is split across writes,
// and everything else comes through unchanged.
func TestRedactor(t *testing.T) {
	t.Parallel()
	const secret = "ghs_abcabd"
	for _, writes := range [][]string{
		{"token ghs_abcabd here"},
		{"token ghs_ab", "cabd here"},
		{"token g", "h", "s", "_", "a", "b", "c", "a", "b", "d", " here"},
		{"token ghs_abcab", "d here"},
	} {
		var out bytes.Buffer
		r := newRedactor(&out, secret)
		for _, s := range writes {
			if n, err := r.Write([]byte(s)); n != len(s) || err != nil {
				t.Fatalf("Write(%q) = %d, %v", s, n, err)
			}
		}
		if err := r.Flush(); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff("token *** here", out.String()); diff != "" {
			t.Errorf("%q (-want +got):\n%s", writes, diff)
		}
	}
	var out bytes.Buffer
	r := newRedactor(&out, secret)
	for _, s := range []string{"ghs_abcab", "x ghs_", "abca", "bc"} {
		r.Write([]byte(s))
	}
	r.Flush()
	if got := out.String(); got != "ghs_abcabx ghs_abcabc" {
		t.Errorf("near misses changed: %q", got)
	}
}

// TestSilentPeopleOrigin: a people repository whose origin accepts the
// connection and never answers holds no run beyond --git-timeout: plan
// gives up fetching the notes from it, says so naming that origin, and
// plans from GitHub as if there were none; a request's --pr fails naming
// it, having pushed nothing.
func TestSilentPeopleOrigin(t *testing.T) {
	t.Parallel()
	w := faultStack(t)
	addr, stop, err := devstack.SilentHost()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	origin := "https://" + addr + "/alphagov/govuk-people.git"
	if _, err := devstack.Git(w.people, "remote", "add", "origin", origin); err != nil {
		t.Fatal(err)
	}
	r := w.run("plan", "--git-timeout", "2s")
	must(t, r, 2, "plan with a silent people origin")
	want := "the evidence already recorded could not be fetched, so it is looked up again: fetch refs/notes/prodaccess from " + origin +
		": the git host did not finish within 2s, the deadline for one git operation"
	if !strings.Contains(r.stdout+r.stderr, want) {
		t.Errorf("plan does not say %q:\n%s\n%s", want, r.stdout, r.stderr)
	}
	if !strings.Contains(squash(r.stdout), "+ bob-gh bob") {
		t.Errorf("plan:\n%s", r.stdout)
	}

	r = w.run("shift", "bob", "--type", "primary", "--from", "2099-02-01", "--to", "2099-02-05", "--pr", "--repo", "alphagov/govuk-people", "--git-timeout", "2s")
	want = "list the branches of " + origin + ": the git host did not finish within 2s, the deadline for one git operation"
	if r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Errorf("shift --pr: exit %d, want %q:\n%s", r.code, want, r.stderr)
	}
	for _, bad := range []string{"0s", "-1m0s"} {
		if r := w.run("plan", "--git-timeout", bad); r.code != 1 || !strings.Contains(r.stderr, "--git-timeout: "+bad+" is not a positive duration") {
			t.Errorf("--git-timeout %s: exit %d, stderr %q", bad, r.code, r.stderr)
		}
	}
}
