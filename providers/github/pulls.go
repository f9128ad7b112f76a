package github

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v60/github"
	"github.com/prodaccess/prodaccess/model"
)

// PullRequests opens and keeps up to date the pull requests of file
// targets. repo is "owner/name".
type PullRequests struct{ client *Client }

// NewPullRequests returns the pull-request side of c.
func NewPullRequests(c *Client) *PullRequests { return &PullRequests{client: c} }

func split(repo string) (string, string, error) {
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" {
		return "", "", fmt.Errorf("%q is not owner/name", repo)
	}
	return owner, name, nil
}

func toModel(pr *github.PullRequest) *model.PullRequest {
	return &model.PullRequest{Number: pr.GetNumber(), URL: pr.GetHTMLURL(), Title: pr.GetTitle(), Body: pr.GetBody()}
}

// Find returns the open pull request from head, or nil.
func (p *PullRequests) Find(ctx context.Context, repo, head string) (*model.PullRequest, error) {
	owner, name, err := split(repo)
	if err != nil {
		return nil, err
	}
	prs, _, err := p.client.gh.PullRequests.List(ctx, owner, name, &github.PullRequestListOptions{State: "open", Head: owner + ":" + head})
	if err != nil {
		return nil, err
	}
	for _, pr := range prs {
		if pr.GetHead().GetRef() == head || pr.GetHead().GetRef() == "" {
			return toModel(pr), nil
		}
	}
	return nil, nil
}

// Create opens a pull request from head into base.
func (p *PullRequests) Create(ctx context.Context, repo, base, head, title, body string) (*model.PullRequest, error) {
	owner, name, err := split(repo)
	if err != nil {
		return nil, err
	}
	pr, _, err := p.client.gh.PullRequests.Create(ctx, owner, name, &github.NewPullRequest{Title: &title, Body: &body, Base: &base, Head: &head})
	if err != nil {
		return nil, err
	}
	return toModel(pr), nil
}

// Update sets the title and body of a pull request.
func (p *PullRequests) Update(ctx context.Context, repo string, number int, title, body string) error {
	owner, name, err := split(repo)
	if err != nil {
		return err
	}
	_, _, err = p.client.gh.PullRequests.Edit(ctx, owner, name, number, &github.PullRequest{Title: &title, Body: &body})
	return err
}

// Close closes a pull request without merging it.
func (p *PullRequests) Close(ctx context.Context, repo string, number int) error {
	owner, name, err := split(repo)
	if err != nil {
		return err
	}
	state := "closed"
	_, _, err = p.client.gh.PullRequests.Edit(ctx, owner, name, number, &github.PullRequest{State: &state})
	return err
}

// RequestReviewers asks people (logins) and teams (slugs of the
// repository owner's teams) to review a pull request.
func (p *PullRequests) RequestReviewers(ctx context.Context, repo string, number int, logins, teams []string) error {
	owner, name, err := split(repo)
	if err != nil {
		return err
	}
	if len(logins) == 0 && len(teams) == 0 {
		return nil
	}
	req := github.ReviewersRequest{Reviewers: logins, TeamReviewers: teams}
	if req.Reviewers == nil {
		req.Reviewers = []string{}
	}
	if req.TeamReviewers == nil {
		req.TeamReviewers = []string{}
	}
	_, _, err = p.client.gh.PullRequests.RequestReviewers(ctx, owner, name, number, req)
	return err
}
