package github

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/google/go-github/v60/github"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/reconciler"
)

// Team is the provider for one github-team target.
type Team struct {
	client *Client
	target *model.Target

	mu  sync.Mutex
	ids map[string]idCheck // by login: what Prepare found
}

// idCheck is what GET /users/{login} said: the id, or the error.
type idCheck struct {
	id  int64
	err error
}

// maxConcurrentLookups bounds the user lookups made at once.
const maxConcurrentLookups = 8

// Prepare looks up the GitHub user id of every login to be added whose
// person file gives one, eight at a time, so that Apply need not wait for
// each lookup between its writes.
func (t *Team) Prepare(ctx context.Context, _ *model.Plan, changes []model.Change) {
	sem := make(chan struct{}, maxConcurrentLookups)
	var wg sync.WaitGroup
	for _, c := range changes {
		if c.Action != model.Add || c.GitHubID == 0 {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			u, _, err := t.client.gh.Users.Get(ctx, c.Subject)
			t.mu.Lock()
			defer t.mu.Unlock()
			if t.ids == nil {
				t.ids = map[string]idCheck{}
			}
			t.ids[strings.ToLower(c.Subject)] = idCheck{id: u.GetID(), err: err}
		})
	}
	wg.Wait()
}

// userID is the GitHub user id behind login: as Prepare found it, or
// looked up now.
func (t *Team) userID(ctx context.Context, login string) (int64, error) {
	t.mu.Lock()
	ch, ok := t.ids[strings.ToLower(login)]
	t.mu.Unlock()
	if ok {
		return ch.id, ch.err
	}
	u, _, err := t.client.gh.Users.Get(ctx, login)
	return u.GetID(), err
}

var (
	_ reconciler.Provider = (*Team)(nil)
	_ reconciler.Preparer = (*Team)(nil)
)

// NewTeam returns the provider for a github-team target.
func NewTeam(c *Client, t *model.Target) *Team { return &Team{client: c, target: t} }

// Targets names the one target.
func (t *Team) Targets() []string { return []string{t.target.Name} }

// Mode is Direct: membership changes when Apply returns.
func (t *Team) Mode() reconciler.Mode { return reconciler.Direct }

func (t *Team) name() string { return t.target.Org + "/" + t.target.Team }

// Read lists the team: its members, the members of its child teams (who
// show in the parent's list but are not direct members, so they are never
// removed from it), pending team invitations, and pending organisation
// invitations. Invitations count as holding the access, so nobody is
// invited twice.
func (t *Team) Read(ctx context.Context) ([]model.TargetState, error) {
	gh, org, slug := t.client.gh, t.target.Org, t.target.Team
	members, err := listAll(ctx, func(ctx context.Context, page int) ([]*github.User, *github.Response, error) {
		return gh.Teams.ListTeamMembersBySlug(ctx, org, slug, &github.TeamListTeamMembersOptions{Role: "all", ListOptions: github.ListOptions{Page: page, PerPage: 100}})
	})
	if err != nil {
		if isNotFound(err) {
			return nil, fmt.Errorf("team %s: not found, or this token cannot see it (GitHub answers 404 for both); a missing team is never read as an empty one", t.name())
		}
		return nil, fmt.Errorf("list the members of team %s: %w", t.name(), err)
	}
	children, err := listAll(ctx, func(ctx context.Context, page int) ([]*github.Team, *github.Response, error) {
		return gh.Teams.ListChildTeamsByParentSlug(ctx, org, slug, &github.ListOptions{Page: page, PerPage: 100})
	})
	if err != nil {
		return nil, fmt.Errorf("list the child teams of %s: %w", t.name(), err)
	}
	viaChild := map[string]string{}
	for _, child := range children {
		cm, err := listAll(ctx, func(ctx context.Context, page int) ([]*github.User, *github.Response, error) {
			return gh.Teams.ListTeamMembersBySlug(ctx, org, child.GetSlug(), &github.TeamListTeamMembersOptions{Role: "all", ListOptions: github.ListOptions{Page: page, PerPage: 100}})
		})
		if err != nil {
			return nil, fmt.Errorf("list the members of child team %s/%s: %w", org, child.GetSlug(), err)
		}
		for _, u := range cm {
			viaChild[strings.ToLower(u.GetLogin())] = child.GetSlug()
		}
	}
	teamInvites, err := listAll(ctx, func(ctx context.Context, page int) ([]*github.Invitation, *github.Response, error) {
		return gh.Teams.ListPendingTeamInvitationsBySlug(ctx, org, slug, &github.ListOptions{Page: page, PerPage: 100})
	})
	if err != nil {
		return nil, fmt.Errorf("list the pending invitations of team %s: %w", t.name(), err)
	}
	orgInvites, err := listAll(ctx, func(ctx context.Context, page int) ([]*github.Invitation, *github.Response, error) {
		return gh.Organizations.ListPendingOrgInvitations(ctx, org, &github.ListOptions{Page: page, PerPage: 100})
	})
	if err != nil {
		return nil, fmt.Errorf("list the pending invitations of organisation %s: %w", org, err)
	}

	seen := map[string]bool{}
	var entries []model.Entry
	add := func(e model.Entry) {
		if k := strings.ToLower(e.Subject); e.Subject != "" && !seen[k] {
			seen[k] = true
			entries = append(entries, e)
		}
	}
	for _, u := range members {
		e := model.Entry{Subject: u.GetLogin()}
		if child, ok := viaChild[strings.ToLower(u.GetLogin())]; ok {
			e.Protected = "a member through child team " + org + "/" + child
		}
		add(e)
	}
	for _, inv := range teamInvites {
		add(model.Entry{Subject: inv.GetLogin(), Pending: true})
	}
	for _, inv := range orgInvites {
		add(model.Entry{Subject: inv.GetLogin(), Pending: true, Protected: "invited to organisation " + org + "; prodaccess does not cancel organisation invitations"})
	}
	slices.SortFunc(entries, func(a, b model.Entry) int {
		return strings.Compare(strings.ToLower(a.Subject), strings.ToLower(b.Subject))
	})
	return []model.TargetState{{Target: t.target.Name, Entries: entries, Version: version(entries)}}, nil
}

// version digests the entries, so that a saved plan can tell whether the
// team changed since.
func version(entries []model.Entry) string {
	h := sha256.New()
	for _, e := range entries {
		fmt.Fprintf(h, "%s\x00%t\x00%s\n", strings.ToLower(e.Subject), e.Pending, e.Protected)
	}
	return "sha256 " + hex.EncodeToString(h.Sum(nil))
}

// Apply removes and adds members. Before adding a person whose file gives
// a GitHub user id, it checks the login still belongs to that id. A change
// that fails is reported and the others go on.
func (t *Team) Apply(ctx context.Context, _ *model.Plan, changes []model.Change) []model.Result {
	gh, org, slug := t.client.gh, t.target.Org, t.target.Team
	var out []model.Result
	for _, c := range changes {
		res := model.Result{Change: c}
		switch c.Action {
		case model.Remove:
			_, err := gh.Teams.RemoveTeamMembershipBySlug(ctx, org, slug, c.Subject)
			switch {
			case isNotFound(err) && t.gone(ctx, c.Subject):
				// Someone, or another run, removed it already.
				res.Status, res.Detail = model.Done, "already not a member of "+t.name()
			case err != nil:
				res.Status, res.Detail = model.Failed, t.explain("remove "+c.Subject+" from", err)
			default:
				res.Status, res.Detail = model.Done, "removed from "+t.name()
			}
		case model.Add:
			if c.GitHubID != 0 {
				id, err := t.userID(ctx, c.Subject)
				switch {
				case err != nil:
					res.Status, res.Detail = model.Failed, t.explain("look up user "+c.Subject+" for", err)
				case id != c.GitHubID:
					res.Status, res.Detail = model.Refused, fmt.Sprintf("login %s now belongs to GitHub user id %d, but the person file says %d: the login may have been renamed and taken by someone else, so it is not added", c.Subject, id, c.GitHubID)
				}
				if res.Status != "" {
					out = append(out, res)
					continue
				}
			}
			m, _, err := gh.Teams.AddTeamMembershipBySlug(ctx, org, slug, c.Subject, &github.TeamAddTeamMembershipOptions{Role: "member"})
			switch {
			case err != nil:
				res.Status, res.Detail = model.Failed, t.explain("add "+c.Subject+" to", err)
			case m.GetState() == "pending":
				res.Status, res.Detail = model.Pending, "invited to "+t.name()+"; access starts when they accept"
			default:
				res.Status, res.Detail = model.Done, "added to "+t.name()
			}
		}
		out = append(out, res)
	}
	return out
}

// gone reports whether login is, for certain, no member of the team, nor
// invited to it.
func (t *Team) gone(ctx context.Context, login string) bool {
	_, _, err := t.client.gh.Teams.GetTeamMembershipBySlug(ctx, t.target.Org, t.target.Team, login)
	return isNotFound(err)
}

// explain turns a GitHub error into a message that says what failed and
// what to do about it.
func (t *Team) explain(what string, err error) string {
	msg := fmt.Sprintf("%s %s: %v", what, t.name(), err)
	switch statusOf(err) {
	case 403:
		msg += " (the token may lack the Members: read and write permission, or the team is managed by an identity provider)"
	case 404:
		msg += " (no such user, or the team or organisation is not visible to this token)"
	case 422:
		msg += " (GitHub refused the user; they may be blocked from the organisation)"
	case 429:
		msg += " (rate limited beyond the waiting budget; the next run will retry)"
	}
	return msg
}
