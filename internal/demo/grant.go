package main

import (
	"strings"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/model"
)

// demoGrant asks for a temporary exception with one command, as the
// person who needs it would from their checkout of the people
// repository: first with an approver who may not approve (refused before
// anything is written), then with a lead, which opens the pull request
// and asks the lead for the review that grants it.
func demoGrant(repo string, gh *fakegithub.Server, today model.Day, say func(string, ...any), cmd func(...string) error) error {
	const who = "femi-probation"
	origin := repo + "-origin.git"
	for _, args := range [][]string{
		{"init", "-q", "--bare", "-b", "main", origin},
		{"-C", repo, "remote", "add", "origin", origin},
		{"-C", repo, "push", "-q", "origin", "main"},
		// Femi's own checkout: the commit and the agreement are hers.
		{"-C", repo, "config", "user.name", "Femi Probation"},
		{"-C", repo, "config", "user.email", "femi.probation@example.gov.uk"},
	} {
		if _, err := devstack.Git(repo, args...); err != nil {
			return err
		}
	}
	from, to := today.String(), (today + 13).String()
	grant := func(approver string) []string {
		return []string{"grant", who, "--from", from, "--to", to, "--approver", approver, "--supervisor", "sam-senior",
			"--reason", "On call cover while probation is signed off", "--pr"}
	}
	say("Asking for access: %s needs a temporary exception for two weeks, and asks for it with one command", who)
	printf("%s\n", "First with sam-senior as approver, who is a developer: refused before anything is written.")
	if err := cmd(grant("sam-senior")...); err != nil {
		return err
	}
	printf("%s\n", "Then with alex-lead, a lead developer: the pull request is opened and alex-lead asked to review it.")
	if err := cmd(grant("alex-lead")...); err != nil {
		return err
	}
	for _, pr := range gh.OpenPulls(peopleRepo) {
		if !strings.HasPrefix(pr.Head, "access/"+who+"-") {
			continue
		}
		printf("pull request %s#%d: %s (review requested from %s)\n", peopleRepo, pr.Number, pr.Title, strings.Join(pr.RequestedReviewers, ", "))
		detail("%s\n", pr.Body)
		diff, err := devstack.Git(origin, "diff", "main", pr.Head)
		if err != nil {
			return err
		}
		detail("$ git diff main %s   # in the people repository\n%s", pr.Head, diff)
	}
	return nil
}
