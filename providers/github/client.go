package github

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v60/github"
)

// DefaultAPIURL is GitHub's API, used when GITHUB_API_URL is not set.
const DefaultAPIURL = "https://api.github.com"

// maxRedirects bounds the redirects followed for one read.
const maxRedirects = 5

// Client talks to one GitHub API (github.com or GitHub Enterprise).
type Client struct {
	gh    *github.Client
	token string
	base  *url.URL

	loginMu sync.Mutex
	login   string // whose token it is, once known

	// lookups bounds the user lookups of all the client's teams made at
	// once (see maxConcurrentLookups).
	lookups chan struct{}
}

// maxConcurrentLookups bounds the user lookups made at once, by all the
// teams of a client together: enough for the additions of a day in one
// round trip, and well within GitHub's 100 concurrent requests, beside the
// eight pages of a list read at once.
const maxConcurrentLookups = 32

// ClientOptions tune a Client; the zero value is right for real use.
type ClientOptions struct {
	Transport *Transport // nil: a Transport over http.DefaultTransport
	Timeout   time.Duration
}

// NewClient returns a client for the API at apiURL (as GITHUB_API_URL
// gives it, such as https://ghe.example.com/api/v3), authenticated with
// token. The token goes only into the Authorization header, and only to
// apiURL's scheme, host and port: a redirect anywhere else fails the
// request, as does any redirect of a write.
func NewClient(apiURL, token string, opts ClientOptions) (*Client, error) {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("GITHUB_API_URL %q is not an http(s) URL", hideUserInfo(apiURL))
	}
	if u.User != nil {
		return nil, fmt.Errorf("GITHUB_API_URL %s holds a user name or password; give the API's address alone, and the token in GITHUB_TOKEN", hideUserInfo(apiURL))
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("GITHUB_API_URL %s has a query or fragment; give the API's address alone", hideUserInfo(apiURL))
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	tr := opts.Transport
	if tr == nil {
		tr = &Transport{Base: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			ResponseHeaderTimeout: 30 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
		}}
	}
	c := &Client{token: token, base: u, lookups: make(chan struct{}, maxConcurrentLookups)}
	hc := &http.Client{Transport: tr, Timeout: opts.Timeout, CheckRedirect: c.checkRedirect}
	gh := github.NewClient(hc)
	if token != "" {
		gh = gh.WithAuthToken(token)
	}
	gh.BaseURL = u
	gh.UserAgent = "prodaccess"
	c.gh = gh
	return c, nil
}

// checkRedirect lets a read follow a redirect only to the API's own
// scheme, host and port, where the token already goes; go-github sets the
// Authorization header on every request it sends, so a redirect to any
// other place would carry the token there. A write follows no redirect.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0]
	what := first.Method + " " + c.relPath(first.URL)
	switch {
	case !isRead(first):
		return fmt.Errorf("GitHub answered %s with a redirect; prodaccess follows no redirect of a write", what)
	case !sameOrigin(req.URL, c.base):
		return fmt.Errorf("GitHub answered %s with a redirect to another host, port or scheme (%s); prodaccess never sends the token to a host other than GITHUB_API_URL's (%s), so the request failed",
			what, origin(req.URL), origin(c.base))
	case len(via) > maxRedirects:
		return fmt.Errorf("GitHub answered %s with more than %d redirects", what, maxRedirects)
	}
	return nil
}

// sameOrigin reports whether a and b have the same scheme, host and port.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

func origin(u *url.URL) string {
	return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(u.Hostname(), port(u))
}

// relPath is u's path below the API's base, for messages.
func (c *Client) relPath(u *url.URL) string {
	p := u.EscapedPath()
	if rest, ok := strings.CutPrefix(p, c.base.EscapedPath()); ok {
		return "/" + rest
	}
	return p
}

// userInfo matches the user information of a URL in a message.
var userInfo = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*)://([^/?#\s"'<>@]*)@`)

// StripUserInfo removes from every URL in s its password, and for http
// and https, where a token is often given as the user name, all of its
// user information. (The "git" of ssh://git@host/ stays.)
func StripUserInfo(s string) string {
	return userInfo.ReplaceAllStringFunc(s, func(m string) string {
		sub := userInfo.FindStringSubmatch(m)
		scheme, info := sub[1], sub[2]
		if user, _, hasPassword := strings.Cut(info, ":"); !hasPassword && !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") {
			return scheme + "://" + user + "@"
		}
		return scheme + "://"
	})
}

// hideUserInfo removes all user information from every URL in s.
func hideUserInfo(s string) string { return userInfo.ReplaceAllString(s, "$1://") }

// Scrub removes token, and the user information of every URL, from s.
func Scrub(s, token string) string {
	if token != "" {
		s = strings.ReplaceAll(s, token, "***")
	}
	return StripUserInfo(s)
}

// cleanError is an error whose message is scrubbed; errors.Is and
// errors.As still see the error it came from.
type cleanError struct {
	msg string
	err error
}

func (e *cleanError) Error() string { return e.msg }
func (e *cleanError) Unwrap() error { return e.err }

// clean returns err with the token and any user information taken out
// of its message. Every error this package returns passes through it.
func (c *Client) clean(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if s := Scrub(msg, c.token); s != msg {
		return &cleanError{msg: s, err: err}
	}
	return err
}

func isNotFound(err error) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound
}

func statusOf(err error) int {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	var rl *github.RateLimitError
	if errors.As(err, &rl) && rl.Response != nil {
		return rl.Response.StatusCode
	}
	var ab *github.AbuseRateLimitError
	if errors.As(err, &ab) && ab.Response != nil {
		return ab.Response.StatusCode
	}
	return 0
}

// GitHost is the host (host:port, in lower case, the port 443 when none
// is given) that serves git for the API at apiURL, as GITHUB_API_URL
// gives it: github.com for https://api.github.com (and when apiURL is
// empty), NAME.ghe.com for https://api.NAME.ghe.com, and the API's own
// host for GitHub Enterprise Server (https://ghes.example/api/v3). It is
// the one git host the GitHub token may be sent to.
func GitHost(apiURL string) (string, error) {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("GITHUB_API_URL %q is not an http(s) URL", hideUserInfo(apiURL))
	}
	host := strings.ToLower(u.Hostname())
	if rest, ok := strings.CutPrefix(host, "api."); ok && strings.Trim(u.Path, "/") == "" {
		host = rest // api.github.com, api.NAME.ghe.com: git is on the host without api.
	}
	p := u.Port()
	if p == "" {
		p = port(u)
	}
	return net.JoinHostPort(host, p), nil
}
