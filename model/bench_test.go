package model_test

import (
	"os"
	"testing"

	"github.com/prodaccess/prodaccess/internal/peoplegen"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
)

// benchPeople is how many people the benchmarks read.
const benchPeople = 10000

// BenchmarkEvaluate decides 10,000 people's levels, reasons and until.
func BenchmarkEvaluate(b *testing.B) {
	people, err := personfile.LoadPeople(os.DirFS(peoplegen.Folder(b, benchPeople)), "people")
	if err != nil {
		b.Fatal(err)
	}
	r := model.NewRoster(people, model.DefaultPolicy())
	d := model.DayFromDate(2021, 11, 1)
	b.ResetTimer()
	for b.Loop() {
		r.Evaluate(d)
	}
}
