package reconciler

import (
	"slices"
	"strings"
	"time"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// HeldOn is what the history of a record says of the end of day at
// (before end, an instant): who it listed, and since which commit,
// comparing entries as the target t does.
func HeldOn(t *config.Target, versions []outcome.RecordVersion, at model.Day, end time.Time) *outcome.RecordAt {
	out := &outcome.RecordAt{Target: t.Name, Path: t.Record.Path, At: at, Holders: []outcome.RecordHolder{}}
	since := map[string]outcome.RecordHolder{}
	for i := range versions {
		v := &versions[i]
		if !v.Commit.When.Before(end) {
			break
		}
		out.Commit = &v.Commit
		next := map[string]outcome.RecordHolder{}
		for _, e := range v.Entries {
			k := t.SubjectKey(e.Subject)
			h, ok := since[k]
			if !ok {
				h = outcome.RecordHolder{Since: v.Commit}
			}
			h.Subject, h.Label = e.Subject, e.Label
			next[k] = h
		}
		since = next
	}
	for _, h := range since {
		out.Holders = append(out.Holders, h)
	}
	slices.SortFunc(out.Holders, func(a, b outcome.RecordHolder) int {
		return strings.Compare(t.SubjectKey(a.Subject), t.SubjectKey(b.Subject))
	})
	return out
}
