package github

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/reconciler"
)

// Team is the provider for one github-team target.
type Team struct {
	client *Client
	target *config.Target

	mu  sync.Mutex
	ids map[string]idCheck // by login: what Prepare found
}

// idCheck is what GET /users/{login} said: the id, or the error.
type idCheck struct {
	id  int64
	err error
}

// Prepare looks up the GitHub user id of every login to be added whose
// person file gives one, all at once up to the client's bound (see
// maxConcurrentLookups), so that Apply need not wait for each lookup
// between its writes: the ten checks of ten additions take one round
// trip, not two.
func (t *Team) Prepare(ctx context.Context, _ *outcome.Plan, changes []outcome.Change) {
	sem := t.client.lookups
	var wg sync.WaitGroup
	for _, c := range changes {
		if c.Action != outcome.Add || c.GitHubID == 0 {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			var id int64
			err := safely(func() (err error) { id, err = t.lookUp(ctx, c.Subject); return err })
			t.mu.Lock()
			defer t.mu.Unlock()
			if t.ids == nil {
				t.ids = map[string]idCheck{}
			}
			t.ids[strings.ToLower(c.Subject)] = idCheck{id: id, err: err}
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
	return t.lookUp(ctx, login)
}

// lookUp asks GitHub for the user id behind login.
func (t *Team) lookUp(ctx context.Context, login string) (int64, error) {
	var u apiUser
	user, err := apiPath("users", login)
	if err == nil {
		_, err = t.client.do(ctx, http.MethodGet, user, nil, nil, &u)
	}
	return u.ID, err
}

var (
	_ reconciler.Provider = (*Team)(nil)
	_ reconciler.Preparer = (*Team)(nil)
)

// NewTeam returns the provider for a github-team target.
func NewTeam(c *Client, t *config.Target) *Team { return &Team{client: c, target: t} }

// Targets names the one target.
func (t *Team) Targets() []string { return []string{t.target.Name} }

// Mode is Direct: membership changes when Apply returns.
func (t *Team) Mode() reconciler.Mode { return reconciler.Direct }

func (t *Team) name() string { return t.target.Org + "/" + t.target.Team }

// The parts of GitHub's answers that prodaccess reads.
type (
	apiUser struct {
		Login string `json:"login"`
		ID    int64  `json:"id"`
	}
	apiTeam struct {
		Slug string `json:"slug"`
	}
	// apiInvitation has a null login when it was sent to an email address.
	apiInvitation struct {
		ID    int64   `json:"id"`
		Login *string `json:"login"`
	}
	apiMembership struct {
		State string `json:"state"`
	}
)

func checkLogin(login string) error {
	if !model.ValidGitHubLogin(login) {
		return fmt.Errorf("GitHub gave %q, which is not a GitHub login", preview(login))
	}
	return nil
}

func checkUser(u apiUser) error {
	if u.ID <= 0 {
		return fmt.Errorf("GitHub gave user %q with no user id", preview(u.Login))
	}
	return checkLogin(u.Login)
}

func checkTeam(t apiTeam) error {
	if !config.ValidGitHubSlug(t.Slug) {
		return fmt.Errorf("GitHub gave %q, which is not a team slug", preview(t.Slug))
	}
	return nil
}

func checkInvitation(inv apiInvitation) error {
	switch {
	case inv.ID <= 0:
		return errors.New("GitHub gave an invitation with no id")
	case inv.Login == nil:
		return nil // an invitation by email, which holds nothing until accepted
	}
	return checkLogin(*inv.Login)
}

// Read lists the team: its members, the members of its child teams (who
// show in the parent's list but are not direct members, so they are never
// removed from it), pending team invitations, and pending organisation
// invitations. Invitations count as holding the access, so nobody is
// invited twice. Every list must be a JSON list of valid logins whose
// pages agree; anything else fails the read.
func (t *Team) Read(ctx context.Context) ([]outcome.TargetState, error) {
	states, err := t.read(ctx)
	return states, t.client.clean(err)
}

func (t *Team) read(ctx context.Context) ([]outcome.TargetState, error) {
	c, org := t.client, t.target.Org
	team, err := apiPath("orgs", org, "teams", t.target.Team)
	if err != nil {
		return nil, fmt.Errorf("team %s: %w", t.name(), err)
	}
	all := url.Values{"role": {"all"}}
	orgPath, err := apiPath("orgs", org, "invitations")
	if err != nil {
		return nil, fmt.Errorf("organisation %s: %w", org, err)
	}
	// The four lists do not depend on each other: they are read at once.
	var members []apiUser
	var teamInvites, orgInvites []apiInvitation
	viaChild := map[string]string{}
	err = errors.Join(concurrently(
		func() (err error) {
			if members, err = listAll(ctx, c, team+"/members", all, checkUser); err != nil {
				if isNotFound(err) {
					return fmt.Errorf("team %s: not found, or this token cannot see it (GitHub answers 404 for both); a missing team is never read as an empty one", t.name())
				}
				return fmt.Errorf("list the members of team %s: %w", t.name(), err)
			}
			return nil
		},
		func() error {
			children, err := listAll(ctx, c, team+"/teams", nil, checkTeam)
			if err != nil {
				return fmt.Errorf("list the child teams of %s: %w", t.name(), err)
			}
			for _, child := range children {
				path, err := apiPath("orgs", org, "teams", child.Slug, "members")
				if err == nil {
					var cm []apiUser
					if cm, err = listAll(ctx, c, path, all, checkUser); err == nil {
						for _, u := range cm {
							viaChild[strings.ToLower(u.Login)] = child.Slug
						}
					}
				}
				if err != nil {
					return fmt.Errorf("list the members of child team %s/%s: %w", org, child.Slug, err)
				}
			}
			return nil
		},
		func() (err error) {
			if teamInvites, err = listAll(ctx, c, team+"/invitations", nil, checkInvitation); err != nil {
				return fmt.Errorf("list the pending invitations of team %s: %w", t.name(), err)
			}
			return nil
		},
		func() (err error) {
			if orgInvites, err = orgInvitations(ctx, c, orgPath); err != nil {
				return fmt.Errorf("list the pending invitations of organisation %s: %w", org, err)
			}
			return nil
		},
	)...)
	if err != nil {
		return nil, err
	}

	seen := map[string]bool{}
	var entries []outcome.Entry
	add := func(e outcome.Entry) {
		if k := strings.ToLower(e.Subject); e.Subject != "" && !seen[k] {
			seen[k] = true
			entries = append(entries, e)
		}
	}
	for _, u := range members {
		e := outcome.Entry{Subject: u.Login}
		if child, ok := viaChild[strings.ToLower(u.Login)]; ok {
			e.Protected = "a member through child team " + org + "/" + child
			e.ChildTeam = child
		}
		add(e)
	}
	for _, inv := range teamInvites {
		if inv.Login != nil {
			add(outcome.Entry{Subject: *inv.Login, Pending: true})
		}
	}
	for _, inv := range orgInvites {
		if inv.Login != nil {
			add(outcome.Entry{Subject: *inv.Login, Pending: true, Protected: "invited to organisation " + org + "; prodaccess does not cancel organisation invitations"})
		}
	}
	slices.SortFunc(entries, func(a, b outcome.Entry) int {
		return strings.Compare(strings.ToLower(a.Subject), strings.ToLower(b.Subject))
	})
	return []outcome.TargetState{{Target: t.target.Name, Entries: entries, Version: version(entries)}}, nil
}

// version digests the entries, so that a saved plan can tell whether the
// team changed since.
func version(entries []outcome.Entry) string {
	h := sha256.New()
	for _, e := range entries {
		fmt.Fprintf(h, "%s\x00%t\x00%s\n", strings.ToLower(e.Subject), e.Pending, e.Protected)
	}
	return "sha256 " + hex.EncodeToString(h.Sum(nil))
}

// Apply removes and adds members. Before adding a person whose file gives
// a GitHub user id, it checks the login still belongs to that id. A change
// that fails is reported and the others go on.
func (t *Team) Apply(ctx context.Context, _ *outcome.Plan, changes []outcome.Change) []outcome.Result {
	var out []outcome.Result
	for _, c := range changes {
		res := outcome.Result{Change: c}
		membership, err := apiPath("orgs", t.target.Org, "teams", t.target.Team, "memberships", c.Subject)
		if err != nil || !model.ValidGitHubLogin(c.Subject) {
			res.Status, res.Detail = outcome.Refused, fmt.Sprintf("%q is not a GitHub login; nothing was sent to GitHub", preview(c.Subject))
			out = append(out, res)
			continue
		}
		switch c.Action {
		case outcome.Remove:
			_, err := t.client.do(ctx, http.MethodDelete, membership, nil, nil, nil)
			switch {
			case isNotFound(err) && t.gone(ctx, membership):
				// Someone, or another run, removed it already.
				res.Status, res.Detail = outcome.Done, "already not a member of "+t.name()
			case err != nil:
				res.Status, res.Detail = outcome.Failed, t.explain("remove "+c.Subject+" from", err)
			default:
				res.Status, res.Detail = outcome.Done, "removed from "+t.name()
			}
		case outcome.Add:
			if c.GitHubID != 0 {
				id, err := t.userID(ctx, c.Subject)
				switch {
				case err != nil:
					res.Status, res.Detail = outcome.Failed, t.explain("look up user "+c.Subject+" for", err)
				case id != c.GitHubID:
					res.Status, res.Detail = outcome.Refused, fmt.Sprintf("login %s now belongs to GitHub user id %d, but the person file says %d: the login may have been renamed and taken by someone else, so it is not added", c.Subject, id, c.GitHubID)
				}
				if res.Status != "" {
					out = append(out, res)
					continue
				}
			}
			var m apiMembership
			_, err := t.client.do(ctx, http.MethodPut, membership, nil, map[string]string{"role": "member"}, &m)
			switch {
			case err != nil:
				res.Status, res.Detail = outcome.Failed, t.explain("add "+c.Subject+" to", err)
			case m.State == "pending":
				res.Status, res.Detail = outcome.Pending, "invited to "+t.name()+"; access starts when they accept"
			default:
				res.Status, res.Detail = outcome.Done, "added to "+t.name()
			}
		}
		out = append(out, res)
	}
	return out
}

// gone reports whether the login of the membership at path is, for
// certain, no member of the team, nor invited to it.
func (t *Team) gone(ctx context.Context, membership string) bool {
	_, err := t.client.do(ctx, http.MethodGet, membership, nil, nil, nil)
	return isNotFound(err)
}

// explain turns a GitHub error into a message that says what failed and
// what to do about it.
func (t *Team) explain(what string, err error) string {
	msg := fmt.Sprintf("%s %s: %v", what, t.name(), t.client.clean(err))
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
