package github

import (
	"context"
	"strings"

	"github.com/google/go-github/v60/github"
	"github.com/prodaccess/prodaccess/reconciler"
)

// Issues are the issues of one repository that carry a marker in their
// body: prodaccess's own, found again on each run and updated in place.
type Issues struct {
	client *Client
	repo   string
	marker string
}

var _ reconciler.Threads = (*Issues)(nil)

// NewIssues returns the issues of repo (owner/name) whose body starts
// with marker.
func NewIssues(c *Client, repo, marker string) *Issues {
	return &Issues{client: c, repo: repo, marker: marker}
}

// Kind is "issue".
func (i *Issues) Kind() string { return "issue" }

// Repo is the repository, owner/name.
func (i *Issues) Repo() string { return i.repo }

// FindAll returns every open issue whose body starts with the marker,
// oldest first (pull requests, which GitHub lists among issues, are left
// out).
func (i *Issues) FindAll(ctx context.Context) ([]*reconciler.Thread, error) {
	owner, name, err := split(i.repo)
	if err != nil {
		return nil, err
	}
	all, err := listAll(ctx, func(ctx context.Context, page int) ([]*github.Issue, *github.Response, error) {
		return i.client.gh.Issues.ListByRepo(ctx, owner, name, &github.IssueListByRepoOptions{
			State: "open", Sort: "created", Direction: "asc", ListOptions: github.ListOptions{Page: page, PerPage: 100},
		})
	})
	if err != nil {
		return nil, err
	}
	var out []*reconciler.Thread
	for _, is := range all {
		if is.IsPullRequest() || !strings.HasPrefix(is.GetBody(), i.marker) {
			continue
		}
		out = append(out, &reconciler.Thread{Number: is.GetNumber(), URL: is.GetHTMLURL(), Title: is.GetTitle(), Body: is.GetBody()})
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
	owner, name, err := split(i.repo)
	if err != nil {
		return nil, err
	}
	is, _, err := i.client.gh.Issues.Create(ctx, owner, name, &github.IssueRequest{Title: &title, Body: &body})
	if err != nil {
		return nil, err
	}
	return &reconciler.Thread{Number: is.GetNumber(), URL: is.GetHTMLURL(), Title: is.GetTitle(), Body: is.GetBody()}, nil
}

// Update sets the title and body of an issue.
func (i *Issues) Update(ctx context.Context, number int, title, body string) error {
	return i.edit(ctx, number, &github.IssueRequest{Title: &title, Body: &body})
}

// Close closes an issue as completed.
func (i *Issues) Close(ctx context.Context, number int) error {
	state, reason := "closed", "completed"
	return i.edit(ctx, number, &github.IssueRequest{State: &state, StateReason: &reason})
}

func (i *Issues) edit(ctx context.Context, number int, req *github.IssueRequest) error {
	owner, name, err := split(i.repo)
	if err != nil {
		return err
	}
	_, _, err = i.client.gh.Issues.Edit(ctx, owner, name, number, req)
	return err
}
