// Package floor holds the work any tool must do for prodaccess's jobs,
// written as the shortest code that does it: the floors its benchmarks
// time prodaccess against (docs/performance.md). The benchmarks run it
// both in their own process and as a program of its own (cmd/floor),
// which, like prodaccess, pays for starting and for its memory.
package floor

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Parse reads every .yaml file in dir and parses its YAML, on every
// processor at once: no decoding into a model, no checks, no git.
func Parse(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	work := make(chan string)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for name := range work {
				data, err := os.ReadFile(filepath.Join(dir, name))
				if err == nil {
					var v map[string]any
					err = yaml.Unmarshal(data, &v)
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("%s: %w", name, err)
					}
					mu.Unlock()
				}
			}
		})
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			work <- e.Name()
		}
	}
	close(work)
	wg.Wait()
	return first
}

// RoundTrips sends n requests to a GitHub API at base (such as
// http://127.0.0.1:8080/api/v3) one after another: GETs of the first page
// of team prod's members in organisation alphagov, or, with write, a PUT
// then a DELETE of a membership of team "floor", by turns, of users
// floor-0, floor-1 and so on.
func RoundTrips(base, token string, n int, write bool) error {
	for i := range n {
		method, path := http.MethodGet, "/orgs/alphagov/teams/prod/members?per_page=100"
		if write {
			method, path = http.MethodPut, fmt.Sprintf("/orgs/alphagov/teams/floor/memberships/floor-%d", i/2)
			if i%2 == 1 {
				method = http.MethodDelete
			}
		}
		req, err := http.NewRequest(method, base+path, nil)
		if err != nil {
			return err
		}
		if method == http.MethodPut {
			body := `{"role":"member"}`
			req.Body, req.ContentLength = io.NopCloser(strings.NewReader(body)), int64(len(body))
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/vnd.github+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode >= 300 {
			return fmt.Errorf("%s %s: %s", method, path, resp.Status)
		}
	}
	return nil
}
