package main

import (
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prodaccess/prodaccess/internal/devstack"
)

// gitCredStack is a people repository whose one file target lives at
// repoURL.
func gitCredStack(t *testing.T, repoURL string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "people-repo")
	if err := devstack.NewRepo(dir, nil); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"prodaccess.yaml": fmt.Sprintf(`people: people
targets:
  - name: hieradata
    type: file
    repo: %s
    path: hiera.rcp
    format: gpg-recipients
`, repoURL),
		"people/alice.yaml": permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""),
	}
	if err := devstack.CommitAt(dir, files, "People", time.Now().Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestTokenNeverOverPlainHTTP: with a token set, a repository URL over
// plain http is a configuration error, and the git host hears nothing.
func TestTokenNeverOverPlainHTTP(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var requests, withAuth int
	git := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		if r.Header.Get("Authorization") != "" {
			withAuth++
		}
		mu.Unlock()
		w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer git.Close()
	dir := gitCredStack(t, git.URL+"/alphagov/govuk-secrets.git")

	r := prodaccessEnv(t, dir, []string{"GITHUB_TOKEN=" + testToken, "GITHUB_API_URL=http://127.0.0.1:1"}, "plan")
	must(t, r, 1, "plan with an http:// repository and a token")
	if !strings.Contains(r.stderr, "target hieradata: repo "+git.URL+"/alphagov/govuk-secrets.git is plain http, and GITHUB_TOKEN is set") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, testToken) {
		t.Errorf("the token is printed")
	}
	mu.Lock()
	defer mu.Unlock()
	if requests != 0 || withAuth != 0 {
		t.Errorf("the git host got %d requests, %d with credentials", requests, withAuth)
	}
}

// TestCredentialsInRepoURL: a repository URL that carries credentials is
// refused, and the credentials are printed nowhere.
func TestCredentialsInRepoURL(t *testing.T) {
	t.Parallel()
	dir := gitCredStack(t, "https://x-access-token:ghp_secretInTheURL@github.example/alphagov/govuk-secrets.git")
	for _, args := range [][]string{{"validate"}, {"plan", "--format", "json"}} {
		r := prodaccess(t, dir, args...)
		must(t, r, 1, strings.Join(args, " "))
		out := r.stdout + r.stderr
		if !strings.Contains(out, "prodaccess.yaml:5:11: targets[0].repo: the URL carries a user name or password") {
			t.Errorf("%v output:\n%s", args, out)
		}
		if strings.Contains(out, "ghp_secretInTheURL") || strings.Contains(out, "x-access-token") {
			t.Errorf("%v prints the credentials:\n%s", args, out)
		}
	}
}

// gitHost is an https git host that refuses everyone (401), recording the
// Authorization header of each request: enough to see what a client
// offers it.
type gitHost struct {
	srv  *httptest.Server
	mu   sync.Mutex
	auth []string
}

func newGitHost(t *testing.T) *gitHost {
	h := &gitHost{}
	h.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.auth = append(h.auth, r.Header.Get("Authorization"))
		h.mu.Unlock()
		w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// host is host:port.
func (h *gitHost) host() string { return strings.TrimPrefix(h.srv.URL, "https://") }

// got returns the Authorization headers received since the last call.
func (h *gitHost) got() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.auth
	h.auth = nil
	return out
}

func basic(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// trust writes the hosts' certificates where the binary's TLS looks for
// trusted roots, and returns the environment that says so.
func trust(t *testing.T, hosts ...*gitHost) string {
	var pemData []byte
	for _, h := range hosts {
		pemData = append(pemData, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: h.srv.Certificate().Raw})...)
	}
	path := filepath.Join(t.TempDir(), "roots.pem")
	if err := os.WriteFile(path, pemData, 0o644); err != nil {
		t.Fatal(err)
	}
	return "SSL_CERT_FILE=" + path
}

// TestTokenOnlyToGitHub: plan, apply and grant --pr send the GitHub token
// to the git host of the configured GitHub (GITHUB_API_URL's) and to no
// other https host; a host the configuration's git_credentials names gets
// its own credentials from the environment; any other host gets none,
// whether it holds a target, a record or the people repository's origin.
func TestTokenOnlyToGitHub(t *testing.T) {
	t.Parallel()
	github, other, named := newGitHost(t), newGitHost(t), newGitHost(t)
	const password = "glpat_named_host_password_never_printed"
	dir := filepath.Join(t.TempDir(), "people-repo")
	if err := devstack.NewRepo(dir, nil); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"prodaccess.yaml": fmt.Sprintf(`people: people
git_credentials:
  - {host: %q, username_env: NAMED_USER, password_env: NAMED_PASSWORD}
targets:
  - {name: on-github, type: file, repo: "%s/alphagov/govuk-secrets.git", path: hiera.rcp, format: gpg-recipients}
  - {name: elsewhere, type: file, repo: "%s/acme/secrets.git", path: hiera.rcp, format: gpg-recipients}
  - {name: named, type: file, repo: "%s/acme/puppet.git", path: hiera.rcp, format: gpg-recipients}
  - name: signon
    type: manual
    instructions: Grant Super Admin in Signon
    record: {repo: "%s/acme/records.git", path: signon.txt}
`, named.host(), github.srv.URL, other.srv.URL, named.srv.URL, other.srv.URL),
		"people/alice.yaml": permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""),
	}
	if err := devstack.CommitAt(dir, files, "People", time.Now().Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := devstack.Git(dir, "remote", "add", "origin", other.srv.URL+"/acme/people.git"); err != nil {
		t.Fatal(err)
	}
	env := []string{trust(t, github, other, named), "GITHUB_TOKEN=" + testToken, "GITHUB_API_URL=" + github.srv.URL + "/api/v3", "GITHUB_REPOSITORY=",
		"NAMED_USER=puppet-bot", "NAMED_PASSWORD=" + password}
	check := func(what string, r result) {
		t.Helper()
		if out := r.stdout + r.stderr; strings.Contains(out, testToken) || strings.Contains(out, password) {
			t.Errorf("%s prints a credential:\n%s", what, out)
		}
		for _, c := range []struct {
			host *gitHost
			name string
			want string
		}{{github, "GitHub's git host", basic("x-access-token", testToken)}, {named, "the host git_credentials names", basic("puppet-bot", password)}, {other, "another https host", ""}} {
			got := c.host.got()
			if len(got) == 0 {
				t.Errorf("%s: %s heard nothing", what, c.name)
			}
			for _, a := range got {
				if a != c.want {
					t.Errorf("%s: %s got Authorization %q, want %q", what, c.name, a, c.want)
				}
			}
		}
	}
	for _, command := range []string{"plan", "apply"} {
		r := prodaccessEnv(t, dir, env, command)
		if r.code != 1 || !strings.Contains(r.stdout, "FAILED") {
			t.Errorf("%s: exit %d\n%s%s", command, r.code, r.stdout, r.stderr)
		}
		check(command, r)
	}

	// grant --pr lists origin's branches first: origin elsewhere hears
	// nothing of the token; origin on GitHub's host gets it.
	for _, origin := range []*gitHost{other, github} {
		if _, err := devstack.Git(dir, "remote", "set-url", "origin", origin.srv.URL+"/alphagov/govuk-people.git"); err != nil {
			t.Fatal(err)
		}
		r := prodaccessEnv(t, dir, append(env, "GIT_AUTHOR_NAME=Alice Able", "GIT_AUTHOR_EMAIL=alice.able@example.gov.uk"),
			"shift", "alice", "--type", "primary", "--from", "2099-02-01", "--to", "2099-02-05", "--pr", "--repo", "alphagov/govuk-people")
		if r.code != 1 || !strings.Contains(r.stderr, "list the branches of "+origin.srv.URL) {
			t.Errorf("shift --pr with origin %s: exit %d\n%s", origin.srv.URL, r.code, r.stderr)
		}
		want := ""
		if origin == github {
			want = basic("x-access-token", testToken)
		}
		got := origin.got()
		if len(got) == 0 {
			t.Errorf("shift --pr: origin %s heard nothing", origin.srv.URL)
		}
		for _, a := range got {
			if a != want {
				t.Errorf("shift --pr: origin %s got Authorization %q, want %q", origin.srv.URL, a, want)
			}
		}
	}
}
