package github

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/outcome"
)

// cachedClient is a client whose transport keeps its answers in cache.
func cachedClient(t testing.TB, gh *fakegithub.Server, cache *Cache) (*Client, *Transport) {
	t.Helper()
	tr := &Transport{Expire: gh.Expire, Cache: cache}
	c, err := NewClient(gh.URL(), testToken, ClientOptions{Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	return c, tr
}

func readTeam(t *testing.T, c *Client) []outcome.Entry {
	t.Helper()
	states, err := NewTeam(c, teamTarget()).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return states[0].Entries
}

// TestWarmReadCountsNothing: reads of a team of 400 (four full pages)
// that did not change. The first, cold, counts its 7 requests; the second
// is answered 304 throughout but for the page after the last full one,
// asked for the first time (it is empty: the team did not grow); the
// third counts nothing.
func TestWarmReadCountsNothing(t *testing.T) {
	gh := bigTeam(t, 400)
	c, tr := cachedClient(t, gh, NewCache())
	cold := readTeam(t, c)
	type counts struct {
		Client               RequestCounts
		Counted, NotModified int
	}
	var got []counts
	for run := range 3 {
		if run > 0 {
			if diff := cmp.Diff(readTeam(t, c), cold); diff != "" {
				t.Errorf("warm read %d (-got +want):\n%s", run, diff)
			}
		}
		got = append(got, counts{tr.Counts(), gh.Counted(), gh.NotModified()})
		gh.ResetRequests()
	}
	want := []counts{
		{RequestCounts{Sent: 7, Counted: 7}, 7, 0},
		{RequestCounts{Sent: 15, Counted: 8, NotModified: 7}, 1, 7},
		{RequestCounts{Sent: 23, Counted: 8, NotModified: 15}, 0, 8},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("counts of the client (all runs so far) and the stand-in (each run) (-got +want):\n%s", diff)
	}
}

// TestCacheNeverHidesAChange: whatever changed on GitHub between two
// reads, the read with a warm cache sees what a read without one sees,
// including a member added at the end of a list of full pages, where no
// page that was read before changes.
func TestCacheNeverHidesAChange(t *testing.T) {
	tests := []struct {
		name   string
		change func(gh *fakegithub.Server)
	}{
		{"a member added after the last full page", func(gh *fakegithub.Server) {
			gh.AddUser("zz-last", 9001, true)
			gh.SetMember("prod", "zz-last", "member")
		}},
		{"a member added in the middle", func(gh *fakegithub.Server) {
			gh.AddUser("user-0150a", 9002, true)
			gh.SetMember("prod", "user-0150a", "member")
		}},
		{"a member removed", func(gh *fakegithub.Server) {
			gh.Lock()
			delete(gh.Teams["prod"].Roles, "user-0399")
			gh.Unlock()
		}},
		{"a page fewer", func(gh *fakegithub.Server) {
			gh.Lock()
			for i := 300; i < 400; i++ {
				delete(gh.Teams["prod"].Roles, fmt.Sprintf("user-%04d", i))
			}
			gh.Unlock()
		}},
		{"an invitation", func(gh *fakegithub.Server) {
			gh.AddUser("invited", 9003, false)
			gh.Invite("invited", "prod")
		}},
		{"a child team", func(gh *fakegithub.Server) {
			gh.AddTeam("prod-child", "prod")
			gh.AddUser("child-member", 9004, true)
			gh.SetMember("prod-child", "child-member", "member")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gh := bigTeam(t, 400)
			c, _ := cachedClient(t, gh, NewCache())
			before := readTeam(t, c)
			tt.change(gh)
			fresh, _ := cachedClient(t, gh, nil)
			want := readTeam(t, fresh)
			got := readTeam(t, c)
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("read with the warm cache (-got +want):\n%s", diff)
			}
			if cmp.Equal(before, want) {
				t.Errorf("the change made no difference to the team")
			}
		})
	}
}

// TestCacheFile: the cache is written readable by its owner alone, holds
// no token, and reads back; a warm client that starts from the file
// counts nothing.
func TestCacheFile(t *testing.T) {
	gh := bigTeam(t, 150)
	path := filepath.Join(t.TempDir(), "github-cache.json")
	c, tr := cachedClient(t, gh, mustLoad(t, path))
	cold := readTeam(t, c)
	if err := tr.Cache.Save(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("the cache file's mode is %v, want 0600", fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), testToken) || strings.Contains(string(data), "Bearer") {
		t.Errorf("the cache file holds the token")
	}
	gh.ResetRequests()
	c2, tr2 := cachedClient(t, gh, mustLoad(t, path))
	warm := readTeam(t, c2)
	if diff := cmp.Diff(warm, cold); diff != "" {
		t.Errorf("read from the saved cache (-got +want):\n%s", diff)
	}
	if got, want := tr2.Counts(), (RequestCounts{Sent: 5, NotModified: 5}); got != want {
		t.Errorf("counts of the run from the file: got %+v, want %+v", got, want)
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("the folder holds %d files after saving, want the cache alone", len(entries))
	}
}

func mustLoad(t *testing.T, path string) *Cache {
	t.Helper()
	c, err := LoadCache(path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestBadCacheFiles: a cache file that cannot be used is a warning and an
// empty cache (or one without its bad entries), never a failure.
func TestBadCacheFiles(t *testing.T) {
	good := `{"key":"GET http://h/x application/json","etag":"\"a\"","body":"[1]","used":"2026-01-01T00:00:00Z"}`
	tests := []struct {
		name, content string
		entries       int
		warning       string // "" for none
	}{
		{"missing", "", 0, ""},
		{"not JSON", "{{{", 0, "is not a prodaccess GitHub cache"},
		{"another format", `{"format":"other","entries":[` + good + `]}`, 0, `format "other"`},
		{"good", `{"format":"prodaccess-github-cache/1","entries":[` + good + `]}`, 1, ""},
		{"a body that does not parse", `{"format":"prodaccess-github-cache/1","entries":[` + good + `,{"key":"GET http://h/y ","etag":"\"b\"","body":"[1,","used":"2026-01-01T00:00:00Z"}]}`, 1, "1 entr(ies) are not valid"},
		{"an ETag that is not one", `{"format":"prodaccess-github-cache/1","entries":[{"key":"GET http://h/y ","etag":"b","body":"[]"}]}`, 0, "1 entr(ies) are not valid"},
		{"not a GET", `{"format":"prodaccess-github-cache/1","entries":[{"key":"POST http://h/y ","etag":"\"b\"","body":"[]"}]}`, 0, "1 entr(ies) are not valid"},
		{"a null entry", `{"format":"prodaccess-github-cache/1","entries":[null]}`, 0, "1 entr(ies) are not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cache.json")
			if tt.content != "" {
				if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			c, err := LoadCache(path)
			warning := ""
			if err != nil {
				warning = err.Error()
			}
			if c == nil || c.Len() != tt.entries {
				t.Errorf("got a cache of %v entries, want %d", c.Len(), tt.entries)
			}
			if (tt.warning == "") != (warning == "") || !strings.Contains(warning, tt.warning) {
				t.Errorf("warning %q, want one with %q", warning, tt.warning)
			}
		})
	}
}

// TestCacheSizeBound: a cache larger than its bound keeps the most
// recently used entries.
func TestCacheSizeBound(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewCache()
	c.now = func() time.Time { return now }
	c.maxBytes = 250
	ok := &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Etag": {`"x"`}}}
	for i := range 5 {
		now = now.Add(time.Minute)
		c.store(fmt.Sprintf("GET http://h/%d ", i), ok, []byte(`"`+strings.Repeat("a", 90)+`"`))
	}
	path := filepath.Join(t.TempDir(), "cache.json")
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	var got []string
	for k := range mustLoad(t, path).entries {
		got = append(got, k)
	}
	if diff := cmp.Diff(got, []string{"GET http://h/4 ", "GET http://h/3 "}, sortStrings); diff != "" {
		t.Errorf("entries kept (-got +want):\n%s", diff)
	}
}

var sortStrings = cmpopts.SortSlices(func(a, b string) bool { return a < b })

// TestWhatIsNotCached: only a GET without a body or validators of its own
// is conditional, and only a 200 with an ETag and a JSON body is kept.
func TestWhatIsNotCached(t *testing.T) {
	mk := func(method string, body bool, header ...string) *http.Request {
		var r *http.Request
		if body {
			r, _ = http.NewRequest(method, "http://h/x", strings.NewReader("{}"))
		} else {
			r, _ = http.NewRequest(method, "http://h/x", nil)
		}
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		return r
	}
	keys := map[string]string{
		"GET":                   cacheKey(mk("GET", false, "Accept", "application/json")),
		"GET with a body":       cacheKey(mk("GET", true)),
		"HEAD":                  cacheKey(mk("HEAD", false)),
		"PUT":                   cacheKey(mk("PUT", true)),
		"DELETE":                cacheKey(mk("DELETE", false)),
		"its own If-None-Match": cacheKey(mk("GET", false, "If-None-Match", `"a"`)),
		"a range":               cacheKey(mk("GET", false, "Range", "bytes=0-1")),
	}
	want := map[string]string{"GET": "GET http://h/x application/json"}
	for k, v := range keys {
		if v == "" {
			delete(keys, k)
		}
	}
	if diff := cmp.Diff(keys, want); diff != "" {
		t.Errorf("keys (-got +want):\n%s", diff)
	}
	c := NewCache()
	for _, resp := range []*http.Response{
		{StatusCode: http.StatusNotFound, Header: http.Header{"Etag": {`"a"`}}},
		{StatusCode: http.StatusOK, Header: http.Header{}},
		{StatusCode: http.StatusOK, Header: http.Header{"Etag": {`"a"`}}},
	} {
		body := []byte(`{"message":"Not Found"}`)
		if resp.Header.Get("Etag") != "" && resp.StatusCode == http.StatusOK {
			body = []byte("not json")
		}
		c.store("GET http://h/x ", resp, body)
	}
	if c.Len() != 0 {
		t.Errorf("%d answers kept, want none (an error, no ETag, not JSON)", c.Len())
	}
}

// TestErrorsAreNotCached: a server error to a read is not kept, and the
// read after it is sent in full.
func TestErrorsAreNotCached(t *testing.T) {
	gh := bigTeam(t, 3)
	cache := NewCache()
	c, _ := cachedClient(t, gh, cache)
	gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: "/orgs/alphagov/teams/prod/members", Status: http.StatusNotFound, Body: `{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}`})
	if _, err := NewTeam(c, teamTarget()).Read(context.Background()); err == nil {
		t.Fatal("the read did not fail")
	}
	for k := range cache.entries {
		if strings.Contains(k, "/members") {
			t.Errorf("kept %s, an error", k)
		}
	}
}
