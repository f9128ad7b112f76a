package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/google/go-github/v60/github"
	"github.com/prodaccess/prodaccess/config"
)

// Protection is what a branch's protection does for approvals: the
// approvals prodaccess checks mean something only if nothing reaches the
// branch without a reviewed pull request.
type Protection struct {
	// Weak names every setting that lets a change reach the branch with
	// less than one approving review by someone other than its last
	// pusher; empty when there is none.
	Weak []string
	// Unread says, a sentence each, what could not be read or seen, and
	// the permission it needs.
	Unread []string
}

// Sound reports whether the protection was read and nothing is weak.
func (p *Protection) Sound() bool { return len(p.Weak) == 0 && len(p.Unread) == 0 }

// ruleInForce is one rule of GET /repos/{owner}/{repo}/rules/branches/{branch},
// which go-github v60 reads without the ruleset it comes from.
type ruleInForce struct {
	Type       string `json:"type"`
	RulesetID  int64  `json:"ruleset_id"`
	Parameters struct {
		RequiredApprovingReviewCount int  `json:"required_approving_review_count"`
		RequireCodeOwnerReview       bool `json:"require_code_owner_review"`
		RequireLastPushApproval      bool `json:"require_last_push_approval"`
		DismissStaleReviewsOnPush    bool `json:"dismiss_stale_reviews_on_push"`
	} `json:"parameters"`
}

// reviewRules is what both kinds of protection say about reviews.
type reviewRules struct {
	source                           string
	pullRequests                     bool
	approvals                        int
	codeOwners, lastPush, staleReset bool
	bypass                           []string
}

// BranchProtection reads the rules in force on a branch, from rulesets
// and from classic branch protection, whichever the repository uses, and
// says what in them is weak for approvals. A read that the token may not
// make is named in Unread with the permission it needs, never ignored.
func (c *Client) BranchProtection(ctx context.Context, repo, branch string) (*Protection, error) {
	p, err := c.branchProtection(ctx, repo, branch)
	return p, c.clean(err)
}

func (c *Client) branchProtection(ctx context.Context, repo, branch string) (*Protection, error) {
	owner, name, ok := config.SplitGitHubRepo(repo)
	if !ok {
		return nil, fmt.Errorf("%q is not a GitHub owner/name", preview(repo))
	}
	out := &Protection{}
	var found []reviewRules

	rules, status, err := c.rulesForBranch(ctx, owner, name, branch)
	switch {
	case status == http.StatusForbidden || status == http.StatusNotFound:
		out.Unread = append(out.Unread, fmt.Sprintf("could not read the rulesets of %s (GET rules/branches/%s answered %d; the token needs Metadata: read on %s)", branch, branch, status, repo))
	case err != nil:
		return nil, fmt.Errorf("read the rules of branch %s of %s: %w", branch, repo, err)
	default:
		rs := reviewRules{source: "rulesets"}
		var ids []int64
		for _, r := range rules {
			if r.Type != "pull_request" {
				continue
			}
			rs.pullRequests = true
			rs.approvals = max(rs.approvals, r.Parameters.RequiredApprovingReviewCount)
			rs.codeOwners = rs.codeOwners || r.Parameters.RequireCodeOwnerReview
			rs.lastPush = rs.lastPush || r.Parameters.RequireLastPushApproval
			rs.staleReset = rs.staleReset || r.Parameters.DismissStaleReviewsOnPush
			if r.RulesetID != 0 && !slices.Contains(ids, r.RulesetID) {
				ids = append(ids, r.RulesetID)
			}
		}
		for _, id := range ids {
			rs2, _, err := c.gh.Repositories.GetRuleset(ctx, owner, name, id, true)
			if s := statusOf(err); s == http.StatusForbidden || s == http.StatusNotFound {
				out.Unread = append(out.Unread, fmt.Sprintf("could not read who may bypass ruleset %d (GET rulesets/%d answered %d; the token needs Administration: read on %s)", id, id, s, repo))
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("read ruleset %d of %s: %w", id, repo, err)
			}
			if rs2.BypassActors == nil {
				// GitHub leaves the list out unless the token may write
				// the ruleset, "to prevent leaking sensitive
				// information": a missing list is not an empty one.
				out.Unread = append(out.Unread, fmt.Sprintf("cannot see who may bypass ruleset %d: the token needs write access to rulesets (Administration: write on %s), without which GitHub leaves bypass_actors out of its answer", id, repo))
				continue
			}
			for _, a := range rs2.BypassActors {
				rs.bypass = append(rs.bypass, fmt.Sprintf("%s %d (%s)", a.GetActorType(), a.GetActorID(), a.GetBypassMode()))
			}
		}
		if rs.pullRequests {
			found = append(found, rs)
		}
	}

	prot, _, err := c.gh.Repositories.GetBranchProtection(ctx, owner, name, branch)
	switch s := statusOf(err); {
	case s == http.StatusNotFound || errors.Is(err, github.ErrBranchNotProtected):
		// No classic protection: rulesets may still protect the branch.
	case s == http.StatusForbidden:
		out.Unread = append(out.Unread, fmt.Sprintf("could not read the classic protection of %s (GET branches/%s/protection answered 403; the token needs Administration: read on %s)", branch, branch, repo))
	case err != nil:
		return nil, fmt.Errorf("read the protection of branch %s of %s: %w", branch, repo, err)
	default:
		if rv := prot.GetRequiredPullRequestReviews(); rv != nil {
			cl := reviewRules{source: "classic branch protection", pullRequests: true, approvals: rv.RequiredApprovingReviewCount,
				codeOwners: rv.RequireCodeOwnerReviews, lastPush: rv.RequireLastPushApproval, staleReset: rv.DismissStaleReviews}
			if !prot.GetEnforceAdmins().Enabled {
				cl.bypass = append(cl.bypass, "repository administrators (enforce_admins is off)")
			}
			if a := rv.BypassPullRequestAllowances; a != nil {
				for _, u := range a.Users {
					cl.bypass = append(cl.bypass, "user "+u.GetLogin())
				}
				for _, t := range a.Teams {
					cl.bypass = append(cl.bypass, "team "+t.GetSlug())
				}
				for _, app := range a.Apps {
					cl.bypass = append(cl.bypass, "app "+app.GetSlug())
				}
			}
			found = append(found, cl)
		}
	}

	if len(found) == 0 {
		if len(out.Unread) == 0 {
			out.Weak = append(out.Weak, fmt.Sprintf("pull requests are not required on %s of %s: anyone who can push can write a person file without review", branch, repo))
		}
		return out, nil
	}
	// Several sources all apply: the strongest setting of each kind holds,
	// and anyone allowed to bypass any of them can bypass.
	best := reviewRules{pullRequests: true}
	var bypass []string
	for _, r := range found {
		best.approvals = max(best.approvals, r.approvals)
		best.codeOwners = best.codeOwners || r.codeOwners
		best.lastPush = best.lastPush || r.lastPush
		for _, b := range r.bypass {
			bypass = append(bypass, b+" in the "+r.source)
		}
	}
	if best.approvals < 1 {
		out.Weak = append(out.Weak, fmt.Sprintf("required_approving_review_count is 0 on %s of %s: a pull request can be merged with no approving review", branch, repo))
	}
	if !best.codeOwners {
		out.Weak = append(out.Weak, fmt.Sprintf("code-owner review is off on %s of %s (require_code_owner_review): any reviewer's approval lets a person file change, not a lead's", branch, repo))
	}
	if !best.lastPush {
		out.Weak = append(out.Weak, fmt.Sprintf("approval of the most recent push is off on %s of %s (require_last_push_approval): a change pushed after the approval can be merged on it", branch, repo))
	}
	if len(bypass) > 0 {
		out.Weak = append(out.Weak, fmt.Sprintf("some may bypass the rules of %s of %s: %s", branch, repo, strings.Join(bypass, "; ")))
	}
	return out, nil
}

// rulesForBranch reads the rules in force on a branch with their ruleset
// ids, and the status GitHub answered.
func (c *Client) rulesForBranch(ctx context.Context, owner, name, branch string) ([]ruleInForce, int, error) {
	u := fmt.Sprintf("repos/%s/%s/rules/branches/%s", url.PathEscape(owner), url.PathEscape(name), url.PathEscape(branch))
	req, err := c.gh.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	var raw json.RawMessage
	resp, err := c.gh.Do(ctx, req, &raw)
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	if err != nil {
		return nil, status, err
	}
	var rules []ruleInForce
	if err := json.Unmarshal(raw, &rules); err != nil || rules == nil && string(raw) != "[]" {
		return nil, status, fmt.Errorf("the rules of branch %s are not a JSON array", branch)
	}
	return rules, status, nil
}
