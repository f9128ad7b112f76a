// Package manual provides the targets that people change by hand (a role
// in a cloud console, an admin flag in an application). prodaccess cannot
// read them, so it compares today's entitlements with those at the end of
// the previous day and lists the difference as actions for a person.
package manual

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/reconciler"
)

// Provider lists the by-hand changes of the manual targets.
type Provider struct {
	targets  []*model.Target
	previous []model.Decision
	since    string
}

var _ reconciler.Provider = (*Provider)(nil)

// New returns the provider for the manual targets. previous holds the
// decisions that stood at the point since describes (for example "the end
// of 2026-11-30, person files at commit abc123"); what they entitled is
// taken as what the manual systems hold now.
func New(targets []*model.Target, previous []model.Decision, since string) *Provider {
	var mine []*model.Target
	for _, t := range targets {
		if t.Type == model.Manual {
			mine = append(mine, t)
		}
	}
	return &Provider{targets: mine, previous: previous, since: since}
}

// Targets names the manual targets.
func (p *Provider) Targets() []string {
	names := make([]string, len(p.targets))
	for i, t := range p.targets {
		names[i] = t.Name
	}
	return names
}

// Mode is ByHand: nothing is applied.
func (p *Provider) Mode() reconciler.Mode { return reconciler.ByHand }

// Read returns, for each manual target, the email addresses of the people
// entitled to it at the previous point.
func (p *Provider) Read(context.Context) ([]model.TargetState, error) {
	var out []model.TargetState
	for _, t := range p.targets {
		want, _ := reconciler.Desired(t, p.previous, nil)
		st := model.TargetState{Target: t.Name, Entries: []model.Entry{}, Version: "entitled at " + p.since}
		for _, dc := range want {
			st.Entries = append(st.Entries, model.Entry{Subject: dc.Person.Email, Label: dc.Person.Name})
		}
		slices.SortFunc(st.Entries, func(a, b model.Entry) int { return strings.Compare(a.Subject, b.Subject) })
		out = append(out, st)
	}
	return out, nil
}

// Apply changes nothing: each change becomes an instruction for a person.
func (p *Provider) Apply(_ context.Context, _ *model.Plan, changes []model.Change) []model.Result {
	out := make([]model.Result, len(changes))
	for i, c := range changes {
		out[i] = model.Result{Change: c, Status: model.ByHand, Detail: p.Instruction(c)}
	}
	return out
}

// Instruction is what a person must do for one change.
func (p *Provider) Instruction(c model.Change) string {
	for _, t := range p.targets {
		if t.Name == c.Target {
			if c.Action == model.Add {
				return fmt.Sprintf("%s for %s", t.Instructions, c.Subject)
			}
			return fmt.Sprintf("undo for %s: %s", c.Subject, t.Instructions)
		}
	}
	return c.String()
}
