package model_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/internal/peoplegen"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
)

// TestReplaceMatchesRebuild changes a roster file by file, at random, and
// checks after every change that it holds the same problems and decisions
// as a roster built afresh from the same files, and that everyone whose
// level changed is among those Replace said were affected.
func TestReplaceMatchesRebuild(t *testing.T) {
	const n = 120
	parse := func(id, body string) *model.Person {
		return personfile.ParsePerson(&model.Person{ID: id, File: "people/" + id + ".yaml"}, []byte(body))
	}
	// The rebuilds parse each version of a file once: parsing is not what
	// is compared, and parsing 120 files at each step made this the
	// slowest test of the package under the race detector. Their people
	// are their own, never the ones given to Replace.
	parsed := map[[2]string]*model.Person{}
	rebuilt := func(id, body string) *model.Person {
		k := [2]string{id, body}
		if parsed[k] == nil {
			parsed[k] = parse(id, body)
		}
		return parsed[k]
	}
	files := map[string]string{}
	for i := range n {
		id, body := peoplegen.File(i, n)
		files[id] = body
	}
	var people []*model.Person
	for id, body := range files {
		people = append(people, parse(id, body))
	}
	r := model.NewRoster(people, model.DefaultPolicy())
	days := []model.Day{model.DayFromDate(2017, 3, 3), model.DayFromDate(2021, 11, 1), model.DayFromDate(2026, 1, 1)}
	levels := func(r *model.Roster) map[string][]model.Level {
		out := map[string][]model.Level{}
		for _, p := range r.People {
			for _, d := range days {
				out[p.ID] = append(out[p.ID], r.Level(p, d))
			}
		}
		return out
	}
	rng := rand.New(rand.NewPCG(1, 2))
	mutations := []func(id, body string) string{
		func(id, body string) string { return "" }, // delete the file
		func(id, body string) string {
			return strings.Replace(body, "role: lead_developer", "role: developer", 1)
		},
		func(id, body string) string { // claim someone else's login
			return strings.Replace(body, "github: "+id, fmt.Sprintf("github: person-%05d", rng.IntN(n)), 1)
		},
		func(id, body string) string { return body + "last_day: 2020-01-01\n" },
		func(id, body string) string { return strings.Replace(body, "programme: govuk", "programme: gov.uk", 1) }, // a bad file
		func(id, body string) string { // restore the original
			_, orig := peoplegen.File(mustAtoi(strings.TrimPrefix(id, "person-")), n)
			return orig
		},
	}
	for step := range 150 {
		before := levels(r)
		id := fmt.Sprintf("person-%05d", rng.IntN(n))
		body := mutations[rng.IntN(len(mutations))](id, files[id])
		change := map[string]*model.Person{id: nil}
		if body == "" {
			delete(files, id)
		} else {
			files[id] = body
			change[id] = parse(id, body)
		}
		affected := r.Replace(change, nil)

		var all []*model.Person
		for fid, fbody := range files {
			all = append(all, rebuilt(fid, fbody))
		}
		fresh := model.NewRoster(all, model.DefaultPolicy())
		if diff := cmp.Diff(fresh.Problems().Error(), r.Problems().Error()); diff != "" {
			t.Fatalf("step %d (%s): problems differ from a rebuild (-rebuilt +updated):\n%s", step, id, diff)
		}
		after := levels(r)
		if diff := cmp.Diff(levels(fresh), after); diff != "" {
			t.Fatalf("step %d (%s): levels differ from a rebuild (-rebuilt +updated):\n%s", step, id, diff)
		}
		for pid, ls := range after {
			if !slices.Equal(ls, before[pid]) && !slices.Contains(affected, pid) {
				t.Fatalf("step %d (%s): %s's levels changed but Replace did not name them", step, id, pid)
			}
		}
	}
}

func mustAtoi(s string) int {
	var n int
	fmt.Sscan(s, &n)
	return n
}

func TestClosest(t *testing.T) {
	ids := []string{"alex-lead", "sam-senior", "chris-contractor", "al"}
	for _, tt := range []struct{ in, want string }{
		{"alex-leed", "alex-lead"},
		{"sam-seniro", "sam-senior"},
		{"chris", ""},
		{"zz", ""},
		{"a", "al"},
		{"bob", ""},
	} {
		if got := model.Closest(tt.in, ids); got != tt.want {
			t.Errorf("Closest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
