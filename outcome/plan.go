package outcome

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prodaccess/prodaccess/model"
)

// Entry is one thing a target holds now: a login, a fingerprint, a
// username, an ARN, or for a manual target an email address.
type Entry struct {
	Subject string `json:"subject"`           // as the target writes it
	Label   string `json:"label,omitempty"`   // a name beside it, such as a recipients comment
	Pending bool   `json:"pending,omitempty"` // an invitation not yet accepted
	// Protected says why prodaccess must not remove the entry from this
	// target (held through a child team, an organisation invitation); empty
	// when it may.
	Protected string `json:"protected,omitempty"`
	// ChildTeam is the slug of the child team through which a team member
	// holds the access; empty for a direct member.
	ChildTeam string `json:"child_team,omitempty"`
}

// TargetState is what one target holds, as read.
type TargetState struct {
	Target  string  `json:"target"`
	Entries []Entry `json:"entries"`
	// Version changes whenever what was read changes; a saved plan is
	// applied only while every version is still the same.
	Version string `json:"version"`
	// PullRequest names an open pull request that prodaccess made for
	// this target's repository, if any.
	PullRequest string `json:"pull_request,omitempty"`
	// Secrets are the target's encrypted secrets as read, for a target
	// that holds any; nil for the others.
	Secrets *SecretScan `json:"secrets,omitempty"`
	// Proposed is what prodaccess's open pull request (or, where none is
	// opened, its branch) changes in the target once merged; nil when
	// there is none.
	Proposed *ProposedChanges `json:"proposed,omitempty"`
	// SubStores are, for a gpg-id target, the password stores below its
	// own: each folder under it with a .gpg-id of its own, and what that
	// file lists.
	SubStores []SubStore `json:"sub_stores,omitempty"`
}

// SubStore is a password store inside a gpg-id target's store: a folder
// with a .gpg-id of its own, to which pass encrypts the files below it.
type SubStore struct {
	Path    string  `json:"path"` // the folder, in the repository
	Entries []Entry `json:"entries"`
}

// ProposedChanges is what an open pull request of prodaccess changes in one
// target: the entries its branch adds and removes, compared with the
// commit the branch was made from.
type ProposedChanges struct {
	PullRequest *PullRequest `json:"pull_request,omitempty"` // nil: a branch without a pull request
	Branch      string       `json:"branch"`
	// Since is when the pull request was opened; for a branch without
	// one, when its commit was made.
	Since   time.Time `json:"since"`
	Adds    []string  `json:"adds"`    // subjects, as the branch writes them
	Removes []string  `json:"removes"` // subjects, as the base writes them
	// SubStores are what the branch changes in the .gpg-id of each
	// sub-store of a gpg-id target, by folder.
	SubStores map[string]*StoreChanges `json:"sub_stores,omitempty"`
}

// StoreChanges are the subjects a branch adds to and removes from one
// sub-store's .gpg-id.
type StoreChanges struct {
	Adds    []string `json:"adds"`
	Removes []string `json:"removes"`
}

// Action is what a change does.
type Action string

// Actions.
const (
	Add    Action = "add"
	Remove Action = "remove"
)

// Progress says where a change stands.
type Progress string

// The progress of a change.
const (
	// ToDo: apply acts on it now (an API write, or a new or updated pull
	// request).
	ToDo Progress = "to-do"
	// Waiting: an open pull request of prodaccess already holds exactly
	// this change; it takes effect when a person merges it.
	Waiting Progress = "waiting"
	// DoneByHand: a manual target without a record; a person makes the
	// change, and nothing records it.
	DoneByHand Progress = "by-hand"
)

// WaitingOn names the open pull request (or branch) that holds a change.
type WaitingOn struct {
	PullRequest int       `json:"pull_request,omitempty"`
	URL         string    `json:"url,omitempty"`
	Branch      string    `json:"branch"`
	Since       time.Time `json:"since"`
	Reviewers   []string  `json:"reviewers,omitempty"` // requested: logins, and teams as org/team
}

// Change is one entry to add to or remove from one target.
type Change struct {
	Target string `json:"target"`
	// Store is, for a change to a sub-store of a gpg-id target, the
	// sub-store's folder: the change is to its .gpg-id, in the same pull
	// request as the target's own. Empty for the target's own file.
	Store   string      `json:"store,omitempty"`
	Action  Action      `json:"action"`
	Subject string      `json:"subject"`
	Person  string      `json:"person,omitempty"` // the person's id; empty for an entry that belongs to nobody
	Name    string      `json:"name,omitempty"`
	Email   string      `json:"email,omitempty"`
	Level   model.Level `json:"level"` // the person's level on the plan's day
	Until   *model.Day  `json:"until,omitempty"`
	Reason  string      `json:"reason"` // the rules and facts behind the change
	// GitHubID is the person's immutable GitHub user id, when the file
	// gives one; a login that now belongs to another id is refused.
	GitHubID int64 `json:"github_id,omitempty"`
	// Unproven says, for an addition whose access rests on an entry whose
	// approval is not proven (allowed under policy.evidence warn), what
	// is missing; empty otherwise.
	Unproven string `json:"unproven,omitempty"`
	// Progress says whether apply acts on the change now, an open pull
	// request already holds it, or a person makes it by hand.
	Progress Progress   `json:"progress,omitempty"`
	Waiting  *WaitingOn `json:"waiting,omitempty"`
}

func (c Change) String() string {
	if c.Store != "" {
		return fmt.Sprintf("%s %s %s (sub-store %s)", c.Action, c.Who(), c.Target, c.Store)
	}
	return fmt.Sprintf("%s %s %s", c.Action, c.Who(), c.Target)
}

// Stage is the change's progress; a change made without one (in a plan
// saved by an earlier version) is to do.
func (c Change) Stage() Progress {
	if c.Progress == "" {
		return ToDo
	}
	return c.Progress
}

// Who is the change's subject, with the person's id when it has one.
func (c Change) Who() string {
	if c.Person != "" {
		return fmt.Sprintf("%s (%s)", c.Subject, c.Person)
	}
	return c.Subject
}

func (w *WaitingOn) String() string {
	if w.PullRequest == 0 {
		return "branch " + w.Branch
	}
	return fmt.Sprintf("pull request #%d (%s)", w.PullRequest, w.URL)
}

// DurationText writes a time waited in days, hours and minutes, no finer
// than it needs: 45m, 5h, 2d, 3d 4h.
func DurationText(d time.Duration) string {
	d = max(d, 0)
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	if hours == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd %dh", days, hours)
}

// TargetPlan is the changes for one target.
type TargetPlan struct {
	Target      string           `json:"target"`
	Type        model.TargetType `json:"type"`
	Where       string           `json:"where"` // the team, or the repository and file
	Version     string           `json:"version"`
	Current     int              `json:"current"` // entries the target holds now
	Kept        int              `json:"kept"`    // of those, keep entries, which no plan removes
	PullRequest string           `json:"pull_request,omitempty"`
	Changes     []Change         `json:"changes"`
	// Secrets compares who can read the target's secrets with who may
	// once the plan is carried out; nil when the target holds none.
	Secrets *SecretsReport `json:"secrets,omitempty"`
}

// OwnChanges counts the changes to the target's own file (not to a
// sub-store's).
func (tp *TargetPlan) OwnChanges() int {
	n := 0
	for _, c := range tp.Changes {
		if c.Store == "" {
			n++
		}
	}
	return n
}

// Removals counts the changes that remove an entry from the target's own
// file (not from a sub-store's).
func (tp *TargetPlan) Removals() int {
	n := 0
	for _, c := range tp.Changes {
		if c.Action == Remove && c.Store == "" {
			n++
		}
	}
	return n
}

// Plan is everything a reconcile would change, and why. It is data: it can
// be printed, saved as JSON, reviewed, and applied later exactly as it is.
type Plan struct {
	At      model.Day    `json:"at"`
	Commit  string       `json:"commit,omitempty"` // the people repository commit the person files were read from
	Targets []TargetPlan `json:"targets"`
	// Warnings are things a person should know that change nothing.
	Warnings []string `json:"warnings"`
	// Refusals are the safety checks that failed. A plan with any refusal
	// must not be applied.
	Refusals []string `json:"refusals"`
	// Errors are access the rules do not give that prodaccess may not take
	// away (a member through a child team that child_teams does not list).
	// They do not stop the plan's changes, but fail the run until a person
	// resolves them.
	Errors           []string `json:"errors"`
	AllowMassRemoval bool     `json:"allow_mass_removal"`
	// GrantsRefused are the reasons no access may be granted now, such as
	// a people branch that lets changes in without review while the
	// policy requires evidence of approval. Removals still go ahead.
	GrantsRefused []string `json:"grants_refused,omitempty"`
	// Failures are inputs that could not be read (a target, the evidence
	// of a commit): nothing that depends on one is decided or changed,
	// everything else is, and the run fails.
	Failures []string `json:"failures,omitempty"`
	// KeyWarnings are public keys about to expire; pull requests that
	// change GPG recipients repeat them.
	KeyWarnings []string `json:"key_warnings,omitempty"`
	// Made is when the plan was made: the ages of waiting changes count
	// to it. It is not written out, so that the same plan made twice is
	// the same data.
	Made time.Time `json:"-"`
	// Overdue are the revocations that have waited in an open pull
	// request longer than safety.max_revocation_wait: an error for plan
	// and apply, though nothing is refused because of it.
	Overdue []string `json:"overdue,omitempty"`
	// Adoption says, while people rest on access held before adoption,
	// how many, and what the plan adds and removes; nil otherwise.
	Adoption *AdoptionSummary `json:"adoption,omitempty"`
	// Digest is the hash of everything above, set when the plan is saved
	// (see EncodeSavedPlan).
	Digest string `json:"digest,omitempty"`
}

// Changes counts the changes across all targets.
func (p *Plan) Changes() int {
	n := 0
	for _, tp := range p.Targets {
		n += len(tp.Changes)
	}
	return n
}

// Count counts the changes with the given progress.
func (p *Plan) Count(g Progress) int {
	n := 0
	for _, tp := range p.Targets {
		for _, c := range tp.Changes {
			if c.Stage() == g {
				n++
			}
		}
	}
	return n
}

// Target returns the plan for the named target, or nil.
func (p *Plan) Target(name string) *TargetPlan {
	for i := range p.Targets {
		if p.Targets[i].Target == name {
			return &p.Targets[i]
		}
	}
	return nil
}

// Status is how one change fared when applied.
type Status string

// Statuses of applied changes.
const (
	Done    Status = "done"    // the target now holds the change
	Pending Status = "pending" // the change is in a pull request or an invitation awaiting someone
	ByHand  Status = "by-hand" // a person must make the change by hand
	Failed  Status = "failed"  // the change was tried and did not happen
	Refused Status = "refused" // a check refused the change; nothing was tried
)

// Result is what became of one change.
type Result struct {
	Change Change `json:"change"`
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Pull is the pull request of the target's repository that holds a
	// change to a file target; nil for the others.
	Pull *TargetPull `json:"pull_request,omitempty"`
}

// Report is what apply did.
type Report struct {
	Plan    *Plan    `json:"plan"`
	Results []Result `json:"results"`
}

// Failed counts the results that failed or were refused.
func (r *Report) Failed() int {
	n := 0
	for _, res := range r.Results {
		if res.Status == Failed || res.Status == Refused {
			n++
		}
	}
	return n
}

// SortChanges orders changes removals first, then by target and subject,
// so plans read the same way every time.
func SortChanges(cs []Change) {
	slices.SortStableFunc(cs, func(a, b Change) int {
		if a.Action != b.Action {
			if a.Action == Remove {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.Target, b.Target); c != 0 {
			return c
		}
		if c := strings.Compare(a.Store, b.Store); c != 0 {
			return c
		}
		return strings.Compare(strings.ToLower(a.Subject), strings.ToLower(b.Subject))
	})
}

// PullRequest is a pull request that proposes changes to a target
// repository.
type PullRequest struct {
	Number int    `json:"number"`
	URL    string `json:"url"`
	Title  string `json:"-"`
	Body   string `json:"-"`
	// Author is the login of the account that opened it.
	Author string `json:"-"`
	// Opened is when it was opened.
	Opened time.Time `json:"opened"`
	// Reviewers are those asked for a review: logins, and teams as
	// org/team.
	Reviewers []string `json:"reviewers,omitempty"`
}
