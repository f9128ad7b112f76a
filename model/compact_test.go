package model

// Tests of the compact forms the roster and people keep, against the
// plain forms they replace.

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestClaimsAsSlices: claims, after any run of adds and removes, hold
// each value's claimants as a map of slices does, in the order they came.
func TestClaimsAsSlices(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	people := make([]*Person, 6)
	for i := range people {
		people[i] = &Person{ID: fmt.Sprint("p", i)}
	}
	c := claims{one: map[string]*Person{}}
	want := map[string][]*Person{}
	for step := range 5000 {
		k, p := fmt.Sprint(rnd.IntN(4)), people[rnd.IntN(len(people))]
		if rnd.IntN(2) == 0 {
			c.add(k, p)
			want[k] = append(want[k], p)
		} else {
			c.remove(k, p)
			if want[k] = slices.DeleteFunc(want[k], func(q *Person) bool { return q == p }); len(want[k]) == 0 {
				delete(want, k)
			}
		}
		got := map[string][]*Person{}
		for k, p := range c.one {
			got[k] = []*Person{p}
		}
		for k, ps := range c.many {
			if len(ps) < 2 {
				t.Fatalf("step %d: %q has %d claimants among the many", step, k, len(ps))
			}
			if _, dup := got[k]; dup {
				t.Fatalf("step %d: %q is both one and many", step, k)
			}
			got[k] = ps
		}
		if diff := cmp.Diff(ids(want), ids(got)); diff != "" {
			t.Fatalf("step %d (-slices +claims):\n%s", step, diff)
		}
	}
}

func ids(m map[string][]*Person) map[string][]string {
	out := map[string][]string{}
	for k, ps := range m {
		for _, p := range ps {
			out[k] = append(out[k], p.ID)
		}
	}
	return out
}

// TestShadowShiftsShared: the shadow shifts, taken from the file's list
// without a copy where they stand together in order, are always those a
// copy sorted by start gives, and never reach past themselves.
func TestShadowShiftsShared(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	shared := 0
	for range 5000 {
		shifts := make([]Shift, rnd.IntN(6))
		for i := range shifts {
			shifts[i].Type = []ShiftType{Shadow, Shadow, Primary, Secondary}[rnd.IntN(4)]
			shifts[i].Start = Day(rnd.IntN(5))
			shifts[i].End = shifts[i].Start + 4
			shifts[i].key = fmt.Sprint(i)
		}
		var want []Shift
		for _, s := range shifts {
			if s.Type == Shadow {
				want = append(want, s)
			}
		}
		slices.SortStableFunc(want, func(a, b Shift) int { return int(a.Start - b.Start) })
		got := shadowShifts(shifts)
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(Shift{})); diff != "" {
			t.Fatalf("%v (-copied and sorted +got):\n%s", shifts, diff)
		}
		for i := range shifts {
			if len(got) > 0 && &shifts[i] == &got[0] {
				shared++
				if cap(got) != len(got) {
					t.Fatalf("shadow shifts shared with %v reach past themselves: len %d, cap %d", shifts, len(got), cap(got))
				}
			}
		}
	}
	if shared == 0 {
		t.Error("no shift list was shared: the test tells little")
	}
}
