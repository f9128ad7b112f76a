package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/prodaccess/prodaccess/render"
)

func defaultHTTPTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		ResponseHeaderTimeout: 30 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		MaxIdleConnsPerHost:   8,
	}
}

// makePlan reads every target and computes the plan with its safety checks.
// A target that cannot be read is left as it is, and listed under FAILED;
// every other target's changes, removals first, are planned.
func (o *options) makePlan(ctx context.Context, w *world, allowMass bool) (*outcome.Plan, error) {
	states, failed := reconciler.ReadEach(ctx, w.readers())
	w.failed = failed
	return w.plan(states, allowMass), nil
}

// plan computes the plan from what the targets hold, with its safety
// checks. It is the one place a plan is made, for plan, apply and apply
// --plan alike.
func (w *world) plan(states []outcome.TargetState, allowMass bool) *outcome.Plan {
	plan := reconciler.Diff(reconciler.Input{Config: w.cfg, At: w.day, Commit: w.commit, Decisions: w.decisions, States: states, Keys: w.keys, Ring: w.ring, Failed: w.failed})
	plan.Warnings = append(append(slices.Clone(w.warnings), w.keyWarnings...), plan.Warnings...)
	plan.KeyWarnings = w.keyWarnings
	plan.GrantsRefused = w.grantsRefused
	plan.Failures = append(plan.Failures, w.failures...)
	reconciler.CheckSafety(plan, w.cfg, allowMass)
	reconciler.CheckWaiting(plan, w.cfg, w.now)
	plan.Adoption = outcome.SummarizeAdoption(plan, w.decisions, w.roster.Policy.AdoptedOn)
	return plan
}

func newPlan(o *options) *cobra.Command {
	var format, out string
	var allowMass bool
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Read the targets and show the changes that apply would make",
		Long: `Read every target and print the changes that would bring it in line with
the rules: who is added or removed where, under which rule. Exits 0 when there
is nothing for apply to do (changes waiting in an open pull request, or to be
made by hand, do not count), 2 when there is, and 1 on an error, when a safety
check refuses the plan, when the plan lists errors a person must resolve, or
when a revocation has waited in a pull request for longer than
safety.max_revocation_wait.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := checkFormat(format, "text", "markdown", "json"); err != nil {
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
			plan, err := o.makePlan(ctx, w, allowMass)
			if err != nil {
				return err
			}
			if out != "" {
				if err := writePlanFile(out, plan); err != nil {
					return err
				}
			}
			if isData(format) {
				err = render.WriteData(o.stdout, format, planData{Plan: plan, GitHubRequests: o.githubRequests()})
			} else {
				err = render.WritePlan(o.stdout, plan, format == "markdown")
			}
			if err != nil {
				return err
			}
			switch {
			case len(plan.Refusals) > 0 || len(plan.GrantsRefused) > 0 || len(plan.Errors) > 0 || len(plan.Failures) > 0:
				return &exitError{code: 1}
			case len(plan.Overdue) > 0:
				return &exitError{code: 1, err: overdue(plan)}
			case plan.Count(outcome.ToDo) > 0:
				return &exitError{code: 2}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&o.at, "at", "", "plan for this day instead of today: YYYY-MM-DD or an RFC 3339 instant (such a plan cannot be applied)")
	cmd.Flags().StringVar(&format, "format", "text", "text, markdown, json or yaml")
	cmd.Flags().StringVar(&out, "out", "", "also save the plan as JSON in this file, for apply --plan")
	cmd.Flags().BoolVar(&allowMass, "allow-mass-removal", false, "allow removing more than safety.max_removal_fraction of a target")
	o.timeoutFlag(cmd)
	o.githubCacheFlag(cmd)
	return cmd
}

// overdue names the revocations that have waited too long, or is nil.
func overdue(plan *outcome.Plan) error {
	if len(plan.Overdue) == 0 {
		return nil
	}
	return fmt.Errorf("%d revocation(s) have waited longer than safety.max_revocation_wait in a pull request:\n  %s", len(plan.Overdue), strings.Join(plan.Overdue, "\n  "))
}

func writePlanFile(path string, plan *outcome.Plan) error {
	data, err := outcome.EncodeSavedPlan(plan)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
