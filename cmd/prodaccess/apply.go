package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/prodaccess/prodaccess/render"
)

func newApply(o *options) *cobra.Command {
	var format, planFile, reportFile string
	var allowMass bool
	cmd := &cobra.Command{
		Use:   "apply",
		Short: "Make today's changes: revocations first, then pull requests, then grants",
		Long: `Read every target, compute today's plan, check it against the safety limits,
and carry it out: team removals first, then pull requests for file targets,
then team additions, then the list of changes to make by hand. With --plan,
apply a saved plan instead, refusing if it was made for another day or
from another people commit, or if any target changed since. Exits 1 if
anything failed or was refused, the plan lists errors a person must resolve
(its other changes are still made), or a revocation has waited in a pull
request for longer than safety.max_revocation_wait.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := checkFormat(format, "text", "markdown"); err != nil {
				return err
			}
			ctx, cancel, err := o.runContext()
			if err != nil {
				return err
			}
			defer cancel()
			defer o.cachedRun()()
			w, err := o.loadWorld(ctx)
			if err != nil {
				return err
			}
			var plan *outcome.Plan
			if planFile != "" {
				saved, err := readPlanFile(planFile)
				if err != nil {
					return err
				}
				states, err := reconciler.ReadAll(ctx, w.readers())
				if err != nil {
					return fmt.Errorf("nothing was applied, because a read failed:\n%w", err)
				}
				if err := reconciler.Verify(saved, w.day, w.commit, states); err != nil {
					return err
				}
				// The saved plan is what was reviewed; what is applied is
				// the plan made now, with every safety check run again,
				// and only when the two are the same in every respect.
				plan = w.plan(states, allowMass)
				if diffs := reconciler.CompareSaved(saved, plan); len(diffs) > 0 {
					return fmt.Errorf("nothing was applied: the saved plan %s is not the plan made now from the same commit and targets:\n  %s", planFile, strings.Join(diffs, "\n  "))
				}
			} else if plan, err = o.makePlan(ctx, w, allowMass); err != nil {
				return err
			}
			if err := render.WritePlan(o.stdout, plan, format == "markdown"); err != nil {
				return err
			}
			report, err := reconciler.Apply(ctx, plan, w.providers)
			// The evidence looked up is recorded whatever became of the
			// changes: it is a fact about the people branch, not about
			// the targets.
			noteErr := o.recordEvidence(ctx, w)
			if err == nil {
				// What was done is recorded, for audits to time removals.
				noteErr = errors.Join(noteErr, o.recordApplied(ctx, w, report))
			}
			if err != nil {
				return errors.Join(err, noteErr)
			}
			if noteErr != nil {
				defer fmt.Fprintf(o.stderr, "prodaccess: %v\n", noteErr)
			}
			if err := render.WriteResults(o.stdout, report, format == "markdown"); err != nil {
				return err
			}
			if reportFile != "" {
				data, err := json.MarshalIndent(report, "", "  ")
				if err != nil {
					return err
				}
				if err := os.WriteFile(reportFile, append(data, '\n'), 0o644); err != nil {
					return err
				}
			}
			var failed []string
			if n := report.Failed(); n > 0 {
				failed = append(failed, fmt.Sprintf("%d change(s) failed or were refused; see the results above", n))
			}
			if n := len(plan.Errors); n > 0 {
				failed = append(failed, fmt.Sprintf("%d error(s) in the plan need a person; see ERRORS above", n))
			}
			if n := len(plan.GrantsRefused); n > 0 {
				failed = append(failed, fmt.Sprintf("nothing was granted, for %d reason(s); see GRANTS REFUSED above", n))
			}
			if n := len(plan.Failures); n > 0 {
				failed = append(failed, fmt.Sprintf("%d input(s) could not be read; see FAILED above", n))
			}
			if err := overdue(plan); err != nil {
				failed = append(failed, err.Error())
			}
			if len(failed) > 0 {
				return &exitError{code: 1, err: errors.New(strings.Join(failed, "; "))}
			}
			if noteErr != nil {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or markdown")
	cmd.Flags().StringVar(&planFile, "plan", "", "apply this saved plan (from plan --out) instead of a new one")
	cmd.Flags().StringVar(&reportFile, "report", "", "also write the plan and every result as JSON to this file")
	cmd.Flags().BoolVar(&allowMass, "allow-mass-removal", false, "allow removing more than safety.max_removal_fraction of a target")
	o.timeoutFlag(cmd)
	o.githubCacheFlag(cmd)
	return cmd
}

func readPlanFile(path string) (*outcome.Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, outcome.MaxSavedPlanSize+1))
	if err != nil {
		return nil, fmt.Errorf("read plan %s: %w", path, err)
	}
	plan, err := outcome.DecodeSavedPlan(data)
	if errors.Is(err, outcome.ErrPlanEdited) {
		return nil, fmt.Errorf("%s: %w; nothing was applied: make and review a new plan", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("read plan %s: %w", path, err)
	}
	return plan, nil
}
