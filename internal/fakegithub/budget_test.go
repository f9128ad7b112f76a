package fakegithub

import (
	"io"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// get sends one GET, conditional on etag when it is not empty, and
// returns the status and the ETag of the answer.
func get(t *testing.T, gh *Server, path, etag string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, gh.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("ETag")
}

// TestConditionalReadsAndTheBudget: a 304 answers only a request that
// names the current ETag; the ETag changes with what the list holds; and
// the budget counts every request but the 304s, as GitHub's does.
func TestConditionalReadsAndTheBudget(t *testing.T) {
	gh := New(t, "alphagov")
	gh.AddTeam("prod", "")
	gh.AddUser("alice", 1, true)
	gh.AddUser("bob", 2, true)
	gh.SetMember("prod", "alice", "member")
	const members = "/orgs/alphagov/teams/prod/members"

	var got []int
	status, etag := get(t, gh, members, "")
	got = append(got, status)
	status, _ = get(t, gh, members, etag)
	got = append(got, status)
	status, _ = get(t, gh, members, "W/"+etag) // If-None-Match compares weakly
	got = append(got, status)
	status, _ = get(t, gh, members, `"other", `+etag)
	got = append(got, status)
	status, _ = get(t, gh, members, "") // never a 304 without If-None-Match
	got = append(got, status)
	gh.SetMember("prod", "bob", "member")
	status, changed := get(t, gh, members, etag)
	got = append(got, status)
	if diff := cmp.Diff(got, []int{200, 304, 304, 304, 200, 200}); diff != "" {
		t.Errorf("statuses (-got +want):\n%s", diff)
	}
	if changed == etag {
		t.Errorf("the ETag stayed %s after a member was added", etag)
	}
	if got, want := gh.Counted(), 3; got != want {
		t.Errorf("Counted() = %d, want %d", got, want)
	}
	if got, want := gh.NotModified(), 3; got != want {
		t.Errorf("NotModified() = %d, want %d", got, want)
	}
}

// TestNotModifiedCarriesNoLink: a 304 to a page of a list does not carry
// the Link header, so a client that reads the page links from it would
// miss a page added since.
func TestNotModifiedCarriesNoLink(t *testing.T) {
	gh := New(t, "alphagov")
	gh.AddTeam("prod", "")
	gh.AddUser("alice", 1, true)
	gh.AddUser("bob", 2, true)
	gh.SetMember("prod", "alice", "member")
	gh.SetMember("prod", "bob", "member")
	path := "/orgs/alphagov/teams/prod/members?per_page=1"
	_, etag := get(t, gh, path, "")
	req, err := http.NewRequest(http.MethodGet, gh.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("If-None-Match", etag)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified || resp.Header.Get("Link") != "" {
		t.Errorf("got %d with Link %q, want 304 without a Link header", resp.StatusCode, resp.Header.Get("Link"))
	}
}
