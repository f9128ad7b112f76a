package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// TestProposalBodyEscapes: text from the command line reaches the pull
// request only as text.
func TestProposalBodyEscapes(t *testing.T) {
	var b bytes.Buffer
	err := WriteProposalBody(&b, &Proposal{
		Title: "Temporary production access for cy, 2026-12-01 to 2026-12-31", File: "people/cy.yaml",
		Conditions: []model.Condition{{Rule: model.RuleTemporaryException, Text: "a condition", Met: true, Detail: "reason: <script> @everyone [x](http://e)"}},
		Notes:      []string{"cy sets agreed: true"},
		Changes:    []*outcome.AccessChanges{{From: "abc", To: "def", At: day("2026-12-01")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, bad := range []string{"<script>", "@everyone", "[x](", CommentMarker} {
		if strings.Contains(got, bad) {
			t.Errorf("the body holds %q:\n%s", bad, got)
		}
	}
	for _, want := range []string{"- **met**: a condition: reason: &lt;script&gt;", "### Still to do", "No one's production access changes."} {
		if !strings.Contains(got, want) {
			t.Errorf("the body lacks %q:\n%s", want, got)
		}
	}
}
