package evidence

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/model"
)

func TestAuthority(t *testing.T) {
	lead := func(id, login string, ghid int64) *model.Person {
		return &model.Person{ID: id, GitHub: login, GitHubID: ghid, Role: model.LeadDeveloper}
	}
	dev := func(id, login string) *model.Person {
		return &model.Person{ID: id, GitHub: login, Role: model.Developer}
	}
	base := model.DefaultPolicy()
	base.Evidence = model.EvidenceRequired
	base.EvidenceSigners = []string{"ssh-ed25519 AAAAold reconcile"}
	base.ShiftEvidence = model.EvidenceRequired
	base.Rota = model.Rota{Schedules: []model.RotaSchedule{{ID: "PPRIMRY", Shift: model.Primary}}, Match: model.MatchEmail, RetentionDays: 365}
	start := NewAuthority([]*model.Person{lead("alex", "alexlead-gds", 11), dev("sam", "sam-gh")}, base)

	withPolicy := func(f func(*model.Policy)) model.Policy {
		p := base
		p.EvidenceSigners = append([]string(nil), base.EvidenceSigners...)
		f(&p)
		return p
	}
	tests := []struct {
		name     string
		people   []*model.Person
		policy   model.Policy
		approved bool
		want     []string // what the changes say
		after    model.Authority
	}{
		{
			name:   "nothing changes",
			people: []*model.Person{lead("alex", "alexlead-gds", 11), dev("sam", "sam-gh")},
			policy: base,
			after:  start,
		},
		{
			name:   "a new lead, not approved, approves nothing",
			people: []*model.Person{lead("alex", "alexlead-gds", 11), lead("mallory", "mallory", 66)},
			policy: base,
			want:   []string{"mallory becomes an approver (lead_developer)"},
			after:  start,
		},
		{
			name:     "a new lead, approved",
			people:   []*model.Person{lead("alex", "alexlead-gds", 11), lead("mallory", "mallory", 66)},
			policy:   base,
			approved: true,
			want:     []string{"mallory becomes an approver (lead_developer)"},
			after:    model.Authority{Policy: base, Approvers: map[string]model.Approver{"alex": {GitHub: "alexlead-gds", GitHubID: 11, Role: model.LeadDeveloper}, "mallory": {GitHub: "mallory", GitHubID: 66, Role: model.LeadDeveloper}}},
		},
		{
			name:   "a lead's account changed, not approved: the old one stays theirs",
			people: []*model.Person{lead("alex", "mallory", 66)},
			policy: base,
			want:   []string{"alex's GitHub account changes from alexlead-gds (id 11) to mallory (id 66)"},
			after:  start,
		},
		{
			name:   "a lead steps down: at once",
			people: []*model.Person{dev("alex", "alexlead-gds")},
			policy: base,
			after:  model.Authority{Policy: base, Approvers: map[string]model.Approver{}},
		},
		{
			name:   "evidence lowered and a signer added, not approved",
			people: []*model.Person{lead("alex", "alexlead-gds", 11)},
			policy: withPolicy(func(p *model.Policy) {
				p.Evidence = model.EvidenceOff
				p.EvidenceSigners = append(p.EvidenceSigners, "ssh-ed25519 AAAAnew mallory@laptop")
			}),
			want:  []string{"policy.evidence lowered from required to off; policy.evidence_signers gains ssh-ed25519 mallory@laptop"},
			after: start,
		},
		{
			name:   "stricter numbers at once, looser ones held, a signer removed at once",
			people: []*model.Person{lead("alex", "alexlead-gds", 11)},
			policy: withPolicy(func(p *model.Policy) {
				p.AbsenceLimitDays = 30
				p.MaxTemporaryDays = 120
				p.EvidenceSigners = []string{"ssh-ed25519 AAAAnew ci"}
			}),
			want: []string{"policy.evidence_signers gains ssh-ed25519 ci; policy.max_temporary_days raised from 90 to 120"},
			after: model.Authority{Policy: withPolicy(func(p *model.Policy) {
				p.AbsenceLimitDays = 30
				p.EvidenceSigners = nil
			}), Approvers: map[string]model.Approver{"alex": {GitHub: "alexlead-gds", GitHubID: 11, Role: model.LeadDeveloper}}},
		},
		{
			name:   "shift evidence lowered, a schedule added and people matched another way, not approved",
			people: []*model.Person{lead("alex", "alexlead-gds", 11)},
			policy: withPolicy(func(p *model.Policy) {
				p.ShiftEvidence = model.EvidenceOff
				p.Rota = model.Rota{Schedules: []model.RotaSchedule{{ID: "PPRIMRY", Shift: model.Primary}, {ID: "PMINE01", Shift: model.Primary}}, Match: model.MatchPagerDutyID, RetentionDays: 30}
			}),
			want:  []string{"policy.shift_evidence lowered from required to off; rota.schedules gains PMINE01 for primary shifts; rota.match changes from email to pagerduty_id; rota.retention_days lowered from 365 to 30"},
			after: start,
		},
		{
			name:     "shift evidence lowered, approved",
			people:   []*model.Person{lead("alex", "alexlead-gds", 11)},
			policy:   withPolicy(func(p *model.Policy) { p.ShiftEvidence = model.EvidenceWarn }),
			want:     []string{"policy.shift_evidence lowered from required to warn"},
			approved: true,
			after: model.Authority{Policy: withPolicy(func(p *model.Policy) { p.ShiftEvidence = model.EvidenceWarn }),
				Approvers: map[string]model.Approver{"alex": {GitHub: "alexlead-gds", GitHubID: 11, Role: model.LeadDeveloper}}},
		},
		{
			name:   "a schedule removed and rota.since moved earlier: at once",
			people: []*model.Person{lead("alex", "alexlead-gds", 11)},
			policy: withPolicy(func(p *model.Policy) { p.Rota = model.Rota{Match: model.MatchEmail, RetentionDays: 365} }),
			after: model.Authority{Policy: withPolicy(func(p *model.Policy) { p.Rota = model.Rota{Match: model.MatchEmail, RetentionDays: 365} }),
				Approvers: map[string]model.Approver{"alex": {GitHub: "alexlead-gds", GitHubID: 11, Role: model.LeadDeveloper}}},
		},
		{
			name:   "a signer's comment changes: the same key",
			people: []*model.Person{lead("alex", "alexlead-gds", 11)},
			policy: withPolicy(func(p *model.Policy) { p.EvidenceSigners = []string{"ssh-ed25519 AAAAold renamed"} }),
			after: model.Authority{Policy: withPolicy(func(p *model.Policy) { p.EvidenceSigners = []string{"ssh-ed25519 AAAAold renamed"} }),
				Approvers: map[string]model.Approver{"alex": {GitHub: "alexlead-gds", GitHubID: 11, Role: model.LeadDeveloper}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range Changes(start, tt.people, tt.policy) {
				got = append(got, c.What)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			after := Apply(start, tt.people, tt.policy, func(model.EntryRef) bool { return tt.approved })
			if diff := cmp.Diff(tt.after, after); diff != "" {
				t.Errorf("authority after (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPolicyTextOfOldPolicies: a policy with no shift evidence or rota is
// named as it was before they existed, so that the notes recorded of
// changes to it keep their keys.
func TestPolicyTextOfOldPolicies(t *testing.T) {
	p := model.DefaultPolicy()
	p.Evidence = model.EvidenceRequired
	want := "evidence=required evidence_signers= shadow_shifts_required=2 absence_limit_days=42 max_temporary_days=90"
	if got := PolicyEntryOf(p).Reason; got != want {
		t.Errorf("policy text %q, want %q", got, want)
	}
	p.ShiftEvidence = model.EvidenceRequired
	p.Rota.Schedules = []model.RotaSchedule{{ID: "PPRIMRY", Shift: model.Primary}}
	want += " shift_evidence=required rota=PPRIMRY:primary match=email since=none retention_days=365"
	if got := PolicyEntryOf(p).Reason; got != want {
		t.Errorf("policy text %q, want %q", got, want)
	}
}
