package render

import (
	"strings"
	"testing"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// TestPullRequestBodySaysApprovalNotProven: under policy.evidence warn, a
// pull request that adds someone whose grant is not proven says so.
func TestPullRequestBodySaysApprovalNotProven(t *testing.T) {
	plan := &outcome.Plan{At: 20790}
	changes := []outcome.Change{{Target: "hieradata", Action: outcome.Add, Subject: "0123456789ABCDEF0123456789ABCDEF01234567", Person: "cy",
		Unproven: "cy's temporary access 2026-11-16 to 2027-01-31 (Migrating): no approving review by alexlead-gds on #15"}}
	body := PullRequestBody(plan, []*config.Target{{Name: "hieradata", Type: model.FileTarget, Format: config.GPGRecipients, Path: "hiera.rcp"}}, changes)
	if !strings.Contains(body, "### Approval not proven") || !strings.Contains(body, "no approving review by alexlead-gds on \\#15") {
		t.Errorf("body:\n%s", body)
	}
}
