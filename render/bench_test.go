package render_test

import (
	"bytes"
	"io/fs"
	"testing"
	"time"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/peoplerepo"
	"github.com/prodaccess/prodaccess/personfile"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/prodaccess/prodaccess/render"
)

// BenchmarkAccessReport1000People10Years renders the report of 1,000
// people over ten years of history, a commit a day, and reports the size
// of the page. The history is read once, before the timer starts.
func BenchmarkAccessReport1000People10Years(b *testing.B) {
	r := tenYears(b)
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := render.WriteAccessReport(&buf, r); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1e6, "MB")
	b.ReportMetric(float64(len(r.Timeline.Events)), "events")
}

// tenYears reads a generated history of 1,000 people from 2016 to 2025.
func tenYears(b *testing.B) *render.AccessReport {
	b.Helper()
	dir := b.TempDir()
	start := time.Date(2016, 1, 1, 9, 0, 0, 0, time.UTC)
	if err := devstack.WriteHistoryFrom(dir, 1000, 3653, start, 24*time.Hour); err != nil {
		b.Fatal(err)
	}
	repo, err := peoplerepo.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	h, branch, err := repo.History("main", "people", "prodaccess.yaml")
	if err != nil {
		b.Fatal(err)
	}
	to := model.DayFromDate(2025, 12, 31)
	t, err := reconciler.BuildTimeline(h, reconciler.TimelineOptions{Branch: branch, PeopleLabel: "people", ConfigFile: "prodaccess.yaml", Location: time.UTC, To: to})
	if err != nil {
		b.Fatal(err)
	}
	cs, err := h.Commits()
	if err != nil {
		b.Fatal(err)
	}
	last := &cs[len(cs)-1]
	rev, err := h.Revision(last.SHA)
	if err != nil {
		b.Fatal(err)
	}
	sub, err := fs.Sub(rev.FS, "people")
	if err != nil {
		b.Fatal(err)
	}
	people, err := personfile.LoadPeople(sub, "people")
	if err != nil {
		b.Fatal(err)
	}
	review := reconciler.Review(model.NewRoster(people, model.DefaultPolicy()), to, last, nil, to.Time())
	return &render.AccessReport{Timeline: t, Review: review, From: model.DayFromDate(2016, 1, 1), RepoURL: "https://github.com/example/people"}
}
