package fakegithub

import (
	"encoding/json"
	"hash/maphash"
	"slices"
)

// The lists of members are made once and kept while the memberships they
// come from are unchanged: a plan reads all 19 pages of a team of 1,800,
// and sorting the whole team for each page was most of the stand-in's
// time, taken on the machine the client runs on (about 50 ms of
// processor time a no-op plan). Tests change the exported state directly,
// so what is kept is checked against a hash of that state at every
// request, never trusted to have been told of a change.

// memberList is a team's logins with a role, sorted, and the hash of the
// memberships it was made from.
type memberList struct {
	sum    uint64
	logins []string
}

type memberKey struct{ slug, role string }

// accountKey is what account makes its JSON from.
type accountKey struct {
	login string
	id    int64
	typ   string
}

var (
	memberSeed = maphash.MakeSeed()
	memberHash = maphash.String(memberSeed, "member")
)

// eachMembership calls f with every direct membership of team and of
// every team below it.
func (s *Server) eachMembership(team *Team, f func(t *Team, login, role string)) {
	for l, rl := range team.Roles {
		f(team, l, rl)
	}
	for _, c := range s.Teams {
		if c.Parent == team.Slug {
			s.eachMembership(c, f)
		}
	}
}

// teamRoles is the members of team and of every team below it, by login,
// with a maintainer's role where a login is both.
func (s *Server) teamRoles(team *Team) map[string]string {
	roles := make(map[string]string, len(team.Roles))
	s.eachMembership(team, func(_ *Team, l, rl string) {
		if _, ok := roles[l]; !ok || rl == "maintainer" {
			roles[l] = rl
		}
	})
	return roles
}

// teamSum hashes every membership teamRoles reads, in no order; it costs
// no map and no sort.
func (s *Server) teamSum(team *Team) uint64 {
	var sum uint64
	s.eachMembership(team, func(t *Team, l, rl string) {
		role := memberHash // most are
		if rl != "member" {
			role = maphash.String(memberSeed, rl)
		}
		sum += mix(maphash.String(memberSeed, t.Slug) ^ mix(maphash.String(memberSeed, l)^role))
	})
	return sum
}

// mix is splitmix64's finaliser: every bit of x moves every bit of the
// result, so that sums of mixed values do not cancel as sums of XORs
// would.
func mix(x uint64) uint64 {
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// members is the sorted logins of team and the teams below it whose role
// is role ("" or "all": any), as GitHub lists them.
func (s *Server) members(team *Team, role string) []string {
	key := memberKey{team.Slug, role}
	sum := s.teamSum(team)
	if l, ok := s.memberLists[key]; ok && l.sum == sum {
		return l.logins
	}
	roles := s.teamRoles(team)
	logins := make([]string, 0, len(roles))
	for l, rl := range roles {
		if role == "" || role == "all" || role == rl {
			logins = append(logins, l)
		}
	}
	slices.Sort(logins)
	if s.memberLists == nil {
		s.memberLists = map[memberKey]memberList{}
	}
	s.memberLists[key] = memberList{sum: sum, logins: logins}
	return logins
}

// userRaw is userJSON's JSON, made once for each login, id and type.
func (s *Server) userRaw(u *User) json.RawMessage {
	key := accountKey{u.Login, u.ID, userType(u)}
	if b, ok := s.accounts[key]; ok {
		return b
	}
	b, err := json.Marshal(s.account(key.login, key.id, key.typ))
	if err != nil {
		panic(err) // the stand-in's own values always marshal
	}
	if s.accounts == nil {
		s.accounts = map[accountKey]json.RawMessage{}
	}
	s.accounts[key] = b
	return b
}
