package model

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The record of a manual target is a file that says who holds the access
// (see Record). prodaccess changes it through a pull request that is the
// ticket for the work: it lists the actions to take by hand, and merging
// it records that they were taken, by whom and when.

// Instruction is what a person must do in the system of a manual target
// for one change.
func (t *Target) Instruction(c Change) string {
	if c.Action == Add {
		return fmt.Sprintf("%s for %s", t.Instructions, c.Subject)
	}
	return fmt.Sprintf("undo for %s: %s", c.Subject, t.Instructions)
}

// RecordVersion is the record file as one commit on the record's branch
// left it.
type RecordVersion struct {
	Commit  Commit
	Entries []Entry // none where the file is not there
}

// RecordHolder is one entry of a record on a day, and the commit that
// put it there (the first of the unbroken run of commits that hold it).
type RecordHolder struct {
	Subject string `json:"subject"`
	Label   string `json:"label,omitempty"`
	Since   Commit `json:"since"`
}

// RecordAt is who a record says held an access at the end of a day.
type RecordAt struct {
	Target string `json:"target"`
	Path   string `json:"path"`
	At     Day    `json:"at"`
	// Commit is the last commit on the branch before the end of the day;
	// nil when the branch had none yet.
	Commit  *Commit        `json:"commit"`
	Holders []RecordHolder `json:"holders"`
}

// HeldOn is what the history of a record says of the end of day at
// (before end, an instant): who it listed, and since which commit,
// comparing entries as the target t does.
func HeldOn(t *Target, versions []RecordVersion, at Day, end time.Time) *RecordAt {
	out := &RecordAt{Target: t.Name, Path: t.Record.Path, At: at, Holders: []RecordHolder{}}
	since := map[string]RecordHolder{}
	for i := range versions {
		v := &versions[i]
		if !v.Commit.When.Before(end) {
			break
		}
		out.Commit = &v.Commit
		next := map[string]RecordHolder{}
		for _, e := range v.Entries {
			k := t.SubjectKey(e.Subject)
			h, ok := since[k]
			if !ok {
				h = RecordHolder{Since: v.Commit}
			}
			h.Subject, h.Label = e.Subject, e.Label
			next[k] = h
		}
		since = next
	}
	for _, h := range since {
		out.Holders = append(out.Holders, h)
	}
	slices.SortFunc(out.Holders, func(a, b RecordHolder) int { return strings.Compare(t.SubjectKey(a.Subject), t.SubjectKey(b.Subject)) })
	return out
}
