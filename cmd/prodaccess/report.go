package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/render"
	"github.com/spf13/cobra"
)

func newAuditReport(a *auditOptions) *cobra.Command {
	var from, to, out string
	var secrets bool
	cmd := &cobra.Command{
		Use:   "report",
		Short: "One self-contained HTML page: who had access when, the access review, and each person's changes",
		Long: `Write one HTML page for auditors: a picture of everyone's level over time,
with a mark for each commit and each rule that changed it; the access review
of the last day with the evidence of each approval, the latest certification
and its flags; every removal of the period, timed; the findings; and each
person's timeline. The page is self-contained (no scripts, nothing loaded),
so it opens from a build artifact or an email attachment, and prints with
everything open. It is made from the people repository alone; --secrets also
reads the target repositories. Commits link to GitHub when the repository's
origin is on github.com.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			s, err := a.source()
			if err != nil {
				return err
			}
			last, err := a.day(s, to)
			if err != nil {
				return fmt.Errorf("--to: %w", err)
			}
			first, err := s.firstDay()
			if err != nil {
				return err
			}
			if from != "" {
				if first, err = a.day(s, from); err != nil {
					return fmt.Errorf("--from: %w", err)
				}
			}
			if first > last {
				return fmt.Errorf("--from %s is after --to %s", first, last)
			}
			r, err := s.report(a, first, last, secrets)
			if err != nil {
				return err
			}
			s.warnNoNotes(a)
			var b bytes.Buffer
			if err := render.WriteAccessReport(&b, r); err != nil {
				return err
			}
			if out == "" {
				_, err = a.stdout.Write(b.Bytes())
				return err
			}
			return os.WriteFile(out, b.Bytes(), 0o644)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the first day drawn, YYYY-MM-DD (default the day of the first commit)")
	cmd.Flags().StringVar(&to, "to", "", "the last day drawn and the day of the review, YYYY-MM-DD (default today)")
	cmd.Flags().StringVar(&out, "out", "", "write the page to this file instead of standard output")
	cmd.Flags().BoolVar(&secrets, "secrets", false, "in the review, also flag people without access who can still read the targets' secrets, as audit review --secrets does (reads the target repositories as they are now)")
	return cmd
}

// report is what the access report shows from first to last: the
// timeline rebuilt from the first commit (so that everyone's level on the
// first day drawn is known), and the review of the last day as audit
// review gives it, with the removals of the whole period.
func (s *source) report(a *auditOptions, first, last model.Day, secrets bool) (*render.AccessReport, error) {
	// The evidence of every entry (truth) reads the files the timeline
	// parsed: the repository keeps what each held.
	s.history.KeepParsed()
	t, err := s.timeline(last)
	if err != nil {
		return nil, err
	}
	if err := s.addFindings(&t.Findings, s.tip, ""); err != nil {
		return nil, err
	}
	truth, err := s.truth(a, last)
	if err != nil {
		return nil, err
	}
	rv, err := s.review(a, truth, reviewScope{secrets: secrets, timeline: t, from: first})
	if err != nil {
		return nil, err
	}
	repoURL, err := s.repo.GitHubURL()
	if err != nil {
		return nil, err
	}
	return &render.AccessReport{Timeline: t, Review: rv, From: first, RepoURL: repoURL}, nil
}

// firstDay is the day of the branch's first commit, in the policy time
// zone.
func (s *source) firstDay() (model.Day, error) {
	commits, err := s.commitList()
	if err != nil {
		return 0, err
	}
	if len(commits) == 0 {
		return 0, fmt.Errorf("the branch %s has no commits", s.branch)
	}
	return model.DayOf(commits[0].When, s.tipConfig.Location), nil
}
