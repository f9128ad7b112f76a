package personfile

import (
	"os"
	"testing"

	"github.com/prodaccess/prodaccess/internal/peoplegen"
	"github.com/prodaccess/prodaccess/model"
)

// TestGeneratedPeopleValidate keeps the benchmark data honest: a
// benchmark over files full of problems would measure the wrong thing.
func TestGeneratedPeopleValidate(t *testing.T) {
	dir := t.TempDir()
	if err := peoplegen.Write(dir, 500); err != nil {
		t.Fatal(err)
	}
	people, err := LoadPeople(os.DirFS(dir), "people")
	if err != nil {
		t.Fatal(err)
	}
	r := model.NewRoster(people, model.DefaultPolicy())
	if len(r.Problems()) > 0 {
		t.Fatalf("generated people have problems:\n%v", r.Problems()[:min(10, len(r.Problems()))])
	}
	levels := map[model.Level]int{}
	for _, dc := range r.Evaluate(day(t, "2021-11-01")) {
		levels[dc.Level]++
	}
	for _, l := range model.Levels {
		if levels[l] == 0 {
			t.Errorf("no generated person at %s: %v", l, levels)
		}
	}
}

// BenchmarkLoadPeople reads and checks 10,000 person files from disk.
func BenchmarkLoadPeople(b *testing.B) {
	dir := peoplegen.Folder(b, 10000)
	fsys := os.DirFS(dir)
	b.ResetTimer()
	for b.Loop() {
		people, err := LoadPeople(fsys, "people")
		if err != nil {
			b.Fatal(err)
		}
		model.NewRoster(people, model.DefaultPolicy())
	}
}
