package reconciler

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/outcome"
)

// proposing records the changes it is asked to apply.
type proposing struct {
	targets []string
	called  *[]string
}

func (p proposing) Targets() []string                                   { return p.targets }
func (p proposing) Mode() Mode                                          { return Proposed }
func (p proposing) Read(context.Context) ([]outcome.TargetState, error) { return nil, nil }
func (p proposing) Apply(_ context.Context, _ *outcome.Plan, cs []outcome.Change) []outcome.Result {
	*p.called = append(*p.called, p.targets[0])
	return nil
}

// TestApplySkipsUnreadProposers: a proposing provider with no changes is
// called, so that it can close a pull request it no longer needs, only
// when one of its targets is in the plan. One whose read failed is not in
// it, and must never take "no changes" for "close what is open": that
// closed a pull request someone else had opened from prodaccess's branch.
func TestApplySkipsUnreadProposers(t *testing.T) {
	var called []string
	read := &proposing{targets: []string{"read"}, called: &called}
	unread := &proposing{targets: []string{"unread"}, called: &called}
	plan := &outcome.Plan{Targets: []outcome.TargetPlan{{Target: "read"}}}
	if _, err := Apply(context.Background(), plan, []Provider{read, unread}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"read"}, called); diff != "" {
		t.Errorf("providers called (-want +got):\n%s", diff)
	}
}
