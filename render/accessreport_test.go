package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

func day(s string) model.Day {
	d, err := model.ParseDay(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestHistories(t *testing.T) {
	c := &outcome.Commit{SHA: "0123456789abcdef0123456789abcdef01234567", Subject: "Change", PR: 3}
	ev := func(d, person string, from, to model.Level, cause string) outcome.TimelineEvent {
		e := outcome.TimelineEvent{Day: day(d), Person: person, From: from, To: to, Cause: cause}
		if cause != outcome.CauseRule {
			e.Commit = c
		}
		return e
	}
	rename := ev("2021-03-01", "bo-b", model.Permanent, model.Permanent, outcome.CauseRename)
	rename.RenamedFrom = "bo"
	// A file renamed to the id of someone who had left: two rows.
	onto := ev("2021-05-01", "dee", model.Permanent, model.Permanent, outcome.CauseRename)
	onto.RenamedFrom = "cy2"
	tl := &outcome.Timeline{To: day("2021-12-31"), Events: []outcome.TimelineEvent{
		ev("2021-01-04", "al", model.None, model.TemporarySupervised, outcome.CauseRule),
		ev("2021-01-04", "bo", model.None, model.Permanent, outcome.CauseCommit),
		ev("2021-01-09", "al", model.TemporarySupervised, model.None, outcome.CauseRule),
		{Day: day("2021-02-01"), Cause: outcome.CauseInvalid, Commit: c},
		// Two changes on one day leave no span for the level between.
		ev("2021-02-01", "al", model.None, model.Supervised, outcome.CauseCommit),
		ev("2021-02-01", "al", model.Supervised, model.Permanent, outcome.CauseRule),
		rename,
		ev("2021-06-30", "bo-b", model.Permanent, model.None, outcome.CauseRule),
		ev("2021-07-01", "cy", model.None, model.None, outcome.CauseRename),
		ev("2021-01-04", "dee", model.None, model.Permanent, outcome.CauseCommit),
		ev("2021-02-01", "dee", model.Permanent, model.None, outcome.CauseCommit),
		ev("2021-04-01", "cy2", model.None, model.Permanent, outcome.CauseCommit),
		onto,
	}}
	got := map[string][]span{}
	levels := map[string]model.Level{}
	formers := map[string][]string{}
	for id, h := range histories(tl) {
		got[id], levels[id], formers[id] = h.Spans, h.Level, h.Former
	}
	want := map[string][]span{
		"al":   {{model.TemporarySupervised, day("2021-01-04"), day("2021-01-08")}, {model.Permanent, day("2021-02-01"), day("2021-12-31")}},
		"bo-b": {{model.Permanent, day("2021-01-04"), day("2021-06-29")}},
		"cy":   nil,
		"cy2":  {{model.Permanent, day("2021-04-01"), day("2021-04-30")}},
		"dee":  {{model.Permanent, day("2021-01-04"), day("2021-01-31")}, {model.Permanent, day("2021-05-01"), day("2021-12-31")}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]model.Level{"al": model.Permanent, "bo-b": model.None, "cy": model.None, "cy2": model.None, "dee": model.Permanent}, levels); diff != "" {
		t.Errorf("levels at the end (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string][]string{"al": nil, "bo-b": {"bo"}, "cy": nil, "cy2": nil, "dee": nil}, formers); diff != "" {
		t.Errorf("former ids (-want +got):\n%s", diff)
	}

	// Clipped to a window.
	if diff := cmp.Diff([]span{{model.Permanent, day("2021-02-01"), day("2021-03-31")}}, clip(want["al"], day("2021-01-10"), day("2021-03-31"))); diff != "" {
		t.Errorf("clip (-want +got):\n%s", diff)
	}
}

// TestEscaping renders markup from every field people can propose: a
// name, an id's neighbours, a reason and a commit message. None of it may
// reach the page as markup.
func TestEscaping(t *testing.T) {
	const script, img = `<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`
	c := &outcome.Commit{SHA: "0123456789abcdef0123456789abcdef01234567", Author: script, Subject: img, When: time.Date(2021, 1, 4, 10, 0, 0, 0, time.UTC)}
	until := day("2021-02-26")
	r := &AccessReport{
		Timeline: &outcome.Timeline{Branch: script, To: day("2021-02-10"), Commits: 1,
			Events: []outcome.TimelineEvent{{Day: day("2021-01-04"), Person: "mallory", To: model.TemporarySupervised, Cause: outcome.CauseCommit, Commit: c, Detail: img}},
			People: map[string]*model.Person{"mallory": {ID: "mallory", Name: script, Programme: model.OtherProgramme, Role: model.OtherRole}}},
		Review: &outcome.Review{At: day("2021-02-10"), Commit: c, Rows: []outcome.ReviewRow{{ID: "mallory", Name: script, Level: model.TemporarySupervised,
			Basis: []string{"temporary-exception: " + img}, ApprovedBy: script, Supervisor: img, Until: &until, Flags: []string{img}}}},
		From:    day("2021-01-01"),
		RepoURL: "https://github.com/example/people",
	}
	var b bytes.Buffer
	if err := WriteAccessReport(&b, r); err != nil {
		t.Fatal(err)
	}
	page := strings.ToLower(b.String())
	for _, raw := range []string{"<script", "<img", "onerror=alert(1)>"} {
		if strings.Contains(page, raw) {
			t.Errorf("the page holds %s as markup", raw)
		}
	}
	for _, shown := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"} {
		if !strings.Contains(page, shown) {
			t.Errorf("the page does not show %s as text", shown)
		}
	}
}

func TestFromAfterTo(t *testing.T) {
	r := &AccessReport{Timeline: &outcome.Timeline{To: day("2021-01-01")}, Review: &outcome.Review{}, From: day("2021-01-02")}
	if err := WriteAccessReport(&bytes.Buffer{}, r); err == nil {
		t.Error("a window that ends before it starts was drawn")
	}
}

// TestHeadlineCountsPeopleWithAccess: the headline counts the people with
// access, level by level, and the people flagged who have none (who can
// still read secrets) apart, never among them.
func TestHeadlineCountsPeopleWithAccess(t *testing.T) {
	c := &outcome.Commit{SHA: "0123456789abcdef0123456789abcdef01234567", When: time.Date(2021, 1, 4, 10, 0, 0, 0, time.UTC)}
	r := &AccessReport{
		Timeline: &outcome.Timeline{Branch: "main", To: day("2021-02-10"), Commits: 1},
		Review: &outcome.Review{At: day("2021-02-10"), Commit: c, Rows: []outcome.ReviewRow{
			{ID: "al", Name: "Al", Level: model.Permanent},
			{ID: "bo", Name: "Bo", Level: model.Supervised, Flags: []string{"access ends within 14 days"}},
			{ID: "cy", Name: "Cy", Level: model.None, Flags: []string{"has had no access since 2020-01-01 and can still read secrets"}},
		}},
		From: day("2021-01-01"),
	}
	var b bytes.Buffer
	if err := WriteAccessReport(&b, r); err != nil {
		t.Fatal(err)
	}
	const want = "On 2021-02-10, 2 people had production access: 1 permanent, 1 supervised, 0 temporary_supervised; 1 flagged for the reviewer, and 1 person without access flagged apart."
	if !strings.Contains(b.String(), want) {
		t.Errorf("the headline does not say %q:\n%s", want, b.String()[strings.Index(b.String(), "<header>"):strings.Index(b.String(), "</header>")])
	}
}
