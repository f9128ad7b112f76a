package reconciler

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// FuzzDiffAndSafety builds a target's people and live state from the
// fuzzer's bytes and checks the plan: every addition is someone entitled,
// every removal someone present and not entitled, kept or protected; the
// plan applied gives exactly what the rules want; a plan that passes the
// safety checks removes no more than the limit (unless allowed) and never
// empties the target; and a failed read plans nothing.
func FuzzDiffAndSafety(f *testing.F) {
	f.Add([]byte{3, 3, 0, 1, 2, 3}, []byte{1, 1, 0, 0, 1, 0}, uint8(25), false)
	f.Add([]byte{0, 0, 0, 0}, []byte{1, 1, 1, 1}, uint8(25), true)
	f.Add([]byte{3, 0, 3, 0, 3, 0, 3, 0, 3, 0}, []byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, uint8(10), false)
	f.Add([]byte{}, []byte{1, 2, 3}, uint8(100), false)
	f.Fuzz(func(t *testing.T, levels, present []byte, fraction uint8, allow bool) {
		if len(levels) > 200 || len(present) > 200 {
			return
		}
		target := config.Target{Name: "team", Type: model.GitHubTeam, Org: "o", Team: "t", Keep: []string{"keep-bot"}, Levels: []model.Level{model.Supervised, model.Permanent}}
		cfg := &config.Config{Safety: config.Safety{MaxRemovalFraction: float64(fraction%101) / 100}, Targets: []config.Target{target}}
		var decisions []model.Decision
		desired := map[string]bool{}
		for i, b := range levels {
			l := model.Level(b % 4)
			p := &model.Person{ID: fmt.Sprintf("p%d", i), GitHub: fmt.Sprintf("User-%d", i)}
			decisions = append(decisions, model.Decision{Person: p, Level: l})
			if target.Includes(l) {
				desired[fmt.Sprintf("user-%d", i)] = true
			}
		}
		// present[i]: 0 absent, 1 a member, 2 pending, 3 through a child team; beyond the people, strangers.
		var st outcome.TargetState
		st.Target = "team"
		protected := map[string]bool{}
		for i, b := range present {
			login := fmt.Sprintf("user-%d", i)
			switch b % 4 {
			case 1:
				st.Entries = append(st.Entries, outcome.Entry{Subject: login})
			case 2:
				st.Entries = append(st.Entries, outcome.Entry{Subject: login, Pending: true})
			case 3:
				st.Entries = append(st.Entries, outcome.Entry{Subject: login, Protected: "child team"})
				protected[login] = true
			}
		}
		if len(present)%2 == 1 {
			st.Entries = append(st.Entries, outcome.Entry{Subject: "keep-bot"})
		}
		plan := Diff(Input{Config: cfg, Decisions: decisions, States: []outcome.TargetState{st}})
		tp := plan.Targets[0]
		after := map[string]bool{}
		for _, e := range st.Entries {
			after[target.SubjectKey(e.Subject)] = true
		}
		for _, c := range tp.Changes {
			k := target.SubjectKey(c.Subject)
			switch c.Action {
			case outcome.Add:
				if !desired[k] || after[k] {
					t.Fatalf("adds %s, who is not entitled or already present", c.Subject)
				}
				after[k] = true
			case outcome.Remove:
				if desired[k] || protected[k] || k == "keep-bot" || !after[k] {
					t.Fatalf("removes %s, who is entitled, protected, kept or absent", c.Subject)
				}
				delete(after, k)
			}
		}
		for k := range after {
			if !desired[k] && !protected[k] && k != "keep-bot" {
				t.Fatalf("after the plan, %s holds access the rules do not give", k)
			}
		}
		for k := range desired {
			if !after[k] {
				t.Fatalf("after the plan, %s lacks access the rules give", k)
			}
		}

		CheckSafety(plan, cfg, allow)
		if len(plan.Refusals) == 0 {
			limit := max(1, int(math.Floor(cfg.Safety.MaxRemovalFraction*float64(tp.Current))))
			if tp.Removals() > limit && !allow {
				t.Fatalf("%d removals of %d passed with a limit of %d", tp.Removals(), tp.Current, limit)
			}
			if before := tp.Current - tp.Kept; before > 0 && before+len(tp.Changes)-2*tp.Removals() <= 0 {
				t.Fatalf("a plan that empties the target passed")
			}
		}

		// A failed read plans nothing.
		states, err := ReadAll(context.Background(), []Provider{failing{}})
		if err == nil || states != nil {
			t.Fatalf("a failed read gave states %v and error %v", states, err)
		}
	})
}

type failing struct{}

func (failing) Targets() []string { return []string{"team"} }
func (failing) Mode() Mode        { return Direct }
func (failing) Read(context.Context) ([]outcome.TargetState, error) {
	return []outcome.TargetState{{Target: "team"}}, errors.New("read failed half way")
}
func (failing) Apply(context.Context, *outcome.Plan, []outcome.Change) []outcome.Result { return nil }
