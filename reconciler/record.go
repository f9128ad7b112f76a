package reconciler

import (
	"slices"
	"strings"
	"time"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
)

// HeldOn is what the history of a record says of the end of day at
// (before end, an instant): who it listed, and since which commit,
// comparing entries as the target t does.
func HeldOn(t *config.Target, versions []model.RecordVersion, at model.Day, end time.Time) *model.RecordAt {
	out := &model.RecordAt{Target: t.Name, Path: t.Record.Path, At: at, Holders: []model.RecordHolder{}}
	since := map[string]model.RecordHolder{}
	for i := range versions {
		v := &versions[i]
		if !v.Commit.When.Before(end) {
			break
		}
		out.Commit = &v.Commit
		next := map[string]model.RecordHolder{}
		for _, e := range v.Entries {
			k := t.SubjectKey(e.Subject)
			h, ok := since[k]
			if !ok {
				h = model.RecordHolder{Since: v.Commit}
			}
			h.Subject, h.Label = e.Subject, e.Label
			next[k] = h
		}
		since = next
	}
	for _, h := range since {
		out.Holders = append(out.Holders, h)
	}
	slices.SortFunc(out.Holders, func(a, b model.RecordHolder) int {
		return strings.Compare(t.SubjectKey(a.Subject), t.SubjectKey(b.Subject))
	})
	return out
}
