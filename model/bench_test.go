package model

import (
	"os"
	"testing"

	"github.com/prodaccess/prodaccess/internal/peoplegen"
)

const benchPeople = 10000

func benchFolder(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	if err := peoplegen.Write(dir, benchPeople); err != nil {
		b.Fatal(err)
	}
	return dir
}

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
	r := NewRoster(people, DefaultPolicy())
	if len(r.Problems()) > 0 {
		t.Fatalf("generated people have problems:\n%v", r.Problems()[:min(10, len(r.Problems()))])
	}
	levels := map[Level]int{}
	for _, dc := range r.Evaluate(day(t, "2021-11-01")) {
		levels[dc.Level]++
	}
	for _, l := range Levels {
		if levels[l] == 0 {
			t.Errorf("no generated person at %s: %v", l, levels)
		}
	}
}

// BenchmarkLoadPeople reads and checks 10,000 person files from disk.
func BenchmarkLoadPeople(b *testing.B) {
	dir := benchFolder(b)
	fsys := os.DirFS(dir)
	b.ResetTimer()
	for b.Loop() {
		people, err := LoadPeople(fsys, "people")
		if err != nil {
			b.Fatal(err)
		}
		NewRoster(people, DefaultPolicy())
	}
}

// BenchmarkEvaluate decides 10,000 people's levels, reasons and until.
func BenchmarkEvaluate(b *testing.B) {
	people, err := LoadPeople(os.DirFS(benchFolder(b)), "people")
	if err != nil {
		b.Fatal(err)
	}
	r := NewRoster(people, DefaultPolicy())
	d := DayFromDate(2021, 11, 1)
	b.ResetTimer()
	for b.Loop() {
		r.Evaluate(d)
	}
}
