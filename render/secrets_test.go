package render

import (
	"strings"
	"testing"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// statusFixture is a status of two targets: one with a secret of every
// kind of trouble, one all current.
func statusFixture() *outcome.SecretsStatus {
	c := func(s outcome.Secret, readers, stale, missing, unknown []string) outcome.SecretCheck {
		return outcome.SecretCheck{Secret: s, Readers: readers, Stale: stale, Missing: missing, Unknown: unknown}
	}
	return &outcome.SecretsStatus{Targets: []*outcome.SecretsReport{
		{Target: "hieradata", Desired: []outcome.Holder{{Name: "alice", Fingerprint: strings.Repeat("A", 40)}, {Name: "bob", Fingerprint: strings.Repeat("B", 40)}},
			Counts: outcome.SecretCounts{Total: 5, Current: 1, Stale: 1, Missing: 2, Unknown: 1, Unreadable: 1},
			Secrets: []outcome.SecretCheck{
				c(outcome.Secret{File: "hieradata/production.yaml", Key: "govuk::db::password", Line: 4, Format: model.EYAMLGPG}, []string{"alice", "carol"}, []string{"carol"}, []string{"bob"}, nil),
				c(outcome.Secret{File: "hieradata/production.yaml", Key: "govuk::api|token", Line: 11, Format: model.EYAMLGPG}, []string{"alice"}, nil, []string{"bob"}, nil),
				c(outcome.Secret{File: "pass/hidden.gpg", Line: 1, Format: model.OpenPGPFiles}, []string{"alice"}, []string{"2 hidden recipient(s) not accounted for"}, nil, []string{"whether bob can read it (its recipients are hidden)"}),
				{Secret: outcome.Secret{File: "pass/old-key.gpg", Line: 1, Format: model.OpenPGPFiles}, Readers: []string{"alice", "bob"}, Retired: []string{"bob's expired key 0123456789ABCDEF"}},
				c(outcome.Secret{File: "pass/notes.gpg", Line: 1, Format: model.OpenPGPFiles, Problem: "not an OpenPGP message"}, nil, nil, nil, nil),
			},
			Warnings: []string{`hieradata: secrets glob "sops/*.yaml" matches no file`}},
		{Target: "pass-store", Desired: []outcome.Holder{{Name: "alice", Fingerprint: strings.Repeat("A", 40)}},
			Stores: []outcome.StoreHolders{{Path: "pass/ops", Desired: []outcome.Holder{{Name: "alice", Fingerprint: strings.Repeat("A", 40)}}}},
			Counts: outcome.SecretCounts{Total: 3, Current: 3, ToRotate: 1}, Secrets: []outcome.SecretCheck{},
			Rotation: []outcome.RotationEntry{{File: "pass/ops/vpn.gpg", Readers: []string{"carol"}, Due: model.DayFromDate(2026, 1, 5), ReadableAt: strings.Repeat("c", 40)}}},
	}}
}

func TestWriteSecretsStatusGolden(t *testing.T) {
	for _, markdown := range []bool{false, true} {
		var b strings.Builder
		if err := WriteSecretsStatus(&b, statusFixture(), markdown); err != nil {
			t.Fatal(err)
		}
		name := map[bool]string{false: "secrets-status.txt", true: "secrets-status.md"}[markdown]
		golden(t, "testdata/golden/"+name, []byte(b.String()))
	}
	plan := &outcome.Plan{At: 20000, Targets: []outcome.TargetPlan{{Target: "hieradata", Secrets: statusFixture().Targets[0], Changes: []outcome.Change{}}}}
	for _, markdown := range []bool{false, true} {
		var b strings.Builder
		writePlanSecrets(&b, plan, markdown)
		golden(t, "testdata/golden/"+map[bool]string{false: "plan-secrets.txt", true: "plan-secrets.md"}[markdown], []byte(b.String()))
	}
}
