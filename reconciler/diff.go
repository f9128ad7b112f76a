package reconciler

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/secrets"
)

// Desired returns the entries a target should hold according to the
// decisions, keyed by the target's subject key, and a warning for each
// person entitled to the target whose file does not give the identity it
// needs, or, for a GPG target, whose public key may not be used.
func Desired(t *config.Target, decisions []model.Decision, keys map[string]model.KeyCheck) (map[string]*model.Decision, []string) {
	want := map[string]*model.Decision{}
	var warnings []string
	for i := range decisions {
		dc := &decisions[i]
		level := dc.LevelOn(t.Name)
		if level == model.None || !t.Includes(level) {
			continue
		}
		id := t.Identity(dc.Person)
		if id == "" {
			warnings = append(warnings, fmt.Sprintf("%s: %s has %s access but no %s in %s, so nothing is added",
				t.Name, dc.Person.ID, level, t.IdentityField(), dc.Person.File))
			continue
		}
		if k, ok := keys[dc.Person.ID]; ok && isGPG(t) && !k.OK() {
			warnings = append(warnings, fmt.Sprintf("%s: %s has %s access but is not added: the key %s %s", t.Name, dc.Person.ID, level, k.File, k.Reason()))
			continue
		}
		want[t.SubjectKey(id)] = dc
	}
	return want, warnings
}

func isGPG(t *config.Target) bool {
	return t.Type == model.FileTarget && (t.Format == config.GPGRecipients || t.Format == config.GPGID)
}

// Input is everything a plan is computed from.
type Input struct {
	Config    *config.Config
	At        model.Day
	Commit    string           // the people repository commit, if any
	Decisions []model.Decision // everyone's decision on At
	States    []outcome.TargetState
	// Keys are the checks of people's public keys: a person whose key may
	// not be used is kept off GPG targets, and nothing else changes.
	Keys map[string]model.KeyCheck
	// Ring holds the public keys that tell who can read a target's
	// secrets; nil when no target holds any.
	Ring *secrets.KeyRing
	// Failed are the targets that could not be read, with why: nothing is
	// planned for them, and the plan lists them under Failures.
	Failed map[string]error
}

// Diff computes the plan: for every target, what to add and what to
// remove so that it holds exactly the entries the decisions call for, plus
// its keep entries. It is a pure function of its input.
func Diff(in Input) *outcome.Plan {
	plan := &outcome.Plan{At: in.At, Commit: in.Commit, Warnings: []string{}, Refusals: []string{}, Errors: []string{}}
	states := map[string]outcome.TargetState{}
	for _, s := range in.States {
		states[s.Target] = s
	}
	var unread []string
	for i := range in.Config.Targets {
		t := &in.Config.Targets[i]
		if in.Failed[t.Name] != nil {
			unread = append(unread, t.Name)
			continue
		}
		st := states[t.Name]
		tp := outcome.TargetPlan{
			Target: t.Name, Type: t.Type, Where: where(t), Version: st.Version,
			Current: len(st.Entries), PullRequest: st.PullRequest, Changes: []outcome.Change{},
		}
		want, warnings := Desired(t, in.Decisions, in.Keys)
		plan.Warnings = append(plan.Warnings, warnings...)

		// Everyone with an identity for this target, entitled or not, so
		// that a removal can say whose entry it was and why it goes.
		owners := map[string]*model.Decision{}
		for j := range in.Decisions {
			if id := t.Identity(in.Decisions[j].Person); id != "" {
				owners[t.SubjectKey(id)] = &in.Decisions[j]
			}
		}
		present := map[string]bool{}
		for _, e := range st.Entries {
			key := t.SubjectKey(e.Subject)
			present[key] = true
			if t.Kept(e.Subject) {
				tp.Kept++
				continue
			}
			if want[key] != nil {
				continue
			}
			why := removalReason(t, owners[key], in.Keys)
			if e.ChildTeam != "" && t.ListedChildTeam(e.ChildTeam) == nil {
				plan.Errors = append(plan.Errors, fmt.Sprintf("%s: %s is not entitled (%s) but keeps the access as a member of child team %s/%s, which the target's child_teams does not list; prodaccess never changes child teams: remove %s from %s/%s, or list the team under child_teams with a reason",
					t.Name, e.Subject, why, t.Org, e.ChildTeam, e.Subject, t.Org, e.ChildTeam))
				continue
			}
			if ct := t.ListedChildTeam(e.ChildTeam); e.ChildTeam != "" && ct != nil {
				plan.Warnings = append(plan.Warnings, fmt.Sprintf("%s: %s is not entitled (%s) but stays: %s, listed in child_teams (%s)", t.Name, e.Subject, why, e.Protected, ct.Reason))
				continue
			}
			if e.Protected != "" {
				plan.Warnings = append(plan.Warnings, fmt.Sprintf("%s: %s is not entitled (%s) but stays: %s", t.Name, e.Subject, why, e.Protected))
				continue
			}
			c := outcome.Change{Target: t.Name, Action: outcome.Remove, Subject: e.Subject, Name: e.Label, Reason: why}
			if dc := owners[key]; dc != nil {
				fillPerson(&c, dc)
			}
			tp.Changes = append(tp.Changes, c)
		}
		for key, dc := range want {
			if present[key] {
				continue
			}
			c := outcome.Change{Target: t.Name, Action: outcome.Add, Subject: t.Identity(dc.Person), Reason: strings.Join(dc.ReasonStrings(), "; ")}
			fillPerson(&c, dc)
			tp.Changes = append(tp.Changes, c)
		}
		planSecrets(in, t, st, &tp, plan)
		for j := range tp.Changes {
			setProgress(t, st.Proposed, &tp.Changes[j])
		}
		outcome.SortChanges(tp.Changes)
		plan.Targets = append(plan.Targets, tp)
	}
	plan.Failures = append(plan.Failures, unreadText(unread, in.Failed)...)
	return plan
}

// unreadText says which targets could not be read and why, once for the
// targets that share an error.
func unreadText(targets []string, failed map[string]error) []string {
	var out []string
	done := map[string]bool{}
	for _, t := range targets {
		if done[t] {
			continue
		}
		same := []string{t}
		for _, u := range targets {
			if u != t && !done[u] && failed[u] == failed[t] {
				same = append(same, u)
			}
		}
		for _, u := range same {
			done[u] = true
		}
		what := "target " + same[0]
		if len(same) > 1 {
			what = "targets " + strings.Join(same, ", ")
		}
		out = append(out, fmt.Sprintf("%s could not be read, so nothing is changed there: %v", what, failed[t]))
	}
	return out
}

// setProgress says where a change stands: made by hand (a manual target
// without a record), waiting (the open pull request's branch holds
// exactly this change), or to do.
func setProgress(t *config.Target, p *outcome.ProposedChanges, c *outcome.Change) {
	switch {
	case t.Type == model.Manual && t.Record == nil:
		c.Progress = outcome.DoneByHand
	case p != nil && proposalHolds(p, t, *c):
		c.Progress = outcome.Waiting
		c.Waiting = &outcome.WaitingOn{Branch: p.Branch, Since: p.Since}
		if pr := p.PullRequest; pr != nil {
			c.Waiting.PullRequest, c.Waiting.URL, c.Waiting.Since = pr.Number, pr.URL, pr.Opened
			c.Waiting.Reviewers = slices.Clone(pr.Reviewers)
		}
	default:
		c.Progress = outcome.ToDo
	}
}

func fillPerson(c *outcome.Change, dc *model.Decision) {
	p := dc.Person
	c.Person, c.Name, c.Email, c.Level, c.Until, c.GitHubID = p.ID, p.Name, p.Email, dc.LevelOn(c.Target), dc.Until, p.GitHubID
	if c.Action == outcome.Add {
		var missing []string
		for _, pf := range dc.Evidence {
			if !pf.Proven() {
				missing = append(missing, fmt.Sprintf("%s: %s", pf.Entry, strings.Join(pf.Missing, "; ")))
			}
		}
		c.Unproven = strings.Join(missing, "; ")
	}
}

func removalReason(t *config.Target, dc *model.Decision, keys map[string]model.KeyCheck) string {
	if dc == nil {
		return "belongs to no person file"
	}
	level := dc.LevelOn(t.Name)
	switch {
	case level == model.None && dc.Level != model.None:
		return fmt.Sprintf("%s's %s access rests on access held before adoption, which was held on %s only", dc.Person.ID, dc.Level, strings.Join(dc.HeldOn, ", "))
	case level != model.None && t.Includes(level) && isGPG(t) && !keys[dc.Person.ID].OK():
		k := keys[dc.Person.ID]
		return fmt.Sprintf("the key %s %s", k.File, k.Reason())
	case level != model.None:
		return fmt.Sprintf("%s has %s, which this target does not include (it includes %s)", dc.Person.ID, level.AccessText(), levelList(t.Levels))
	case len(dc.Reasons) == 0:
		return "no rule grants access"
	}
	return strings.Join(dc.ReasonStrings(), "; ")
}

func levelList(ls []model.Level) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.String()
	}
	return strings.Join(parts, ", ")
}

func where(t *config.Target) string {
	switch t.Type {
	case model.GitHubTeam:
		return fmt.Sprintf("GitHub team %s/%s", t.Org, t.Team)
	case model.FileTarget:
		return fmt.Sprintf("%s in %s (%s)", t.Path, config.RedactURL(t.Repo), t.Branch)
	}
	if r := t.Record; r != nil {
		return fmt.Sprintf("%s, recorded in %s in %s (%s)", t.Instructions, r.Path, config.RedactURL(r.Repo), r.Branch)
	}
	return t.Instructions
}

// CheckSafety records on the plan every safety limit it breaks: a target
// that would lose more than the configured share of its entries (one
// entry may always go), unless mass removal is allowed, and a target that
// would be left with no entries other than its keep entries, always.
func CheckSafety(plan *outcome.Plan, cfg *config.Config, allowMassRemoval bool) {
	plan.AllowMassRemoval = allowMassRemoval
	for _, tp := range plan.Targets {
		t := cfg.Target(tp.Target)
		removals := tp.Removals()
		if removals == 0 || t == nil {
			continue
		}
		limit := max(1, int(math.Floor(cfg.Safety.MaxRemovalFraction*float64(tp.Current))))
		if removals > limit {
			msg := fmt.Sprintf("%s: would remove %d of its %d entries, more than the limit of %d (max_removal_fraction %g)",
				tp.Target, removals, tp.Current, limit, cfg.Safety.MaxRemovalFraction)
			if allowMassRemoval {
				plan.Warnings = append(plan.Warnings, msg+"; allowed by --allow-mass-removal")
			} else {
				plan.Refusals = append(plan.Refusals, msg+"; check the people files, or rerun with --allow-mass-removal if this is intended")
			}
		}
		before := tp.Current - tp.Kept
		if after := before + tp.OwnChanges() - 2*removals; before > 0 && after <= 0 {
			plan.Refusals = append(plan.Refusals, fmt.Sprintf("%s: would be left with no one; prodaccess never empties a target (remove the target from the configuration instead)", tp.Target))
		}
	}
}

// CheckWaiting records on the plan, as overdue, every revocation that has
// waited in an open pull request longer than safety.max_revocation_wait
// at now: a leaver's removal left unmerged is what a scheduled run must
// make loud. The wait is counted from when the pull request was opened,
// so it is never less than the revocation's own.
func CheckWaiting(plan *outcome.Plan, cfg *config.Config, now time.Time) {
	plan.Made = now
	limit := cfg.Safety.MaxRevocationWait
	if limit <= 0 {
		return
	}
	for _, tp := range plan.Targets {
		for _, c := range tp.Changes {
			if c.Progress != outcome.Waiting || c.Action != outcome.Remove || c.Waiting == nil {
				continue
			}
			if waited := now.Sub(c.Waiting.Since); waited > limit {
				plan.Overdue = append(plan.Overdue, fmt.Sprintf("%s: the revocation of %s has waited %s in %s, more than safety.max_revocation_wait (%s): merge it, or find out what holds it up",
					tp.Target, c.Who(), outcome.DurationText(waited), c.Waiting, strconv.FormatFloat(limit.Hours(), 'f', -1, 64)+"h"))
			}
		}
	}
}

// proposalHolds reports whether the proposal pr makes the change c to
// target t.
func proposalHolds(pr *outcome.ProposedChanges, t *config.Target, c outcome.Change) bool {
	list := pr.Adds
	if c.Action == outcome.Remove {
		list = pr.Removes
	}
	if c.Store != "" {
		sc := pr.SubStores[c.Store]
		if sc == nil {
			return false
		}
		list = sc.Adds
		if c.Action == outcome.Remove {
			list = sc.Removes
		}
	}
	k := t.SubjectKey(c.Subject)
	return slices.ContainsFunc(list, func(s string) bool { return t.SubjectKey(s) == k })
}
