package outcome

import "github.com/prodaccess/prodaccess/model"

// The record of a manual target is a file that says who holds the access
// (see Record). prodaccess changes it through a pull request that is the
// ticket for the work: it lists the actions to take by hand, and merging
// it records that they were taken, by whom and when.

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
	Target string    `json:"target"`
	Path   string    `json:"path"`
	At     model.Day `json:"at"`
	// Commit is the last commit on the branch before the end of the day;
	// nil when the branch had none yet.
	Commit  *Commit        `json:"commit"`
	Holders []RecordHolder `json:"holders"`
}
