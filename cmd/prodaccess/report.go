package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/prodaccess/prodaccess/render"
	"github.com/spf13/cobra"
)

func newAuditReport(a *auditOptions) *cobra.Command {
	var from, to, out string
	secrets := true
	cmd := &cobra.Command{
		Use:   "report",
		Short: "One self-contained HTML page: who had access when, the access review, and each person's changes",
		Long: `Write one HTML page for auditors: a picture of everyone's level over time,
with a mark for each commit and each rule that changed it; the access review
of the last day with its flags; and each person's timeline. The page is self-
contained (no scripts, nothing loaded), so it opens from a build artifact or
an email attachment. Commits link to GitHub when the repository's origin is
on github.com.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			s, err := a.source()
			if err != nil {
				return err
			}
			opts := reconciler.TimelineOptions{Branch: s.branch, PeopleLabel: s.peopleDir, ConfigFile: s.configPath, Location: s.tipConfig.Location}
			if opts.EvidenceOf, opts.Authority, err = s.evidence(s.tip); err != nil {
				return err
			}
			if opts.To, err = a.day(s, to); err != nil {
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
			if first > opts.To {
				return fmt.Errorf("--from %s is after --to %s", first, opts.To)
			}
			// The whole history, so that everyone's level on the first
			// day drawn is known.
			t, err := reconciler.BuildTimeline(s.history, opts)
			if err != nil {
				return err
			}
			if err := s.addFindings(&t.Findings, s.tip, ""); err != nil {
				return err
			}
			commit, roster, err := s.at(a, opts.To)
			if err != nil {
				return err
			}
			// The review, as audit review makes it: with the evidence.
			if roster, err = s.auditEvidence(a, commit, roster, opts.To); err != nil {
				return err
			}
			rv, err := s.review(a, opts.To, commit, roster, secrets)
			if err != nil {
				return err
			}
			repoURL, err := s.repo.GitHubURL()
			if err != nil {
				return err
			}
			var b bytes.Buffer
			r := &render.AccessReport{Timeline: t, Review: rv, From: first, RepoURL: repoURL}
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
	cmd.Flags().BoolVar(&secrets, "secrets", true, "in the review, flag people without access who can still read the targets' secrets, as audit review does (reads the target repositories as they are now)")
	return cmd
}

// firstDay is the day of the branch's first commit, in the policy time
// zone.
func (s *source) firstDay() (model.Day, error) {
	commits, err := s.history.Commits()
	if err != nil {
		return 0, err
	}
	if len(commits) == 0 {
		return 0, fmt.Errorf("the branch %s has no commits", s.branch)
	}
	return model.DayOf(commits[0].When, s.tipConfig.Location), nil
}
