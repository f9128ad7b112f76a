package fakegithub

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/prodaccess/prodaccess/internal/openapi"
)

// GitHub's schemas type some values as a plain string and give the values
// GitHub uses, or the most characters it takes, only in prose (a review's
// state, an issue's, why a commit's signature is or is not verified, the
// length of a pull request's body). The checker
// holds requests and answers to that prose as to the schema: proseRules
// names, by operation, where in a body such a value is and which values
// GitHub documents, or how long it may be. Values the schema itself enumerates (a team
// membership's role and state, a pull request's state in one pull request,
// a ruleset's enforcement and bypass_mode) are checked by the schema and
// are not repeated here.

// proseRule is one value GitHub documents in prose.
type proseRule struct {
	op      string // the operation's id
	request bool   // in the request's body; else in the answer's
	// at is a JSON pointer to the value; a * token stands for every item
	// of a list.
	at     string
	values []string // the values GitHub documents, if it lists them
	// maxChars is the most characters (Unicode code points) GitHub takes,
	// if it has a limit.
	maxChars int
}

// maxBodyChars is the most characters GitHub takes in the body of a pull
// request, an issue or a comment; it refuses a longer one with a 422,
// "body is too long (maximum is 65536 characters)". GitHub counts
// characters as Ruby's String#length does: Unicode code points, not bytes
// and not UTF-16 units.
const maxBodyChars = 65536

var (
	// A review's state: GitHub's PullRequestReviewState, which its REST
	// schema types as a string.
	reviewStates = []string{"APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING"}
	// An issue's state ("either 'open' or 'closed'"), and a pull
	// request's where pull-request-simple types it as a string.
	openOrClosed = []string{"open", "closed"}
	// Why a commit's signature is verified or not: the table "possible
	// values for reason in the verification object" in the description
	// of repos/get-commit and repos/list-commits.
	verificationReasons = []string{
		"expired_key", "not_signing_key", "gpgverify_error", "gpgverify_unavailable", "unsigned", "unknown_signature_type",
		"no_user", "unverified_email", "bad_email", "unknown_key", "malformed_signature", "invalid", "valid",
	}
)

var proseRules = []proseRule{
	{op: "pulls/list-reviews", at: "/*/state", values: reviewStates},
	{op: "pulls/list", at: "/*/state", values: openOrClosed},
	{op: "pulls/request-reviewers", at: "/state", values: openOrClosed},
	{op: "repos/list-pull-requests-associated-with-commit", at: "/*/state", values: openOrClosed},
	{op: "issues/list-for-repo", at: "/*/state", values: openOrClosed},
	{op: "issues/create", at: "/state", values: openOrClosed},
	{op: "issues/update", at: "/state", values: openOrClosed},
	{op: "pulls/list-commits", at: "/*/commit/verification/reason", values: verificationReasons},
	{op: "pulls/create", request: true, at: "/body", maxChars: maxBodyChars},
	{op: "pulls/update", request: true, at: "/body", maxChars: maxBodyChars},
	{op: "issues/create", request: true, at: "/body", maxChars: maxBodyChars},
	{op: "issues/update", request: true, at: "/body", maxChars: maxBodyChars},
}

// checkProse checks a request's (request) or an answer's body, v, against
// the prose rules of op.
func checkProse(p *openapi.Problems, op *openapi.Operation, request bool, v any) {
	what := "response body"
	if request {
		what = "request body"
	}
	for _, rule := range proseRules {
		if rule.op != op.ID || rule.request != request {
			continue
		}
		at(v, openapi.Unpointer(rule.at), nil, func(ptr []string, v any) {
			s, ok := v.(string)
			if !ok {
				return
			}
			if rule.values != nil && !slices.Contains(rule.values, s) {
				p.Addf("%s at %q: %q is not one of the values GitHub documents in prose: %s", what, openapi.Pointer(ptr), s, strings.Join(rule.values, ", "))
			}
			if n := utf8.RuneCountInString(s); rule.maxChars > 0 && n > rule.maxChars {
				p.Addf("%s at %q: %d characters, more than the %d GitHub takes (it answers 422, \"too long\")", what, openapi.Pointer(ptr), n, rule.maxChars)
			}
		})
	}
}

// at calls f with each value in v that the pointer tokens want reach, a
// "*" reaching every item of a list, and the pointer to it after the
// tokens in ptr.
func at(v any, want, ptr []string, f func(ptr []string, v any)) {
	if len(want) == 0 {
		f(ptr, v)
		return
	}
	switch c := v.(type) {
	case map[string]any:
		if e, ok := c[want[0]]; ok {
			at(e, want[1:], append(slices.Clone(ptr), want[0]), f)
		}
	case []any:
		for i, e := range c {
			if want[0] == "*" || want[0] == strconv.Itoa(i) {
				at(e, want[1:], append(slices.Clone(ptr), strconv.Itoa(i)), f)
			}
		}
	}
}

// String names the rule, for test failures.
func (r proseRule) String() string {
	where := "answer"
	if r.request {
		where = "request"
	}
	return fmt.Sprintf("%s %s %s", r.op, where, r.at)
}
