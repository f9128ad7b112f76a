package reconciler

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/personfile"
)

// TestBadInputsPlanNothing runs every bad-input case of the person files' corpus
// through Diff: nobody whose file has a problem is planned onto any target,
// and anyone such who holds access is planned off it.
func TestBadInputsPlanNothing(t *testing.T) {
	cfg, err := config.ParseConfig("prodaccess.yaml", []byte(testConfig))
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := filepath.Glob("../personfile/testdata/bad/*")
	if err != nil || len(dirs) < 60 {
		t.Fatalf("%d bad-input cases (%v); at least 60 are expected", len(dirs), err)
	}
	day := model.DayFromDate(2021, 6, 15)
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			people, err := personfile.LoadPeople(os.DirFS(dir), "people")
			if err != nil {
				t.Fatal(err)
			}
			r := model.NewRoster(people, cfg.Policy)
			decisions := r.Evaluate(day)
			// Everyone is on every target already, under the identity
			// their file gives, so a plan would keep or remove them.
			var present, empty []outcome.TargetState
			for _, tg := range cfg.Targets {
				st := outcome.TargetState{Target: tg.Name}
				for _, p := range r.People {
					if id := tg.Identity(p); id != "" {
						st.Entries = append(st.Entries, outcome.Entry{Subject: id})
					}
				}
				present = append(present, st)
				empty = append(empty, outcome.TargetState{Target: tg.Name})
			}
			invalid := map[string]bool{}
			for _, p := range r.People {
				if !r.Valid(p) {
					invalid[p.ID] = true
				}
			}
			if len(invalid) == 0 {
				t.Fatal("no invalid person in a bad-input case")
			}
			for _, tp := range Diff(Input{Config: cfg, At: day, Decisions: decisions, States: empty}).Targets {
				for _, c := range tp.Changes {
					if invalid[c.Person] {
						t.Errorf("planned %s for %s, whose file has a problem", c, c.Person)
					}
				}
			}
			removed := map[string]bool{}
			for _, tp := range Diff(Input{Config: cfg, At: day, Decisions: decisions, States: present}).Targets {
				for _, c := range tp.Changes {
					if c.Action == outcome.Add && invalid[c.Person] {
						t.Errorf("planned %s for %s, whose file has a problem", c, c.Person)
					}
					if c.Action == outcome.Remove {
						removed[c.Person] = true
					}
				}
			}
			for id := range invalid {
				if p := r.Person(id); p != nil && (p.GitHub != "" || p.GPGFingerprint != "" || p.SSHUsername != "") && !removed[id] {
					t.Errorf("%s holds access with a file that has a problem, and no removal is planned", id)
				}
			}
		})
	}
}
