package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/providers/gitfile"
	"github.com/prodaccess/prodaccess/providers/github"
	"github.com/prodaccess/prodaccess/reconciler"
)

// loginEnv names the account the token acts as, for when GitHub does not
// say: a GitHub App's bot (its slug and [bot], such as
// acme-prodaccess[bot]), or github-actions[bot] for a workflow's own
// GITHUB_TOKEN.
const loginEnv = "PRODACCESS_GITHUB_LOGIN"

// githubLogin returns a function that says, once, the login of the
// account prodaccess runs as on GitHub: whose pull requests and issues it
// keeps. GET /user says so for a person's token; for an App's token, which
// it refuses, PRODACCESS_GITHUB_LOGIN must. The answer is asked for only
// when a thread is found, and kept.
func (o *options) githubLogin(client *github.Client) func(ctx context.Context) (string, error) {
	var mu sync.Mutex
	var login string
	return func(ctx context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if login != "" {
			return login, nil
		}
		l, err := client.Login(ctx)
		switch {
		case errors.Is(err, github.ErrLoginUnknown):
			l = o.getenv(loginEnv)
			if l == "" {
				return "", fmt.Errorf("%w; set %s to the login of the account it acts as (a GitHub App's slug and [bot], such as acme-prodaccess[bot], or github-actions[bot] for a workflow's token), so that prodaccess keeps only its own pull requests and issues", err, loginEnv)
			}
			if !github.ValidActor(l) {
				return "", fmt.Errorf("%s: %q is not a GitHub login, nor a GitHub App's bot such as acme-prodaccess[bot]", loginEnv, l)
			}
		case err != nil:
			return "", err
		}
		login = l
		return login, nil
	}
}

// keepOwnPullRequests tells each repository of file targets and records
// whose pull requests it may update in place and close: only those of the
// account prodaccess runs as.
func (o *options) keepOwnPullRequests(cfg *config.Config, providers []reconciler.Provider) error {
	client, err := o.githubClient(cfg)
	if err != nil || client == nil {
		return err
	}
	login := o.githubLogin(client)
	for _, p := range providers {
		if r, ok := p.(*gitfile.Repo); ok {
			r.UseAuthor(login)
		}
	}
	return nil
}
