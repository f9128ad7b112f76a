package github

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Transport wraps an HTTP transport with what GitHub asks of its clients
// and go-github v60 does not do: it waits out primary and secondary rate
// limits (403 or 429) for as long as GitHub says, and retries reads that
// fail with a server error or a timeout, with backoff. Every wait is
// bounded: once the budget is spent the last response is returned.
type Transport struct {
	Base http.RoundTripper

	// MaxWait bounds the total time spent waiting for rate limits.
	MaxWait time.Duration
	// MaxRetries bounds the retries of one read after a server error or
	// a timeout.
	MaxRetries int
	// Sleep waits for d or until ctx ends; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock used with x-ratelimit-reset; tests replace it.
	Now func() time.Time
	// Logf, if set, is told about every wait. It never sees a header.
	Logf func(format string, args ...any)

	mu     sync.Mutex
	waited time.Duration
}

// The defaults of a Transport.
const (
	DefaultMaxWait    = 15 * time.Minute
	DefaultMaxRetries = 4
	// minRateLimitWait is how long to wait for a secondary rate limit
	// that says nothing of when to come back, as GitHub advises.
	minRateLimitWait = 60 * time.Second
)

func (t *Transport) sleep(ctx context.Context, d time.Duration) error {
	if t.Sleep != nil {
		return t.Sleep(ctx, d)
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

func (t *Transport) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

func (t *Transport) logf(format string, args ...any) {
	if t.Logf != nil {
		t.Logf(format, args...)
	}
}

func isRead(r *http.Request) bool { return r.Method == http.MethodGet || r.Method == http.MethodHead }

// RoundTrip sends the request, waiting and retrying as GitHub asks.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	maxWait, maxRetries := t.MaxWait, t.MaxRetries
	if maxWait == 0 {
		maxWait = DefaultMaxWait
	}
	if maxRetries == 0 {
		maxRetries = DefaultMaxRetries
	}
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 && req.Body != nil {
			if req.GetBody == nil {
				return nil, errors.New("cannot resend a request whose body cannot be read again")
			}
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(req.Context())
			r.Body = body
		}
		resp, err := base.RoundTrip(r)
		if err != nil {
			if isTimeout(err) && isRead(req) && attempt < maxRetries {
				if err := t.backoff(req, attempt, "timed out"); err != nil {
					return nil, err
				}
				continue
			}
			return nil, err
		}
		if wait, limited := t.rateLimited(resp); limited {
			t.mu.Lock()
			ok := t.waited+wait <= maxWait
			if ok {
				t.waited += wait
			}
			t.mu.Unlock()
			if !ok {
				t.logf("GitHub rate limit: not waiting %s more (the budget of %s is spent)", wait.Round(time.Second), maxWait)
				return resp, nil
			}
			drain(resp)
			t.logf("GitHub rate limit on %s %s: waiting %s as GitHub asks", req.Method, req.URL.Path, wait.Round(time.Second))
			if err := t.sleep(req.Context(), wait); err != nil {
				return nil, err
			}
			continue
		}
		if resp.StatusCode >= 500 && isRead(req) && attempt < maxRetries {
			drain(resp)
			if err := t.backoff(req, attempt, resp.Status); err != nil {
				return nil, err
			}
			continue
		}
		return resp, nil
	}
}

// backoff waits 1s, 2s, 4s... before retry attempt+1.
func (t *Transport) backoff(req *http.Request, attempt int, why string) error {
	d := time.Second << attempt
	t.logf("GitHub %s %s: %s; retrying in %s", req.Method, req.URL.Path, why, d)
	return t.sleep(req.Context(), d)
}

// rateLimited reports whether resp is a rate-limit refusal and how long to
// wait: Retry-After if given, else until x-ratelimit-reset when the
// primary limit is spent, else at least a minute.
func (t *Transport) rateLimited(resp *http.Response) (time.Duration, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, false
	}
	remaining := resp.Header.Get("X-Ratelimit-Remaining")
	retryAfter := resp.Header.Get("Retry-After")
	secondary := false
	if remaining != "0" && retryAfter == "" {
		// A permission error is a 403 too; only the message tells a
		// secondary rate limit apart.
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if err != nil {
			return 0, false
		}
		msg := strings.ToLower(string(body))
		secondary = strings.Contains(msg, "secondary rate limit") || strings.Contains(msg, "abuse detection")
		if !secondary && resp.StatusCode != http.StatusTooManyRequests {
			return 0, false
		}
	}
	if s, err := strconv.Atoi(retryAfter); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if remaining == "0" {
		if reset, err := strconv.ParseInt(resp.Header.Get("X-Ratelimit-Reset"), 10, 64); err == nil {
			if d := time.Unix(reset, 0).Sub(t.now()) + time.Second; d > 0 {
				return d, true
			}
			return time.Second, true
		}
	}
	return minRateLimitWait, true
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
