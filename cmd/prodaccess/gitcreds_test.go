package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
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
