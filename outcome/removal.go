package outcome

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/prodaccess/prodaccess/model"
)

// The history of the person files says when the rules ended someone's
// access; what apply records says when each target changed. apply keeps a
// record of every change it made, signed as the evidence notes are, so
// that an auditor can time each removal from the people repository alone.

// AppliedVersion is the version of the records apply writes.
const AppliedVersion = 1

// AppliedKind marks an apply record, so that it is never read as
// evidence of an approval nor the other way round.
const AppliedKind = "applied"

// AppliedRecord is what one apply did: each change it made, with the
// status it ended in, and what it learnt of the pull requests of earlier
// changes to file targets (merged or closed). It is kept in a note of the
// people commit its plan was made from.
type AppliedRecord struct {
	Version int    `json:"version"`
	Kind    string `json:"kind"`
	// Repository is the people repository on GitHub (owner/name), when
	// known, so that a record copied from another repository is not
	// taken for one of this.
	Repository string `json:"repository"`
	Commit     string `json:"commit"`
	// Day is the day the plan was made for; AppliedAt when apply had
	// finished the changes.
	Day       model.Day       `json:"day"`
	AppliedAt time.Time       `json:"applied_at"`
	Changes   []AppliedChange `json:"changes"`
	Pulls     []TargetPull    `json:"pull_requests"`
}

// AppliedChange is one change apply made, and how it went.
type AppliedChange struct {
	Target  string      `json:"target"`
	Action  Action      `json:"action"`
	Subject string      `json:"subject"`
	Person  string      `json:"person,omitempty"`
	Level   model.Level `json:"level"`
	// Reason is the evidence of the change: the rules and facts behind
	// it, as the plan gave them.
	Reason string `json:"reason"`
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Pull is the pull request that holds a change to a file target.
	Pull *TargetPull `json:"pull_request,omitempty"`
}

// Key names the change as done: the same change recorded twice is one.
func (c AppliedChange) Key() string {
	pr := ""
	if c.Pull != nil {
		pr = fmt.Sprintf("%s#%d", c.Pull.Repo, c.Pull.Number)
	}
	return fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%s", c.Target, c.Action, c.Subject, c.Status, pr)
}

// TargetPull is a pull request of a target repository, and, once known,
// when it was merged or closed without merging.
type TargetPull struct {
	Repo     string     `json:"repo"`
	Number   int        `json:"number"`
	URL      string     `json:"url,omitempty"`
	MergedAt *time.Time `json:"merged_at,omitempty"`
	MergedBy string     `json:"merged_by,omitempty"`
	ClosedAt *time.Time `json:"closed_at,omitempty"`
}

// Key names the pull request.
func (p TargetPull) Key() string { return fmt.Sprintf("%s#%d", p.Repo, p.Number) }

// EncodeApplied writes a record as the JSON that is signed.
func EncodeApplied(r *AppliedRecord) ([]byte, error) {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// DecodeApplied reads a record strictly.
func DecodeApplied(data []byte) (*AppliedRecord, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r AppliedRecord
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("not a record of apply: %w", err)
	}
	switch {
	case r.Kind != AppliedKind:
		return nil, fmt.Errorf("a record of kind %q, not %q", model.Printable(r.Kind), AppliedKind)
	case r.Version != AppliedVersion:
		return nil, fmt.Errorf("record version %d; this prodaccess reads version %d", r.Version, AppliedVersion)
	case len(r.Commit) != 40:
		return nil, fmt.Errorf("a record for %q, which is not a full commit id", model.Printable(r.Commit))
	}
	return &r, nil
}

// Removal statuses.
const (
	RemovalOnTime     = "on time"
	RemovalLate       = "late"
	RemovalWaiting    = "waiting"      // not done yet, and not yet late
	RemovalUnrecorded = "not recorded" // no record says the target changed, and it is past the allowance
)

// Removal is one loss of access to one target: when the rules ended it,
// when the files said so, and when the target changed.
type Removal struct {
	Person  string      `json:"person"`
	Target  string      `json:"target"`
	Subject string      `json:"subject"`
	From    model.Level `json:"from"`
	To      model.Level `json:"to"`
	// Due is the day the rules ended the access (the facts' day: the
	// day after a last day or a grant's end, the 43rd day of an
	// absence); Rule and Detail say which rule and why.
	Due    model.Day `json:"due"`
	Rule   string    `json:"rule,omitempty"`
	Detail string    `json:"detail,omitempty"`
	// FilesOn is when the files said so: the day of the commit that
	// lowered the level, or that last wrote the fact; Commit and
	// Written name them.
	FilesOn *model.Day `json:"files_on,omitempty"`
	Commit  string     `json:"commit,omitempty"`
	Written string     `json:"written,omitempty"`
	// Changed is when the target changed, as apply recorded it: when it
	// removed the entry, or when the target's pull request was merged;
	// How says which.
	Changed *time.Time `json:"changed,omitempty"`
	How     string     `json:"how,omitempty"`
	// Delay is from the start of the due day to Changed (or, for one not
	// recorded, to the end of the period or when the person gained the
	// target again), in seconds, and in words.
	DelaySeconds int64  `json:"delay_seconds"`
	Delay        string `json:"delay"`
	Status       string `json:"status"`
}

// RemovalSummary counts the removals of one target, or of all ("").
type RemovalSummary struct {
	Target     string `json:"target"`
	Total      int    `json:"total"`
	OnTime     int    `json:"on_time"`
	Late       int    `json:"late"`
	Waiting    int    `json:"waiting"`
	Unrecorded int    `json:"not_recorded"`
	// Median and Worst are over the removals recorded.
	Median string `json:"median,omitempty"`
	Worst  string `json:"worst,omitempty"`
}

// RemovalReport is every loss of access in a period, timed.
type RemovalReport struct {
	From model.Day `json:"from"`
	To   model.Day `json:"to"`
	// Within is how long after the start of its due day a removal may
	// take and be on time (audit.removal_within).
	Within  string           `json:"within"`
	Rows    []Removal        `json:"removals"`
	Summary []RemovalSummary `json:"summary"`
	// Records counts the records of apply read; none means nothing in
	// the people repository says when any target changed.
	Records int `json:"records"`
}
