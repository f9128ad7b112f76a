package outcome

import (
	"fmt"
	"time"

	"github.com/prodaccess/prodaccess/model"
)

// Commit is one commit of the people repository.
type Commit struct {
	SHA     string    `json:"sha"`
	When    time.Time `json:"date"`
	Author  string    `json:"author"`
	Subject string    `json:"subject"`
	PR      int       `json:"pull_request,omitempty"`
}

func (c *Commit) String() string {
	s := fmt.Sprintf("commit %s", model.ShortSHA(c.SHA))
	if c.PR != 0 {
		s += fmt.Sprintf(" (pull request #%d)", c.PR)
	}
	if c.When.IsZero() && c.Author == "" && c.Subject == "" {
		return s // only the commit is known
	}
	return s + fmt.Sprintf(" by %s, %s: %q", c.Author, c.When.Format(time.RFC3339), c.Subject)
}

// Causes of a timeline event.
const (
	CauseCommit  = "commit"         // a commit changed the files
	CauseRule    = "rule"           // time passed and a rule began or ended
	CauseRename  = "renamed"        // a person file was renamed; the level did not change
	CauseInvalid = "invalid-commit" // a commit's files did not validate; the state before it held
)

// TimelineEvent is one change of a person's level, or one commit that did
// not count.
type TimelineEvent struct {
	Day    model.Day   `json:"day"`
	Person string      `json:"person,omitempty"`
	From   model.Level `json:"from"`
	To     model.Level `json:"to"`
	Cause  string      `json:"cause"`
	Commit *Commit     `json:"commit,omitempty"`
	Rule   string      `json:"rule,omitempty"`
	Detail string      `json:"detail"`
	// RenamedFrom is the id before a rename (cause renamed).
	RenamedFrom string `json:"renamed_from,omitempty"`
	// Written names, for a change the passing of time brings, the commits
	// (by pull request where known) that wrote the fact behind it, such
	// as "grant 2026-11-16: added in #15, shortened in #16".
	Written string `json:"written,omitempty"`
	// WrittenOn is the day of the last of those commits.
	WrittenOn *model.Day `json:"written_on,omitempty"`
	// Due is, for a commit that lowered a level the files say fell
	// earlier (a last day recorded after it), the day the facts give.
	Due *model.Day `json:"due,omitempty"`
}

// Timeline is the history of production access on a branch.
type Timeline struct {
	Branch  string          `json:"branch"`
	From    *model.Day      `json:"from"`
	To      model.Day       `json:"to"`
	Commits int             `json:"commits"` // commits read
	Events  []TimelineEvent `json:"events"`
	// People holds each person the history names as their last valid
	// file had them, for reports that show names and teams; it is not
	// part of the JSON.
	People map[string]*model.Person `json:"-"`
	// Findings are what an auditor should see beside the changes: entries
	// written without a pull request or without proven approval, notes
	// that are not evidence, changes to who may approve or to the policy
	// that no lead approved.
	Findings []Finding `json:"findings"`
}

// Finding is one thing an audit flags, with the commit it concerns.
type Finding struct {
	Kind   string `json:"kind"`
	Commit string `json:"commit,omitempty"`
	Person string `json:"person,omitempty"`
	Detail string `json:"detail"`
}

// Kinds of findings.
const (
	FindingDirectPush   = "pushed without a pull request"
	FindingNotProven    = "approval not proven"
	FindingNote         = "note that is not evidence"
	FindingAuthority    = "change to who may approve or to the policy not approved by a lead"
	FindingApprovedLate = "approved after merge"
	// FindingLateFact is a fact recorded after its day: a last day, an
	// absence or the end of a grant that the files gave only later, so
	// that access outlived it.
	FindingLateFact = "fact recorded after its day"
	// FindingReviewFile is a review file that does not read, and so
	// certifies nothing.
	FindingReviewFile = "review file that does not read"
)

func (f Finding) String() string {
	s := f.Kind
	if f.Commit != "" {
		s += " (commit " + model.ShortSHA(f.Commit) + ")"
	}
	return s + ": " + f.Detail
}

// ReviewRow is one person in an access review.
type ReviewRow struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Level      model.Level `json:"level"`
	Basis      []string    `json:"basis"`
	ApprovedBy string      `json:"approved_by,omitempty"`
	Supervisor string      `json:"supervisor,omitempty"`
	// Evidence says, for each entry the access rests on, the pull
	// request that wrote it, who approved and who merged it.
	Evidence []string `json:"evidence,omitempty"`
	// Approvals are the same, as data: one for each entry.
	Approvals []Approval `json:"approvals,omitempty"`
	// Certified is the latest certification of the person's access; nil
	// when none is known.
	Certified *Certified `json:"certified,omitempty"`
	Since     *model.Day `json:"since"`
	Until     *model.Day `json:"until"`
	Flags     []string   `json:"flags"`
}

// Review is an access review: everyone with access on a day, why, and what
// a reviewer should look at.
type Review struct {
	At     model.Day   `json:"at"`
	Commit *Commit     `json:"commit"`
	Rows   []ReviewRow `json:"people"`
	// Findings are flagged whether or not anyone has access by them: a
	// grant pushed straight to the branch, a note that is not evidence.
	Findings []Finding `json:"findings"`
	// Removals are the losses of access in the review's period, each
	// with when the targets changed; nil when not worked out.
	Removals *RemovalReport `json:"removals,omitempty"`
	// Certification names the period whose sign-off the review checks.
	Certification *model.Period `json:"certification_period,omitempty"`
	// Unchecked says what the review could not check, and why (a scan
	// of the targets' secrets that could not run).
	Unchecked []string `json:"unchecked,omitempty"`
}

// WithAccess counts the rows of people with access, and the rows of
// people flagged without it (who can still read secrets).
func (rv *Review) WithAccess() (access int, flaggedWithout int) {
	for _, r := range rv.Rows {
		switch {
		case r.Level != model.None:
			access++
		case len(r.Flags) > 0:
			flaggedWithout++
		}
	}
	return access, flaggedWithout
}

// Approval is the evidence of one entry a person's access rests on: the
// pull request that wrote it, who approved it and when, who merged it
// and when, and what a reviewer should see.
type Approval struct {
	Entry       model.EntryKind `json:"entry"`
	Commit      string          `json:"commit,omitempty"`
	PullRequest int             `json:"pull_request,omitempty"`
	URL         string          `json:"url,omitempty"`
	ApprovedBy  string          `json:"approved_by,omitempty"`
	ApprovedAt  *time.Time      `json:"approved_at,omitempty"`
	MergedBy    string          `json:"merged_by,omitempty"`
	MergedAt    *time.Time      `json:"merged_at,omitempty"`
	Proven      bool            `json:"proven"`
	// Missing says what is not proven, in words.
	Missing []string `json:"missing,omitempty"`
	// Flags are "approved after merge", "approval not proven", "pushed
	// without a pull request", "tampered note" and the like.
	Flags []string `json:"flags,omitempty"`
}

// NewApproval is the evidence of an entry as a review shows it.
func NewApproval(pf *model.Proof) Approval {
	a := Approval{Entry: pf.Entry.Kind, Commit: pf.Commit, Proven: pf.Proven(), Missing: pf.Missing, Flags: pf.Flags}
	if pr := pf.PullRequest; pr != nil {
		a.PullRequest, a.URL = pr.Number, pr.URL
		if pr.MergedBy != nil {
			a.MergedBy = pr.MergedBy.Login
		}
		a.MergedAt = pr.MergedAt
	}
	if r := pf.Approval; r != nil {
		at := r.SubmittedAt
		a.ApprovedBy, a.ApprovedAt = r.User.Login, &at
	}
	return a
}
