package model

import (
	"fmt"
	"slices"
	"strings"
)

// An organisation that adopts prodaccess already grants production access
// the old way, and nobody has on record the shifts the rules ask for. A
// held_before_adoption entry records that a person held a level on some
// targets before prodaccess governed access, so that the first plan
// removes no one who is rightly there. It is a claim about the past that
// a lead attests to: it needs a lead's approving review as a reinstatement
// does, is valid only with a since before policy.adopted_on, and gives
// the level only on the targets it names. Blocking rules still apply, and
// an access review lists everyone who still rests on it, so that real
// facts replace it over time.

// RuleHeldBeforeAdoption is the name of the rule that gives the level held
// before adoption.
const RuleHeldBeforeAdoption = "held-before-adoption"

// HeldEntry is the kind of a held_before_adoption entry.
const HeldEntry EntryKind = "held_before_adoption"

// HeldAccess is access a person held before the organisation adopted
// prodaccess: a level on some targets, from a day, that a lead approves.
type HeldAccess struct {
	Level      Level
	Since      Day
	ApprovedBy string
	Targets    []string // the names of the targets it was held on

	Pos, SincePos, ApprovedByPos, TargetsPos Pos

	key string // Ref(id).Key(), set when the file is read
}

// Ref names the access held before adoption of person id.
func (h *HeldAccess) Ref(id string) EntryRef {
	since := h.Since
	return EntryRef{Person: id, Kind: HeldEntry, Date: &since, ApprovedBy: h.ApprovedBy, Level: h.Level, Targets: slices.Clone(h.Targets)}
}

func (h *HeldAccess) entryKey(id string) string {
	if h.key != "" {
		return h.key
	}
	return h.Ref(id).Key()
}

// Text says the entry in words: "permanent since 2026-11-30 on
// github-production, hieradata".
func (h *HeldAccess) Text() string {
	return fmt.Sprintf("%s since %s on %s", h.Level, h.Since, strings.Join(h.Targets, ", "))
}

// heldLevel is the level the held-before-adoption rule gives p on day d,
// None when it does not fire: the entry must have begun, its approver may
// approve it on the day prodaccess was adopted, and where the policy
// requires it, its approval was proven by d.
func (r *Roster) heldLevel(p *Person, d Day) Level {
	h := p.HeldBeforeAdoption
	if h == nil || d < h.Since || r.heldFails(p, h) != 0 {
		return None
	}
	if !r.provenBy(h.entryKey(p.ID), r.heldProof(p), d) {
		return None
	}
	return h.Level
}

// heldFails says why the approver of an entry may not approve it: the
// rule for reinstatements, on the day prodaccess was adopted (when the
// lead attests to it), or on its since when that day is not set (and the
// file is invalid anyway).
func (r *Roster) heldFails(p *Person, h *HeldAccess) grantFail {
	on := h.Since
	if a := r.Policy.AdoptedOn; a != nil {
		on = *a
	}
	return r.approverFails(p, h.ApprovedBy, on)
}

func (r *Roster) heldProof(p *Person) *Proof {
	if r.proofs == nil || p.HeldBeforeAdoption == nil {
		return nil
	}
	return r.proofs[p.ID][p.HeldBeforeAdoption.entryKey(p.ID)]
}

// checkHeld records the problems of an entry that depend on the policy and
// the other files: an approver who may not approve it, and a since that is
// not before policy.adopted_on.
func (r *Roster) checkHeld(p *Person, add func(pos Pos, format string, args ...any), approver func(id string, pos Pos, path string)) {
	h := p.HeldBeforeAdoption
	if h == nil {
		return
	}
	approver(h.ApprovedBy, h.ApprovedByPos, "held_before_adoption.approved_by")
	switch a := r.Policy.AdoptedOn; {
	case a == nil:
		add(h.SincePos, "held_before_adoption.since: policy.adopted_on is not set in the configuration; access held before adoption needs the day prodaccess was adopted")
	case h.Since >= *a:
		add(h.SincePos, "held_before_adoption.since: %s is not before policy.adopted_on %s; access from that day on is given by the rules, not held before adoption", h.Since, *a)
	}
}

// describeHeld is the held-before-adoption rule applied on v's day, or
// false when the person file has no such entry.
func (r *Roster) describeHeld(v *verdict) (RuleResult, bool) {
	p, d := v.p, v.d
	h := p.HeldBeforeAdoption
	if h == nil {
		return RuleResult{}, false
	}
	rr := RuleResult{Rule: RuleHeldBeforeAdoption, Kind: Grants, Level: h.Level, Fired: v.heldLevel != None}
	rr.ApprovedBy = h.ApprovedBy
	rr.Evidence = r.heldProof(p)
	what := h.Text()
	switch {
	case d < h.Since:
		rr.Detail = fmt.Sprintf("%s: not yet on %s", what, d)
	case r.heldFails(p, h) != 0:
		on := h.Since
		if a := r.Policy.AdoptedOn; a != nil {
			on = *a
		}
		rr.Detail = fmt.Sprintf("%s grants nothing: %s", what, r.approverProblem(p, h.ApprovedBy, on, "prodaccess was adopted"))
	case !rr.Fired:
		pf := rr.Evidence
		why := "approval not proven"
		if pf != nil && len(pf.Missing) > 0 {
			why += ": " + strings.Join(pf.Missing, "; ")
		}
		if day, ok := r.evidence.ProvenDay(pf); ok && pf.Proven() {
			why = fmt.Sprintf("it counts from %s, when its evidence was complete (%s)", day, pf.Summary())
		}
		rr.Detail = fmt.Sprintf("%s grants nothing: %s", what, why)
	default:
		rr.Detail = fmt.Sprintf("%s, approved by %s", what, h.ApprovedBy)
		if pf := rr.Evidence; pf != nil && !pf.Proven() {
			rr.Detail += " (not proven: " + strings.Join(pf.Missing, "; ") + ")"
		}
	}
	return rr, true
}

// LevelOn is the person's level on one target (by name). It is Level,
// except where the level rests on access held before adoption alone and
// the target is not one it was held on: there it is what the other rules
// give.
func (dc *Decision) LevelOn(target string) Level {
	if dc.HeldOn == nil || slices.Contains(dc.HeldOn, target) {
		return dc.Level
	}
	return dc.LevelElsewhere
}

// RestsOnHeld reports whether the decision's level rests on access held
// before adoption: no other rule gives it.
func (dc *Decision) RestsOnHeld() bool { return dc.HeldOn != nil }
