package personfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prodaccess/prodaccess/model"
)

// FuzzLoadPerson feeds arbitrary bytes to the person-file loader. It must
// never panic; every problem must name the file and a place in it; a file
// with a problem grants nothing; and a file without one must give a person
// with the fields the contract requires.
func FuzzLoadPerson(f *testing.F) {
	// Seeds: the good base and every bad input of the corpus.
	files, _ := filepath.Glob("testdata/bad/*/*.y*ml")
	files = append(files, "testdata/good/jane-doe.yaml")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	days := []model.Day{model.DayFromDate(2019, 1, 1), model.DayFromDate(2021, 6, 15), model.DayFromDate(2030, 1, 1)}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := decodePerson("people/jane-doe.yaml", "jane-doe", data)
		for _, pr := range p.Problems {
			if pr.File != "people/jane-doe.yaml" || pr.Line < 1 || pr.Col < 1 || strings.TrimSpace(pr.Message) == "" {
				t.Fatalf("a problem without a place or a message: %+v", pr)
			}
		}
		r := model.NewRoster([]*model.Person{p}, model.DefaultPolicy())
		for _, d := range days {
			l := r.Level(p, d)
			if !r.Valid(p) && l != model.None {
				t.Fatalf("an invalid file grants %s on %s: %v", l, d, r.ProblemsOf(p))
			}
			dc := r.Decide(p, d)
			if dc.Level != l {
				t.Fatalf("Decide and Level disagree on %s: %s and %s", d, dc.Level, l)
			}
			if dc.Until != nil && *dc.Until < d {
				t.Fatalf("until %s is before the day %s", dc.Until, d)
			}
		}
		if p.FileValid() {
			if p.Name == "" || p.Email == "" || p.Programme == "" || p.Role == "" || p.Employment == "" || p.Clearance == "" {
				t.Fatalf("a valid file lacks a required field: %+v", p)
			}
			if p.GPGFingerprint != "" && len(p.GPGFingerprint) != 40 {
				t.Fatalf("a valid fingerprint of %d characters", len(p.GPGFingerprint))
			}
			if p.GitHub != "" && !model.ValidGitHubLogin(p.GitHub) {
				t.Fatalf("an invalid login passed: %q", p.GitHub)
			}
		}
	})
}
