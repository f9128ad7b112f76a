// Package github reads and changes GitHub team membership, and opens pull
// requests, through go-github v60, with the rate-limit and retry handling
// GitHub asks of clients.
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v60/github"
)

// DefaultAPIURL is GitHub's API, used when GITHUB_API_URL is not set.
const DefaultAPIURL = "https://api.github.com"

// Client talks to one GitHub API (github.com or GitHub Enterprise).
type Client struct {
	gh *github.Client
}

// ClientOptions tune a Client; the zero value is right for real use.
type ClientOptions struct {
	Transport *Transport // nil: a Transport over http.DefaultTransport
	Timeout   time.Duration
}

// NewClient returns a client for the API at apiURL (as GITHUB_API_URL
// gives it, such as https://ghe.example.com/api/v3), authenticated with
// token. The token goes only into the Authorization header.
func NewClient(apiURL, token string, opts ClientOptions) (*Client, error) {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("GITHUB_API_URL %q is not an http(s) URL", apiURL)
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
	gh := github.NewClient(&http.Client{Transport: tr, Timeout: opts.Timeout})
	if token != "" {
		gh = gh.WithAuthToken(token)
	}
	gh.BaseURL = u
	gh.UserAgent = "prodaccess"
	return &Client{gh: gh}, nil
}

// maxConcurrentPages bounds the pages of one list fetched at once.
const maxConcurrentPages = 8

// listAll fetches every page of a list: the first page, then, once its Link
// header names the last page, all the others at once (at most eight at a
// time). Any failed page fails the whole list.
func listAll[T any](ctx context.Context, fetch func(ctx context.Context, page int) ([]T, *github.Response, error)) ([]T, error) {
	first, resp, err := fetch(ctx, 1)
	if err != nil {
		return nil, err
	}
	if resp == nil || resp.LastPage <= 1 {
		if resp != nil && resp.NextPage != 0 {
			return nil, errors.New("GitHub gave a next page but no last page")
		}
		return first, nil
	}
	pages := make([][]T, resp.LastPage+1)
	pages[1] = first
	errs := make([]error, resp.LastPage+1)
	sem := make(chan struct{}, maxConcurrentPages)
	var wg sync.WaitGroup
	for p := 2; p <= resp.LastPage; p++ {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			pages[p], _, errs[p] = fetch(ctx, p)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var all []T
	for _, p := range pages {
		all = append(all, p...)
	}
	return all, nil
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
