package reconciler

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// ReadAll reads every provider's targets at once. If any read fails, the
// whole read fails: a plan is never made from part of the world.
func ReadAll(ctx context.Context, providers []Provider) ([]outcome.TargetState, error) {
	states, failed := ReadEach(ctx, providers)
	var errs []error
	for _, t := range slices.Sorted(maps.Keys(failed)) {
		if !slices.Contains(errs, failed[t]) {
			errs = append(errs, failed[t])
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return states, nil
}

// ReadEach reads every provider at once and returns the states of the
// targets that could be read, and for each one that could not, why: a
// failed read touches only its own targets.
func ReadEach(ctx context.Context, providers []Provider) ([]outcome.TargetState, map[string]error) {
	states := make([][]outcome.TargetState, len(providers))
	errs := make([]error, len(providers))
	var wg sync.WaitGroup
	for i, p := range providers {
		wg.Go(func() {
			defer func() {
				// A panic here would end the process with status 2,
				// which scripts read as "changes".
				if r := recover(); r != nil {
					states[i], errs[i] = nil, fmt.Errorf("read %s: internal error (a bug; please report it): %v", strings.Join(p.Targets(), ", "), r)
				}
			}()
			states[i], errs[i] = p.Read(ctx)
		})
	}
	wg.Wait()
	failed := map[string]error{}
	var all []outcome.TargetState
	for i, p := range providers {
		var some TargetErrors
		switch {
		case errors.As(errs[i], &some):
			for t, err := range some {
				failed[t] = err
			}
		case errs[i] != nil:
			for _, t := range p.Targets() {
				failed[t] = errs[i]
			}
			continue
		}
		if err := checkOwned(p, states[i], failed); err != nil {
			for _, t := range p.Targets() {
				if failed[t] == nil {
					failed[t] = err
				}
			}
			continue
		}
		all = append(all, states[i]...)
	}
	return all, failed
}

// checkOwned makes sure a provider returned one state for each of its
// targets and nothing else.
func checkOwned(p Provider, states []outcome.TargetState, failed map[string]error) error {
	got := map[string]int{}
	for _, s := range states {
		got[s.Target]++
	}
	for _, t := range p.Targets() {
		if failed[t] != nil {
			if got[t] != 0 {
				return fmt.Errorf("read %s: a state for a target whose read failed", t)
			}
			delete(got, t)
			continue
		}
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
func Verify(plan *outcome.Plan, day model.Day, commit string, states []outcome.TargetState) error {
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

// Apply carries out a plan that passed its safety checks: what the changes
// need is read first (see Preparer), then revocations on direct targets, then pull requests, then grants on direct targets,
// then the list of changes people make by hand. A change that fails does
// not stop the others; the report says how each one went.
func Apply(ctx context.Context, plan *outcome.Plan, providers []Provider) (*outcome.Report, error) {
	if len(plan.Refusals) > 0 {
		return nil, fmt.Errorf("the plan is refused by its safety checks, so nothing was changed:\n  %s", strings.Join(plan.Refusals, "\n  "))
	}
	owner := map[string]Provider{}
	for _, p := range providers {
		for _, t := range p.Targets() {
			owner[t] = p
		}
	}
	changes := map[Provider][]outcome.Change{}
	// planned are the providers with a target in the plan: one whose
	// every target failed to read has none, and is not called at all, so
	// that it never takes "no changes" for "close what is open".
	planned := map[Provider]bool{}
	for _, tp := range plan.Targets {
		p := owner[tp.Target]
		if p == nil {
			return nil, fmt.Errorf("no provider for target %s", tp.Target)
		}
		planned[p] = true
		changes[p] = append(changes[p], tp.Changes...)
	}
	report := &outcome.Report{Plan: plan, Results: []outcome.Result{}}
	if len(plan.GrantsRefused) > 0 {
		// Revocations go ahead; no addition is tried.
		why := "no access is granted: " + strings.Join(plan.GrantsRefused, "; ")
		for p, cs := range changes {
			var keep []outcome.Change
			for _, c := range cs {
				if c.Action == outcome.Add {
					report.Results = append(report.Results, outcome.Result{Change: c, Status: outcome.Refused, Detail: why})
				} else {
					keep = append(keep, c)
				}
			}
			changes[p] = keep
		}
	}
	// What the changes need is read first, all at once: no write waits
	// for a read that could have been made before it.
	var wg sync.WaitGroup
	for _, p := range providers {
		if pp, ok := p.(Preparer); ok && len(changes[p]) > 0 {
			wg.Go(func() { pp.Prepare(ctx, plan, changes[p]) })
		}
	}
	wg.Wait()
	phase := func(mode Mode, action outcome.Action, always bool) {
		for _, p := range providers {
			if p.Mode() != mode {
				continue
			}
			var cs []outcome.Change
			for _, c := range changes[p] {
				if action == "" || c.Action == action {
					cs = append(cs, c)
				}
			}
			outcome.SortChanges(cs)
			if len(cs) > 0 || (always && planned[p]) {
				report.Results = append(report.Results, p.Apply(ctx, plan, cs)...)
			}
		}
	}
	phase(Direct, outcome.Remove, false)
	phase(Proposed, "", true)
	phase(Direct, outcome.Add, false)
	phase(ByHand, "", false)
	return report, nil
}

// CompareSaved lists every way a saved plan differs from the plan made now
// from the same commit and the targets as they are: a saved plan is a
// record of what was reviewed, never an instruction, so apply --plan
// carries it out only when there is no difference at all.
func CompareSaved(saved, now *outcome.Plan) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if saved.At != now.At {
		add("made for %s, and a plan made now is for %s", saved.At, now.At)
	}
	if saved.Commit != now.Commit {
		add("made from people commit %s, and a plan made now is from %s", short(saved.Commit), short(now.Commit))
	}
	if saved.AllowMassRemoval != now.AllowMassRemoval {
		add("made with allow_mass_removal %t, and this apply has %t (give --allow-mass-removal to both or neither)", saved.AllowMassRemoval, now.AllowMassRemoval)
	}
	savedTargets := map[string]*outcome.TargetPlan{}
	for i := range saved.Targets {
		tp := &saved.Targets[i]
		if savedTargets[tp.Target] != nil {
			add("%s: the saved plan lists the target twice", tp.Target)
		}
		savedTargets[tp.Target] = tp
	}
	for i := range now.Targets {
		n := &now.Targets[i]
		s := savedTargets[n.Target]
		delete(savedTargets, n.Target)
		if s == nil {
			add("%s: missing from the saved plan", n.Target)
			continue
		}
		if s.Type != n.Type || s.Where != n.Where || s.Version != n.Version || s.Current != n.Current || s.Kept != n.Kept || s.PullRequest != n.PullRequest {
			add("%s: the saved plan describes the target differently (type, place, version, counts or pull request)", n.Target)
		}
		out = append(out, compareChanges(n.Target, s.Changes, n.Changes)...)
	}
	for name := range savedTargets {
		add("%s: in the saved plan, but not a target of a plan made now", name)
	}
	out = append(out, compareLists("refusal", saved.Refusals, now.Refusals)...)
	out = append(out, compareLists("warning", saved.Warnings, now.Warnings)...)
	out = append(out, compareLists("error", saved.Errors, now.Errors)...)
	out = append(out, compareLists("key warning", saved.KeyWarnings, now.KeyWarnings)...)
	out = append(out, compareLists("refusal of grants", saved.GrantsRefused, now.GrantsRefused)...)
	slices.Sort(out)
	return out
}

// compareChanges lists the changes found in only one of two lists, and
// those that differ in any field.
func compareChanges(target string, saved, now []outcome.Change) []string {
	key := func(c outcome.Change) string {
		if c.Store != "" {
			return string(c.Action) + " " + c.Subject + " in " + c.Store
		}
		return string(c.Action) + " " + c.Subject
	}
	index := func(cs []outcome.Change) (map[string]outcome.Change, []string) {
		m := map[string]outcome.Change{}
		var dup []string
		for _, c := range cs {
			if _, ok := m[key(c)]; ok {
				dup = append(dup, fmt.Sprintf("%s: the change %q is listed twice", target, key(c)))
			}
			m[key(c)] = c
		}
		return m, dup
	}
	s, out := index(saved)
	n, dup := index(now)
	out = append(out, dup...)
	for k, c := range s {
		switch other, ok := n[k]; {
		case !ok:
			out = append(out, fmt.Sprintf("%s: the saved plan would %s, which a plan made now would not", target, c))
		case !reflect.DeepEqual(c, other):
			out = append(out, fmt.Sprintf("%s: the saved plan's %q differs from the same change made now (its person, level, reason or progress)", target, k))
		}
	}
	for k, c := range n {
		if _, ok := s[k]; !ok {
			out = append(out, fmt.Sprintf("%s: a plan made now would %s, which the saved plan would not", target, c))
		}
	}
	return out
}

// compareLists lists the items found in only one of two lists of text.
func compareLists(what string, saved, now []string) []string {
	var out []string
	count := map[string]int{}
	for _, s := range saved {
		count[s]++
	}
	for _, s := range now {
		count[s]--
	}
	for s, n := range count {
		switch {
		case n > 0:
			out = append(out, fmt.Sprintf("the saved plan has a %s that a plan made now does not: %s", what, s))
		case n < 0:
			out = append(out, fmt.Sprintf("a plan made now has a %s that the saved plan does not: %s", what, s))
		}
	}
	return out
}
