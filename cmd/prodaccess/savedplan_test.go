package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// readSaved reads a saved plan without checking it, as an attacker would.
func readSaved(t *testing.T, path string) *outcome.Plan {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var p outcome.Plan
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

// writeSaved writes a plan back, with a digest that matches the edited
// content when redigest is set (anyone can compute one), or the old one.
func writeSaved(t *testing.T, path string, p *outcome.Plan, redigest bool) {
	t.Helper()
	var data []byte
	var err error
	if redigest {
		data, err = outcome.EncodeSavedPlan(p)
	} else {
		data, err = json.MarshalIndent(p, "", "  ")
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTamperedSavedPlan: apply --plan applies nothing from a saved plan
// that was edited, whether or not its digest was made to match: it
// computes the plan again and refuses unless the two are the same.
func TestTamperedSavedPlan(t *testing.T) {
	t.Parallel()
	edits := []struct {
		name string
		edit func(p *outcome.Plan)
		want string
	}{
		{"a login with no person file added to the team", func(p *outcome.Plan) {
			tp := p.Target("github-production")
			tp.Changes = append(tp.Changes, outcome.Change{Target: "github-production", Action: outcome.Add, Subject: "zed-gh", Level: model.Permanent, Reason: "trust me"})
		}, "github-production: the saved plan would add zed-gh github-production, which a plan made now would not"},
		{"an entitled member removed", func(p *outcome.Plan) {
			tp := p.Target("github-production")
			tp.Changes = append(tp.Changes, outcome.Change{Target: "github-production", Action: outcome.Remove, Subject: "alice-gh", Reason: "left"})
		}, "github-production: the saved plan would remove alice-gh github-production, which a plan made now would not"},
		{"an invented fingerprint added to the recipients", func(p *outcome.Plan) {
			tp := p.Target("hieradata")
			tp.Changes = append(tp.Changes, outcome.Change{Target: "hieradata", Action: outcome.Add, Subject: fingerprint('9'), Reason: "machine"})
		}, "hieradata: the saved plan would add " + fingerprint('9') + " hieradata, which a plan made now would not"},
		{"a planned grant dropped", func(p *outcome.Plan) {
			p.Target("github-production").Changes = nil
		}, "github-production: a plan made now would add bob-gh (bob) github-production, which the saved plan would not"},
		{"the reason of a change rewritten", func(p *outcome.Plan) {
			p.Target("github-production").Changes[0].Reason = "approved by the security team"
		}, `github-production: the saved plan's "add bob-gh" differs from the same change made now`},
	}
	for _, e := range edits {
		for _, redigest := range []bool{false, true} {
			name := e.name
			if redigest {
				name += ", digest recomputed"
			}
			t.Run(name, func(t *testing.T) {
				w := newStack(t, map[string]string{
					"alice": permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""),
					"bob":   permanentFile("Bob Brown", "bob-gh", 0, fingerprint('B'), "bob", ""),
				}, []string{fingerprint('A')}, []string{"alice"})
				w.gh.AddUser("alice-gh", 1, true)
				w.gh.AddUser("bob-gh", 2, true)
				w.gh.AddUser("zed-gh", 3, true)
				w.gh.SetMember("gov-uk-production", "alice-gh", "member")
				planFile := filepath.Join(t.TempDir(), "plan.json")
				must(t, w.run("plan", "--out", planFile), 2, "plan --out")
				p := readSaved(t, planFile)
				e.edit(p)
				writeSaved(t, planFile, p, redigest)

				w.gh.ResetRequests()
				r := w.run("apply", "--plan", planFile)
				must(t, r, 1, "apply --plan with an edited plan")
				want := e.want
				if !redigest {
					want = "the saved plan was edited after it was made"
				}
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
				}
				if n := w.gh.Writes(); n != 0 || branchHead(t, w.secrets) != "" || branchHead(t, w.puppet) != "" {
					t.Errorf("an edited plan led to writes: %d GitHub writes, branches %q %q", n, branchHead(t, w.secrets), branchHead(t, w.puppet))
				}
				if diff := cmp.Diff([]string{"alice-gh"}, w.gh.Members("gov-uk-production")); diff != "" {
					t.Errorf("members (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestSavedPlanRefusalsStay: deleting the refusals of a refused plan does
// not let its removals through, and neither does a plan that was made with
// --allow-mass-removal when apply is run without it.
func TestSavedPlanRefusalsStay(t *testing.T) {
	t.Parallel()
	people := map[string]string{"alice": permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", "")}
	w := newStack(t, people, []string{fingerprint('A')}, []string{"alice"})
	w.gh.AddUser("alice-gh", 1, true)
	w.gh.SetMember("gov-uk-production", "alice-gh", "member")
	for _, l := range "bcd" {
		w.gh.AddUser(string(l)+"-gh", int64(l), true)
		w.gh.SetMember("gov-uk-production", string(l)+"-gh", "member")
	}
	planFile := filepath.Join(t.TempDir(), "plan.json")
	must(t, w.run("plan", "--out", planFile), 1, "a refused plan")
	p := readSaved(t, planFile)
	if len(p.Refusals) == 0 {
		t.Fatalf("the plan has no refusal: %+v", p)
	}
	p.Refusals = []string{}
	writeSaved(t, planFile, p, true)
	r := w.run("apply", "--plan", planFile)
	must(t, r, 1, "apply --plan without its refusals")
	if !strings.Contains(r.stderr, "a plan made now has a refusal that the saved plan does not: github-production: would remove 3 of its 4 entries") {
		t.Errorf("stderr:\n%s", r.stderr)
	}

	must(t, w.run("plan", "--allow-mass-removal", "--out", planFile), 2, "plan --allow-mass-removal")
	r = w.run("apply", "--plan", planFile)
	must(t, r, 1, "apply --plan of a mass-removal plan without the flag")
	if !strings.Contains(r.stderr, "made with allow_mass_removal true, and this apply has false") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if n := w.gh.Writes(); n != 0 {
		t.Errorf("%d GitHub writes", n)
	}
	must(t, w.run("apply", "--allow-mass-removal", "--plan", planFile), 0, "apply --plan with the flag")
	if diff := cmp.Diff([]string{"alice-gh"}, w.gh.Members("gov-uk-production")); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
}
