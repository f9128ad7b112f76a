package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/prodaccess/prodaccess/model"
)

// ErrLoginUnknown is Login's error when GitHub does not say whose token
// it is: GET /user answers 403 to a GitHub App's installation token and
// to a workflow's GITHUB_TOKEN ("Resource not accessible by
// integration").
var ErrLoginUnknown = errors.New("GitHub does not say whose token this is: GET /user answers 403, as it does to a GitHub App's installation token and to a workflow's GITHUB_TOKEN")

// Login returns the login of the account the token acts as, from GET
// /user; ErrLoginUnknown when GitHub refuses to say (403). The first
// answer is kept for the client's life.
func (c *Client) Login(ctx context.Context) (string, error) {
	c.loginMu.Lock()
	defer c.loginMu.Unlock()
	if c.login != "" {
		return c.login, nil
	}
	var u struct {
		Login string `json:"login"`
	}
	if _, err := c.do(ctx, http.MethodGet, "user", nil, nil, &u); err != nil {
		if statusOf(err) == http.StatusForbidden {
			return "", ErrLoginUnknown
		}
		return "", fmt.Errorf("find whose token this is (GET /user): %w", c.clean(err))
	}
	if !ValidActor(u.Login) {
		return "", fmt.Errorf("GET /user gave %q, which is not a GitHub login", preview(u.Login))
	}
	c.login = u.Login
	return c.login, nil
}

// ValidActor reports whether s is the login of an account that can hold
// a token: a person's or an organisation's login, or a GitHub App's bot,
// its slug followed by [bot] (acme-prodaccess[bot], github-actions[bot]).
func ValidActor(s string) bool {
	return model.ValidGitHubLogin(strings.TrimSuffix(s, "[bot]"))
}
