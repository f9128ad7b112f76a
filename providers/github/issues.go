package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/reconciler"
)

// Issues are the issues of one repository that carry a marker in their
// body and were opened by one account: prodaccess's own, found again on
// each run and updated in place. Anyone can open an issue that starts
// with the marker, and edit it between runs; only the author makes it
// prodaccess's.
type Issues struct {
	client *Client
	repo   string
	marker string
	author string
}

var _ reconciler.Threads = (*Issues)(nil)

// NewIssues returns the issues of repo (owner/name) whose body starts
// with marker and that author (a login, compared without regard to
// case) opened: the account prodaccess runs as (Client.Login).
func NewIssues(c *Client, repo, marker, author string) *Issues {
	return &Issues{client: c, repo: repo, marker: marker, author: author}
}

// apiIssue is the part of an issue that prodaccess reads. GitHub lists
// pull requests among issues, with a pull_request field.
type apiIssue struct {
	Number      int             `json:"number"`
	HTMLURL     string          `json:"html_url"`
	Title       string          `json:"title"`
	Body        string          `json:"body"`
	PullRequest json.RawMessage `json:"pull_request"`
	User        struct {
		Login string `json:"login"`
	} `json:"user"`
}

func checkIssue(is apiIssue) error {
	if is.Number <= 0 {
		return fmt.Errorf("GitHub gave an issue numbered %d", is.Number)
	}
	return nil
}

func (is apiIssue) thread() *reconciler.Thread {
	return &reconciler.Thread{Number: is.Number, URL: is.HTMLURL, Title: is.Title, Body: is.Body}
}

// path is the API path of the repository's issues, and of more below it.
func (i *Issues) path(more ...string) (string, error) {
	owner, name, ok := config.SplitGitHubRepo(i.repo)
	if !ok {
		return "", fmt.Errorf("%q is not a GitHub owner/name", preview(i.repo))
	}
	return apiPath(append([]string{"repos", owner, name, "issues"}, more...)...)
}

// Kind is "issue".
func (i *Issues) Kind() string { return "issue" }

// Repo is the repository, owner/name.
func (i *Issues) Repo() string { return i.repo }

// FindAll returns every open issue of the author whose body starts with
// the marker, oldest first (pull requests, which GitHub lists among
// issues, are left out).
func (i *Issues) FindAll(ctx context.Context) ([]*reconciler.Thread, error) {
	if i.author == "" {
		return nil, errors.New("no author to find the issues of")
	}
	path, err := i.path()
	if err != nil {
		return nil, err
	}
	all, err := listAll(ctx, i.client, path, url.Values{"state": {"open"}, "sort": {"created"}, "direction": {"asc"}}, checkIssue)
	if err != nil {
		return nil, i.client.clean(err)
	}
	var out []*reconciler.Thread
	for _, is := range all {
		if isPull := len(is.PullRequest) > 0 && string(is.PullRequest) != "null"; isPull || !strings.HasPrefix(is.Body, i.marker) || !strings.EqualFold(is.User.Login, i.author) {
			continue
		}
		out = append(out, is.thread())
	}
	return out, nil
}

// Find returns the oldest open issue that carries the marker, or nil.
func (i *Issues) Find(ctx context.Context) (*reconciler.Thread, error) {
	all, err := i.FindAll(ctx)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	return all[0], nil
}

// Create opens an issue.
func (i *Issues) Create(ctx context.Context, title, body string) (*reconciler.Thread, error) {
	path, err := i.path()
	if err != nil {
		return nil, err
	}
	var is apiIssue
	_, err = i.client.do(ctx, http.MethodPost, path, nil, map[string]string{"title": title, "body": body}, &is)
	if err == nil {
		err = checkIssue(is)
	}
	if err != nil {
		return nil, i.client.clean(err)
	}
	return is.thread(), nil
}

// Update sets the title and body of an issue.
func (i *Issues) Update(ctx context.Context, number int, title, body string) error {
	return i.edit(ctx, number, map[string]string{"title": title, "body": body})
}

// Close closes an issue as completed.
func (i *Issues) Close(ctx context.Context, number int) error {
	return i.edit(ctx, number, map[string]string{"state": "closed", "state_reason": "completed"})
}

func (i *Issues) edit(ctx context.Context, number int, fields map[string]string) error {
	if number <= 0 {
		return fmt.Errorf("no issue number")
	}
	path, err := i.path(strconv.Itoa(number))
	if err != nil {
		return err
	}
	var is apiIssue
	_, err = i.client.do(ctx, http.MethodPatch, path, nil, fields, &is)
	return i.client.clean(err)
}
