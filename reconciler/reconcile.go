package reconciler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/prodaccess/prodaccess/model"
)

// ReadAll reads every provider's targets at once. If any read fails, the
// whole read fails: a plan is never made from part of the world.
func ReadAll(ctx context.Context, providers []Provider) ([]model.TargetState, error) {
	states := make([][]model.TargetState, len(providers))
	errs := make([]error, len(providers))
	var wg sync.WaitGroup
	for i, p := range providers {
		wg.Go(func() {
			states[i], errs[i] = p.Read(ctx)
			if errs[i] == nil {
				errs[i] = checkOwned(p, states[i])
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var all []model.TargetState
	for _, s := range states {
		all = append(all, s...)
	}
	return all, nil
}

// checkOwned makes sure a provider returned one state for each of its
// targets and nothing else.
func checkOwned(p Provider, states []model.TargetState) error {
	got := map[string]int{}
	for _, s := range states {
		got[s.Target]++
	}
	for _, t := range p.Targets() {
		if got[t] != 1 {
			return fmt.Errorf("read %s: got %d states, want 1", t, got[t])
		}
		delete(got, t)
	}
	for t := range got {
		return fmt.Errorf("read: a provider returned a state for %s, which it does not own", t)
	}
	return nil
}

// Verify checks that a saved plan still describes the world: made for the
// same day and people commit, and every target still at the version the
// plan was made from.
func Verify(plan *model.Plan, day model.Day, commit string, states []model.TargetState) error {
	var problems []string
	if plan.At != day {
		problems = append(problems, fmt.Sprintf("the plan was made for %s, and today is %s", plan.At, day))
	}
	if plan.Commit != commit {
		problems = append(problems, fmt.Sprintf("the plan was made from people commit %s, and the people repository is now at %s", short(plan.Commit), short(commit)))
	}
	versions := map[string]string{}
	for _, s := range states {
		versions[s.Target] = s.Version
	}
	for _, tp := range plan.Targets {
		v, ok := versions[tp.Target]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s: the target is no longer configured", tp.Target))
		case v != tp.Version:
			problems = append(problems, fmt.Sprintf("%s: changed since the plan was made", tp.Target))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the saved plan no longer matches; make a new plan:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	if sha == "" {
		return "(none)"
	}
	return sha
}

// Apply carries out a plan that passed its safety checks: revocations on
// direct targets first, then pull requests, then grants on direct targets,
// then the list of changes people make by hand. A change that fails does
// not stop the others; the report says how each one went.
func Apply(ctx context.Context, plan *model.Plan, providers []Provider) (*model.Report, error) {
	if len(plan.Refusals) > 0 {
		return nil, fmt.Errorf("the plan is refused by its safety checks, so nothing was changed:\n  %s", strings.Join(plan.Refusals, "\n  "))
	}
	owner := map[string]Provider{}
	for _, p := range providers {
		for _, t := range p.Targets() {
			owner[t] = p
		}
	}
	changes := map[Provider][]model.Change{}
	for _, tp := range plan.Targets {
		p := owner[tp.Target]
		if p == nil {
			return nil, fmt.Errorf("no provider for target %s", tp.Target)
		}
		changes[p] = append(changes[p], tp.Changes...)
	}
	report := &model.Report{Plan: plan, Results: []model.Result{}}
	phase := func(mode Mode, action model.Action, always bool) {
		for _, p := range providers {
			if p.Mode() != mode {
				continue
			}
			var cs []model.Change
			for _, c := range changes[p] {
				if action == "" || c.Action == action {
					cs = append(cs, c)
				}
			}
			model.SortChanges(cs)
			if len(cs) > 0 || always {
				report.Results = append(report.Results, p.Apply(ctx, plan, cs)...)
			}
		}
	}
	phase(Direct, model.Remove, false)
	phase(Proposed, "", true)
	phase(Direct, model.Add, false)
	phase(ByHand, "", false)
	return report, nil
}
