package model

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAuthority(t *testing.T) {
	lead := func(id, login string, ghid int64) *Person {
		return &Person{ID: id, GitHub: login, GitHubID: ghid, Role: LeadDeveloper}
	}
	dev := func(id, login string) *Person { return &Person{ID: id, GitHub: login, Role: Developer} }
	base := DefaultPolicy()
	base.Evidence = EvidenceRequired
	base.EvidenceSigners = []string{"ssh-ed25519 AAAAold reconcile"}
	start := NewAuthority([]*Person{lead("alex", "alexlead-gds", 11), dev("sam", "sam-gh")}, base)

	withPolicy := func(f func(*Policy)) Policy {
		p := base
		p.EvidenceSigners = append([]string(nil), base.EvidenceSigners...)
		f(&p)
		return p
	}
	tests := []struct {
		name     string
		people   []*Person
		policy   Policy
		approved bool
		want     []string // what the changes say
		after    Authority
	}{
		{
			name:   "nothing changes",
			people: []*Person{lead("alex", "alexlead-gds", 11), dev("sam", "sam-gh")},
			policy: base,
			after:  start,
		},
		{
			name:   "a new lead, not approved, approves nothing",
			people: []*Person{lead("alex", "alexlead-gds", 11), lead("mallory", "mallory", 66)},
			policy: base,
			want:   []string{"mallory becomes an approver (lead_developer)"},
			after:  start,
		},
		{
			name:     "a new lead, approved",
			people:   []*Person{lead("alex", "alexlead-gds", 11), lead("mallory", "mallory", 66)},
			policy:   base,
			approved: true,
			want:     []string{"mallory becomes an approver (lead_developer)"},
			after:    Authority{Policy: base, Approvers: map[string]Approver{"alex": {"alexlead-gds", 11, LeadDeveloper}, "mallory": {"mallory", 66, LeadDeveloper}}},
		},
		{
			name:   "a lead's account changed, not approved: the old one stays theirs",
			people: []*Person{lead("alex", "mallory", 66)},
			policy: base,
			want:   []string{"alex's GitHub account changes from alexlead-gds (id 11) to mallory (id 66)"},
			after:  start,
		},
		{
			name:   "a lead steps down: at once",
			people: []*Person{dev("alex", "alexlead-gds")},
			policy: base,
			after:  Authority{Policy: base, Approvers: map[string]Approver{}},
		},
		{
			name:   "evidence lowered and a signer added, not approved",
			people: []*Person{lead("alex", "alexlead-gds", 11)},
			policy: withPolicy(func(p *Policy) {
				p.Evidence = EvidenceOff
				p.EvidenceSigners = append(p.EvidenceSigners, "ssh-ed25519 AAAAnew mallory@laptop")
			}),
			want:  []string{"policy.evidence lowered from required to off; policy.evidence_signers gains ssh-ed25519 mallory@laptop"},
			after: start,
		},
		{
			name:   "stricter numbers at once, looser ones held, a signer removed at once",
			people: []*Person{lead("alex", "alexlead-gds", 11)},
			policy: withPolicy(func(p *Policy) {
				p.AbsenceLimitDays = 30
				p.MaxTemporaryDays = 120
				p.EvidenceSigners = []string{"ssh-ed25519 AAAAnew ci"}
			}),
			want: []string{"policy.evidence_signers gains ssh-ed25519 ci; policy.max_temporary_days raised from 90 to 120"},
			after: Authority{Policy: withPolicy(func(p *Policy) {
				p.AbsenceLimitDays = 30
				p.EvidenceSigners = nil
			}), Approvers: map[string]Approver{"alex": {"alexlead-gds", 11, LeadDeveloper}}},
		},
		{
			name:   "a signer's comment changes: the same key",
			people: []*Person{lead("alex", "alexlead-gds", 11)},
			policy: withPolicy(func(p *Policy) { p.EvidenceSigners = []string{"ssh-ed25519 AAAAold renamed"} }),
			after: Authority{Policy: withPolicy(func(p *Policy) { p.EvidenceSigners = []string{"ssh-ed25519 AAAAold renamed"} }),
				Approvers: map[string]Approver{"alex": {"alexlead-gds", 11, LeadDeveloper}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range start.Changes(tt.people, tt.policy) {
				got = append(got, c.What)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			after := start.Apply(tt.people, tt.policy, func(EntryRef) bool { return tt.approved })
			if diff := cmp.Diff(tt.after, after); diff != "" {
				t.Errorf("authority after (-want +got):\n%s", diff)
			}
		})
	}
}
