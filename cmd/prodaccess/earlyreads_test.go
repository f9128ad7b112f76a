package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/providers/github"
)

// heldReads holds every request to GitHub until it is released or its
// context ends, and says when the first arrives. Waits are bounded only to
// end a hang.
type heldReads struct {
	base    http.RoundTripper
	arrived chan struct{}
	release chan struct{}

	once      sync.Once
	mu        sync.Mutex
	cancelled int
}

func newHeldReads() *heldReads {
	return &heldReads{base: http.DefaultTransport, arrived: make(chan struct{}), release: make(chan struct{})}
}

func (h *heldReads) RoundTrip(req *http.Request) (*http.Response, error) {
	h.once.Do(func() { close(h.arrived) })
	select {
	case <-h.release:
		return h.base.RoundTrip(req)
	case <-req.Context().Done():
		h.mu.Lock()
		h.cancelled++
		h.mu.Unlock()
		return nil, req.Context().Err()
	case <-time.After(time.Minute):
		return nil, errors.New("held for a minute: the test hung")
	}
}

// earlyWorld is a people repository of two people and one team target,
// and options for it whose GitHub requests go through held.
func earlyWorld(t *testing.T, people string, held *heldReads) *options {
	t.Helper()
	gh := fakegithub.New(t, "alphagov")
	gh.Token = testToken
	gh.AddTeam("prod", "")
	gh.AddUser("alice-gh", 100, true)
	gh.SetMember("prod", "alice-gh", "member")
	dir := t.TempDir()
	files := map[string]string{
		"prodaccess.yaml":   "people: " + people + "\ntargets:\n  - {name: team, type: github-team, org: alphagov, team: prod}\n",
		"people/alice.yaml": permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""),
	}
	if err := devstack.NewRepo(dir, files); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	env := map[string]string{"GITHUB_API_URL": gh.URL(), "GITHUB_TOKEN": testToken, loginEnv: appLogin}
	return &options{stdout: &out, stderr: &out, now: time.Now, configPath: filepath.Join(dir, "prodaccess.yaml"),
		getenv:       func(k string) string { return env[k] },
		newTransport: func() *github.Transport { return &github.Transport{Base: held} },
	}
}

// TestReadsBeginBeforeThePlan: the team is being read once the world is
// loaded, before a plan is asked for; the plan then takes that read.
func TestReadsBeginBeforeThePlan(t *testing.T) {
	held := newHeldReads()
	o := earlyWorld(t, "people", held)
	ctx := context.Background()
	w, err := o.loadWorld(ctx)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-held.arrived:
	case <-time.After(time.Minute):
		t.Fatal("no request to GitHub a minute after the world was loaded, and before the plan")
	}
	close(held.release)
	plan, err := o.makePlan(ctx, w, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.failed) != 0 || len(plan.Targets) == 0 {
		t.Fatalf("plan: failed %v, targets %+v", w.failed, plan.Targets)
	}
}

// TestFailedLoadStopsTheReads: when the person files cannot be loaded,
// loading the world fails, the reads begun are stopped, and none is left
// running.
func TestFailedLoadStopsTheReads(t *testing.T) {
	held := newHeldReads()
	o := earlyWorld(t, "no-such-folder", held)
	w, err := o.loadWorld(context.Background())
	if err == nil || w != nil {
		t.Fatalf("loadWorld with no person files: %v, %v; want an error and no world", w, err)
	}
	if !strings.Contains(err.Error(), "no-such-folder") {
		t.Errorf("the error does not name the folder: %v", err)
	}
	// loadWorld waited for the reads to end: every request that reached
	// GitHub's transport was cancelled, none released.
	select {
	case <-held.arrived:
		held.mu.Lock()
		defer held.mu.Unlock()
		if held.cancelled == 0 {
			t.Errorf("a request reached GitHub and was not cancelled")
		}
	default:
	}
}
