package github

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/testclock"
)

// TestProfiles: each login's public profile, with what its owner shows
// (a name, an email, or neither), and a name that would hide
// what it says left out; a login GitHub does not know fails the read.
func TestProfiles(t *testing.T) {
	gh := fakegithub.New(t, "alphagov")
	gh.Token = testToken
	alice := gh.AddUser("Alice-GH", 1, true)
	alice.Name, alice.Email = "Alice Able", "alice.able@example.gov.uk"
	gh.AddUser("bob-gh", 2, true)
	mal := gh.AddUser("mal-gh", 4, true)
	mal.Name = "Mal\u202eicious"
	c := newTestClient(t, gh, &testclock.Sleeps{})

	got, err := c.Profiles(context.Background(), []string{"alice-gh", "bob-gh", "mal-gh", "bob-gh"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Profile{
		"alice-gh": {Login: "Alice-GH", ID: 1, Name: "Alice Able", Email: "alice.able@example.gov.uk", Type: "User"},
		"bob-gh":   {Login: "bob-gh", ID: 2, Type: "User"},
		"mal-gh":   {Login: "mal-gh", ID: 4, Type: "User", Problems: []string{"the name in the profile of mal-gh holds U+202E (character 4), which changes how the text around it is shown; only visible text is allowed, so it is not used"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("profiles (-want +got):\n%s", diff)
	}
	if n := gh.Count("GET", "/users/bob-gh"); n != 1 {
		t.Errorf("bob-gh's profile was read %d times", n)
	}

	_, err = c.Profiles(context.Background(), []string{"alice-gh", "nobody-gh"})
	if err == nil || !strings.Contains(err.Error(), "read the profile of nobody-gh: ") {
		t.Errorf("a login GitHub does not know: %v", err)
	}
}
