package model

// Policy holds the parameters of the rules.
type Policy struct {
	ShadowShiftsRequired int // shadow shifts before supervised access (default 2)
	AbsenceLimitDays     int // an absence revokes access on the day after this many days (default 42)
	MaxTemporaryDays     int // the longest a temporary_access entry may last (default 90)
	// Evidence says whether an approval must be proven by a review of
	// the pull request that wrote it (default warn).
	Evidence EvidencePolicy
	// EvidenceSigners are the public keys whose signature makes a note
	// evidence, each as "type base64 [comment]" (authorized_keys form).
	EvidenceSigners []string
	// ShiftEvidence says whether a shift must be proven by the on-call
	// rota (or, where the rota cannot show it, by a lead's approving
	// review) to count (default warn).
	ShiftEvidence EvidencePolicy
	// Rota is the on-call rota that proves shifts.
	Rota Rota
}

// DefaultPolicy is the policy of the written rules.
func DefaultPolicy() Policy {
	return Policy{ShadowShiftsRequired: 2, AbsenceLimitDays: 42, MaxTemporaryDays: 90, Evidence: EvidenceWarn,
		ShiftEvidence: EvidenceWarn, Rota: Rota{Match: MatchEmail, RetentionDays: DefaultRotaRetentionDays}}
}

// ChecksShifts reports whether shifts are checked against their
// evidence: always under shift_evidence required, and under warn when a
// rota is configured to check them against; a warning about every shift
// of a rota nobody keeps would say nothing.
func (p Policy) ChecksShifts() bool {
	switch p.ShiftEvidence {
	case EvidenceRequired:
		return true
	case EvidenceWarn, "":
		return p.Rota.Configured()
	}
	return false
}
