package peoplerepo

import (
	"io/fs"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/personfile"
	"github.com/prodaccess/prodaccess/reconciler"
)

// TestTimelineAgreesWithRebuilds checks the incremental timeline against
// rosters built afresh: replaying its events up to the end of any day must
// give exactly the levels that the files in force that day give.
func TestTimelineAgreesWithRebuilds(t *testing.T) {
	dir := t.TempDir()
	const people, commits = 80, 400 // an hour apart from 2020-01-01 09:00
	if err := devstack.WriteHistory(dir, people, commits); err != nil {
		t.Fatal(err)
	}
	repo, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	h, branch, err := repo.History("main", "people", "prodaccess.yaml")
	if err != nil {
		t.Fatal(err)
	}
	to := model.DayFromDate(2026, 1, 1)
	tl, err := reconciler.BuildTimeline(h, reconciler.TimelineOptions{Branch: branch, PeopleLabel: "people", ConfigFile: "prodaccess.yaml", Location: time.UTC, To: to})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := h.Commits()
	if err != nil {
		t.Fatal(err)
	}
	var days []model.Day
	for d := model.DayFromDate(2020, 1, 1); d <= model.DayFromDate(2020, 1, 20); d++ {
		days = append(days, d)
	}
	days = append(days, model.DayFromDate(2020, 6, 1), model.DayFromDate(2021, 3, 1), model.DayFromDate(2023, 7, 1), to)
	for _, d := range days {
		replayed := map[string]model.Level{}
		for _, e := range tl.Events {
			if e.Day <= d && e.Cause != outcome.CauseInvalid {
				if e.To == model.None {
					delete(replayed, e.Person)
				} else {
					replayed[e.Person] = e.To
				}
			}
		}
		// The files in force at the end of d.
		end := d.Time().AddDate(0, 0, 1)
		var last *outcome.Commit
		for i := range cs {
			if cs[i].When.Before(end) {
				last = &cs[i]
			}
		}
		rebuilt := map[string]model.Level{}
		if last != nil {
			rev, err := h.Revision(last.SHA)
			if err != nil {
				t.Fatal(err)
			}
			sub, err := fs.Sub(rev.FS, "people")
			if err != nil {
				t.Fatal(err)
			}
			ps, err := personfile.LoadPeople(sub, "people")
			if err != nil {
				t.Fatal(err)
			}
			for _, dc := range model.NewRoster(ps, model.DefaultPolicy()).Evaluate(d) {
				if dc.Level != model.None {
					rebuilt[dc.Person.ID] = dc.Level
				}
			}
		}
		if diff := cmp.Diff(rebuilt, replayed); diff != "" {
			t.Fatalf("on %s the timeline disagrees with a rebuild (-rebuilt +timeline):\n%s", d, diff)
		}
	}
	if len(tl.Events) < 50 {
		t.Errorf("only %d events; the history should give many", len(tl.Events))
	}
}

// TestIntroducedTakesWhatTheTimelineParsed: after a timeline of a history
// kept what it parsed (KeepParsed), Introduced answers as a repository
// that never walked it does, parsing nothing again; and it does take what
// was kept, since spoiling one file's keys changes its answer.
func TestIntroducedTakesWhatTheTimelineParsed(t *testing.T) {
	dir := t.TempDir()
	if err := devstack.WriteHistory(dir, 30, 200); err != nil {
		t.Fatal(err)
	}
	repo, head := openAtHead(t, dir)
	h, branch, err := repo.History("main", "people", "prodaccess.yaml")
	if err != nil {
		t.Fatal(err)
	}
	opts := reconciler.TimelineOptions{Branch: branch, PeopleLabel: "people", ConfigFile: "prodaccess.yaml", Location: time.UTC, To: model.DayFromDate(2026, 1, 1)}
	if _, err := reconciler.BuildTimeline(h, opts); err != nil {
		t.Fatal(err)
	}
	if len(repo.held) != 0 {
		t.Fatalf("a timeline alone kept %d files' keys", len(repo.held))
	}
	h.KeepParsed()
	if _, err := reconciler.BuildTimeline(h, opts); err != nil {
		t.Fatal(err)
	}
	if len(repo.held) == 0 {
		t.Fatal("the timeline kept nothing after KeepParsed")
	}
	fresh, _ := openAtHead(t, dir)
	people, err := fresh.People(head, "people", "people")
	if err != nil {
		t.Fatal(err)
	}
	var entries []model.EntryRef
	for _, p := range people {
		entries = append(entries, p.AllEntries()...)
	}
	tip := head.Commit.Hash.String()
	fromScratch, _ := openAtHead(t, dir)
	want, err := fromScratch.Introduced(tip, "people", "people", entries)
	if err != nil {
		t.Fatal(err)
	}
	got, err := repo.Introduced(tip, "people", "people", entries)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Introduced after the timeline kept its parses differs from one that parses (-want +got):\n%s", diff)
	}
	for k := range repo.held {
		repo.held[k] = map[string]bool{} // holds nothing: its entries were all written by the next change
	}
	spoiled, _ := openAtHead(t, dir)
	spoiled.held = repo.held
	got, err = spoiled.Introduced(tip, "people", "people", entries)
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Equal(want, got) {
		t.Error("spoiling the kept keys changed nothing: Introduced did not take them")
	}
}
