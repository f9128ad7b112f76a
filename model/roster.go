package model

import (
	"fmt"
	"strings"
)

// Roster is everyone's person file, checked against each other, together
// with the policy the rules use.
type Roster struct {
	People   []*Person // ordered by id
	Problems Problems  // every problem in every file, in order
	Policy   Policy

	byID map[string]*Person
}

// NewRoster checks the people against each other and the policy (approvers
// and supervisors exist and may act, nobody approves themselves, no login,
// id or fingerprint is claimed twice, no temporary entry is too long) and
// returns the roster. Cross-file problems are recorded on the person whose
// file holds the offending field, who is then granted nothing.
func NewRoster(people []*Person, policy Policy) *Roster {
	r := &Roster{People: people, Policy: policy, byID: make(map[string]*Person, len(people))}
	for _, p := range people {
		r.byID[p.ID] = p
	}
	r.checkReferences()
	r.checkUnique("github", func(p *Person) string { return strings.ToLower(p.GitHub) }, "GitHub login")
	r.checkUnique("github_id", func(p *Person) string {
		if p.GitHubID == 0 {
			return ""
		}
		return fmt.Sprint(p.GitHubID)
	}, "GitHub user id")
	r.checkUnique("gpg_fingerprint", func(p *Person) string { return p.GPGFingerprint }, "GPG fingerprint")
	r.checkUnique("ssh_username", func(p *Person) string { return p.SSHUsername }, "SSH username")
	r.checkUnique("aws_user_arn", func(p *Person) string { return p.AWSUserARN }, "AWS user ARN")
	for _, p := range people {
		r.Problems = append(r.Problems, p.Problems...)
	}
	r.Problems.Sort()
	return r
}

// Person returns the person with the given id, or nil.
func (r *Roster) Person(id string) *Person { return r.byID[id] }

func (r *Roster) checkReferences() {
	for _, p := range r.People {
		for i, g := range p.TemporaryAccess {
			path := fmt.Sprintf("temporary_access[%d]", i)
			r.checkApprover(p, g.ApprovedBy, g.ApprovedByPos, path+".approved_by")
			switch sup := r.byID[g.Supervisor]; {
			case g.Supervisor == p.ID:
				p.addProblem(g.SupervisorPos, "%s.supervisor: %s cannot supervise their own access", path, p.ID)
			case sup == nil:
				p.addProblem(g.SupervisorPos, "%s.supervisor: there is no person %q (no file %s.yaml)", path, g.Supervisor, g.Supervisor)
			}
			if days := g.Days(); days > r.Policy.MaxTemporaryDays {
				p.addProblem(g.Pos, "%s: lasts %d days (%s); the most allowed is %d", path, days, g.Range, r.Policy.MaxTemporaryDays)
			}
		}
		for i, re := range p.Reinstated {
			r.checkApprover(p, re.ApprovedBy, re.ApprovedByPos, fmt.Sprintf("reinstated[%d].approved_by", i))
		}
	}
}

func (r *Roster) checkApprover(p *Person, id string, pos Pos, path string) {
	approver := r.byID[id]
	switch {
	case id == p.ID:
		p.addProblem(pos, "%s: %s cannot approve their own access", path, p.ID)
	case approver == nil:
		p.addProblem(pos, "%s: there is no person %q (no file %s.yaml)", path, id, id)
	case approver.Role != "" && !approver.Role.CanApprove():
		p.addProblem(pos, "%s: %s is a %s; only a lead_developer or head_of_technology can approve", path, id, approver.Role)
	}
}

// checkUnique reports every person whose field value (as returned by key)
// is also another person's.
func (r *Roster) checkUnique(fieldName string, key func(*Person) string, what string) {
	owners := map[string][]*Person{}
	for _, p := range r.People {
		if k := key(p); k != "" {
			owners[k] = append(owners[k], p)
		}
	}
	for _, p := range r.People {
		k := key(p)
		if k == "" || len(owners[k]) < 2 {
			continue
		}
		var others []string
		for _, o := range owners[k] {
			if o != p {
				others = append(others, o.File)
			}
		}
		p.addProblem(p.FieldPos(fieldName), "%s: the same %s is in %s; each person needs their own", fieldName, what, strings.Join(others, ", "))
	}
}
