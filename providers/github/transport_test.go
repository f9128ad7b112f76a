package github

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/testclock"
	"github.com/prodaccess/prodaccess/outcome"
)

const membersPath = "/orgs/alphagov/teams/prod/members"

// readWithin reads the team, failing the test rather than hanging if the
// read does not end within a minute (a bound on a hang, not a
// measure of speed: every timeout in these tests is a gate).
func readWithin(t *testing.T, c *Client) ([]outcome.TargetState, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	states, err := NewTeam(c, teamTarget()).Read(ctx)
	if ctx.Err() != nil {
		t.Fatalf("the read did not end by itself: %v", err)
	}
	return states, err
}

// TestRateLimitWaitsAreBounded: whatever the rate-limit headers say, a
// wait is at least a second, a request is retried at most ten times, and
// a wait beyond the budget is not begun.
func TestRateLimitWaitsAreBounded(t *testing.T) {
	ten := func(d time.Duration) []time.Duration {
		var out []time.Duration
		for range DefaultMaxRateLimitRetries {
			out = append(out, d)
		}
		return out
	}
	tests := []struct {
		name      string
		header    http.Header
		times     int
		wantWaits []time.Duration
		wantTries int
		wantErr   bool
	}{
		{name: "retry-after 0 on every try", header: http.Header{"Retry-After": {"0"}}, wantWaits: ten(time.Second), wantTries: 11, wantErr: true},
		{name: "retry-after 0 once", header: http.Header{"Retry-After": {"0"}}, times: 1, wantWaits: []time.Duration{time.Second}, wantTries: 2},
		{name: "retry-after that overflows a duration", header: http.Header{"Retry-After": {"9223372037"}}, wantTries: 1, wantErr: true},
		{name: "retry-after the largest int", header: http.Header{"Retry-After": {"9223372036854775807"}}, wantTries: 1, wantErr: true},
		{name: "negative retry-after: a minute", header: http.Header{"Retry-After": {"-5"}}, times: 1, wantWaits: []time.Duration{time.Minute}, wantTries: 2},
		{name: "reset far in the future", header: http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"9223372036854775807"}}, wantTries: 1, wantErr: true},
		{name: "reset far in the past", header: http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"-9223372036854775808"}}, times: 1, wantWaits: []time.Duration{time.Second}, wantTries: 2},
		{name: "a minute on every try: ten, then the budget of 15 minutes is not spent further", header: http.Header{"Retry-After": {"60"}}, wantWaits: ten(time.Minute), wantTries: 11, wantErr: true},
		{name: "five minutes on every try: the budget runs out first", header: http.Header{"Retry-After": {"300"}}, wantWaits: []time.Duration{5 * time.Minute, 5 * time.Minute, 5 * time.Minute}, wantTries: 4, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gh := bigTeam(t, 3)
			gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: membersPath, Status: 429, Header: tt.header, Body: `{"message":"rate limited"}`, Times: tt.times, Hostile: true})
			sl := &testclock.Sleeps{}
			_, err := readWithin(t, newTestClient(t, gh, sl))
			if (err != nil) != tt.wantErr {
				t.Errorf("error %v, want one: %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantWaits, sl.All()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if n := gh.Count("GET", membersPath); n != tt.wantTries {
				t.Errorf("%d tries, want %d", n, tt.wantTries)
			}
		})
	}
}

// TestRequestDeadlineCoversTheBody: a server that sends its headers at
// once and then trickles the body fails the read with a clear error, in
// a bounded time, rather than holding the run.
func TestRequestDeadlineCoversTheBody(t *testing.T) {
	gh := bigTeam(t, 3)
	gh.SetFaults(&fakegithub.Fault{Method: "GET", PathPrefix: membersPath, Status: 200, Body: `[{"login":"user-0000","id":1}` + strings.Repeat(" ", 500) + `]`, HoldBody: true})
	sl := &testclock.Sleeps{}
	c, err := NewClient(gh.URL(), testToken, ClientOptions{Transport: &Transport{
		Expire:         gh.Expire,
		RequestTimeout: time.Minute,
		Sleep:          sl.Sleep,
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = readWithin(t, c)
	if err == nil || !strings.Contains(err.Error(), "GitHub did not finish its answer to GET /api/v3/orgs/alphagov/teams/prod/members within 1m0s (the body was still arriving)") {
		t.Errorf("error: %v", err)
	}
	// A read that times out is retried a bounded number of times.
	if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}, sl.All()); diff != "" {
		t.Errorf("backoff before each retry (-want +got):\n%s", diff)
	}
}
