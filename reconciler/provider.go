package reconciler

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/prodaccess/prodaccess/outcome"
)

// Mode is how a provider's changes take effect.
type Mode int

// Modes of applying changes.
const (
	// Direct providers change access when Apply returns (a team through
	// the API): their revocations run before anything else and their
	// grants after everything else.
	Direct Mode = iota
	// Proposed providers open a pull request that a person merges; the
	// merge changes access, all at once.
	Proposed
	// ByHand providers only list what a person must do.
	ByHand
)

// Provider reads and changes some of the targets.
type Provider interface {
	// Targets names the targets the provider owns.
	Targets() []string
	Mode() Mode
	// Read returns the state of every target the provider owns. A failed
	// or partial read is an error, never an empty or shorter state. A
	// read that failed for some of its targets only returns the states
	// of the others and a TargetErrors naming the ones that failed.
	Read(ctx context.Context) ([]outcome.TargetState, error)
	// Apply makes the changes, all for the provider's own targets and
	// removals first, and reports each one. A Proposed provider is called
	// even with no changes, so that it can close a pull request that is
	// no longer needed, but only when at least one of its targets was
	// read: a failed read is never "nothing to change".
	Apply(ctx context.Context, plan *outcome.Plan, changes []outcome.Change) []outcome.Result
}

// TargetErrors is a read that failed for some of a provider's targets
// only: a bad line in one file of a repository that holds several.
type TargetErrors map[string]error

func (e TargetErrors) Error() string {
	var parts []string
	for _, t := range slices.Sorted(maps.Keys(e)) {
		parts = append(parts, e[t].Error())
	}
	return strings.Join(parts, "\n")
}

// Preparer is a provider that reads what its changes need before any
// provider writes anything, such as the GitHub user id behind each login
// to be added. Apply calls Prepare on every Preparer at once, before the
// first write.
type Preparer interface {
	Prepare(ctx context.Context, plan *outcome.Plan, changes []outcome.Change)
}
