package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/fakepagerduty"
	"github.com/prodaccess/prodaccess/model"
)

// The on-call rota: a PagerDuty stand-in whose primary schedule shows
// gita-supervised on call last week. A shift typed by hand for the week
// before counts for nothing; the one rota sync proposes, once merged,
// counts.

// rotaPerson is the person whose primary shift the rota proves.
const rotaPerson = "gita-supervised"

// withoutPrimary is a person file without its primary shift, which the
// demo's rota is to prove instead.
func withoutPrimary(file string) string {
	if i := strings.Index(file, "  - type: primary\n"); i >= 0 {
		return file[:i]
	}
	return file
}

// newDemoRota starts the PagerDuty stand-in: a user for each person, the
// 2nd line's three schedules, and rotaPerson on the primary schedule for
// the working hours of last week.
func newDemoRota(people []*model.Person, loc *time.Location) *fakepagerduty.Server {
	pd := fakepagerduty.NewUnchecked()
	pd.Token = "demo-pagerduty-key-not-secret"
	ids := map[string]string{}
	for i, p := range people {
		ids[p.ID] = fmt.Sprintf("PUSER%02d", i+1)
		pd.AddUser(ids[p.ID], p.Name, p.Email)
	}
	pd.AddSchedule("PGOVUK1", "2nd line primary", loc.String())
	pd.AddSchedule("PGOVUK2", "2nd line secondary", loc.String())
	pd.AddSchedule("PGOVUK3", "2nd line shadow", loc.String())
	pd.AddPolicy("PGOVUKP", "GOV.UK 2nd line", []string{"PGOVUK1"}, []string{"PGOVUK2"}, []string{"PGOVUK3"})
	worked := lastWeek(loc, 1)
	for d := worked.Start; d <= worked.End; d++ {
		y, m, dd := d.Time().Date()
		pd.AddEntry("PGOVUK1", ids[rotaPerson], time.Date(y, m, dd, 9, 30, 0, 0, loc), time.Date(y, m, dd, 17, 30, 0, 0, loc))
	}
	return pd
}

// lastWeek is Monday to Friday of the week n weeks before this one.
func lastWeek(loc *time.Location, n int) model.Range {
	today := model.DayOf(time.Now(), loc)
	monday := today - model.Day((int(today.Time().Weekday())+6)%7) - model.Day(7*n)
	return model.Range{Start: monday, End: monday + 4}
}

// demoRota turns shift evidence on, in a pull request a lead approves;
// merges a pull request that adds a primary shift the rota does not show,
// approved by a colleague; shows that it counts for nothing and why; then
// lets rota sync propose the shift the rota shows, merges it, and shows
// it counted, with its source.
func demoRota(repo string, gh *fakegithub.Server, loc *time.Location, account func(id string) *fakegithub.User, step func(string, ...any), cmd func(...string) error, grep func(string, ...string) error) error {
	alex, sam, gita := account("alex-lead"), account("sam-senior"), account(rotaPerson)
	merge := func(title, file, body string, author, approver *fakegithub.User) error {
		pr, err := devstack.MergePull(repo, gh, devstack.Pull{Repo: peopleRepo, Branch: "demo/" + strings.ToLower(strings.ReplaceAll(title, " ", "-")), Title: title, Author: author, Method: devstack.Squash, MergedBy: approver,
			Commits: []devstack.PullCommit{{Files: map[string]string{file: body}, Message: title, Author: author}}})
		if err != nil {
			return err
		}
		gh.AddReview(peopleRepo, pr.Number, fakegithub.Review{User: approver, State: "APPROVED", CommitID: pr.Commits[0].SHA, SubmittedAt: pr.MergedAt.Add(-time.Minute)})
		_, err = devstack.Git(repo, "push", "-q", "origin", "main")
		return err
	}
	config, err := os.ReadFile(repo + "/prodaccess.yaml")
	if err != nil {
		return err
	}
	rotaConfig := strings.Replace(string(config), "  evidence: required\n", "  evidence: required\n  shift_evidence: required\n", 1) +
		"rota:\n  schedules:\n    - {id: PGOVUK1, shift: primary}\n    - {id: PGOVUK2, shift: secondary}\n    - {id: PGOVUK3, shift: shadow}\n"
	if err := merge("Prove shifts by the on-call rota", "prodaccess.yaml", rotaConfig, sam, alex); err != nil {
		return err
	}
	file, err := os.ReadFile(repo + "/people/" + rotaPerson + ".yaml")
	if err != nil {
		return err
	}
	typed := lastWeek(loc, 2)
	typedFile := string(file) + fmt.Sprintf("  - type: primary\n    start: %s\n    end: %s\n", typed.Start, typed.End)
	step("shifts proven by the on-call rota: alex-lead approved shift_evidence: required and a rota of three PagerDuty schedules; %s types a primary shift %s, and a colleague approves it", rotaPerson, typed)
	if err := merge("Primary shift for "+rotaPerson, "people/"+rotaPerson+".yaml", typedFile, gita, sam); err != nil {
		return err
	}
	if err := grep(rotaPerson, "plan"); err != nil {
		return err
	}
	step("rota sync proposes the shift the rota shows; sam-senior approves and merges it; it counts, and the audit shows its source")
	if err := cmd("rota", "sync"); err != nil {
		return err
	}
	for _, pr := range gh.OpenPulls(peopleRepo) {
		if pr.Head == "rota/"+rotaPerson {
			if _, err := devstack.MergeOpened(repo, gh, peopleRepo, pr.Number, sam, time.Now()); err != nil {
				return err
			}
		}
	}
	if err := grep("shift", "evidence", "record"); err != nil {
		return err
	}
	return grep(rotaPerson, "audit", "at", model.DayOf(time.Now(), loc).String())
}

// grepOutput runs prodaccess and prints only the lines of its output that
// hold pattern, and the indented lines that follow one, as grep would
// with the command line shown.
func grepOutput(bin, dir string, env []string, pattern string, args ...string) error {
	printf("$ %s | grep %s\n", commandLine(args), commandLine([]string{pattern})[len("prodaccess "):])
	c := exec.Command(bin, args...)
	var out bytes.Buffer
	c.Dir, c.Env, c.Stdout, c.Stderr = dir, env, &out, &out
	if err := c.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			return err
		}
	}
	follow := false
	for _, line := range strings.Split(out.String(), "\n") {
		switch {
		case strings.Contains(line, pattern):
			follow = true
		case follow && strings.HasPrefix(line, "    "):
		default:
			follow = false
			continue
		}
		printf("%s\n", line)
	}
	return nil
}
