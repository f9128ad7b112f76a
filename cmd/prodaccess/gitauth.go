package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing/transport/client"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/internal/gittree"
	"github.com/prodaccess/prodaccess/peoplerepo"
	"github.com/prodaccess/prodaccess/providers/github"
)

// Credentials for git over HTTP are decided in one place: the transport
// every git connection of prodaccess goes through (go-git's http and
// https protocols, installed once). Whatever a caller set, each request,
// and each hop of a redirect, carries only what its own host is owed:
//
//   - the GitHub token, as x-access-token, to the host of the configured
//     GitHub alone (github.com, or the host of GITHUB_API_URL for GitHub
//     Enterprise), and only over https;
//   - to a host that the committed configuration's git_credentials names,
//     the user name and password of the environment variables it names,
//     only over https;
//   - to any other host, and over plain http, nothing.
//
// Who is owed what travels with the run's context (withGitAuth); a
// request without it carries nothing.

// gitAuth is who is owed which credentials in one run.
type gitAuth struct {
	githubHost string // host:port of the configured GitHub's git
	token      string
	getenv     func(string) string
	// hosts reads the configuration's git_credentials, once.
	hosts func() []config.GitCredential
	// hide tells the output filters a password they must mask.
	hide func(secret string)
}

// credentials returns what an https request to u carries.
func (a *gitAuth) credentials(u *url.URL) (user, password string, ok bool) {
	if config.HostKey(u.Host) == a.githubHost {
		return "x-access-token", a.token, a.token != ""
	}
	cfg := &config.Config{GitCredentials: a.hosts()}
	g := cfg.GitCredentialFor(u)
	if g == nil {
		return "", "", false
	}
	user, password = a.getenv(g.UsernameEnv), a.getenv(g.PasswordEnv)
	if password == "" {
		return "", "", false
	}
	a.hide(password)
	return user, password, true
}

type gitAuthKey struct{}

// withGitAuth returns ctx carrying a: the git connections made under it
// authenticate as a says.
func withGitAuth(ctx context.Context, a *gitAuth) context.Context {
	return context.WithValue(ctx, gitAuthKey{}, a)
}

// gitTransport is the HTTP transport of every git connection.
type gitTransport struct{ base http.RoundTripper }

func (t gitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Del("Authorization")
	if a, _ := req.Context().Value(gitAuthKey{}).(*gitAuth); a != nil && strings.EqualFold(req.URL.Scheme, "https") {
		if user, password, ok := a.credentials(req.URL); ok {
			r.SetBasicAuth(user, password)
		}
	}
	return t.base.RoundTrip(r)
}

var installGitTransport = sync.OnceFunc(func() {
	base := http.DefaultTransport.(*http.Transport).Clone()
	c := githttp.NewClient(&http.Client{Transport: gitTransport{base: base}})
	client.InstallProtocol("https", c)
	client.InstallProtocol("http", c)
})

// gitAuth is who the run's git connections owe what: the token to the
// configured GitHub's host, git_credentials from the configuration as
// committed at HEAD, read when a host other than GitHub's is first met.
func (o *options) gitAuth() *gitAuth {
	installGitTransport()
	host, err := github.GitHost(o.getenv("GITHUB_API_URL"))
	if err != nil {
		host = "" // the token goes nowhere; the API client reports the URL
	}
	hide := o.hide
	if hide == nil {
		hide = func(string) {} // no output filter: nothing to tell
	}
	return &gitAuth{
		githubHost: host,
		token:      o.getenv("GITHUB_TOKEN"),
		getenv:     o.getenv,
		hosts:      sync.OnceValue(o.committedGitCredentials),
		hide:       hide,
	}
}

// committedGitCredentials is git_credentials of the configuration as
// committed at HEAD of the repository that holds it; none when it cannot
// be read (the command itself says why).
func (o *options) committedGitCredentials() []config.GitCredential {
	repo, err := peoplerepo.Open(o.anchor())
	if err != nil {
		return nil
	}
	head, err := repo.Head()
	if err != nil {
		return nil
	}
	rel, err := repo.Rel(o.configPath)
	if err != nil {
		return nil
	}
	data, err := gittree.ReadBlob(head.Tree, rel)
	if err != nil {
		return nil
	}
	cfg, err := config.ParseConfig(o.configPath, data)
	if err != nil {
		return nil
	}
	return cfg.GitCredentials
}
