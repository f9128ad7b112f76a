package model

import (
	"fmt"
	"regexp"
	"strings"
)

// The identities of people: their ids, their GitHub logins and their
// OpenPGP fingerprints, as the rules of the systems that give them have
// them.

var (
	// IDPattern is what a person's id looks like.
	IDPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	// LoginPattern is what a GitHub login looks like (see MaxLoginLength).
	LoginPattern = regexp.MustCompile(`^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$`)
)

// MaxIDLength is the longest a person's id may be.
const MaxIDLength = 64

// MaxLoginLength is the longest a GitHub login may be.
const MaxLoginLength = 39

// ValidID reports whether s may be a person's id: lower-case letters and
// digits in words joined by single hyphens, at most 64 characters.
func ValidID(s string) bool { return len(s) <= MaxIDLength && IDPattern.MatchString(s) }

// ValidGitHubLogin applies GitHub's rule for logins: 1 to 39 characters,
// letters, digits and single hyphens, not starting or ending with a hyphen.
func ValidGitHubLogin(s string) bool {
	return len(s) <= MaxLoginLength && LoginPattern.MatchString(s)
}

// NormalizeFingerprint removes spaces from an OpenPGP fingerprint and
// upper-cases it. It returns an error unless the result is 40 hex digits:
// short and long key ids can be forged, so only full fingerprints count.
func NormalizeFingerprint(s string) (string, error) {
	f := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	for _, c := range f {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F') {
			return "", fmt.Errorf("%q is not a fingerprint: only hex digits and spaces are allowed", s)
		}
	}
	switch len(f) {
	case 40:
		return f, nil
	case 8, 16:
		return "", fmt.Errorf("%q is a short key id, which can be forged; give the full 40-digit fingerprint", s)
	case 64:
		return "", fmt.Errorf("%q is a v5 or v6 fingerprint; only v4 keys (40 hex digits) are supported", s)
	}
	return "", fmt.Errorf("%q has %d hex digits; a fingerprint has 40", s, len(f))
}

// Closest returns the candidate nearest to s, for a "did you mean" when s
// names nothing: one within a third of its length in edits (at least
// one, at most three), else "".
func Closest(s string, candidates []string) string {
	best, bestD := "", min(3, max(1, len([]rune(s))/3))+1
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestD || d == bestD && c < best {
			best, bestD = c, d
		}
	}
	if bestD > min(3, max(1, len([]rune(s))/3)) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
