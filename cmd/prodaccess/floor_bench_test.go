package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/peoplegen"
	"go.yaml.in/yaml/v3"
)

// The floors below are what any tool must do for the same job, written as
// the shortest programs that do it, and timed beside prodaccess in the
// same benchmark run, interleaved, so that a busy machine slows both.

// parseFloor reads every person file from disk and parses its YAML, on
// every processor at once: no decoding into a model, no checks, no git.
func parseFloor(b *testing.B, dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	work := make(chan string)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for name := range work {
				data, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					b.Error(err)
					continue
				}
				var v map[string]any
				if err := yaml.Unmarshal(data, &v); err != nil {
					b.Error(err)
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
}

// roundTrips sends n requests to the stand-in one after another: GETs of
// the first page of team prod's members, or, with write, a PUT or DELETE
// of a membership of the scratch team "floor".
func roundTrips(b *testing.B, gh *fakegithub.Server, n int, write bool) {
	for i := range n {
		method, path := http.MethodGet, "/orgs/alphagov/teams/prod/members?per_page=100"
		if write {
			method, path = http.MethodPut, fmt.Sprintf("/orgs/alphagov/teams/floor/memberships/floor-%d", i/2)
			if i%2 == 1 {
				method = http.MethodDelete
			}
		}
		var body *strings.Reader
		if method == http.MethodPut {
			body = strings.NewReader(`{"role":"member"}`)
		} else {
			body = strings.NewReader("")
		}
		req, err := http.NewRequest(method, gh.URL()+path, body)
		if err != nil {
			b.Fatal(err)
		}
		if method != http.MethodPut {
			req.Body, req.ContentLength = nil, 0
		} else {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer "+gh.Token)
		req.Header.Set("Accept", "application/vnd.github+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			b.Fatalf("%s %s: %s", method, path, resp.Status)
		}
	}
}

// floorWorld is teamWorld with a scratch team for the floor's writes.
func floorWorld(b *testing.B) (string, *fakegithub.Server, []string, []string) {
	dir, gh, entitled, others := teamWorld(b)
	gh.AddTeam("floor", "")
	for i := range 10 {
		gh.AddUser(fmt.Sprintf("floor-%d", i), int64(900000+i), true)
	}
	return dir, gh, entitled, others
}

// runTimed runs the built binary in dir against gh and returns how long
// it took.
func runTimed(b *testing.B, dir string, gh *fakegithub.Server, args ...string) time.Duration {
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GITHUB_API_URL="+gh.URL(), "GITHUB_TOKEN=tok", appLoginEnv)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	d := time.Since(start)
	if err != nil {
		b.Fatalf("%v: %v\n%.3000s", args, err, out)
	}
	return d
}

// reportRatio reports the mean of each, in milliseconds, and their ratio.
func reportRatio(b *testing.B, run, floor time.Duration) {
	n := float64(b.N)
	b.ReportMetric(float64(run.Milliseconds())/n, "prodaccess-ms")
	b.ReportMetric(float64(floor.Milliseconds())/n, "floor-ms")
	b.ReportMetric(float64(run)/float64(floor), "x-floor")
}

// noOpVsFloor times a no-op prodaccess plan over 2,600 people and a team
// of about 1,800 with latency added to every answer, beside its floor:
// parsing the person files, then four round trips (the first page of
// members, then the other 18 pages eight at a time, in three rounds; the
// invitations and child teams go beside them).
func noOpVsFloor(b *testing.B, latency time.Duration, trips int) {
	dir, gh, _, _ := floorWorld(b)
	gh.SetLatency(latency)
	var run, floor time.Duration
	b.ResetTimer()
	for b.Loop() {
		run += runTimed(b, dir, gh, "plan")
		start := time.Now()
		parseFloor(b, filepath.Join(dir, "people"))
		roundTrips(b, gh, trips, false)
		floor += time.Since(start)
	}
	reportRatio(b, run, floor)
}

// BenchmarkNoOpPlan20msVsFloor: the no-op plan with 20 ms a response,
// against parsing and four round trips.
func BenchmarkNoOpPlan20msVsFloor(b *testing.B) { noOpVsFloor(b, 20*time.Millisecond, 4) }

// BenchmarkNoOpPlan0msVsParse: the no-op plan with no latency, against
// parsing alone.
func BenchmarkNoOpPlan0msVsParse(b *testing.B) { noOpVsFloor(b, 0, 0) }

// BenchmarkApply10Plus10VsFloor times prodaccess apply of 10 removals and
// 10 additions with 20 ms a response, beside its floor: the no-op plan's
// floor and then twenty writes one after another, as GitHub asks writes
// to be made. (The github_id checks of the additions are not in the
// floor: they take one more round trip.) The team is put back between
// runs, off the clock.
func BenchmarkApply10Plus10VsFloor(b *testing.B) {
	dir, gh, entitled, others := floorWorld(b)
	add, remove := entitled[:10], others[:10]
	gh.SetLatency(20 * time.Millisecond)
	var run, floor time.Duration
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		resetTeam(gh, add, remove)
		b.StartTimer()
		run += runTimed(b, dir, gh, "apply")
		start := time.Now()
		parseFloor(b, filepath.Join(dir, "people"))
		roundTrips(b, gh, 4, false)
		roundTrips(b, gh, 20, true)
		floor += time.Since(start)
	}
	reportRatio(b, run, floor)
}

// BenchmarkWho10kVsParse times prodaccess who --format json over 10,000
// person files in a folder (no git: who reads the files as they are),
// beside its floor: parsing the same files' YAML on both cores from disk.
func BenchmarkWho10kVsParse(b *testing.B) {
	dir := b.TempDir()
	if err := peoplegen.Write(dir, 10000); err != nil {
		b.Fatal(err)
	}
	var run, floor time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		out, err := exec.Command(binary, "who", "--people", dir, "--at", "2021-11-01", "--format", "json").Output()
		run += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if n := strings.Count(string(out), `"level"`); n != 10000 {
			b.Fatalf("who decided %d people, want 10,000", n)
		}
		start = time.Now()
		parseFloor(b, dir)
		floor += time.Since(start)
	}
	reportRatio(b, run, floor)
}
