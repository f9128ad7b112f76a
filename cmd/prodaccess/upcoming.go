package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/evidence"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/peoplerepo"
	"github.com/prodaccess/prodaccess/providers/github"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/prodaccess/prodaccess/render"
	"github.com/prodaccess/prodaccess/requests"
)

func newUpcoming(o *options) *cobra.Command {
	var format string
	var days int
	var issue bool
	cmd := &cobra.Command{
		Use:   "upcoming",
		Short: "Every change of level the files already make certain in the next days",
		Long: `List every change of anyone's level that the person files already make
certain in the days after today (or --at): a grant or shift ending, an absence
reaching the day it revokes access, a shift completing, a last day passing,
with the day, the rule, and for a temporary grant its approver and supervisor.

When the configuration names a rota and PAGERDUTY_TOKEN is set, it also
lists the changes that shifts the rota plans in the window, and the files do
not hold yet, would make if they are worked.

With --issue, also keep one issue titled "Production access: upcoming changes"
in the people repository up to date: opened when there is something to say,
updated in place, closed when the window is empty. It mentions the people
concerned by their GitHub logins. It needs GITHUB_TOKEN with Issues: read and
write on the people repository (people_repo, or origin, or GITHUB_REPOSITORY).`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := checkFormat(format, "text", "markdown", "json"); err != nil {
				return err
			}
			if days < 1 || days > 366 {
				return fmt.Errorf("--days: %d is out of range: it must be from 1 to 366", days)
			}
			cfg, roster, day, err := o.decide()
			if err != nil {
				return err
			}
			o.warnInvalid(roster)
			u := roster.Upcoming(day, days)
			ctx, cancel := o.signalContext()
			defer cancel()
			if err := o.plannedChanges(ctx, cfg, roster, day, days, u); err != nil {
				return err
			}
			if isData(format) {
				err = render.WriteData(o.stdout, format, u)
			} else {
				err = render.WriteUpcoming(o.stdout, u, format == "markdown")
			}
			if err != nil || !issue {
				return err
			}
			return o.keepUpcomingIssue(ctx, cfg, roster, u)
		},
	}
	cmd.Flags().StringVar(&o.at, "at", "", "the day the window follows: YYYY-MM-DD, or an RFC 3339 instant (default today in the policy time zone)")
	cmd.Flags().IntVar(&days, "days", 14, "how many days the window holds")
	cmd.Flags().StringVar(&format, "format", "text", "text, markdown, json or yaml")
	cmd.Flags().BoolVar(&issue, "issue", false, "also keep the upcoming-changes issue of the people repository up to date")
	return cmd
}

// keepUpcomingIssue keeps the one issue of the people repository that
// lists the upcoming changes: opened or updated in place when there are
// any, closed when there are none. Issues that another run opened at the
// same time are closed, so that one stays.
func (o *options) keepUpcomingIssue(ctx context.Context, cfg *config.Config, roster *model.Roster, u *model.Upcoming) error {
	token := o.getenv("GITHUB_TOKEN")
	if token == "" {
		return fmt.Errorf("--issue: GITHUB_TOKEN is not set; it needs Issues: read and write on the people repository")
	}
	repo := cfg.PeopleRepo
	if repo == "" {
		var origin *peoplerepo.Remote
		if pr, err := peoplerepo.Open(o.anchor()); err == nil {
			if origin, err = pr.Origin(token); err != nil {
				return err
			}
		}
		repo = o.peopleGitHubRepo(cfg, origin)
	}
	if repo == "" {
		return fmt.Errorf("--issue: the people repository is not known on GitHub: set people_repo in the configuration")
	}
	client, err := github.NewClient(o.getenv("GITHUB_API_URL"), token, github.ClientOptions{Transport: o.transport()})
	if err != nil {
		return err
	}
	self, err := o.githubLogin(client)(ctx)
	if err != nil {
		return fmt.Errorf("--issue: %w", err)
	}
	issues := github.NewIssues(client, repo, render.UpcomingMarker, self)
	ours, err := issues.FindAll(ctx)
	if err != nil {
		return fmt.Errorf("--issue: find the upcoming-changes issue in %s: %w", repo, err)
	}
	var keep *reconciler.Thread
	if len(ours) > 0 && len(u.Changes) > 0 {
		keep, ours = ours[0], ours[1:]
	}
	for _, extra := range ours {
		if err := issues.Close(ctx, extra.Number); err != nil {
			return fmt.Errorf("--issue: close issue #%d in %s: %w", extra.Number, repo, err)
		}
		fmt.Fprintf(o.stderr, "prodaccess: closed issue #%d (%s)\n", extra.Number, extra.URL)
	}
	if len(u.Changes) == 0 {
		return nil
	}
	login := func(id string) string {
		if p := roster.Person(id); p != nil {
			return p.GitHub
		}
		return ""
	}
	body, err := o.fitIssueBody(render.UpcomingIssueBody(u, login), len(u.Changes))
	if err != nil {
		return fmt.Errorf("--issue: %w", err)
	}
	th, wrote, err := reconciler.KeepThread(ctx, issues, keep, render.UpcomingTitle, body)
	if err != nil {
		return fmt.Errorf("--issue: %w", err)
	}
	if wrote {
		fmt.Fprintf(o.stderr, "prodaccess: issue #%d (%s) lists %d upcoming change(s)\n", th.Number, th.URL, len(u.Changes))
	}
	return nil
}

// fitIssueBody fits the issue's body to GitHub's limit. When it is cut,
// the whole is appended to the job summary ($GITHUB_STEP_SUMMARY, in
// GitHub Actions), and the issue says where it is: in the job summaries
// of the repository's workflow runs, or, outside Actions, in what
// prodaccess upcoming prints. The pointer names no run, so that the issue
// changes only when the changes do.
func (o *options) fitIssueBody(body string, changes int) (string, error) {
	if render.BodyFits(body) {
		return body, nil
	}
	pointer := "`prodaccess upcoming` prints the whole list."
	if summary := o.getenv("GITHUB_STEP_SUMMARY"); summary != "" {
		f, err := os.OpenFile(summary, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return "", fmt.Errorf("write the whole issue to the job summary: %w", err)
		}
		_, err = fmt.Fprintf(f, "\n## The issue %q, whole\n\n%s\n", render.UpcomingTitle, body)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", fmt.Errorf("write the whole issue to the job summary: %w", err)
		}
		pointer = "The whole list is in the job summary of the workflow run that last updated this issue"
		if server, repo := o.getenv("GITHUB_SERVER_URL"), o.getenv("GITHUB_REPOSITORY"); server != "" && repo != "" {
			pointer += " (" + server + "/" + repo + "/actions)"
		}
		pointer += "."
	}
	return render.FitBody(body, fmt.Sprintf("%d changes of production access are coming; the first ones follow.", changes), pointer), nil
}

// plannedChanges adds to u the changes of level that the shifts the rota
// plans in the window, and the files lack, would make if they are
// worked. Without a rota, or without PAGERDUTY_TOKEN, it adds nothing.
func (o *options) plannedChanges(ctx context.Context, cfg *config.Config, roster *model.Roster, day model.Day, days int, u *model.Upcoming) error {
	rota := cfg.Policy.Rota
	reader, err := o.rotaReader(cfg)
	switch {
	case err != nil:
		return err
	case reader == nil && rota.Configured():
		fmt.Fprintln(o.stderr, "prodaccess: PAGERDUTY_TOKEN is not set, so the shifts the rota plans are not listed")
		return nil
	case reader == nil:
		return nil
	}
	// A shift that starts in the window may end after it: read on, as
	// far as PagerDuty plans (90 days).
	last := min(day+model.Day(days)+requests.RotaPlanMargin, model.DayOf(o.now(), cfg.Location)+89)
	onCalls, err := requests.ReadRota(ctx, reader, rota, day+1, last, cfg.Location)
	if err != nil {
		return err
	}
	var planned []model.PlannedShift
	for _, rs := range evidence.RotaShifts(rota, onCalls, cfg.Location) {
		p := evidence.PersonFor(roster, rota, rs.User, rs.Email)
		if p == nil || rs.Start <= day || rs.Start > u.Until || rs.End >= last-1 {
			continue
		}
		if slices.ContainsFunc(p.Shifts, func(s model.Shift) bool { return s.Start <= rs.End && rs.Start <= s.End }) {
			continue // the file holds it, or something in its place
		}
		planned = append(planned, model.PlannedShift{Person: p.ID, Shift: model.Shift{Type: rs.Type, Range: rs.Range}, Source: render.RotaSchedules(rs)})
	}
	u.Changes = append(u.Changes, roster.UpcomingIfWorked(day, days, planned)...)
	slices.SortStableFunc(u.Changes, func(a, b model.UpcomingChange) int {
		if a.Day != b.Day {
			return int(a.Day - b.Day)
		}
		return strings.Compare(a.Person, b.Person)
	})
	return nil
}
