package manual

import (
	"context"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/prodaccess/prodaccess/render"
)

// Provider lists the by-hand changes of the manual targets.
type Provider struct {
	targets []*config.Target
	held    map[string][]outcome.Entry
	version string
}

var _ reconciler.Provider = (*Provider)(nil)

// New returns the provider for the manual targets without a record (those
// with one are file targets of the gitfile provider). held is what each
// target (by name) is taken to hold; version says what that was worked
// out from, such as "entitled at the ends of 2026-11-24 to 2026-11-30".
func New(targets []*config.Target, held map[string][]outcome.Entry, version string) *Provider {
	var mine []*config.Target
	for _, t := range targets {
		if t.Type == model.Manual && t.Record == nil {
			mine = append(mine, t)
		}
	}
	return &Provider{targets: mine, held: held, version: version}
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

// Read returns, for each manual target, what it is taken to hold.
func (p *Provider) Read(context.Context) ([]outcome.TargetState, error) {
	var out []outcome.TargetState
	for _, t := range p.targets {
		entries := p.held[t.Name]
		if entries == nil {
			entries = []outcome.Entry{}
		}
		out = append(out, outcome.TargetState{Target: t.Name, Entries: entries, Version: p.version})
	}
	return out, nil
}

// Apply changes nothing: each change becomes an instruction for a person.
func (p *Provider) Apply(_ context.Context, _ *outcome.Plan, changes []outcome.Change) []outcome.Result {
	out := make([]outcome.Result, len(changes))
	for i, c := range changes {
		out[i] = outcome.Result{Change: c, Status: outcome.ByHand, Detail: p.Instruction(c)}
	}
	return out
}

// Instruction is what a person must do for one change.
func (p *Provider) Instruction(c outcome.Change) string {
	for _, t := range p.targets {
		if t.Name == c.Target {
			return render.Instruction(t, c)
		}
	}
	return c.String()
}
