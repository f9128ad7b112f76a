package github

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Transport wraps an HTTP transport with what GitHub asks of its clients
// and go-github v60 does not do: it waits out primary and secondary rate
// limits (403 or 429) for as long as GitHub says, and retries reads that
// fail with a server error or a timeout, with backoff. Every wait and
// every request is bounded: a wait is at least a second, rate limits are
// retried at most MaxRateLimitRetries times a request, a wait beyond what
// is left of the budget is not begun, and each try must deliver its
// headers and its whole body within RequestTimeout.
type Transport struct {
	Base http.RoundTripper
	// MaxWait bounds the total time spent waiting for rate limits.
	MaxWait time.Duration
	// MaxRetries bounds the retries of one read after a server error or
	// a timeout.
	MaxRetries int
	// MaxRateLimitRetries bounds the retries of one request after a rate
	// limit.
	MaxRateLimitRetries int
	// RequestTimeout bounds one try of a request: connecting, the
	// headers and reading the whole body.
	RequestTimeout time.Duration
	// Sleep waits for d or until ctx ends; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock used with x-ratelimit-reset; tests replace it.
	Now func() time.Time
	// Logf, if set, is told about every wait. It never sees a header.
	Logf func(format string, args ...any)
	// Expire, if set, ends a try as timed out when the channel it returns
	// is closed, in place of the RequestTimeout timer: it is asked once
	// while the try waits for the headers (body false) and once while it
	// reads the body (body true), and release is called when that phase
	// is over. Tests make it a gate, so that a timeout in a test never
	// depends on how fast the machine is.
	Expire func(req *http.Request, body bool) (expired <-chan struct{}, release func())
	// Cache, if set, makes every read conditional on the ETag of its last
	// answer, and answers a 304 Not Modified from it (see Cache).
	Cache *Cache

	mu     sync.Mutex
	waited time.Duration

	sent, notModified atomic.Int64
}

// RequestCounts say how many requests a run sent to GitHub, and how many
// of them count against its primary rate limit: all but those answered
// 304 Not Modified to a conditional request.
type RequestCounts struct {
	Sent        int64 `json:"sent"`
	Counted     int64 `json:"counted"`
	NotModified int64 `json:"not_modified"`
}

// Counts returns the requests sent so far, every try and retry included.
// A try that got no answer (a timeout) is counted: GitHub may have
// counted it.
func (t *Transport) Counts() RequestCounts {
	sent, nm := t.sent.Load(), t.notModified.Load()
	return RequestCounts{Sent: sent, Counted: sent - nm, NotModified: nm}
}

type noCacheKey struct{}

// withoutCache makes the reads sent with ctx unconditional; their answers
// still refresh the cache.
func withoutCache(ctx context.Context) context.Context {
	return context.WithValue(ctx, noCacheKey{}, true)
}

// fromCache reports whether an answer was made from the cache after a
// 304.
func fromCache(h http.Header) bool { return h.Get(fromCacheHeader) != "" }

// The defaults of a Transport.
const (
	DefaultMaxWait             = 15 * time.Minute
	DefaultMaxRetries          = 4
	DefaultMaxRateLimitRetries = 10
	DefaultRequestTimeout      = 30 * time.Second
	// minRateLimitWait is how long to wait for a secondary rate limit
	// that says nothing of when to come back, as GitHub advises.
	minRateLimitWait = 60 * time.Second
	// minWait is the shortest wait for a rate limit: "Retry-After: 0"
	// must not turn into a stream of requests.
	minWait = time.Second
	// maxBody bounds one answer from the API. A page of 100 members is
	// about 100 KB.
	maxBody = 16 << 20
)

// timeoutError is a try that did not deliver its whole answer in time.
type timeoutError struct {
	method, path string
	limit        time.Duration
	body         bool
}

func (e *timeoutError) Error() string {
	if e.body {
		return fmt.Sprintf("GitHub did not finish its answer to %s %s within %s (the body was still arriving)", e.method, e.path, e.limit)
	}
	return fmt.Sprintf("GitHub did not answer %s %s within %s", e.method, e.path, e.limit)
}
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return true }

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

// RoundTrip sends the request, waiting and retrying as GitHub asks. The
// response it returns has its whole body read already. With a Cache, a
// read is sent with the ETag of its last answer, and a 304 is answered
// with that answer's body; a successful read refreshes the cache.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.Cache == nil {
		return t.send(req)
	}
	key := cacheKey(req)
	if key == "" {
		return t.send(req)
	}
	var entry *cacheEntry
	if bypass, _ := req.Context().Value(noCacheKey{}).(bool); !bypass {
		entry = t.Cache.lookup(key)
	}
	r := req
	if entry != nil {
		r = req.Clone(req.Context())
		r.Header.Set("If-None-Match", entry.ETag)
	}
	resp, err := t.send(r)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusNotModified && entry != nil:
		t.Cache.touch(key)
		return entry.answer(resp), nil
	case resp.StatusCode == http.StatusOK:
		body, err := readBody(resp.Body, resp.ContentLength, maxBody) // in memory already (see try): not copied
		if err != nil {
			return nil, err
		}
		resp.Body = newMemBody(body)
		t.Cache.store(key, resp, body)
	}
	return resp, nil
}

// send is RoundTrip without the cache.
func (t *Transport) send(req *http.Request) (*http.Response, error) {
	maxWait, maxRetries, maxLimits := t.MaxWait, t.MaxRetries, t.MaxRateLimitRetries
	if maxWait == 0 {
		maxWait = DefaultMaxWait
	}
	if maxRetries == 0 {
		maxRetries = DefaultMaxRetries
	}
	if maxLimits == 0 {
		maxLimits = DefaultMaxRateLimitRetries
	}
	retries, limits := 0, 0
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
		resp, err := t.try(r)
		if err != nil {
			if isTimeout(err) && isRead(req) && retries < maxRetries && req.Context().Err() == nil {
				if err := t.backoff(req, retries, "timed out"); err != nil {
					return nil, err
				}
				retries++
				continue
			}
			return nil, err
		}
		if wait, limited := t.rateLimited(resp); limited {
			if limits >= maxLimits {
				t.logf("GitHub rate limit on %s %s: not waiting again after %d waits for this request", req.Method, req.URL.Path, limits)
				return resp, nil
			}
			wait = max(wait, minWait)
			t.mu.Lock()
			ok := wait <= maxWait-t.waited
			if ok {
				t.waited += wait
			}
			t.mu.Unlock()
			if !ok {
				t.logf("GitHub rate limit: not waiting %s more (the budget of %s is spent)", wait.Round(time.Second), maxWait)
				return resp, nil
			}
			limits++
			t.logf("GitHub rate limit on %s %s: waiting %s as GitHub asks", req.Method, req.URL.Path, wait.Round(time.Second))
			if err := t.sleep(req.Context(), wait); err != nil {
				return nil, err
			}
			continue
		}
		if resp.StatusCode >= 500 && isRead(req) && retries < maxRetries {
			if err := t.backoff(req, retries, resp.Status); err != nil {
				return nil, err
			}
			retries++
			continue
		}
		return resp, nil
	}
}

// try sends the request once and reads the whole body, all within the
// request timeout, so that a server that sends its headers and then
// trickles the body cannot hold the run.
func (t *Transport) try(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	limit := t.RequestTimeout
	if limit == 0 {
		limit = DefaultRequestTimeout
	}
	var ctx context.Context
	var cancel context.CancelFunc
	if t.Expire != nil {
		ctx, cancel = context.WithCancel(req.Context())
	} else {
		ctx, cancel = context.WithTimeout(req.Context(), limit)
	}
	defer cancel()
	expired := func() bool { return ctx.Err() != nil && req.Context().Err() == nil }
	stop := t.expireOn(ctx, cancel, req, false)
	t.sent.Add(1)
	resp, err := base.RoundTrip(req.WithContext(ctx))
	stop()
	if err == nil && resp.StatusCode == http.StatusNotModified && req.Header.Get("If-None-Match") != "" {
		t.notModified.Add(1)
	}
	if err != nil {
		if expired() {
			return nil, &timeoutError{method: req.Method, path: req.URL.Path, limit: limit}
		}
		return nil, err
	}
	defer t.expireOn(ctx, cancel, req, true)()
	body, err := readBody(resp.Body, resp.ContentLength, maxBody)
	resp.Body.Close()
	switch {
	case err != nil && expired():
		return nil, &timeoutError{method: req.Method, path: req.URL.Path, limit: limit, body: true}
	case err != nil:
		return nil, fmt.Errorf("read GitHub's answer to %s %s: %w", req.Method, req.URL.Path, err)
	case len(body) > maxBody:
		return nil, fmt.Errorf("GitHub's answer to %s %s is larger than %d MiB", req.Method, req.URL.Path, maxBody>>20)
	}
	resp.Body = newMemBody(body)
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// expireOn, when Expire is set, cancels the try when Expire says the
// phase has expired; the function it returns ends the watch.
func (t *Transport) expireOn(ctx context.Context, cancel context.CancelFunc, req *http.Request, body bool) func() {
	if t.Expire == nil {
		return func() {}
	}
	expired, release := t.Expire(req, body)
	done := make(chan struct{})
	go func() {
		select {
		case <-expired:
			cancel()
		case <-ctx.Done():
		case <-done:
		}
	}()
	return func() {
		close(done)
		release()
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
// primary limit is spent, else at least a minute. Numbers too large for a
// duration come back as longer than any budget.
func (t *Transport) rateLimited(resp *http.Response) (time.Duration, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, false
	}
	remaining := resp.Header.Get("X-Ratelimit-Remaining")
	retryAfter := resp.Header.Get("Retry-After")
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
		secondary := strings.Contains(msg, "secondary rate limit") || strings.Contains(msg, "abuse detection")
		if !secondary && resp.StatusCode != http.StatusTooManyRequests {
			return 0, false
		}
	}
	if s, err := strconv.ParseInt(retryAfter, 10, 64); err == nil && s >= 0 {
		return seconds(s), true
	}
	if remaining == "0" {
		if reset, err := strconv.ParseInt(resp.Header.Get("X-Ratelimit-Reset"), 10, 64); err == nil {
			var left int64
			if now := t.now().Unix(); reset > now && now >= 0 {
				left = reset - now
			}
			return seconds(left) + time.Second, true
		}
	}
	return minRateLimitWait, true
}

// seconds is s seconds, at most about 68 years: no overflow.
func seconds(s int64) time.Duration {
	return time.Duration(min(max(s, 0), math.MaxInt32)) * time.Second
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
