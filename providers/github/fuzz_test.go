package github

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// FuzzDecodeList: whatever GitHub sends, the list reader never panics,
// and takes for a list only a JSON list whose entries pass their check.
func FuzzDecodeList(f *testing.F) {
	for _, s := range []string{"", "null", "[]", "[null]", `[{"login":"a-b","id":1}]`, `[{"login":"../x","id":1}]`, `[] []`, `{}`, `[{"login":"a","id":1},`, " [ ] \n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		users, err := decodeList[apiUser](data)
		if err != nil {
			return
		}
		trimmed := bytes.TrimSpace(data)
		if !json.Valid(trimmed) || trimmed[0] != '[' {
			t.Fatalf("read %q as a list", data)
		}
		for _, u := range users {
			if checkUser(u) == nil && (u.ID <= 0 || u.Login == "" || bytes.ContainsAny([]byte(u.Login), "/.?#%\n")) {
				t.Fatalf("checkUser passed %+v", u)
			}
		}
		var obj struct{}
		if decodeObject(data, &obj) == nil {
			t.Fatalf("%q read as both a list and an object", data)
		}
	})
}

// FuzzParseLinks: no Link header makes the reader panic or name a page
// outside 1 to 1,000.
func FuzzParseLinks(f *testing.F) {
	for _, s := range []string{
		``,
		`<https://api.github.com/orgs/a/teams/b/members?page=2&per_page=100>; rel="next", <https://api.github.com/orgs/a/teams/b/members?page=9&per_page=100>; rel="last"`,
		`<x?page=9223372036854775807>; rel="last"`,
		`<x?page=-1>; rel="next"`,
		`<x?page=1e3>; rel="last"`,
		`<x?cursor=abc>; rel="next"`,
		`x?page=2; rel="next"`,
		`<x?page=2>`,
		`<x?page=2>; rel=next; title="a,b"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		pl, err := parseLinks(header)
		if err != nil {
			return
		}
		for _, n := range []int{pl.next, pl.last} {
			if n < 0 || n > maxPages {
				t.Fatalf("%q gave page %d", header, n)
			}
		}
	})
}

// fixed answers every request with the same response.
type fixed struct {
	status int
	header http.Header
	body   string
	tries  int
}

func (f *fixed) RoundTrip(req *http.Request) (*http.Response, error) {
	f.tries++
	return &http.Response{StatusCode: f.status, Status: strconv.Itoa(f.status), Header: f.header.Clone(), Body: io.NopCloser(bytes.NewReader([]byte(f.body))), Request: req}, nil
}

// FuzzTransport: whatever status and rate-limit headers GitHub sends on
// every answer, a request is tried a bounded number of times, every wait
// is at least a second, and the waits stay within the budget.
func FuzzTransport(f *testing.F) {
	f.Add(429, "0", "", "", "")
	f.Add(429, "9223372037", "", "", "")
	f.Add(403, "", "0", "9223372036854775807", "")
	f.Add(403, "", "0", "-9223372036854775808", "")
	f.Add(403, "", "12", "", `{"message":"You have exceeded a secondary rate limit"}`)
	f.Add(503, "", "", "", "")
	f.Add(200, "5", "0", "1", "[]")
	f.Fuzz(func(t *testing.T, status int, retryAfter, remaining, reset, body string) {
		if status < 100 || status > 999 {
			return
		}
		base := &fixed{status: status, header: http.Header{}, body: body}
		for k, v := range map[string]string{"Retry-After": retryAfter, "X-Ratelimit-Remaining": remaining, "X-Ratelimit-Reset": reset} {
			if v != "" {
				base.header.Set(k, v)
			}
		}
		var waits []time.Duration
		tr := &Transport{Base: base, Now: func() time.Time { return clock }, Sleep: func(_ context.Context, d time.Duration) error {
			waits = append(waits, d)
			return nil
		}}
		req, _ := http.NewRequest(http.MethodGet, "https://api.github.com/orgs/a/teams/b/members", nil)
		resp, err := tr.RoundTrip(req)
		if err == nil {
			resp.Body.Close()
		}
		if max := 1 + DefaultMaxRetries + DefaultMaxRateLimitRetries; base.tries > max {
			t.Fatalf("%d tries, at most %d allowed", base.tries, max)
		}
		var total time.Duration
		for _, w := range waits {
			if w < time.Second {
				t.Fatalf("a wait of %s", w)
			}
			total += w
		}
		if total > DefaultMaxWait+15*time.Second { // rate limits within the budget, plus backoff of at most 1+2+4+8 s
			t.Fatalf("waited %s in all", total)
		}
	})
}
