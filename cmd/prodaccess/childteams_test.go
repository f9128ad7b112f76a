package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestChildTeamNotListed: someone kept on through a child team that the
// target's child_teams does not list is an error: plan and apply exit 1
// and name them, and apply still makes every other change. Once they are
// out of the child team, all is well again.
func TestChildTeamNotListed(t *testing.T) {
	t.Parallel()
	w := faultStack(t)
	w.gh.AddTeam("shadow-ops", "gov-uk-production")
	w.gh.AddUser("mallory-gh", 66, true)
	w.gh.SetMember("shadow-ops", "mallory-gh", "member")
	want := "github-production: mallory-gh is not entitled (belongs to no person file) but keeps the access as a member of child team alphagov/shadow-ops, which the target's child_teams does not list; prodaccess never changes child teams: remove mallory-gh from alphagov/shadow-ops, or list the team under child_teams with a reason"

	r := w.run("plan")
	must(t, r, 1, "plan")
	if !strings.Contains(r.stdout, "ERRORS: ") || !strings.Contains(r.stdout, want) {
		t.Errorf("plan:\n%s", r.stdout)
	}
	r = w.run("apply")
	must(t, r, 1, "apply")
	if !strings.Contains(r.stderr, "1 error(s) in the plan need a person; see ERRORS above") {
		t.Errorf("stderr: %s", r.stderr)
	}
	if diff := cmp.Diff([]string{"alice-gh", "bob-gh"}, w.gh.Members("gov-uk-production")); diff != "" {
		t.Errorf("the other changes were not made (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"mallory-gh"}, w.gh.Members("shadow-ops")); diff != "" {
		t.Errorf("the child team was changed (-want +got):\n%s", diff)
	}

	w.gh.Lock()
	delete(w.gh.Teams["shadow-ops"].Roles, "mallory-gh")
	w.gh.Unlock()
	must(t, w.run("apply"), 0, "apply once mallory is out of the child team")
}
