package pagerduty

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/fakepagerduty"
	"github.com/prodaccess/prodaccess/internal/testclock"
)

func month() Query {
	return Query{ScheduleIDs: []string{"PPRIMRY"}, Since: day(1), Until: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
}

// TestWaitsAndRetries: a 429 is waited out for as long as PagerDuty's
// ratelimit-reset says (at least a second; a minute if nothing says), at
// most ten times a request; a 5xx is retried after 1s, 2s, 4s, 8s; a 4xx
// is not retried; no wait passes the budget; and a failure that lasts is
// an error, never an empty rota.
func TestWaitsAndRetries(t *testing.T) {
	ten := func(d time.Duration) []time.Duration {
		var out []time.Duration
		for range DefaultMaxRateLimitWaits {
			out = append(out, d)
		}
		return out
	}
	// A 429 without ratelimit-reset, which PagerDuty documents on every
	// answer: how the client copes with a rate limit from something else
	// on the way.
	limited := func(times int, h ...string) *fakepagerduty.Fault {
		f := fakepagerduty.RateLimited("/oncalls", times, 0)
		f.Header.Del("Ratelimit-Reset")
		f.Hostile = true
		for i := 0; i+1 < len(h); i += 2 {
			f.Header.Set(h[i], h[i+1])
		}
		return f
	}
	failing := func(status, times int) *fakepagerduty.Fault {
		return &fakepagerduty.Fault{Path: "/oncalls", Status: status, Times: times}
	}
	backoff := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	tests := []struct {
		name      string
		fault     *fakepagerduty.Fault
		maxWait   time.Duration
		wantWaits []time.Duration
		wantTries int
		wantErr   string // said at the end of the error
	}{
		{name: "429 as asked, twice", fault: fakepagerduty.RateLimited("/oncalls", 2, 17), wantWaits: []time.Duration{17 * time.Second, 17 * time.Second}, wantTries: 3},
		{name: "429, reset 0: a second", fault: fakepagerduty.RateLimited("/oncalls", 1, 0), wantWaits: []time.Duration{time.Second}, wantTries: 2},
		{name: "429, no reset: a minute", fault: limited(1), wantWaits: []time.Duration{time.Minute}, wantTries: 2},
		{name: "429, no reset, Retry-After in seconds", fault: limited(1, "Retry-After", "5"), wantWaits: []time.Duration{5 * time.Second}, wantTries: 2},
		{name: "429, no reset, Retry-After a date", fault: limited(1, "Retry-After", "Fri, 20 Nov 2026 12:00:30 GMT"), wantWaits: []time.Duration{30 * time.Second}, wantTries: 2},
		{name: "429, a reset that overflows a duration", fault: limited(0, "Ratelimit-Reset", "9223372036854775807"), wantTries: 1,
			wantErr: "with 429 Too Many Requests: Rate Limit Exceeded; not waiting 596523h14m7s more: 15m0s of the 15m0s the client may wait is left"},
		{name: "429 every time: ten waits, then the 429", fault: fakepagerduty.RateLimited("/oncalls", 0, 1), wantWaits: ten(time.Second), wantTries: 11,
			wantErr: "with 429 Too Many Requests: Rate Limit Exceeded (after 10 waits for this request)"},
		{name: "429 every time, five minutes: the budget runs out", fault: fakepagerduty.RateLimited("/oncalls", 0, 300), maxWait: 15 * time.Minute, wantWaits: []time.Duration{5 * time.Minute, 5 * time.Minute, 5 * time.Minute}, wantTries: 4,
			wantErr: "not waiting 5m0s more: 0s of the 15m0s the client may wait is left"},
		{name: "500 twice", fault: failing(500, 2), wantWaits: backoff[:2], wantTries: 3},
		{name: "503 once", fault: failing(503, 1), wantWaits: backoff[:1], wantTries: 2},
		{name: "500 for good", fault: failing(500, 0), wantWaits: backoff, wantTries: 5,
			wantErr: "with 500 Internal Server Error: Internal Server Error (after 4 retries)"},
		{name: "500 for good, with a budget of 10s: the fourth backoff is not begun", fault: failing(500, 0), maxWait: 10 * time.Second, wantWaits: backoff[:3], wantTries: 4,
			wantErr: "with 500 Internal Server Error: Internal Server Error; not waiting 8s more: 3s of the 10s the client may wait is left"},
		{name: "403: not retried", fault: failing(403, 0), wantTries: 1,
			wantErr: "with 403 Forbidden: Forbidden (the key may not read this)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pd := rota(t)
			pd.SetFaults(tt.fault)
			sl := &testclock.Sleeps{}
			var told int
			c := newClient(t, pd, sl, func(o *Options) {
				o.MaxWait = tt.maxWait
				o.Now = func() time.Time { return time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) }
				o.Logf = func(string, ...any) { told++ }
			})
			got, err := c.OnCalls(within(t), month())
			if tt.wantErr == "" && (err != nil || len(got) != 4) {
				t.Errorf("%d on-calls, error %v", len(got), err)
			}
			if tt.wantErr != "" && (err == nil || !strings.HasSuffix(err.Error(), tt.wantErr) || got != nil) {
				t.Errorf("%d on-calls, error %v\nwant one ending %q", len(got), err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantWaits, sl.All()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if n := pd.Count("/oncalls"); n != tt.wantTries {
				t.Errorf("%d tries, want %d", n, tt.wantTries)
			}
			if told != len(tt.wantWaits) || c.Waited() != sum(tt.wantWaits) {
				t.Errorf("%d waits told, %s waited", told, c.Waited())
			}
		})
	}
}

func sum(ds []time.Duration) time.Duration {
	var s time.Duration
	for _, d := range ds {
		s += d
	}
	return s
}

// TestHeldAnswerTimesOut: an answer held back (a PagerDuty that does not
// answer) fails each try as timed out; the read is retried a bounded
// number of times, then fails. The stand-in's Expire times the tries out
// as it holds their answers, and the gate opens when the test ends:
// nothing waits on a clock.
func TestHeldAnswerTimesOut(t *testing.T) {
	pd := rota(t)
	gate := fakepagerduty.NewGate()
	t.Cleanup(gate.Open)
	// Were the answer read, it would be a 503.
	pd.SetFaults(&fakepagerduty.Fault{Path: "/schedules", Status: 503, Hold: gate})
	sl := &testclock.Sleeps{}
	c := newClient(t, pd, sl, func(o *Options) { o.MaxRetries = 1 })
	got, err := c.OnCalls(within(t), month())
	want := "list on-calls of schedule PPRIMRY since 2026-11-01 until 2026-12-01: PagerDuty did not answer GET /schedules/PPRIMRY within 30s"
	if err == nil || err.Error() != want || got != nil {
		t.Errorf("%d on-calls, error %v\nwant %q", len(got), err, want)
	}
	var te interface{ Timeout() bool }
	if !errors.As(err, &te) || !te.Timeout() {
		t.Errorf("the error is not a timeout: %#v", err)
	}
	// One backoff: the try and one retry.
	if diff := cmp.Diff([]time.Duration{time.Second}, sl.All()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

// TestHeldAnswerCancelled: a read whose context ends while its answer is
// held returns at once, with the context's error, and is not retried.
// (Its deadline is the 30s timer, which it does not reach.)
func TestHeldAnswerCancelled(t *testing.T) {
	pd := rota(t)
	gate := fakepagerduty.NewGate()
	t.Cleanup(gate.Open)
	pd.SetFaults(&fakepagerduty.Fault{Path: "/oncalls", Status: 503, Hold: gate})
	ctx, cancel := context.WithCancel(within(t))
	sl := &testclock.Sleeps{}
	done := make(chan error)
	go func() {
		_, err := newClient(t, pd, sl, func(o *Options) { o.Expire = nil }).OnCalls(ctx, month())
		done <- err
	}()
	<-gate.Arrived()
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "list on-calls of schedule PPRIMRY since 2026-11-01 until 2026-12-01: GET /oncalls?") {
		t.Errorf("error %v", err)
	}
	// No backoff: no retry. (The stand-in counts the request only once
	// it has seen the client go, which may be after this.)
	if len(sl.All()) != 0 {
		t.Errorf("waits %v", sl.All())
	}
}

// TestRequestTimeoutCoversTheBody: a server that sends its headers and
// then never finishes the body fails the try as timed out. The try's
// deadline for the body expires once the headers are in.
func TestRequestTimeoutCoversTheBody(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"schedule": {"id": "PPRIMRY", `))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	sl := &testclock.Sleeps{}
	bodyExpires := func(_ *http.Request, body bool) (<-chan struct{}, func()) {
		ch := make(chan struct{})
		if body {
			close(ch)
		}
		return ch, func() {}
	}
	c, err := NewClient(srv.URL, testToken, Options{Sleep: sl.Sleep, Expire: bodyExpires, MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Schedule(within(t), "PPRIMRY")
	if err == nil || err.Error() != "get schedule PPRIMRY: PagerDuty did not finish its answer to GET /schedules/PPRIMRY within 30s (the body was still arriving)" {
		t.Errorf("error %v", err)
	}
	if diff := cmp.Diff([]time.Duration{time.Second}, sl.All()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

// TestRedirects: a redirect fails the request, and the key never
// reaches where it points.
func TestRedirects(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
	}))
	t.Cleanup(other.Close)
	pd := rota(t)
	pd.SetFaults(redirect("/users", other.URL+"/users/PALICE"))
	c := newClient(t, pd, &testclock.Sleeps{})
	_, err := c.User(within(t), userID("alice"))
	want := "get user PALICE: PagerDuty answered GET /users/PALICE with a redirect to another host (" + other.URL + "); the client follows none, so that the key goes to no place but the API URL"
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %q", err, want)
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("%d requests reached the other host", n)
	}
	pd.SetFaults(redirect("/users/PBOB", pd.URL()+"/users/PALICE"))
	if _, err := c.User(within(t), userID("bob")); err == nil || !strings.Contains(err.Error(), "with a redirect to the same host") {
		t.Errorf("a redirect on the same host: %v", err)
	}
	if n := pd.Count("/users/PALICE"); n != 1 {
		t.Errorf("%d requests of /users/PALICE, want the first one only", n)
	}
}

// TestAnswersThatAreNotJSON: a success that is not JSON, or is too large,
// is an error.
func TestAnswersThatAreNotJSON(t *testing.T) {
	pd := rota(t)
	h := http.Header{}
	h.Set("Content-Type", "text/html")
	pd.SetFaults(&fakepagerduty.Fault{Path: "/users", Status: 200, Header: h, Body: "<html>maintenance</html>", Hostile: true, Times: 1},
		&fakepagerduty.Fault{Path: "/users", Status: 200, Body: `{"user": "` + strings.Repeat("x", maxBody) + `"}`, Hostile: true, Times: 1})
	c := newClient(t, pd, &testclock.Sleeps{})
	if _, err := c.User(within(t), userID("alice")); err == nil || err.Error() != `get user PALICE: PagerDuty's answer to GET /users/PALICE is "text/html", not JSON` {
		t.Errorf("HTML: %v", err)
	}
	if _, err := c.User(within(t), userID("alice")); err == nil || err.Error() != "get user PALICE: PagerDuty's answer to GET /users/PALICE is larger than 8 MiB" {
		t.Errorf("too large: %v", err)
	}
}

// TestRequestHeaders: every request carries the key as PagerDuty asks and
// its version, below the base URL's path. (The stand-in's checker holds
// every other test to the same.)
func TestRequestHeaders(t *testing.T) {
	var got http.Header
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, path = r.Header.Clone(), r.URL.Path
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"user": {"id": "PALICE", "name": "Alice", "email": "alice@example.gov.uk"}}`))
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL+"/base/", testToken, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.User(within(t), "PALICE"); err != nil {
		t.Fatal(err)
	}
	if path != "/base/users/PALICE" {
		t.Errorf("path %q", path)
	}
	for k, want := range map[string]string{"Authorization": "Token token=" + testToken, "Accept": "application/vnd.pagerduty+json;version=2", "Content-Type": "application/json", "User-Agent": "prodaccess"} {
		if got.Get(k) != want {
			t.Errorf("%s: %q, want %q", k, got.Get(k), want)
		}
	}
}
