package render

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// TestCarryTicks: a box a person ticked stays ticked when the body is
// written again; a box whose line changed starts unticked.
func TestCarryTicks(t *testing.T) {
	old := "intro\n- [x] **Revoke** for `a`\n- [X] **Grant** for `b`\n- [ ] **Grant** for `c`\n"
	body := "intro\n- [ ] **Revoke** for `a`\n- [ ] **Grant** for `b`, supervised\n- [ ] **Grant** for `c`\n"
	want := "intro\n- [x] **Revoke** for `a`\n- [ ] **Grant** for `b`, supervised\n- [ ] **Grant** for `c`\n"
	if diff := cmp.Diff(want, CarryTicks(old, body)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestRecordPullRequestBodyEscapes: what comes from files is text, never
// markdown, in the work ticket too.
func TestRecordPullRequestBodyEscapes(t *testing.T) {
	target := &config.Target{Name: "signon", Type: model.Manual, Instructions: "Grant [admin](https://evil.example)", Record: &config.Record{Path: "s.txt"}}
	c := outcome.Change{Target: "signon", Action: outcome.Add, Subject: "a@x", Person: "a", Name: "# Heading @someone", Reason: "*bold*"}
	body := RecordPullRequestBody(&outcome.Plan{At: model.DayFromDate(2026, 3, 1)}, []*config.Target{target}, []outcome.Change{c})
	for _, bad := range []string{"[admin](", "(# Heading", " @someone", " *bold*"} {
		if strings.Contains(body, bad) {
			t.Errorf("the body holds %q unescaped:\n%s", bad, body)
		}
	}
}
