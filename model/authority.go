package model

import (
	"fmt"
)

// The rules trust two things a pull request could otherwise rewrite for
// itself: the policy (how much evidence a grant needs, whose signatures
// make a note evidence, the numbers of the rules) and who may approve
// (the leads, and the GitHub accounts that are theirs). Authority is what
// the history of the people branch establishes of both: each change that
// would widen access takes effect only once a lead of the authority before
// it approved it, as a grant does. A change that narrows access (a policy
// made stricter, a lead who steps down, a signer removed) takes effect at
// once.

// Authority is the policy and the approvers in force after a commit of
// the people branch.
type Authority struct {
	Policy Policy
	// Approvers are the people who may approve, by id, with the GitHub
	// account that is theirs.
	Approvers map[string]Approver
}

// Approver is a person who may approve, as the authority knows them.
type Approver struct {
	GitHub   string
	GitHubID int64
	Role     Role
}

// Entry kinds of changes to the authority.
const (
	PolicyEntry   EntryKind = "policy"
	ApproverEntry EntryKind = "approver"
)

// AccountText names a GitHub account: its login, and its id where known.
func AccountText(login string, id int64) string {
	switch {
	case login == "":
		return "none"
	case id == 0:
		return login
	}
	return fmt.Sprintf("%s (id %d)", login, id)
}
