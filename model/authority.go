package model

import (
	"fmt"
	"maps"
	"slices"
	"strings"
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

// match is what a review is matched on: the account's id where known,
// else its login without regard to case; "" when no review can be theirs.
func (a Approver) match() string {
	if a.GitHubID != 0 {
		return fmt.Sprint(a.GitHubID)
	}
	return strings.ToLower(a.GitHub)
}

func (a Approver) text() string {
	return fmt.Sprintf("role=%s github=%s github_id=%d", a.Role, a.GitHub, a.GitHubID)
}

// NewAuthority is the authority the files give, taken at their word: the
// first commit's, which nothing before it can vouch for.
func NewAuthority(people []*Person, policy Policy) Authority {
	a := Authority{Policy: policy, Approvers: map[string]Approver{}}
	for _, p := range people {
		if len(p.Problems) == 0 && p.Role.CanApprove() {
			a.Approvers[p.ID] = Approver{GitHub: p.GitHub, GitHubID: p.GitHubID, Role: p.Role}
		}
	}
	return a
}

// AuthorityChange is one change a commit makes that widens access, and so
// needs a lead's approval to take effect.
type AuthorityChange struct {
	// Entry names the change for the evidence, as a grant is named.
	Entry EntryRef
	// What says the change in words.
	What string
}

// Entry kinds of changes to the authority.
const (
	PolicyEntry   EntryKind = "policy"
	ApproverEntry EntryKind = "approver"
)

// policyText is the policy as the entry of a change to it names it.
func policyText(p Policy) string {
	s := fmt.Sprintf("evidence=%s evidence_signers=%s shadow_shifts_required=%d absence_limit_days=%d max_temporary_days=%d",
		p.Evidence, signersText(p.EvidenceSigners), p.ShadowShiftsRequired, p.AbsenceLimitDays, p.MaxTemporaryDays)
	// The shift evidence and the rota are named only when they are not
	// the defaults, so that a policy written before them reads as it did
	// (its entries in the notes keep their keys).
	if p.ShiftEvidence != EvidenceWarn && p.ShiftEvidence != "" {
		s += " shift_evidence=" + string(p.ShiftEvidence)
	}
	return s + rotaText(p.Rota)
}

func signersText(signers []string) string {
	keys := make([]string, len(signers))
	for i, s := range signers {
		keys[i] = signerKey(s)
	}
	slices.Sort(keys)
	return strings.Join(keys, ",")
}

// evidenceRank orders the evidence policies from the weakest.
func evidenceRank(e EvidencePolicy) int {
	switch e {
	case EvidenceRequired:
		return 2
	case EvidenceWarn, "":
		return 1
	}
	return 0
}

// Widened lists the ways next's policy widens access over a's.
func (a Authority) policyWidened(next Policy) []string {
	old := a.Policy
	var out []string
	if evidenceRank(next.Evidence) < evidenceRank(old.Evidence) {
		out = append(out, fmt.Sprintf("policy.evidence lowered from %s to %s", old.Evidence, next.Evidence))
	}
	if evidenceRank(next.ShiftEvidence) < evidenceRank(old.ShiftEvidence) {
		out = append(out, fmt.Sprintf("policy.shift_evidence lowered from %s to %s", orWarn(old.ShiftEvidence), orWarn(next.ShiftEvidence)))
	}
	out = append(out, rotaWidened(old.Rota, next.Rota)...)
	for _, s := range next.EvidenceSigners {
		if !hasSigner(old.EvidenceSigners, s) {
			out = append(out, "policy.evidence_signers gains "+SignerName(s))
		}
	}
	if next.ShadowShiftsRequired < old.ShadowShiftsRequired {
		out = append(out, fmt.Sprintf("policy.shadow_shifts_required lowered from %d to %d", old.ShadowShiftsRequired, next.ShadowShiftsRequired))
	}
	if next.AbsenceLimitDays > old.AbsenceLimitDays {
		out = append(out, fmt.Sprintf("policy.absence_limit_days raised from %d to %d", old.AbsenceLimitDays, next.AbsenceLimitDays))
	}
	if next.MaxTemporaryDays > old.MaxTemporaryDays {
		out = append(out, fmt.Sprintf("policy.max_temporary_days raised from %d to %d", old.MaxTemporaryDays, next.MaxTemporaryDays))
	}
	return out
}

// orWarn names an evidence policy, the default when it is not given.
func orWarn(e EvidencePolicy) EvidencePolicy {
	if e == "" {
		return EvidenceWarn
	}
	return e
}

// hasSigner reports whether the list holds the key of s, whatever its
// comment.
func hasSigner(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return signerKey(x) == signerKey(s) })
}

// signerKey is a signer's key type and key, without its comment.
func signerKey(s string) string {
	f := strings.Fields(s)
	if len(f) > 2 {
		f = f[:2]
	}
	return strings.Join(f, " ")
}

// SignerName is how a signer of notes is named in messages: its key type
// and comment, or the start of its key.
func SignerName(s string) string {
	f := strings.Fields(s)
	switch {
	case len(f) >= 3:
		return f[0] + " " + strings.Join(f[2:], " ")
	case len(f) == 2 && len(f[1]) > 16:
		return f[0] + " " + f[1][:16] + "…"
	}
	return s
}

// stricter is the policy that holds each field at the stricter of a and
// b: what stays in force while a change that widens access is not
// approved, without holding back the parts of it that narrow access.
func stricter(a, b Policy) Policy {
	out := b
	if evidenceRank(a.Evidence) > evidenceRank(b.Evidence) {
		out.Evidence = a.Evidence
	}
	out.EvidenceSigners = nil
	for _, s := range b.EvidenceSigners {
		if hasSigner(a.EvidenceSigners, s) {
			out.EvidenceSigners = append(out.EvidenceSigners, s)
		}
	}
	if evidenceRank(a.ShiftEvidence) > evidenceRank(b.ShiftEvidence) {
		out.ShiftEvidence = a.ShiftEvidence
	}
	out.Rota = stricterRota(a.Rota, b.Rota)
	out.ShadowShiftsRequired = max(a.ShadowShiftsRequired, b.ShadowShiftsRequired)
	out.AbsenceLimitDays = min(a.AbsenceLimitDays, b.AbsenceLimitDays)
	out.MaxTemporaryDays = min(a.MaxTemporaryDays, b.MaxTemporaryDays)
	return out
}

// PolicyEntryOf names a policy as a change to the authority.
func PolicyEntryOf(p Policy) EntryRef { return EntryRef{Kind: PolicyEntry, Reason: policyText(p)} }

// ApproverEntryOf names a person's standing as an approver (their role
// and account) as a change to the authority; ok is false for one who is
// not an approver.
func ApproverEntryOf(p *Person) (EntryRef, bool) {
	if len(p.Problems) != 0 || !p.Role.CanApprove() {
		return EntryRef{}, false
	}
	return EntryRef{Kind: ApproverEntry, Person: p.ID, Reason: Approver{GitHub: p.GitHub, GitHubID: p.GitHubID, Role: p.Role}.text()}, true
}

// Changes lists what a commit that brings the policy next and the person
// files people would change in the authority, where it widens access:
// a policy that asks less, a person who becomes an approver, an approver
// whose GitHub account changes. Narrowing changes are not listed: Apply
// takes them at once.
func (a Authority) Changes(people []*Person, next Policy) []AuthorityChange {
	var out []AuthorityChange
	if w := a.policyWidened(next); len(w) > 0 {
		out = append(out, AuthorityChange{Entry: PolicyEntryOf(next), What: strings.Join(w, "; ")})
	}
	for _, p := range people {
		if len(p.Problems) != 0 || !p.Role.CanApprove() {
			continue
		}
		now := Approver{GitHub: p.GitHub, GitHubID: p.GitHubID, Role: p.Role}
		old, was := a.Approvers[p.ID]
		var what string
		switch {
		case !was:
			what = fmt.Sprintf("%s becomes an approver (%s)", p.ID, p.Role)
		case old.match() != now.match() && now.match() != "":
			what = fmt.Sprintf("%s's GitHub account changes from %s to %s", p.ID, accountText(old.GitHub, old.GitHubID), accountText(now.GitHub, now.GitHubID))
		default:
			continue
		}
		e, _ := ApproverEntryOf(p)
		out = append(out, AuthorityChange{Entry: e, What: what})
	}
	slices.SortFunc(out, func(x, y AuthorityChange) int { return strings.Compare(x.Entry.Key(), y.Entry.Key()) })
	return out
}

func accountText(login string, id int64) string {
	switch {
	case login == "":
		return "none"
	case id == 0:
		return login
	}
	return fmt.Sprintf("%s (id %d)", login, id)
}

// Apply returns the authority after a commit that brings the policy next
// and the person files people: each change that narrows access at once,
// each that widens it only where approved says it was approved (by the
// entry's key).
func (a Authority) Apply(people []*Person, next Policy, approved func(EntryRef) bool) Authority {
	out := Authority{Policy: stricter(a.Policy, next), Approvers: map[string]Approver{}}
	changes := map[string]AuthorityChange{}
	for _, c := range a.Changes(people, next) {
		key := string(c.Entry.Kind) + "\x00" + c.Entry.Person
		changes[key] = c
	}
	if c, ok := changes[string(PolicyEntry)+"\x00"]; !ok || approved(c.Entry) {
		out.Policy = next
	}
	for _, p := range people {
		if len(p.Problems) != 0 || !p.Role.CanApprove() {
			continue // stepping down, leaving the files or breaking one's file takes effect at once
		}
		now := Approver{GitHub: p.GitHub, GitHubID: p.GitHubID, Role: p.Role}
		c, ok := changes[string(ApproverEntry)+"\x00"+p.ID]
		switch {
		case !ok || approved(c.Entry):
			out.Approvers[p.ID] = now
		default:
			if old, was := a.Approvers[p.ID]; was {
				// An account change not approved: the account before it
				// stays the approver's; the new one approves nothing.
				out.Approvers[p.ID] = old
			}
		}
	}
	return out
}

// Equal reports whether two authorities are the same.
func (a Authority) Equal(b Authority) bool {
	return policyText(a.Policy) == policyText(b.Policy) && maps.Equal(a.Approvers, b.Approvers)
}
