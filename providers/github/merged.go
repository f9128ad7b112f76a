package github

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/prodaccess/prodaccess/outcome"
)

// apiPullState is what a pull request says of how it ended.
type apiPullState struct {
	Number   int        `json:"number"`
	HTMLURL  string     `json:"html_url"`
	State    string     `json:"state"`
	MergedAt *time.Time `json:"merged_at"`
	ClosedAt *time.Time `json:"closed_at"`
	MergedBy *struct {
		Login string `json:"login"`
	} `json:"merged_by"`
}

// Ended looks up whether a pull request of repo (owner/name) was merged,
// and when and by whom, or closed without merging, and when: what the
// record of a removal through a target's pull request needs. A pull
// request still open has neither time.
func (p *PullRequests) Ended(ctx context.Context, repo string, number int) (*outcome.TargetPull, error) {
	path, _, err := pulls(repo, strconv.Itoa(number))
	if err != nil {
		return nil, err
	}
	var pr apiPullState
	if _, err := p.client.do(ctx, http.MethodGet, path, nil, nil, &pr); err != nil {
		return nil, p.client.clean(fmt.Errorf("read pull request #%d of %s: %w", number, repo, err))
	}
	if pr.Number != number {
		return nil, fmt.Errorf("read pull request #%d of %s: GitHub gave #%d", number, repo, pr.Number)
	}
	out := &outcome.TargetPull{Repo: repo, Number: number, URL: pr.HTMLURL}
	switch {
	case pr.MergedAt != nil:
		t := pr.MergedAt.UTC()
		out.MergedAt = &t
		if pr.MergedBy != nil {
			out.MergedBy = pr.MergedBy.Login
		}
	case pr.State == "closed" && pr.ClosedAt != nil:
		t := pr.ClosedAt.UTC()
		out.ClosedAt = &t
	}
	return out, nil
}
