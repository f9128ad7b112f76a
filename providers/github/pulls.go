package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/outcome"
)

// PullRequests opens and keeps up to date the pull requests of file
// targets. repo is "owner/name".
type PullRequests struct{ client *Client }

// NewPullRequests returns the pull-request side of c.
func NewPullRequests(c *Client) *PullRequests { return &PullRequests{client: c} }

// apiPull is the part of a pull request that prodaccess reads.
type apiPull struct {
	Number  int    `json:"number"`
	HTMLURL string `json:"html_url"`
	Title   string `json:"title"`
	Body    string `json:"body"`
	User    struct {
		Login string `json:"login"`
	} `json:"user"`
	Head struct {
		Ref string `json:"ref"`
	} `json:"head"`
	CreatedAt          time.Time `json:"created_at"`
	RequestedReviewers []struct {
		Login string `json:"login"`
	} `json:"requested_reviewers"`
	RequestedTeams []struct {
		Slug string `json:"slug"`
	} `json:"requested_teams"`
}

func checkPull(pr apiPull) error {
	if pr.Number <= 0 {
		return fmt.Errorf("GitHub gave a pull request numbered %d", pr.Number)
	}
	return nil
}

// toModel is a pull request of a repository of owner, as prodaccess
// needs it: the times in UTC, and the teams asked to review it as
// owner/team.
func toModel(pr apiPull, owner string) *outcome.PullRequest {
	m := &outcome.PullRequest{Number: pr.Number, URL: pr.HTMLURL, Title: pr.Title, Body: pr.Body, Author: pr.User.Login, Opened: pr.CreatedAt.UTC()}
	for _, u := range pr.RequestedReviewers {
		m.Reviewers = append(m.Reviewers, u.Login)
	}
	for _, t := range pr.RequestedTeams {
		m.Reviewers = append(m.Reviewers, owner+"/"+t.Slug)
	}
	return m
}

// pulls is the API path of repo's pull requests, and the owner.
func pulls(repo string, more ...string) (string, string, error) {
	owner, name, ok := config.SplitGitHubRepo(repo)
	if !ok {
		return "", "", fmt.Errorf("%q is not a GitHub owner/name", preview(repo))
	}
	path, err := apiPath(append([]string{"repos", owner, name, "pulls"}, more...)...)
	return path, owner, err
}

// Find returns the open pull request from head (a branch of repo itself),
// or nil. Whose it is, the caller checks (Author).
func (p *PullRequests) Find(ctx context.Context, repo, head string) (*outcome.PullRequest, error) {
	path, owner, err := pulls(repo)
	if err != nil {
		return nil, err
	}
	prs, err := listAll(ctx, p.client, path, url.Values{"state": {"open"}, "head": {owner + ":" + head}}, checkPull)
	if err != nil {
		return nil, p.client.clean(err)
	}
	for _, pr := range prs {
		if pr.Head.Ref == head {
			return toModel(pr, owner), nil
		}
	}
	return nil, nil
}

// Create opens a pull request from head into base.
func (p *PullRequests) Create(ctx context.Context, repo, base, head, title, body string) (*outcome.PullRequest, error) {
	path, owner, err := pulls(repo)
	if err != nil {
		return nil, err
	}
	var pr apiPull
	_, err = p.client.do(ctx, http.MethodPost, path, nil, map[string]string{"title": title, "body": body, "base": base, "head": head}, &pr)
	if err == nil {
		err = checkPull(pr)
	}
	if err != nil {
		return nil, p.client.clean(err)
	}
	return toModel(pr, owner), nil
}

// Update sets the title and body of a pull request.
func (p *PullRequests) Update(ctx context.Context, repo string, number int, title, body string) error {
	return p.edit(ctx, repo, number, map[string]string{"title": title, "body": body})
}

// Close closes a pull request without merging it.
func (p *PullRequests) Close(ctx context.Context, repo string, number int) error {
	return p.edit(ctx, repo, number, map[string]string{"state": "closed"})
}

func (p *PullRequests) edit(ctx context.Context, repo string, number int, fields map[string]string) error {
	if number <= 0 {
		return errors.New("no pull request number")
	}
	path, _, err := pulls(repo, strconv.Itoa(number))
	if err != nil {
		return err
	}
	var pr apiPull
	_, err = p.client.do(ctx, http.MethodPatch, path, nil, fields, &pr)
	return p.client.clean(err)
}

// RequestReviewers asks people (logins) and teams (slugs of the
// repository owner's teams) to review a pull request.
func (p *PullRequests) RequestReviewers(ctx context.Context, repo string, number int, logins, teams []string) error {
	if number <= 0 {
		return errors.New("no pull request number")
	}
	path, _, err := pulls(repo, strconv.Itoa(number), "requested_reviewers")
	if err != nil {
		return err
	}
	if len(logins) == 0 && len(teams) == 0 {
		return nil
	}
	body := struct {
		Reviewers     []string `json:"reviewers"`
		TeamReviewers []string `json:"team_reviewers"`
	}{Reviewers: logins, TeamReviewers: teams}
	if body.Reviewers == nil {
		body.Reviewers = []string{}
	}
	if body.TeamReviewers == nil {
		body.TeamReviewers = []string{}
	}
	var pr apiPull
	_, err = p.client.do(ctx, http.MethodPost, path, nil, body, &pr)
	return p.client.clean(err)
}
