package github

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/testclock"
	"github.com/prodaccess/prodaccess/outcome"
)

// TestListsMustBeLists: only a JSON list of valid entries is a list; an
// empty body, null, an object, trailing data or an entry that is not a
// login fails the read, for every list the team is read from.
func TestListsMustBeLists(t *testing.T) {
	lists := []string{membersPath, "/orgs/alphagov/teams/prod/teams", "/orgs/alphagov/teams/prod/invitations", "/orgs/alphagov/invitations"}
	bodies := map[string]string{
		"empty":          "",
		"null":           "null",
		"spaces":         "  \n",
		"object":         `{"login":"user-0000"}`,
		"string":         `"[]"`,
		"two lists":      `[] []`,
		"trailing":       `[]x`,
		"null entry":     `[null]`,
		"broken":         `[{"login":`,
		"path login":     `[{"login":"../../admin","slug":"../../admin","id":5}]`,
		"slash login":    `[{"login":"a/b","slug":"a/b","id":5}]`,
		"newline login":  `[{"login":"evil\nPlan: 0 changes","slug":"evil\n","id":5}]`,
		"empty login":    `[{"login":"","slug":"","id":5}]`,
		"number login":   `[{"login":5,"slug":5,"id":5}]`,
		"too long login": `[{"login":"` + strings.Repeat("a", 300) + `","slug":"` + strings.Repeat("a", 300) + `","id":5}]`,
	}
	for _, path := range lists {
		for name, body := range bodies {
			t.Run(path+"/"+name, func(t *testing.T) {
				gh := bigTeam(t, 3)
				gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: path, Status: 200, Body: body, Times: 1})
				states, err := readWithin(t, newTestClient(t, gh, &testclock.Sleeps{}))
				if err == nil {
					t.Fatalf("read %+v from %q", states, body)
				}
			})
		}
	}
	// What GitHub really sends still reads.
	gh := bigTeam(t, 3)
	gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: "/orgs/alphagov/invitations", Status: 200, Body: ` [{"id":1,"login":null,"email":"someone@example.com"}]` + "\n", Times: 1})
	if _, err := readWithin(t, newTestClient(t, gh, &testclock.Sleeps{})); err != nil {
		t.Errorf("an email invitation: %v", err)
	}
}

// TestHostilePagination: a Link header may not make the client read more
// than 1,000 pages, allocate from its numbers, or take pages that
// disagree with each other.
func TestHostilePagination(t *testing.T) {
	link := func(next, last string) http.Header {
		var parts []string
		if next != "" {
			parts = append(parts, `<http://x/?page=`+next+`&per_page=100>; rel="next"`)
		}
		if last != "" {
			parts = append(parts, `<http://x/?page=`+last+`&per_page=100>; rel="last"`)
		}
		return http.Header{"Link": {strings.Join(parts, ", ")}}
	}
	full := "[" + strings.TrimSuffix(strings.Repeat(`{"login":"user-0000","id":1},`, 100), ",") + "]"
	tests := []struct {
		name    string
		header  http.Header
		body    string
		wantErr string
	}{
		{"the largest int", link("2", "9223372036854775807"), full, "names page 9223372036854775807 as the last page; prodaccess reads at most 1000 pages"},
		{"a hundred million pages", link("2", "100000000"), full, "reads at most 1000 pages"},
		{"one page too many", link("2", "1001"), full, "reads at most 1000 pages"},
		{"next beyond the int range", link("99999999999999999999", "3"), full, "which is not a page number"},
		{"a negative last page", link("2", "-1"), full, "which is not a page number"},
		{"page zero", link("0", "2"), full, "which is not a page number"},
		{"a page that is not a number", link("2", "1e3"), full, "which is not a page number"},
		{"next without last", link("2", ""), full, "names next page 2 and last page 0"},
		{"next that skips pages", link("5", "9"), full, "names next page 5 and last page 9"},
		{"last without next", link("", "7"), full, "names next page 0 and last page 7"},
		{"a short first page of many", link("2", "3"), `[{"login":"user-0000","id":1}]`, "the list changed while it was read, or its pages disagree"},
		{"more entries than a page holds", nil, "[" + strings.TrimSuffix(strings.Repeat(`{"login":"user-0000","id":1},`, 101), ",") + "]", "101 entries on a page of at most 100"},
		{"a link that cannot be read", http.Header{"Link": {`http://x/?page=2; rel="next"`}}, full, "cannot read the Link header entry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gh := bigTeam(t, 3)
			gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: membersPath, Status: 200, Header: tt.header, Body: tt.body, Times: 1})
			_, err := readWithin(t, newTestClient(t, gh, &testclock.Sleeps{}))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
			if n := gh.Count("GET", membersPath); n > 1000 {
				t.Errorf("%d requests", n)
			}
		})
	}

	// A list that changes between its pages is not read: here the last
	// page is gone by the time it is asked for, and the other pages say so.
	gh := bigTeam(t, 250)
	gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: membersPath, Status: 200, Header: link("2", "4"), Body: full, Times: 1})
	if _, err := readWithin(t, newTestClient(t, gh, &testclock.Sleeps{})); err == nil || !strings.Contains(err.Error(), "the list changed while it was read") {
		t.Errorf("error %v", err)
	}
}

// TestRedirects: the token goes to no host but the API's. A read that is
// redirected elsewhere (another host, port or scheme) fails, and the other
// place never sees the Authorization header; a read redirected within
// the API's origin is followed; a write follows no redirect.
func TestRedirects(t *testing.T) {
	var mu sync.Mutex
	var sawAuth []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sawAuth = append(sawAuth, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "[]")
	}))
	defer other.Close()
	gh := bigTeam(t, 3)
	sameHostHTTPS := strings.Replace(gh.URL(), "http://", "https://", 1)
	for _, tt := range []struct {
		name, location string
		status         int
	}{
		{"302 to another host", other.URL + "/members", 302},
		{"301 to another host", other.URL + "/members", 301},
		{"307 to another host", other.URL + "/members", 307},
		{"308 to another host with user info", strings.Replace(other.URL, "http://", "http://someone:pw@", 1) + "/members", 308},
		{"to the same host over https", sameHostHTTPS + membersPath, 302},
	} {
		t.Run(tt.name, func(t *testing.T) {
			gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: membersPath, Status: tt.status, Header: http.Header{"Location": {tt.location}}, Times: 1, Hostile: true})
			_, err := readWithin(t, newTestClient(t, gh, &testclock.Sleeps{}))
			if err == nil || !strings.Contains(err.Error(), "with a redirect to another host, port or scheme") || !strings.Contains(err.Error(), "prodaccess never sends the token to a host other than GITHUB_API_URL's") {
				t.Errorf("error: %v", err)
			}
			if err != nil && strings.Contains(err.Error(), "pw") {
				t.Errorf("the error shows the user info of the redirect: %v", err)
			}
		})
	}
	mu.Lock()
	if len(sawAuth) != 0 {
		t.Errorf("the other host was asked %d times (Authorization %q)", len(sawAuth), sawAuth)
	}
	mu.Unlock()

	t.Run("within the API's origin", func(t *testing.T) {
		gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: membersPath, Status: 301, Header: http.Header{"Location": {gh.URL() + membersPath + "?role=all&per_page=100&page=1"}}, Times: 1, Hostile: true})
		states, err := readWithin(t, newTestClient(t, gh, &testclock.Sleeps{}))
		if err != nil || len(states[0].Entries) != 3 {
			t.Errorf("error %v, states %+v", err, states)
		}
	})
	t.Run("a write", func(t *testing.T) {
		gh.SetFaults(&fakegithub.Fault{Method: "DELETE", Status: 307, Header: http.Header{"Location": {gh.URL() + "/orgs/alphagov/teams/prod/memberships/user-0002"}}, Times: 1, Hostile: true})
		res := NewTeam(newTestClient(t, gh, &testclock.Sleeps{}), teamTarget()).Apply(context.Background(), nil, []outcome.Change{{Target: "team", Action: outcome.Remove, Subject: "user-0001"}})
		if res[0].Status != outcome.Failed || !strings.Contains(res[0].Detail, "prodaccess follows no redirect of a write") {
			t.Errorf("result: %+v", res[0])
		}
		if diff := cmp.Diff([]string{"user-0000", "user-0001", "user-0002"}, gh.Members("prod")); diff != "" {
			t.Errorf("members (-want +got):\n%s", diff)
		}
	})
}

// TestTokenNeverInErrors: an answer that quotes the token, or a URL with
// user info, never reaches an error or a result.
func TestTokenNeverInErrors(t *testing.T) {
	const token = "ghs_a_token_that_must_stay_secret"
	gh := bigTeam(t, 3)
	gh.AddUser("new", 99, true)
	c, err := NewClient(gh.URL(), token, ClientOptions{Transport: &Transport{Sleep: (&testclock.Sleeps{}).Sleep}})
	if err != nil {
		t.Fatal(err)
	}
	echo := `{"message":"Bad credentials: ` + token + ` at http://x-access-token:` + token + `@example.com/"}`
	gh.SetFaults(&fakegithub.Fault{Status: 401, Body: echo})
	_, err = NewTeam(c, teamTarget()).Read(context.Background())
	if err == nil || strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "x-access-token") || !strings.Contains(err.Error(), "Bad credentials: ***") {
		t.Errorf("read error: %v", err)
	}
	if !isUnauthorized(err) {
		t.Errorf("the scrubbed error no longer unwraps to GitHub's: %#v", err)
	}
	res := NewTeam(c, teamTarget()).Apply(context.Background(), nil, []outcome.Change{
		{Target: "team", Action: outcome.Remove, Subject: "user-0001"},
		{Target: "team", Action: outcome.Add, Subject: "new", GitHubID: 99},
		{Target: "team", Action: outcome.Add, Subject: "new"},
	})
	for _, r := range res {
		if r.Status != outcome.Failed || strings.Contains(r.Detail, token) {
			t.Errorf("result: %+v", r)
		}
	}
	prs := NewPullRequests(c)
	_, err1 := prs.Find(context.Background(), "alphagov/repo", "prodaccess/sync")
	_, err2 := prs.Create(context.Background(), "alphagov/repo", "main", "prodaccess/sync", "t", "b")
	err3 := prs.Update(context.Background(), "alphagov/repo", 1, "t", "b")
	for _, err := range []error{err1, err2, err3} {
		if err == nil || strings.Contains(err.Error(), token) {
			t.Errorf("pull request error: %v", err)
		}
	}

	for _, api := range []string{"https://x-access-token:" + token + "@ghe.example.com/api/v3", "https://" + token + "@ghe.example.com/api/v3", "ftp://" + token + "@x/"} {
		_, err := NewClient(api, token, ClientOptions{})
		if err == nil || strings.Contains(err.Error(), token) {
			t.Errorf("GITHUB_API_URL %s: %v", api, err)
		}
	}
}

func isUnauthorized(err error) bool { return statusOf(err) == http.StatusUnauthorized }

// TestPathsAreEscaped: no value can change which endpoint a request
// reaches. A subject that is not a login is refused before anything is
// sent, and a repository that is not owner/name is refused.
func TestPathsAreEscaped(t *testing.T) {
	gh := bigTeam(t, 3)
	c := newTestClient(t, gh, &testclock.Sleeps{})
	gh.ResetRequests()
	var changes []outcome.Change
	for _, s := range []string{"../../admin", "..", ".", "", "a/b", "user-0001/../../admin", "user-0001?x=1", "user%2F0001"} {
		changes = append(changes, outcome.Change{Target: "team", Action: outcome.Remove, Subject: s}, outcome.Change{Target: "team", Action: outcome.Add, Subject: s, GitHubID: 1})
	}
	for _, r := range NewTeam(c, teamTarget()).Apply(context.Background(), nil, changes) {
		if r.Status != outcome.Refused || !strings.Contains(r.Detail, "is not a GitHub login; nothing was sent to GitHub") {
			t.Errorf("result: %+v", r)
		}
	}
	if reqs := gh.Requests(); len(reqs) != 0 {
		t.Errorf("requests were sent: %+v", reqs)
	}
	prs := NewPullRequests(c)
	for _, repo := range []string{"alphagov/..", "alphagov/.", "../x", "alphagov/x/y", "alphagov", "alphagov/x?y"} {
		if _, err := prs.Find(context.Background(), repo, "prodaccess/sync"); err == nil {
			t.Errorf("Find in %q: no error", repo)
		}
		if err := prs.Close(context.Background(), repo, 1); err == nil {
			t.Errorf("Close in %q: no error", repo)
		}
	}
	if reqs := gh.Requests(); len(reqs) != 0 {
		t.Errorf("requests were sent: %+v", reqs)
	}
	for _, tt := range []struct {
		segments []string
		want     string
	}{
		{[]string{"orgs", "alphagov", "teams", "a b", "memberships", "x%2Fy"}, "orgs/alphagov/teams/a%20b/memberships/x%252Fy"},
		{[]string{"users", "a/b?c#d"}, "users/a%2Fb%3Fc%23d"},
	} {
		got, err := apiPath(tt.segments...)
		if err != nil || got != tt.want {
			t.Errorf("apiPath(%q) = %q, %v; want %q", tt.segments, got, err, tt.want)
		}
	}
}

func TestStripUserInfo(t *testing.T) {
	for in, want := range map[string]string{
		`clone https://x-access-token:secret@github.com/a/b.git: failed`: `clone https://github.com/a/b.git: failed`,
		`Get "https://secret@ghe.example.com/api/v3/x": EOF`:             `Get "https://ghe.example.com/api/v3/x": EOF`,
		`HTTP://user:pw@h/ and http://other@h2/`:                         `HTTP://h/ and http://h2/`,
		`ssh://git@github.com/a/b.git`:                                   `ssh://git@github.com/a/b.git`,
		`ssh://git:pw@github.com/a/b.git`:                                `ssh://github.com/a/b.git`,
		`git@github.com:a/b.git and someone@example.com`:                 `git@github.com:a/b.git and someone@example.com`,
		`https://github.com/a/b?x=a@b`:                                   `https://github.com/a/b?x=a@b`,
	} {
		if got := StripUserInfo(in); got != want {
			t.Errorf("StripUserInfo(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAnswerTooLarge: an answer larger than 16 MiB fails the request
// rather than being kept in memory.
func TestAnswerTooLarge(t *testing.T) {
	gh := bigTeam(t, 3)
	gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: membersPath, Status: 200, Body: "[" + strings.Repeat(" ", 16<<20) + "]"})
	_, err := NewTeam(newTestClient(t, gh, &testclock.Sleeps{}), teamTarget()).Read(context.Background())
	if err == nil || !strings.Contains(err.Error(), "is larger than 16 MiB") {
		t.Errorf("error: %v", err)
	}
}
