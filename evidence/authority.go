package evidence

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/prodaccess/prodaccess/model"
)

// NewAuthority is the authority the files give, taken at their word: the
// first commit's, which nothing before it can vouch for.
func NewAuthority(people []*model.Person, policy model.Policy) model.Authority {
	a := model.Authority{Policy: policy, Approvers: map[string]model.Approver{}}
	for _, p := range people {
		if len(p.Problems) == 0 && p.Role.CanApprove() {
			a.Approvers[p.ID] = model.Approver{GitHub: p.GitHub, GitHubID: p.GitHubID, Role: p.Role}
		}
	}
	return a
}

// AuthorityChange is one change a commit makes that widens access, and so
// needs a lead's approval to take effect.
type AuthorityChange struct {
	// Entry names the change for the evidence, as a grant is named.
	Entry model.EntryRef
	// What says the change in words.
	What string
}

// policyText is the policy as the entry of a change to it names it.
func policyText(p model.Policy) string {
	s := fmt.Sprintf("evidence=%s evidence_signers=%s shadow_shifts_required=%d absence_limit_days=%d max_temporary_days=%d",
		p.Evidence, signersText(p.EvidenceSigners), p.ShadowShiftsRequired, p.AbsenceLimitDays, p.MaxTemporaryDays)
	// The shift evidence and the rota are named only when they are not
	// the defaults, so that a policy written before them reads as it did
	// (its entries in the notes keep their keys).
	if p.ShiftEvidence != model.EvidenceWarn && p.ShiftEvidence != "" {
		s += " shift_evidence=" + string(p.ShiftEvidence)
	}
	if p.AdoptedOn != nil {
		// Only when set, so that the policies written before it name
		// themselves as they always did.
		s += " adopted_on=" + p.AdoptedOn.String()
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
func evidenceRank(e model.EvidencePolicy) int {
	switch e {
	case model.EvidenceRequired:
		return 2
	case model.EvidenceWarn, "":
		return 1
	}
	return 0
}

// policyWidened lists the ways next's policy widens access over a's.
func policyWidened(a model.Authority, next model.Policy) []string {
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
	// A later adopted_on lets later days pass as held before adoption.
	switch a, b := old.AdoptedOn, next.AdoptedOn; {
	case b == nil:
	case a == nil:
		out = append(out, "policy.adopted_on set to "+b.String())
	case *b > *a:
		out = append(out, fmt.Sprintf("policy.adopted_on moved from %s to %s", a, b))
	}
	return out
}

// orWarn names an evidence policy, the default when it is not given.
func orWarn(e model.EvidencePolicy) model.EvidencePolicy {
	if e == "" {
		return model.EvidenceWarn
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
func stricter(a, b model.Policy) model.Policy {
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
	if a.AdoptedOn == nil || b.AdoptedOn != nil && *a.AdoptedOn < *b.AdoptedOn {
		out.AdoptedOn = a.AdoptedOn
	}
	return out
}

// PolicyEntryOf names a policy as a change to the authority.
func PolicyEntryOf(p model.Policy) model.EntryRef {
	return model.EntryRef{Kind: model.PolicyEntry, Reason: policyText(p)}
}

// ApproverEntryOf names a person's standing as an approver (their role
// and account) as a change to the authority; ok is false for one who is
// not an approver.
func ApproverEntryOf(p *model.Person) (model.EntryRef, bool) {
	if len(p.Problems) != 0 || !p.Role.CanApprove() {
		return model.EntryRef{}, false
	}
	return model.EntryRef{Kind: model.ApproverEntry, Person: p.ID, Reason: approverText(model.Approver{GitHub: p.GitHub, GitHubID: p.GitHubID, Role: p.Role})}, true
}

// Changes lists what a commit that brings the policy next and the person
// files people would change in the authority a, where it widens access:
// a policy that asks less, a person who becomes an approver, an approver
// whose GitHub account changes. Narrowing changes are not listed: Apply
// takes them at once.
func Changes(a model.Authority, people []*model.Person, next model.Policy) []AuthorityChange {
	var out []AuthorityChange
	if w := policyWidened(a, next); len(w) > 0 {
		out = append(out, AuthorityChange{Entry: PolicyEntryOf(next), What: strings.Join(w, "; ")})
	}
	for _, p := range people {
		if len(p.Problems) != 0 || !p.Role.CanApprove() {
			continue
		}
		now := model.Approver{GitHub: p.GitHub, GitHubID: p.GitHubID, Role: p.Role}
		old, was := a.Approvers[p.ID]
		var what string
		switch {
		case !was:
			what = fmt.Sprintf("%s becomes an approver (%s)", p.ID, p.Role)
		case match(old) != match(now) && match(now) != "":
			what = fmt.Sprintf("%s's GitHub account changes from %s to %s", p.ID, model.AccountText(old.GitHub, old.GitHubID), model.AccountText(now.GitHub, now.GitHubID))
		default:
			continue
		}
		e, _ := ApproverEntryOf(p)
		out = append(out, AuthorityChange{Entry: e, What: what})
	}
	slices.SortFunc(out, func(x, y AuthorityChange) int { return strings.Compare(x.Entry.Key(), y.Entry.Key()) })
	return out
}

// Apply returns the authority a after a commit that brings the policy next
// and the person files people: each change that narrows access at once,
// each that widens it only where approved says it was approved (by the
// entry's key).
func Apply(a model.Authority, people []*model.Person, next model.Policy, approved func(model.EntryRef) bool) model.Authority {
	out := model.Authority{Policy: stricter(a.Policy, next), Approvers: map[string]model.Approver{}}
	changes := map[string]AuthorityChange{}
	for _, c := range Changes(a, people, next) {
		key := string(c.Entry.Kind) + "\x00" + c.Entry.Person
		changes[key] = c
	}
	if c, ok := changes[string(model.PolicyEntry)+"\x00"]; !ok || approved(c.Entry) {
		out.Policy = next
	}
	for _, p := range people {
		if len(p.Problems) != 0 || !p.Role.CanApprove() {
			continue // stepping down, leaving the files or breaking one's file takes effect at once
		}
		now := model.Approver{GitHub: p.GitHub, GitHubID: p.GitHubID, Role: p.Role}
		c, ok := changes[string(model.ApproverEntry)+"\x00"+p.ID]
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
func Equal(a, b model.Authority) bool {
	return policyText(a.Policy) == policyText(b.Policy) && maps.Equal(a.Approvers, b.Approvers)
}

// match is what a review is matched on: the account's id where known,
// else its login without regard to case; "" when no review can be theirs.
func match(a model.Approver) string {
	if a.GitHubID != 0 {
		return fmt.Sprint(a.GitHubID)
	}
	return strings.ToLower(a.GitHub)
}

func approverText(a model.Approver) string {
	return fmt.Sprintf("role=%s github=%s github_id=%d", a.Role, a.GitHub, a.GitHubID)
}
