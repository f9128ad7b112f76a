package reconciler

import (
	"slices"
	"strings"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// Side is the configuration and everyone's decision under one revision.
type Side struct {
	Commit    string
	Config    *config.Config
	Decisions []model.Decision
	Problems  model.Problems
}

// Changes says what moving from one revision of the files to another does
// to production access: who gains or loses which level, under which rule,
// until when, and what that means for each target. It reads nothing, so it
// works without a token (and so for pull requests from forks).
func Changes(from, to Side, at model.Day) *outcome.AccessChanges {
	out := &outcome.AccessChanges{From: from.Commit, To: to.Commit, At: at, People: []outcome.AccessChange{}, Problems: to.Problems, Approvals: NewEntries(from, to)}
	if out.Problems == nil {
		out.Problems = model.Problems{}
	}
	before, after := byID(from.Decisions), byID(to.Decisions)
	var ids []string
	for id := range before {
		ids = append(ids, id)
	}
	for id := range after {
		if before[id] == nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		f, t := before[id], after[id]
		ac := outcome.AccessChange{ID: id, From: standing(f, "no person file"), To: standing(t, "the person file is removed")}
		if t != nil {
			ac.Name = t.Person.Name
		} else {
			ac.Name = f.Person.Name
		}
		ac.Targets = targetChanges(from.Config, f, to.Config, t)
		switch {
		case ac.To.Level > ac.From.Level:
			ac.Kind = outcome.Gains
		case ac.To.Level < ac.From.Level:
			ac.Kind = outcome.Loses
		case ac.To.Level == model.None && len(ac.Targets) == 0:
			continue // no access before or after: reasons alone do not matter
		case !sameUntil(ac.From.Until, ac.To.Until) || strings.Join(ac.From.Reasons, "\n") != strings.Join(ac.To.Reasons, "\n") || len(ac.Targets) > 0:
			ac.Kind = outcome.Changes
		default:
			continue
		}
		out.People = append(out.People, ac)
	}
	return out
}

func byID(ds []model.Decision) map[string]*model.Decision {
	m := map[string]*model.Decision{}
	for i := range ds {
		m[ds[i].Person.ID] = &ds[i]
	}
	return m
}

func standing(d *model.Decision, missing string) outcome.Standing {
	if d == nil {
		return outcome.Standing{Level: model.None, Reasons: []string{missing}}
	}
	r := d.ReasonStrings()
	if r == nil {
		r = []string{}
	}
	return outcome.Standing{Level: d.Level, Until: d.Until, Reasons: r}
}

func sameUntil(a, b *model.Day) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// targetChanges lists, target by target, the entry the person loses and
// the one they gain.
func targetChanges(fromCfg *config.Config, f *model.Decision, toCfg *config.Config, t *model.Decision) []outcome.Change {
	var names []string
	for _, tg := range toCfg.Targets {
		names = append(names, tg.Name)
	}
	for _, tg := range fromCfg.Targets {
		if toCfg.Target(tg.Name) == nil {
			names = append(names, tg.Name)
		}
	}
	var out []outcome.Change
	for _, name := range names {
		old := entitled(fromCfg.Target(name), f)
		now := entitled(toCfg.Target(name), t)
		tg := toCfg.Target(name)
		if tg == nil {
			tg = fromCfg.Target(name)
		}
		if old != "" && now != "" && tg.SubjectKey(old) == tg.SubjectKey(now) {
			continue
		}
		if old != "" {
			out = append(out, outcome.Change{Target: name, Action: outcome.Remove, Subject: old})
		}
		if now != "" {
			out = append(out, outcome.Change{Target: name, Action: outcome.Add, Subject: now})
		}
	}
	return out
}

// entitled is the entry the target holds for the person, or "".
func entitled(t *config.Target, d *model.Decision) string {
	if t == nil || d == nil || d.LevelOn(t.Name) == model.None || !t.Includes(d.LevelOn(t.Name)) {
		return ""
	}
	return t.Identity(d.Person)
}

// NewEntries lists the temporary_access and reinstated entries the files
// at to hold and the files at from do not (an edited entry is a new one),
// each with the GitHub login of the approver it names.
func NewEntries(from, to Side) []outcome.ApprovalNeed {
	old := map[string]bool{}
	for _, dc := range from.Decisions {
		for _, e := range dc.Person.Entries() {
			old[e.Key()] = true
		}
	}
	logins := map[string]string{}
	for _, dc := range to.Decisions {
		logins[dc.Person.ID] = dc.Person.GitHub
	}
	out := []outcome.ApprovalNeed{}
	for _, dc := range to.Decisions {
		for _, e := range dc.Person.Entries() {
			if !old[e.Key()] {
				out = append(out, outcome.ApprovalNeed{Entry: e, Login: logins[e.ApprovedBy]})
			}
		}
	}
	return out
}
