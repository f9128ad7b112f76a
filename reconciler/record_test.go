package reconciler

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// TestHeldOn: a holder is listed since the first commit of the unbroken
// run that holds them; a removal and a later addition start a new run,
// and commits made after the day do not count.
func TestHeldOn(t *testing.T) {
	target := &config.Target{Name: "signon", Type: model.Manual, Record: &config.Record{Path: "signon.txt"}}
	at := func(day int) time.Time { return time.Date(2026, 3, day, 12, 0, 0, 0, time.UTC) }
	version := func(day int, subject string, holders ...string) outcome.RecordVersion {
		v := outcome.RecordVersion{Commit: outcome.Commit{SHA: subject, When: at(day), Subject: subject}}
		for _, h := range holders {
			v.Entries = append(v.Entries, outcome.Entry{Subject: h})
		}
		return v
	}
	versions := []outcome.RecordVersion{
		version(1, "start", "al@x", "bo@x"),
		version(3, "bo leaves", "al@x"),
		version(5, "bo is back", "al@x", "Bo@x"),
		version(9, "al leaves", "Bo@x"),
	}
	tests := []struct {
		day  int
		want []string
	}{
		{2, []string{"al@x since start", "bo@x since start"}},
		{4, []string{"al@x since start"}},
		{8, []string{"al@x since start", "Bo@x since bo is back"}},
		{9, []string{"Bo@x since bo is back"}},
	}
	for _, tt := range tests {
		r := HeldOn(target, versions, model.DayFromDate(2026, 3, tt.day), time.Date(2026, 3, tt.day+1, 0, 0, 0, 0, time.UTC))
		var got []string
		for _, h := range r.Holders {
			got = append(got, h.Subject+" since "+h.Since.Subject)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("day %d (-want +got):\n%s", tt.day, diff)
		}
	}
	if r := HeldOn(target, versions, model.DayFromDate(2026, 2, 1), at(1).Add(-time.Hour)); r.Commit != nil || len(r.Holders) != 0 {
		t.Errorf("before the first commit: %+v", r)
	}
}
