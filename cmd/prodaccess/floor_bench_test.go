package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/floor"
	"github.com/prodaccess/prodaccess/internal/peoplegen"
)

// The floors are what any tool must do for the same job, written as the
// shortest code that does it (package internal/floor), and timed beside
// prodaccess in the same benchmark run, interleaved, so that a busy
// machine slows both: as a program of its own, which pays as prodaccess
// does for starting and for fresh memory, and in this process, which
// does not.

// floorProgram builds internal/floor's command once, beside the binary.
var floorProgram = sync.OnceValues(func() (string, error) {
	path := filepath.Join(filepath.Dir(binary), "floor")
	if out, err := exec.Command("go", "build", "-o", path, "../../internal/floor/cmd/floor").CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the floor: %v\n%s", err, out)
	}
	return path, nil
})

// floors adds up the time of each kind of floor run, and the processor
// time of the floor program.
type floors struct{ program, inProcess, programCPU time.Duration }

// timed adds up prodaccess's runs: their time and processor time.
type timed struct{ wall, cpu time.Duration }

// cpuOf is the processor time a finished command took.
func cpuOf(cmd *exec.Cmd) time.Duration {
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// run times the floor both ways: parsing the person files in dir, then,
// with gh, reads and writes round trips one after another.
func (f *floors) run(b *testing.B, dir string, gh *fakegithub.Server, reads, writes int) {
	prog, err := floorProgram()
	if err != nil {
		b.Fatal(err)
	}
	args := []string{dir}
	if gh != nil {
		args = append(args, gh.URL(), gh.Token, strconv.Itoa(reads), strconv.Itoa(writes))
	}
	cmd := exec.Command(prog, args...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	f.program += time.Since(start)
	if err != nil {
		b.Fatalf("floor: %v\n%s", err, out)
	}
	f.programCPU += cpuOf(cmd)
	start = time.Now()
	err = floor.Parse(dir)
	if err == nil && gh != nil {
		if err = floor.RoundTrips(gh.URL(), gh.Token, reads, false); err == nil {
			err = floor.RoundTrips(gh.URL(), gh.Token, writes, true)
		}
	}
	f.inProcess += time.Since(start)
	if err != nil {
		b.Fatal(err)
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

// runTimed runs the built binary in dir against gh and adds to t how long
// it took.
func runTimed(b *testing.B, t *timed, dir string, gh *fakegithub.Server, args ...string) {
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GITHUB_API_URL="+gh.URL(), "GITHUB_TOKEN=tok", appLoginEnv)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.wall += time.Since(start)
	if err != nil {
		b.Fatalf("%v: %v\n%.3000s", args, err, out)
	}
	t.cpu += cpuOf(cmd)
}

// reportRatio reports the mean of each, in milliseconds, and their ratio.
func reportRatio(b *testing.B, run, floor time.Duration) {
	n := float64(b.N)
	b.ReportMetric(float64(run.Milliseconds())/n, "prodaccess-ms")
	b.ReportMetric(float64(floor.Milliseconds())/n, "floor-ms")
	b.ReportMetric(float64(run)/float64(floor), "x-floor")
}

// reportFloors reports the mean of each, in milliseconds, and the ratios
// of prodaccess's time to the floor's, as a program (x-floor) and in this
// process (x-inprocess). Beside them, for reading them: the processor
// time of prodaccess and of the floor program, and their ratio
// (x-floor-cpu). (The GitHub stand-in answers from this process, on the
// same processors: what it spends, which GitHub's servers would, slows
// prodaccess's runs but is not in their processor time.)
func reportFloors(b *testing.B, run timed, f floors) {
	n := float64(b.N)
	b.ReportMetric(float64(run.wall.Milliseconds())/n, "prodaccess-ms")
	b.ReportMetric(float64(f.program.Milliseconds())/n, "floor-ms")
	b.ReportMetric(float64(run.wall)/float64(f.program), "x-floor")
	b.ReportMetric(float64(f.inProcess.Milliseconds())/n, "inprocess-floor-ms")
	b.ReportMetric(float64(run.wall)/float64(f.inProcess), "x-inprocess")
	b.ReportMetric(float64(run.cpu.Milliseconds())/n, "prodaccess-cpu-ms")
	b.ReportMetric(float64(f.programCPU.Milliseconds())/n, "floor-cpu-ms")
	b.ReportMetric(float64(run.cpu)/float64(f.programCPU), "x-floor-cpu")
}

// noOpVsFloor times a no-op prodaccess plan over 2,600 people and a team
// of about 1,800 with latency added to every answer, beside its floor:
// parsing the person files, then four round trips (the first page of
// members, then the other 18 pages eight at a time, in three rounds; the
// invitations and child teams go beside them).
func noOpVsFloor(b *testing.B, latency time.Duration, trips int) {
	dir, gh, _, _ := floorWorld(b)
	gh.SetLatency(latency)
	var run timed
	var f floors
	b.ResetTimer()
	for b.Loop() {
		runTimed(b, &run, dir, gh, "plan")
		f.run(b, filepath.Join(dir, "people"), gh, trips, 0)
	}
	reportFloors(b, run, f)
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
	var run timed
	var f floors
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		resetTeam(gh, add, remove)
		b.StartTimer()
		runTimed(b, &run, dir, gh, "apply")
		f.run(b, filepath.Join(dir, "people"), gh, 4, 20)
	}
	reportFloors(b, run, f)
}

// BenchmarkWho10kVsParse times prodaccess who --format json over 10,000
// person files in a folder (no git: who reads the files as they are),
// beside its floor: parsing the same files' YAML on both cores from disk.
func BenchmarkWho10kVsParse(b *testing.B) {
	dir := b.TempDir()
	if err := peoplegen.Write(dir, 10000); err != nil {
		b.Fatal(err)
	}
	var run timed
	var f floors
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command(binary, "who", "--people", dir, "--at", "2021-11-01", "--format", "json")
		start := time.Now()
		out, err := cmd.Output()
		run.wall += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		run.cpu += cpuOf(cmd)
		if n := strings.Count(string(out), `"level"`); n != 10000 {
			b.Fatalf("who decided %d people, want 10,000", n)
		}
		f.run(b, dir, nil, 0, 0)
	}
	reportFloors(b, run, f)
}
