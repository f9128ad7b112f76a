package fakegithub

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// freshMembers is members without what is kept: the lists as the
// stand-in made them for every request before.
func freshMembers(s *Server, team *Team, role string) []string {
	logins := []string{}
	for l, rl := range s.teamRoles(team) {
		if role == "" || role == "all" || role == rl {
			logins = append(logins, l)
		}
	}
	slices.Sort(logins)
	return logins
}

// TestMembersFollowChanges changes teams' memberships directly, as tests
// do, at random, and checks after each change that the kept lists are
// the ones made afresh: added, removed and re-roled members, and child
// teams made and moved.
func TestMembersFollowChanges(t *testing.T) {
	s := New(t, "org")
	s.AddTeam("top", "")
	s.AddTeam("child", "top")
	s.AddTeam("other", "")
	rng := rand.New(rand.NewPCG(1, 2))
	slugs := []string{"top", "child", "other"}
	for step := range 800 {
		team := s.Teams[slugs[rng.IntN(len(slugs))]]
		login := fmt.Sprintf("u%d", rng.IntN(40))
		switch rng.IntN(6) {
		case 0, 1:
			team.Roles[login] = "member"
		case 2:
			team.Roles[login] = "maintainer"
		case 3:
			delete(team.Roles, login)
		case 4: // only child moves, so no team is its own ancestor
			s.Teams["child"].Parent = []string{"", "top", "other"}[rng.IntN(3)]
		case 5:
			if len(slugs) < 8 {
				slug := fmt.Sprintf("t%d", step)
				s.AddTeam(slug, slugs[rng.IntN(len(slugs))])
				slugs = append(slugs, slug)
			}
		}
		for _, slug := range slugs {
			for _, role := range []string{"", "all", "member", "maintainer"} {
				got, want := s.members(s.Teams[slug], role), freshMembers(s, s.Teams[slug], role)
				if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b []string) bool { return slices.Equal(a, b) })); diff != "" {
					t.Fatalf("step %d, team %s, role %q: kept list differs from a fresh one (-want +got)\n%s", step, slug, role, diff)
				}
			}
		}
	}
}

// TestUserRawIsUserJSON: the JSON kept for a user is the JSON of
// userJSON, byte for byte, in a page as alone, for people and bots and
// after a user's id changes.
func TestUserRawIsUserJSON(t *testing.T) {
	s := New(t, "org")
	users := []*User{s.AddUser("Jane-Doe", 7, true), s.AddUser("prodaccess[bot]", 8, false), s.AddUser("x", 1<<40, true)}
	for range 2 {
		for _, u := range users {
			want, err := json.Marshal([]any{s.userJSON(u)})
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal([]any{s.userRaw(u)})
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("%s: kept JSON\n%s\nwant\n%s", u.Login, got, want)
			}
		}
		users[0].ID = 9 // what is kept must follow
	}
	// A page of members is the marshalled list, byte for byte.
	s.AddTeam("t", "")
	for _, u := range users {
		s.SetMember("t", u.Login, "member")
	}
	resp, err := http.Get(s.URL() + "/orgs/org/teams/t/members?per_page=100")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal([]any{s.userJSON(users[0]), s.userJSON(users[1]), s.userJSON(users[2])}) // jane-doe, prodaccess[bot], x
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || string(got) != string(want) {
		t.Errorf("a page of members: %s\n%s\nwant\n%s", resp.Status, got, want)
	}
}
