package render

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// TestAdoptionPullRequestBodyFits: however many people an adoption finds,
// the pull request's description stays within GitHub's limit, and says
// where what it leaves out is.
func TestAdoptionPullRequestBodyFits(t *testing.T) {
	adoption := func(n int) *outcome.Adoption {
		a := &outcome.Adoption{}
		for i := range n {
			id := fmt.Sprintf("person-%04d", i)
			a.People = append(a.People, outcome.AdoptedPerson{ID: id, Name: "Person " + id, Match: outcome.MatchLikely,
				Found:   []outcome.FoundEntry{{Target: "github-production", Subject: id + "-gds"}, {Target: "hieradata", Subject: strings.Repeat("A", 40)}},
				Reasons: []string{"likely: the name Person " + id + " in the GitHub profile of " + id + "-gds and in the comment in hieradata"},
				Held:    &outcome.HeldText{Level: model.Permanent, ApprovedBy: "alex-lead", Targets: []string{"github-production", "hieradata"}}})
		}
		return a
	}
	for _, tc := range []struct {
		people int
		saying string
	}{
		{10, "<summary>Why each match was made</summary>"},
		{400, "The reasons for each match are left out"},
		{2000, "the rest is cut, to keep within GitHub's limit"},
	} {
		body := AdoptionPullRequestBody(adoption(tc.people), nil)
		if n := utf8.RuneCountInString(body); n > maxAdoptionBody || !strings.Contains(body, tc.saying) {
			t.Errorf("%d people: a description of %d characters, saying %q: %t", tc.people, n, tc.saying, strings.Contains(body, tc.saying))
		}
	}
}
