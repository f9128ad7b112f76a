package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/outcome"
)

const signonManual = "  - name: signon\n    type: manual\n    instructions: Grant Super Admin in Signon\n"

// recordStack is a stack whose signon target keeps a record in a
// repository of its own, written with CRLF and comments: alice holds it,
// bob is entitled and missing, carol has left and still holds it.
func recordStack(t *testing.T) (*stack, string) {
	t.Helper()
	w := newStack(t, map[string]string{
		"alice": permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""),
		"bob":   permanentFile("Bob Brown", "bob-gh", 0, fingerprint('B'), "bob", ""),
		"carol": permanentFile("Carol Gone", "carol-gh", 0, fingerprint('C'), "carol", "last_day: 2020-12-31\n"),
	}, []string{keepKey, fingerprint('A'), fingerprint('B')}, []string{"alice", "bob"})
	for i, u := range []string{"alice-gh", "bob-gh", "carol-gh", "lee-lead"} {
		w.gh.AddUser(u, int64(i+1), true)
	}
	w.gh.SetMember("gov-uk-production", "alice-gh", "member")
	w.gh.SetMember("gov-uk-production", "bob-gh", "member")
	w.gh.AddTeam("signon-admins", "")

	records := filepath.Join(filepath.Dir(w.people), "records")
	if err := devstack.NewRepo(records, map[string]string{
		"signon.txt": "# Who holds Super Admin in Signon\r\n\r\nalice.able@example.gov.uk  # Alice Able\r\ncarol.gone@example.gov.uk  # Carol Gone\r\n",
	}); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(w.people, "prodaccess.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	withRecord := strings.Replace(string(cfg), signonManual, signonManual+
		"    record: {repo: "+records+", github_repo: alphagov/access-records, path: signon.txt}\n"+
		"    owners: [lee-lead, alphagov/signon-admins]\n", 1)
	if err := devstack.Commit(w.people, map[string]string{"prodaccess.yaml": withRecord}, "Keep a record of Signon"); err != nil {
		t.Fatal(err)
	}
	return w, records
}

// containsAll checks that got holds every one of wants; show is printed
// when it does not.
func containsAll(t *testing.T, what, got, show string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, show)
		}
	}
}

// recordAuditRepo is a people repository whose configuration names a
// record (in a repository beside it) that has listed alice since its
// first commit.
func recordAuditRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	records, people := filepath.Join(dir, "records"), filepath.Join(dir, "people-repo")
	if err := devstack.NewRepo(records, map[string]string{"signon.txt": "alice.able@example.gov.uk  # Alice Able\n"}); err != nil {
		t.Fatal(err)
	}
	if err := devstack.NewRepo(people, map[string]string{
		"prodaccess.yaml":   "people: people\ntargets:\n" + signonManual + "    record: {repo: " + records + ", path: signon.txt}\n",
		"people/alice.yaml": permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""),
	}); err != nil {
		t.Fatal(err)
	}
	return people
}

// TestManualRecord: a manual target with a record is planned against the
// record, changed through a pull request that lists the work and asks its
// owners to review it, waits while the pull request is open, and needs
// nothing once it is merged.
func TestManualRecord(t *testing.T) {
	t.Parallel()
	w, records := recordStack(t)

	plan := w.run("plan")
	must(t, plan, 2, "plan")
	out := squash(plan.stdout)
	containsAll(t, "plan", out, plan.stdout,
		"signon: Grant Super Admin in Signon, recorded in signon.txt in "+records+" (main) (2 entries now)",
		"carol none left: last day was 2020-12-31",
		"- carol.gone@example.gov.uk carol",
		"+ bob.brown@example.gov.uk bob",
	)
	if strings.Contains(out, "By hand:") {
		t.Errorf("a target with a record is listed as by hand:\n%s", plan.stdout)
	}

	must(t, w.run("apply"), 0, "apply")
	want := "# Who holds Super Admin in Signon\r\n\r\nalice.able@example.gov.uk  # Alice Able\r\nbob.brown@example.gov.uk  # Bob Brown\r\n"
	if diff := cmp.Diff(want, show(t, records, "prodaccess/record", "signon.txt")); diff != "" {
		t.Errorf("the record on the branch (-want +got):\n%s", diff)
	}
	prs := w.gh.OpenPulls("alphagov/access-records")
	if len(prs) != 1 || prs[0].Head != "prodaccess/record" {
		t.Fatalf("pull requests: %+v", prs)
	}
	pr := prs[0]
	containsAll(t, "the pull request body", pr.Body, pr.Body,
		"- [ ] **Revoke** for `carol.gone@example.gov.uk`, carol (Carol Gone): undo for carol.gone@\u200bexample.gov.uk: Grant Super Admin in Signon. Why: left: last day was 2020-12-31",
		"- [ ] **Grant** for `bob.brown@example.gov.uk`, bob (Bob Brown), permanent: Grant Super Admin in Signon for bob.brown@\u200bexample.gov.uk. Why: after-primary-shift",
		"| signon | remove | `carol.gone@example.gov.uk` | carol (Carol Gone) |",
	)
	if pr.Title != "prodaccess: 1 revocation and 1 grant to make by hand (signon)" {
		t.Errorf("title %q", pr.Title)
	}
	if diff := cmp.Diff([]string{"lee-lead", "signon-admins"}, append(slices.Clone(pr.RequestedReviewers), pr.RequestedTeams...)); diff != "" {
		t.Errorf("review requested from (-want +got):\n%s", diff)
	}

	// Right after apply, the plan has nothing to do: it says what waits.
	again := w.run("plan")
	must(t, again, 0, "plan after apply")
	out = squash(again.stdout)
	containsAll(t, "plan after apply", out, again.stdout,
		"Waiting: an open pull request of prodaccess holds these changes",
		"pull request #1 (https://github.example/alphagov/access-records/pull/1), open 0m, review requested from lee-lead, alphagov/signon-admins",
		"- carol.gone@example.gov.uk carol",
		"0 to add, 0 to remove, 2 waiting, 0 by hand",
	)

	// Someone adds an entry on the base branch by hand: its removal is to
	// do (the pull request's branch, made before, does not remove it),
	// while the rest still waits. (Two of three entries go now, more than
	// max_removal_fraction allows without --allow-mass-removal.)
	if err := devstack.Commit(records, map[string]string{"signon.txt": show(t, records, "main", "signon.txt") + "zed@example.gov.uk\r\n"}, "Add Zed by hand"); err != nil {
		t.Fatal(err)
	}
	stale := w.run("plan", "--allow-mass-removal")
	must(t, stale, 2, "plan after a change to the base branch")
	if out := squash(stale.stdout); !strings.Contains(out, "To do: apply makes these changes now.") || !strings.Contains(out, "- zed@example.gov.uk - belongs to no person file") ||
		!strings.Contains(out, "0 to add, 1 to remove, 2 waiting, 0 by hand") {
		t.Errorf("plan after a change to the base branch:\n%s", stale.stdout)
	}
	must(t, w.run("apply", "--allow-mass-removal"), 0, "apply after a change to the base branch")
	pr = w.gh.OpenPulls("alphagov/access-records")[0]

	// A person ticks a box; the next apply keeps the tick and writes
	// nothing.
	w.gh.Lock()
	w.gh.Pulls["alphagov/access-records"][0].Body = strings.Replace(pr.Body, "- [ ] **Revoke**", "- [x] **Revoke**", 1)
	w.gh.Unlock()
	w.gh.ResetRequests()
	must(t, w.run("apply", "--allow-mass-removal"), 0, "apply again")
	if n := w.gh.Writes(); n != 0 {
		t.Errorf("the second apply made %d write requests: %+v", n, w.gh.Requests())
	}

	// Merged: the record now holds what the rules call for.
	if _, err := devstack.Git(records, "merge", "-q", "--no-ff", "-m", "Merge pull request #1 from prodaccess/record", "prodaccess/record"); err != nil {
		t.Fatal(err)
	}
	w.gh.Lock()
	w.gh.Pulls["alphagov/access-records"][0].State = "closed"
	w.gh.Unlock()
	merged := w.run("plan")
	must(t, merged, 0, "plan after the merge")
	if !strings.Contains(merged.stdout, "0 to add, 0 to remove, 0 waiting, 0 by hand") {
		t.Errorf("plan after the merge:\n%s", merged.stdout)
	}

	// The record's history says who held it, and which merge recorded it.
	audit := w.run("audit", "record", "signon", "--format", "json")
	must(t, audit, 0, "audit record")
	var held outcome.RecordAt
	if err := json.Unmarshal([]byte(audit.stdout), &held); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range held.Holders {
		// A commit's message names no pull request that counts: whoever
		// pushes writes it.
		got = append(got, fmt.Sprintf("%s since #%d %s", h.Subject, h.Since.PR, h.Since.Subject))
	}
	if diff := cmp.Diff([]string{
		"alice.able@example.gov.uk since #0 Initial commit",
		"bob.brown@example.gov.uk since #0 Merge pull request #1 from prodaccess/record",
	}, got); diff != "" {
		t.Errorf("audit record (-want +got):\n%s", diff)
	}
	before := w.run("audit", "record", "signon", "--at", "2020-01-01")
	must(t, before, 0, "audit record before the record")
	if before.stdout != "signon: the record signon.txt had no commit by the end of 2020-01-01.\n" {
		t.Errorf("audit record before the record: %q", before.stdout)
	}
}

// TestOverdueRevocation: a revocation that has waited in a pull request
// for longer than safety.max_revocation_wait fails plan and apply, named
// with its pull request, and apply still does the rest.
func TestOverdueRevocation(t *testing.T) {
	t.Parallel()
	w, _ := recordStack(t)
	must(t, w.run("apply"), 0, "apply")
	w.gh.Lock()
	w.gh.Pulls["alphagov/access-records"][0].CreatedAt = time.Now().Add(-50 * time.Hour)
	w.gh.Unlock()
	want := "signon: the revocation of carol.gone@example.gov.uk (carol) has waited 2d 2h in pull request #1 (https://github.example/alphagov/access-records/pull/1), more than safety.max_revocation_wait (48h)"
	for _, cmd := range []string{"plan", "apply"} {
		r := w.run(cmd)
		must(t, r, 1, cmd+" with an overdue revocation")
		if !strings.Contains(r.stderr, want) || !strings.Contains(r.stdout, "OVERDUE") {
			t.Errorf("%s does not name the overdue revocation %q:\nstdout:\n%s\nstderr:\n%s", cmd, want, r.stdout, r.stderr)
		}
	}
}
