package main

import (
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
)

// lastDayLine is a person file's last_day line.
var lastDayLine = regexp.MustCompile(`(?m)^last_day: .*\n`)

// demoAudit is the auditor's side: the leads certify everyone's access
// for the period in a pull request; the next apply records their
// approvals with the rest; and the access report, from the people
// repository alone, shows the evidence of each approval, each removal
// timed against the day the rules ended the access, and who is certified.
func demoAudit(repo, report, bin string, env []string, gh *fakegithub.Server, say func(string, ...any), cmd func(...string) error) error {
	say("audit: the leads certify everyone's access for the quarter in a pull request, and the auditor's page shows the evidence, each removal timed, and who is certified")
	if err := cmd("audit", "certify"); err != nil {
		return err
	}
	var review *fakegithub.PullRequest
	for _, pr := range gh.OpenPulls(peopleRepo) {
		if strings.HasPrefix(pr.Head, "review/") {
			review = &pr
		}
	}
	if review == nil {
		return fmt.Errorf("audit certify opened no pull request in %s", peopleRepo)
	}
	opened := devstack.Opened{Repo: peopleRepo, Number: review.Number}
	tracked, err := devstack.TrackOpened(repo, gh, opened, nil)
	if err != nil {
		return err
	}
	lead := gh.Users["alexlead-gds"]
	gh.AddReview(peopleRepo, review.Number, fakegithub.Review{User: lead, State: "APPROVED", CommitID: tracked.Commits[0].SHA, SubmittedAt: time.Now()})
	if err := devstack.MergeTracked(repo, gh, opened, lead, time.Now()); err != nil {
		return err
	}
	printf("alex-lead approved pull request #%d and merged it; hannah-head and rosa-break have not reviewed it, so alex-lead's own access stays uncertified.\n", review.Number)
	// The next run records the approvals, with what it did and the merge
	// of the secrets' pull request: its output is the plan seen above.
	c := exec.Command(bin, "apply")
	c.Dir, c.Env = repo, env
	out, err := c.CombinedOutput()
	if err != nil {
		return fmt.Errorf("apply: %v\n%s", err, out)
	}
	printf("$ prodaccess apply   # records the approvals, and when the secrets' pull request was merged (%d lines of output left out)\n", strings.Count(string(out), "\n"))
	if err := cmd("audit", "report", "--out", report); err != nil {
		return err
	}
	printf("The auditor's page, from the people repository alone: %s\n", report)
	return nil
}

// markMerged tells the stand-in that the open pull request from head in
// repo was merged now by who, as the demo merged its branch by hand.
func markMerged(gh *fakegithub.Server, repo, head string, who *fakegithub.User) {
	gh.Lock()
	defer gh.Unlock()
	now := time.Now()
	for _, pr := range gh.Pulls[repo] {
		if pr.Head == head && pr.State == "open" {
			pr.State, pr.MergedAt, pr.Closed, pr.MergedBy = "closed", now, now, who
		}
	}
}
