package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/prodaccess/prodaccess/internal/testclock"
)

// TestCrashConvergence stops apply after each of its writes in turn, for
// every k from 0 to N (the GitHub writes and the push, which share one
// budget). At every point, nobody holds team access that neither the
// starting state nor the desired one gives; and the next run finishes the
// job, after which a third run has nothing to write.
func TestCrashConvergence(t *testing.T) {
	start := map[string]bool{"alice-gh": true, "carol-gh": true}
	desired := map[string]bool{"alice-gh": true, "bob-gh": true}

	// How many writes does a full run make?
	w := faultStack(t)
	if r := w.runIn(&testclock.Sleeps{}, "apply"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	n := w.gh.Writes() + 1 // and one push
	if n < 4 {
		t.Fatalf("only %d writes; the test needs a removal, an addition, a push and a pull request", n)
	}

	for k := 0; k <= n; k++ {
		t.Run("after write "+strconv.Itoa(k), func(t *testing.T) {
			t.Parallel()
			w := faultStack(t)
			budget := filepath.Join(t.TempDir(), "budget")
			if err := os.WriteFile(budget, []byte(strconv.Itoa(k)), 0o644); err != nil {
				t.Fatal(err)
			}
			// The push takes from the same budget through a hook.
			hook := filepath.Join(w.secrets, ".git", "hooks", "pre-receive")
			script := "#!/bin/sh\nn=$(cat " + budget + ")\n[ \"$n\" -gt 0 ] || { echo 'the run stopped' >&2; exit 1; }\necho $((n-1)) > " + budget + "\n"
			if err := os.WriteFile(hook, []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var seen [][]string
			w.gh.SetGate(func(*http.Request) bool {
				mu.Lock()
				defer mu.Unlock()
				// The server holds its lock: read the team directly.
				var members []string
				for l := range w.gh.Teams["gov-uk-production"].Roles {
					members = append(members, l)
				}
				seen = append(seen, members)
				b, _ := os.ReadFile(budget)
				left, _ := strconv.Atoi(strings.TrimSpace(string(b)))
				if left <= 0 {
					return false
				}
				os.WriteFile(budget, []byte(strconv.Itoa(left-1)), 0o644)
				return true
			})
			r := w.runIn(&testclock.Sleeps{}, "apply")
			if k < n && r.code == 0 {
				t.Errorf("a run stopped after %d of %d writes exited 0", k, n)
			}
			seen = append(seen, w.gh.Members("gov-uk-production"))
			for _, members := range seen {
				for _, m := range members {
					if !start[m] && !desired[m] {
						t.Errorf("%s held access that neither the start nor the rules give: %v", m, members)
					}
				}
			}

			// The next run, uninterrupted, finishes the job.
			w.gh.SetGate(nil)
			os.Remove(hook)
			if r := w.runIn(&testclock.Sleeps{}, "apply"); r.code != 0 {
				t.Fatalf("the run after stopping at %d: exit %d\n%s\n%s", k, r.code, r.stdout, r.stderr)
			}
			w.converged(t)
			head := branchHead(t, w.secrets)
			w.gh.ResetRequests()
			if r := w.runIn(&testclock.Sleeps{}, "apply"); r.code != 0 || w.gh.Writes() != 0 || branchHead(t, w.secrets) != head {
				t.Errorf("a third run was not a no-op: exit %d, %d writes", r.code, w.gh.Writes())
			}
		})
	}
}

// TestConcurrentApplies runs two applies at once against the same GitHub
// and repositories: they end in the desired state with one pull request,
// and a third run has nothing left to do.
func TestConcurrentApplies(t *testing.T) {
	t.Parallel()
	for i := range 5 {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			w := faultStack(t)
			var wg sync.WaitGroup
			results := make([]result, 2)
			for j := range results {
				wg.Go(func() { results[j] = w.runIn(&testclock.Sleeps{}, "apply") })
			}
			wg.Wait()
			for j, r := range results {
				if r.code != 0 {
					t.Errorf("apply %d: exit %d\n%s\n%s", j, r.code, r.stdout, r.stderr)
				}
			}
			w.converged(t)
			if prs := w.gh.Pulls["alphagov/govuk-secrets"]; len(prs) != 1 {
				t.Errorf("%d pull requests were opened, want 1", len(prs))
			}
			w.gh.ResetRequests()
			if r := w.runIn(&testclock.Sleeps{}, "apply"); r.code != 0 || w.gh.Writes() != 0 {
				t.Errorf("a third run: exit %d, %d writes\n%s", r.code, w.gh.Writes(), r.stdout)
			}
		})
	}
}
