package outcome

import "github.com/prodaccess/prodaccess/model"

// Standing is a person's level on a day under one revision of the files.
type Standing struct {
	Level   model.Level `json:"level"`
	Until   *model.Day  `json:"until"`
	Reasons []string    `json:"reasons"`
}

// AccessChange is what a change to the files does to one person.
type AccessChange struct {
	ID      string   `json:"id"`
	Name    string   `json:"name,omitempty"`
	Kind    string   `json:"kind"` // gains, loses or changes
	From    Standing `json:"from"`
	To      Standing `json:"to"`
	Targets []Change `json:"targets"` // what the change means for each target
}

// Kinds of access change.
const (
	Gains   = "gains"
	Loses   = "loses"
	Changes = "changes"
)

// AccessChanges is what a change to the person files (or the
// configuration) does to production access on one day.
type AccessChanges struct {
	From   string         `json:"from"`
	To     string         `json:"to"`
	At     model.Day      `json:"at"`
	People []AccessChange `json:"people"`
	// Problems are those of the files at To: the people they concern are
	// granted nothing.
	Problems model.Problems `json:"problems"`
	// Approvals are the entries the change writes that need a lead's
	// approving review of the pull request, and whose.
	Approvals []ApprovalNeed `json:"approvals"`
}

// ApprovalNeed is one entry a change writes, and the review it needs.
type ApprovalNeed struct {
	Entry model.EntryRef `json:"entry"`
	// Change says, for a change to the authority (who may approve, or
	// the policy) that widens access, what it is; it needs an approving
	// review by any of Approvers, the approvers of record before it.
	Change    string   `json:"change,omitempty"`
	Approvers []string `json:"approvers,omitempty"`
	// Login is the GitHub login of the approver the entry names; empty
	// when their file gives none, and no review can then prove it.
	Login string `json:"approver_login,omitempty"`
	// Checked is true when the pull request's reviews were read; then
	// Approved says whether the approval is there, and Missing what is not.
	Checked  bool     `json:"checked"`
	Approved bool     `json:"approved"`
	Missing  []string `json:"missing,omitempty"`
}
