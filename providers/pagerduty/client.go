package pagerduty

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultAPIURL is PagerDuty's REST API, used when PAGERDUTY_API_URL is
// not set. Accounts in the EU service region use
// https://api.eu.pagerduty.com.
const DefaultAPIURL = "https://api.pagerduty.com"

// The defaults of Options.
const (
	DefaultRequestTimeout    = 30 * time.Second
	DefaultMaxRetries        = 4
	DefaultMaxRateLimitWaits = 10
	DefaultMaxWait           = 15 * time.Minute
)

const (
	// accept is the versioning header of PagerDuty's REST API v2.
	accept = "application/vnd.pagerduty+json;version=2"
	// maxBody bounds one answer. A page of 100 on-calls with their users
	// is about 150 KB.
	maxBody = 8 << 20
	// minWait is the shortest wait for a rate limit: "ratelimit-reset: 0"
	// must not turn into a stream of requests.
	minWait = time.Second
	// rateLimitWait is how long to wait for a rate limit that does not
	// say: PagerDuty's limits are a minute's requests.
	rateLimitWait = time.Minute
	// maxMessage bounds what of PagerDuty's error message an error says.
	maxMessage = 300
)

// Options tune a Client; the zero value is right for real use.
type Options struct {
	// Transport sends the requests; nil is a clone of
	// http.DefaultTransport.
	Transport http.RoundTripper
	// RequestTimeout bounds one try of a request: connecting, the headers
	// and the whole body.
	RequestTimeout time.Duration
	// MaxRetries bounds the retries of one request after a server error
	// (5xx) or a timeout, each after a backoff of 1s, 2s, 4s...
	MaxRetries int
	// MaxRateLimitWaits bounds the waits of one request for a rate limit
	// (429).
	MaxRateLimitWaits int
	// MaxWait bounds the time the client spends waiting, for rate limits
	// and before retries, over all its requests: a wait that would pass
	// it is not begun, and the request fails.
	MaxWait time.Duration
	// Sleep waits for d or until ctx ends; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock a Retry-After date is read against; tests replace
	// it.
	Now func() time.Time
	// Logf, if set, is told of every wait. It never sees a header.
	Logf func(format string, args ...any)
	// Expire, if set, ends a try as timed out when the channel it returns
	// is closed, in place of the RequestTimeout timer: it is asked once
	// while the try waits for the headers (body false) and once while it
	// reads the body (body true), and release is called when that phase
	// is over. Tests make it a gate (fakepagerduty's Expire), so that a
	// timeout in a test never depends on how fast the machine is.
	Expire func(req *http.Request, body bool) (expired <-chan struct{}, release func())
}

// Client reads one PagerDuty account's REST API with one key.
type Client struct {
	base  *url.URL
	token string
	hc    *http.Client
	opts  Options

	mu        sync.Mutex
	waited    time.Duration
	schedules map[string]Schedule
}

// NewClient returns a client of the API at apiURL (DefaultAPIURL if it
// is ""), as PAGERDUTY_API_URL gives it, with the key token, as
// PAGERDUTY_TOKEN gives it.
func NewClient(apiURL, token string, opts Options) (*Client, error) {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	u, err := url.Parse(apiURL)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Opaque != "":
		return nil, fmt.Errorf("the PagerDuty API URL %q is not an http(s) URL", hideUserInfo(apiURL))
	case u.User != nil:
		return nil, fmt.Errorf("the PagerDuty API URL %s holds a user name or password; give the API's address alone, and the key in PAGERDUTY_TOKEN", hideUserInfo(apiURL))
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, fmt.Errorf("the PagerDuty API URL %s has a query or fragment; give the API's address alone", apiURL)
	case token == "":
		return nil, errors.New("no PagerDuty API key: set PAGERDUTY_TOKEN")
	case !headerSafe(token):
		return nil, errors.New("the PagerDuty API key holds a space or a character a header cannot carry")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	if opts.Transport == nil {
		opts.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.MaxRetries <= 0 {
		opts.MaxRetries = DefaultMaxRetries
	}
	if opts.MaxRateLimitWaits <= 0 {
		opts.MaxRateLimitWaits = DefaultMaxRateLimitWaits
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = DefaultMaxWait
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Client{base: u, token: token, opts: opts, schedules: map[string]Schedule{}}
	c.hc = &http.Client{Transport: opts.Transport, CheckRedirect: c.checkRedirect}
	return c, nil
}

// headerSafe reports whether s is printable ASCII without spaces.
func headerSafe(s string) bool {
	for _, r := range s {
		if r <= ' ' || r >= 0x7f {
			return false
		}
	}
	return true
}

var userInfo = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*)://[^/?#\s"'<>@]*@`)

// hideUserInfo removes the user information of every URL in s.
func hideUserInfo(s string) string { return userInfo.ReplaceAllString(s, "$1://") }

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// checkRedirect refuses every redirect. PagerDuty's API does not
// redirect, and the key must go to no host but the API's: one that
// redirects is not PagerDuty, or not as it should be.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	where := "another host"
	if strings.EqualFold(req.URL.Host, c.base.Host) && strings.EqualFold(req.URL.Scheme, c.base.Scheme) {
		where = "the same host"
	}
	return &redirectError{fmt.Sprintf("PagerDuty answered %s with a redirect to %s (%s://%s); the client follows none, so that the key goes to no place but the API URL",
		c.what(via[0]), where, strings.ToLower(req.URL.Scheme), req.URL.Host)}
}

// redirectError is a redirect refused; its message says all.
type redirectError struct{ msg string }

func (e *redirectError) Error() string { return e.msg }

// what names a request in messages: its method and its path below the
// API's base, with its query.
func (c *Client) what(r *http.Request) string {
	p := r.URL.EscapedPath()
	if rest, ok := strings.CutPrefix(p, c.base.EscapedPath()); ok {
		p = rest
	}
	if r.URL.RawQuery != "" {
		p += "?" + r.URL.RawQuery
	}
	return r.Method + " " + p
}

// StatusError is an answer of PagerDuty's that is not a success.
type StatusError struct {
	Request string // the method and the path below the API's base
	Status  int
	Message string // what PagerDuty said of it, if anything
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("PagerDuty answered %s with %d %s", e.Request, e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	switch e.Status {
	case http.StatusUnauthorized:
		msg += " (the key is wrong or revoked, or of another service region than the API URL's)"
	case http.StatusForbidden:
		msg += " (the key may not read this)"
	case http.StatusNotFound:
		msg += " (it does not exist, or the key cannot see it)"
	}
	return msg
}

// IsNotFound reports whether err is PagerDuty's 404.
func IsNotFound(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Status == http.StatusNotFound
}

// timeoutError is a try that did not deliver its whole answer in time.
type timeoutError struct {
	what  string
	limit time.Duration
	body  bool
}

func (e *timeoutError) Error() string {
	if e.body {
		return fmt.Sprintf("PagerDuty did not finish its answer to %s within %s (the body was still arriving)", e.what, e.limit)
	}
	return fmt.Sprintf("PagerDuty did not answer %s within %s", e.what, e.limit)
}

func (e *timeoutError) Timeout() bool { return true }

// cleanError is an error whose message has had the key taken out;
// errors.Is and errors.As still see the error it came from.
type cleanError struct {
	msg string
	err error
}

func (e *cleanError) Error() string { return e.msg }
func (e *cleanError) Unwrap() error { return e.err }

// clean takes the key out of err's message, where PagerDuty's own
// message may have put it. Every error the client returns after a request
// passes through it.
func (c *Client) clean(err error) error {
	if err == nil || !strings.Contains(err.Error(), c.token) {
		return err
	}
	return &cleanError{msg: strings.ReplaceAll(err.Error(), c.token, "***"), err: err}
}

// get reads path (below the API's base) with query into out, waiting out
// rate limits and retrying server errors and timeouts within the
// client's bounds.
func (c *Client) get(ctx context.Context, path string, query url.Values, out any) error {
	u := *c.base
	u.Path += path
	u.RawQuery = query.Encode()
	retries, waits := 0, 0
	for {
		status, header, body, err := c.try(ctx, &u)
		what := "GET " + path
		if len(query) > 0 {
			what += "?" + u.RawQuery
		}
		var te *timeoutError
		switch {
		case err != nil && errors.As(err, &te) && retries < c.opts.MaxRetries:
			if err := c.wait(ctx, backoff(retries), fmt.Sprintf("%s timed out; retrying", what)); err != nil {
				return fmt.Errorf("%w; %w", te, err)
			}
			retries++
			continue
		case err != nil:
			return err
		case status == http.StatusTooManyRequests && waits < c.opts.MaxRateLimitWaits:
			d := c.rateLimitWait(header)
			if err := c.wait(ctx, d, fmt.Sprintf("PagerDuty's rate limit on %s: retrying as it asks", what)); err != nil {
				return fmt.Errorf("%w; %w", c.statusError(what, status, body), err)
			}
			waits++
			continue
		case status >= 500 && retries < c.opts.MaxRetries:
			if err := c.wait(ctx, backoff(retries), fmt.Sprintf("%s: %d; retrying", what, status)); err != nil {
				return fmt.Errorf("%w; %w", c.statusError(what, status, body), err)
			}
			retries++
			continue
		case status < 200 || status > 299:
			err := c.statusError(what, status, body)
			if status == http.StatusTooManyRequests {
				return fmt.Errorf("%w (after %d waits for this request)", err, waits)
			}
			if status >= 500 {
				return fmt.Errorf("%w (after %d retries)", err, retries)
			}
			return err
		}
		if mt, _, _ := mime.ParseMediaType(header.Get("Content-Type")); mt != "application/json" {
			return fmt.Errorf("PagerDuty's answer to %s is %q, not JSON", what, header.Get("Content-Type"))
		}
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("PagerDuty's answer to %s is not the JSON it should be: %w", what, err)
		}
		return nil
	}
}

// backoff is the wait before retry n+1: 1s, 2s, 4s... up to a minute.
func backoff(n int) time.Duration { return min(time.Second<<min(n, 6), time.Minute) }

// try sends the request once and reads the whole body, all within the
// request timeout, so that a server that sends its headers and then
// trickles the body cannot hold the run.
func (c *Client) try(ctx context.Context, u *url.URL) (int, http.Header, []byte, error) {
	var tctx context.Context
	var cancel context.CancelFunc
	if c.opts.Expire != nil {
		tctx, cancel = context.WithCancel(ctx)
	} else {
		tctx, cancel = context.WithTimeout(ctx, c.opts.RequestTimeout)
	}
	defer cancel()
	req, err := http.NewRequestWithContext(tctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Token token="+c.token)
	req.Header.Set("Accept", accept)
	// The description requires it of every request, even a GET.
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "prodaccess")
	expired := func() bool { return tctx.Err() != nil && ctx.Err() == nil }
	stop := c.expireOn(tctx, cancel, req, false)
	resp, err := c.hc.Do(req)
	stop()
	if err != nil {
		if expired() {
			return 0, nil, nil, &timeoutError{what: c.what(req), limit: c.opts.RequestTimeout}
		}
		var re *redirectError
		if errors.As(err, &re) {
			return 0, nil, nil, re
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message repeats the URL
		}
		return 0, nil, nil, fmt.Errorf("%s: %w", c.what(req), err)
	}
	defer resp.Body.Close()
	stop = c.expireOn(tctx, cancel, req, true)
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	stop()
	switch {
	case err != nil && expired():
		return 0, nil, nil, &timeoutError{what: c.what(req), limit: c.opts.RequestTimeout, body: true}
	case err != nil:
		return 0, nil, nil, fmt.Errorf("read PagerDuty's answer to %s: %w", c.what(req), err)
	case len(body) > maxBody:
		return 0, nil, nil, fmt.Errorf("PagerDuty's answer to %s is larger than %d MiB", c.what(req), maxBody>>20)
	}
	return resp.StatusCode, resp.Header, body, nil
}

// expireOn, when Expire is set, cancels the try when Expire says the
// phase has expired; the function it returns ends the watch.
func (c *Client) expireOn(ctx context.Context, cancel context.CancelFunc, req *http.Request, body bool) func() {
	if c.opts.Expire == nil {
		return func() {}
	}
	expired, release := c.opts.Expire(req, body)
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

// statusError reads PagerDuty's error from a body, if it is one.
func (c *Client) statusError(what string, status int, body []byte) *StatusError {
	var e struct {
		Error struct {
			Message string   `json:"message"`
			Errors  []string `json:"errors"`
		} `json:"error"`
	}
	msg := ""
	if json.Unmarshal(body, &e) == nil {
		msg = strings.Join(append([]string{e.Error.Message}, e.Error.Errors...), "; ")
		msg = strings.Trim(msg, "; ")
	}
	msg = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, msg)
	if len(msg) > maxMessage {
		msg = msg[:maxMessage] + "…"
	}
	return &StatusError{Request: what, Status: status, Message: msg}
}

// rateLimitWait is how long a 429 asks to wait: ratelimit-reset seconds,
// as PagerDuty documents, or else Retry-After (seconds or a date), or
// else a minute; at least a second. Numbers too large for a duration come
// back as longer than any budget.
func (c *Client) rateLimitWait(h http.Header) time.Duration {
	if s, err := strconv.ParseInt(h.Get("Ratelimit-Reset"), 10, 64); err == nil && s >= 0 {
		return max(seconds(s), minWait)
	}
	if ra := h.Get("Retry-After"); ra != "" {
		if s, err := strconv.ParseInt(ra, 10, 64); err == nil && s >= 0 {
			return max(seconds(s), minWait)
		}
		if t, err := http.ParseTime(ra); err == nil {
			return max(t.Sub(c.opts.Now()).Round(time.Second), minWait)
		}
	}
	return rateLimitWait
}

// seconds is s seconds, at most about 68 years: no overflow.
func seconds(s int64) time.Duration {
	return time.Duration(min(s, math.MaxInt32)) * time.Second
}

// wait waits d, if what is left of the budget allows it.
func (c *Client) wait(ctx context.Context, d time.Duration, why string) error {
	c.mu.Lock()
	left := c.opts.MaxWait - c.waited
	ok := d <= left
	if ok {
		c.waited += d
	}
	c.mu.Unlock()
	if !ok {
		return fmt.Errorf("not waiting %s more: %s of the %s the client may wait is left", d, left, c.opts.MaxWait)
	}
	if c.opts.Logf != nil {
		c.opts.Logf("%s in %s", why, d)
	}
	return c.opts.Sleep(ctx, d)
}

// Waited says how long the client has waited, for rate limits and before
// retries.
func (c *Client) Waited() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.waited
}
