package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/peoplegen"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
	"github.com/prodaccess/prodaccess/providers/github"
	"github.com/prodaccess/prodaccess/reconciler"
)

// BenchmarkWhoJSON10k runs the built binary as a user would:
// prodaccess who --format json over 10,000 person files. It reports the
// wall time per run and the process's peak resident memory.
func BenchmarkWhoJSON10k(b *testing.B) {
	dir := b.TempDir()
	if err := peoplegen.Write(dir, 10000); err != nil {
		b.Fatal(err)
	}
	var peak int64
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command(binary, "who", "--people", dir, "--at", "2021-11-01", "--format", "json")
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = max(peak, ru.Maxrss) // KiB on Linux
		}
	}
	b.ReportMetric(float64(peak)/1024, "peak-MiB")
}

// BenchmarkNoOpPlan2000 runs prodaccess plan as a user would against a
// team of about 2,000 people that is already in line, with 20 ms added to
// every GitHub response. It reports the GitHub requests per run.
func BenchmarkNoOpPlan2000(b *testing.B) {
	dir, gh, entitled, _ := teamWorld(b)
	members := len(entitled)
	gh.SetLatency(20 * time.Millisecond)
	gh.ResetRequests()
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command(binary, "plan")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GITHUB_API_URL="+gh.URL(), "GITHUB_TOKEN=tok", appLoginEnv)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("plan: %v\n%.3000s", err, out)
		}
	}
	b.ReportMetric(float64(members), "members")
	b.ReportMetric(float64(len(gh.Requests()))/float64(b.N), "requests/op")
	b.ReportMetric(float64(gh.Writes())/float64(b.N), "writes/op")
}

// BenchmarkApply10Plus10 runs prodaccess apply as a user would against a
// team of about 2,000 people with 20 ms added to every GitHub response,
// when 10 members must go and 10 entitled people (whose files give their
// GitHub ids) must be added. It reports the GitHub requests and writes
// per run; the team is put back between runs, off the clock.
func BenchmarkApply10Plus10(b *testing.B) {
	dir, gh, entitled, others := teamWorld(b)
	add, remove := entitled[:10], others[:10]
	gh.SetLatency(20 * time.Millisecond)
	var requests, writes int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		resetTeam(gh, add, remove)
		gh.ResetRequests()
		b.StartTimer()
		cmd := exec.Command(binary, "apply")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GITHUB_API_URL="+gh.URL(), "GITHUB_TOKEN=tok", appLoginEnv)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("apply: %v\n%.3000s", err, out)
		}
		b.StopTimer()
		requests, writes = requests+len(gh.Requests()), writes+gh.Writes()
		if got := gh.Members("prod"); len(got) != len(entitled) {
			b.Fatalf("after apply the team has %d members, want %d", len(got), len(entitled))
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
	b.ReportMetric(float64(writes)/float64(b.N), "writes/op")
}

// resetTeam takes the logins to add out of team prod and puts the logins
// to remove back in, as before an apply.
func resetTeam(gh *fakegithub.Server, add, remove []string) {
	gh.Lock()
	defer gh.Unlock()
	roles := gh.Teams["prod"].Roles
	for _, l := range add {
		delete(roles, strings.ToLower(l))
	}
	for _, l := range remove {
		roles[strings.ToLower(l)] = "member"
	}
}

// teamWorld is a people repository of 2,600 generated people, packed,
// and a GitHub stand-in whose team "prod" holds exactly those entitled today.
// It returns the logins of the entitled, and of the others, who have
// accounts and are members of the organisation.
func teamWorld(b *testing.B) (dir string, gh *fakegithub.Server, entitled, others []string) {
	dir = b.TempDir()
	peopleDir := filepath.Join(dir, "people")
	if err := os.MkdirAll(peopleDir, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := peoplegen.Write(peopleDir, 2600); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "prodaccess.yaml"), []byte("people: people\ntargets:\n  - {name: team, type: github-team, org: alphagov, team: prod}\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := devstack.NewRepo(dir, nil); err != nil {
		b.Fatal(err)
	}
	// Packed, as a clone is: git add leaves every file a loose object,
	// which a checkout never has.
	if _, err := devstack.Git(dir, "repack", "-a", "-d", "-q"); err != nil {
		b.Fatal(err)
	}
	people, err := personfile.LoadPeople(os.DirFS(peopleDir), "people")
	if err != nil {
		b.Fatal(err)
	}
	gh = fakegithub.New(b, "alphagov")
	gh.Token = "tok"
	gh.AddTeam("prod", "")
	loc, _ := time.LoadLocation("Europe/London")
	for _, dc := range model.NewRoster(people, model.DefaultPolicy()).Evaluate(model.DayOf(time.Now(), loc)) {
		gh.AddUser(dc.Person.GitHub, dc.Person.GitHubID, true)
		if dc.Level != model.None {
			gh.SetMember("prod", dc.Person.GitHub, "member")
			entitled = append(entitled, dc.Person.GitHub)
		} else {
			others = append(others, dc.Person.GitHub)
		}
	}
	return dir, gh, entitled, others
}

// BenchmarkApplyWrites10Plus10 is BenchmarkApply10Plus10 in this process,
// timing reconciler.Apply alone (apply-ms): the id lookups and the writes,
// without starting the program, reading the person files and reading the
// team (read-ms), so that the network's part shows on a busy machine.
func BenchmarkApplyWrites10Plus10(b *testing.B) {
	dir, gh, entitled, others := teamWorld(b)
	add, remove := entitled[:10], others[:10]
	gh.SetLatency(20 * time.Millisecond)
	var read, apply time.Duration
	b.ResetTimer()
	for b.Loop() {
		resetTeam(gh, add, remove)
		var out bytes.Buffer
		o := &options{stdout: &out, stderr: &out, now: time.Now, configPath: filepath.Join(dir, "prodaccess.yaml"), getenv: func(k string) string {
			return map[string]string{"GITHUB_API_URL": gh.URL(), "GITHUB_TOKEN": "tok", loginEnv: appLogin}[k]
		}}
		ctx := context.Background()
		w, err := o.loadWorld(ctx)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		plan, err := o.makePlan(ctx, w, false)
		if err != nil {
			b.Fatal(err)
		}
		read += time.Since(start)
		start = time.Now()
		report, err := reconciler.Apply(ctx, plan, w.providers)
		if err != nil || report.Failed() > 0 || len(report.Results) != 20 {
			b.Fatalf("apply: %v, %+v", err, report)
		}
		apply += time.Since(start)
	}
	b.ReportMetric(float64(read.Milliseconds())/float64(b.N), "read-ms")
	b.ReportMetric(float64(apply.Milliseconds())/float64(b.N), "apply-ms")
}

// BenchmarkTimeline10k runs prodaccess audit timeline over a linear
// history of 10,000 commits across 1,000 people (each commit changes one
// file), interleaved with its floor (timelineFloor: git log --raw and
// parsing each distinct person file once) and with prodaccess audit
// report over the same history. It reports the mean wall time of each,
// the timeline's ratio to the floor (x-floor) and the report's to the
// timeline (report-x-timeline), each process's peak memory and the events
// the timeline found.
func BenchmarkTimeline10k(b *testing.B) {
	dir := b.TempDir()
	if err := devstack.WriteHistory(dir, 1000, 10000); err != nil {
		b.Fatal(err)
	}
	// Packed, as a clone is.
	if _, err := devstack.Git(dir, "repack", "-a", "-d", "-q"); err != nil {
		b.Fatal(err)
	}
	page := filepath.Join(b.TempDir(), "report.html")
	var peak, reportPeak int64
	var events int
	var timeline, floor, report time.Duration
	run := func(args ...string) ([]byte, int64, time.Duration) {
		cmd := exec.Command(binary, args...)
		cmd.Dir = dir
		start := time.Now()
		out, err := cmd.Output()
		took := time.Since(start)
		if err != nil {
			b.Fatalf("%v: %v", args, err)
		}
		ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		return out, ru.Maxrss, took
	}
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if n := timelineFloor(b, dir, "main", "people"); n < 1000 {
			b.Fatalf("the floor parsed only %d files", n)
		}
		floor += time.Since(start)
		out, rss, took := run("audit", "timeline", "--branch", "main", "--to", "2021-03-01", "--format", "json")
		timeline += took
		peak = max(peak, rss)
		events = strings.Count(string(out), `"cause"`)
		_, rss, took = run("audit", "report", "--branch", "main", "--to", "2021-03-01", "--out", page)
		report += took
		reportPeak = max(reportPeak, rss)
	}
	reportRatio(b, timeline, floor)
	b.ReportMetric(float64(report.Milliseconds())/float64(b.N), "report-ms")
	b.ReportMetric(float64(report)/float64(timeline), "report-x-timeline")
	b.ReportMetric(float64(peak)/1024, "peak-MiB")
	b.ReportMetric(float64(reportPeak)/1024, "report-peak-MiB")
	b.ReportMetric(float64(events), "events")
}

// BenchmarkAuditReport1000People10Years runs prodaccess audit report as a
// user would over ten years of history, a commit a day across 1,000
// people, and reports the wall time of the whole process (reading the
// history included), the processor time it used (which a busy machine
// changes less), its peak memory and the size of the page.
func BenchmarkAuditReport1000People10Years(b *testing.B) {
	dir := b.TempDir()
	if err := devstack.WriteHistoryFrom(dir, 1000, 3653, time.Date(2016, 1, 1, 9, 0, 0, 0, time.UTC), 24*time.Hour); err != nil {
		b.Fatal(err)
	}
	if _, err := devstack.Git(dir, "repack", "-a", "-d", "-q"); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(b.TempDir(), "report.html")
	var peak int64
	var cpu time.Duration
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command(binary, "audit", "report", "--branch", "main", "--to", "2025-12-31", "--out", out)
		cmd.Dir = dir
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, msg)
		}
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = max(peak, ru.Maxrss)
		}
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	info, err := os.Stat(out)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(peak)/1024, "peak-MiB")
	b.ReportMetric(float64(info.Size())/1e6, "MB")
}

// BenchmarkWarmHourly50Teams runs prodaccess plan, with --github-cache,
// as an hourly run would over 50 team targets of about 400 members each
// that did not change since the last run: the first run, off the clock,
// fills the cache. It reports the requests GitHub counts against the
// primary rate limit per run (the stand-in's count, which leaves out
// 304s, as GitHub does), the requests sent, and the counted requests as
// a percentage of a small App installation's 5,000 an hour.
func BenchmarkWarmHourly50Teams(b *testing.B) {
	const teams = 50
	dir := b.TempDir()
	peopleDir := filepath.Join(dir, "people")
	if err := os.MkdirAll(peopleDir, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := peoplegen.Write(peopleDir, 580); err != nil {
		b.Fatal(err)
	}
	config := "people: people\ntargets:\n"
	for i := range teams {
		config += fmt.Sprintf("  - {name: team-%02d, type: github-team, org: alphagov, team: team-%02d}\n", i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "prodaccess.yaml"), []byte(config), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := devstack.NewRepo(dir, nil); err != nil {
		b.Fatal(err)
	}
	people, err := personfile.LoadPeople(os.DirFS(peopleDir), "people")
	if err != nil {
		b.Fatal(err)
	}
	gh := fakegithub.New(b, "alphagov")
	gh.Token = "tok"
	for i := range teams {
		gh.AddTeam(fmt.Sprintf("team-%02d", i), "")
	}
	loc, _ := time.LoadLocation("Europe/London")
	members := 0
	for _, dc := range model.NewRoster(people, model.DefaultPolicy()).Evaluate(model.DayOf(time.Now(), loc)) {
		gh.AddUser(dc.Person.GitHub, dc.Person.GitHubID, true)
		if dc.Level != model.None {
			members++
			for i := range teams {
				gh.SetMember(fmt.Sprintf("team-%02d", i), dc.Person.GitHub, "member")
			}
		}
	}
	cache := filepath.Join(b.TempDir(), "github.json")
	plan := func() github.RequestCounts {
		cmd := exec.Command(binary, "plan", "--format", "json", "--github-cache", cache)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GITHUB_API_URL="+gh.URL(), "GITHUB_TOKEN=tok", appLoginEnv)
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("plan: %v\n%.3000s", err, out)
		}
		var p struct {
			GitHubRequests github.RequestCounts `json:"github_requests"`
		}
		if err := json.Unmarshal(out, &p); err != nil {
			b.Fatal(err)
		}
		return p.GitHubRequests
	}
	cold := plan() // fills the cache
	plan()         // asks once for the page after each last full page
	gh.ResetRequests()
	var sent int64
	b.ResetTimer()
	for b.Loop() {
		sent += plan().Sent
	}
	b.StopTimer()
	counted := float64(gh.Counted()) / float64(b.N)
	b.ReportMetric(float64(members), "members")
	b.ReportMetric(float64(cold.Counted), "cold-counted")
	b.ReportMetric(float64(sent)/float64(b.N), "sent/op")
	b.ReportMetric(counted, "counted/op")
	b.ReportMetric(100*counted/5000, "%-of-5000/h")
}
