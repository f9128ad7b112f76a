package adoption

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/prodaccess/prodaccess/outcome"
)

// Nodes are linked into people by what they share, the surest links
// first. A person holds at most one identity of each kind (one GitHub
// account, one key, one username, one ARN, one record email, one file):
// a link that would give someone two is not made, and is a conflict.

// strength orders how sure a link is, surest first.
var strengths = []outcome.Sureness{outcome.MatchCertain, outcome.MatchLikely, outcome.MatchLikeness}

func rank(s outcome.Sureness) int { return slices.Index(strengths, s) }

// link is a reason to take two nodes for one person.
type link struct {
	a, b     int
	strength outcome.Sureness
	why      string
	// doubt is the end (a or b) whose side of the link is only what a
	// comment says of it, which is in doubt when the link cannot be made;
	// -1 when both sides are what the accounts, keys and files say of
	// themselves.
	doubt int
}

// cluster is a person being put together: its nodes, the identities they
// hold, how sure the weakest link is, and the links that made it.
type cluster struct {
	nodes    []int
	anchors  map[string]string
	strength outcome.Sureness
	reasons  []string
}

// linker is a union of nodes into clusters.
type linker struct {
	nodes     []*node
	parent    []int
	clusters  map[int]*cluster
	conflicts []conflict
}

// conflict is a link not made: the node's evidence names two people.
type conflict struct {
	node, other int // the node in two people's names, and one of the other person's
	why         string
}

func newLinker(nodes []*node) *linker {
	l := &linker{nodes: nodes, parent: make([]int, len(nodes)), clusters: map[int]*cluster{}}
	for i, n := range nodes {
		l.parent[i] = i
		l.clusters[i] = &cluster{nodes: []int{i}, anchors: maps.Clone(n.anchors), strength: outcome.MatchCertain}
	}
	return l
}

func (l *linker) find(i int) int {
	for l.parent[i] != i {
		l.parent[i] = l.parent[l.parent[i]]
		i = l.parent[i]
	}
	return l.parent[i]
}

// clash names an identity two clusters each hold a different one of, or
// "".
func clash(a, b *cluster) string {
	for _, kind := range slices.Sorted(maps.Keys(a.anchors)) {
		if v, ok := b.anchors[kind]; ok && v != a.anchors[kind] {
			return kind
		}
	}
	return ""
}

// join makes the link if the two clusters may be one person; otherwise
// it records the conflict and reports false.
func (l *linker) join(k link) bool {
	ra, rb := l.find(k.a), l.find(k.b)
	if ra == rb {
		return true
	}
	ca, cb := l.clusters[ra], l.clusters[rb]
	if kind := clash(ca, cb); kind != "" {
		switch k.doubt {
		case k.a:
			l.conflicts = append(l.conflicts, conflict{node: k.a, other: k.b, why: k.why})
		case k.b:
			l.conflicts = append(l.conflicts, conflict{node: k.b, other: k.a, why: k.why})
		}
		// Otherwise two people each say the same of themselves, such as
		// a name they share: nothing of either is in doubt.
		return false
	}
	if len(ca.nodes) < len(cb.nodes) {
		ra, rb, ca, cb = rb, ra, cb, ca
	}
	l.parent[rb] = ra
	ca.nodes = append(ca.nodes, cb.nodes...)
	maps.Copy(ca.anchors, cb.anchors)
	ca.reasons = append(append(ca.reasons, cb.reasons...), fmt.Sprintf("%s: %s", k.strength, k.why))
	for _, s := range []outcome.Sureness{cb.strength, k.strength} {
		if rank(s) > rank(ca.strength) {
			ca.strength = s
		}
	}
	delete(l.clusters, rb)
	return true
}

// shared lists a link for every pair of nodes that hold the same key in
// what attr gives, in a fixed order.
func shared(nodes []*node, strength outcome.Sureness, attr func(*node) map[string][]said, what string) []link {
	holders := map[string][]int{}
	for i, n := range nodes {
		for k := range attr(n) {
			holders[k] = append(holders[k], i)
		}
	}
	var out []link
	for _, k := range slices.Sorted(maps.Keys(holders)) {
		ids := holders[k]
		for _, j := range ids[1:] {
			a, b := nodes[ids[0]], nodes[j]
			shown := attr(a)[k][0].value
			doubt := -1
			switch {
			case commentOnly(attr(a)[k]) && !commentOnly(attr(b)[k]):
				doubt = ids[0]
			case commentOnly(attr(b)[k]):
				doubt = j
			}
			out = append(out, link{a: ids[0], b: j, strength: strength, doubt: doubt,
				why: fmt.Sprintf("%s %s in %s and in %s", what, shown, sources(attr(a)[k]), sources(attr(b)[k]))})
		}
	}
	return out
}

// commentOnly reports whether only comments say it: a label someone
// wrote beside an entry, not what an account, a key or a file says of
// itself.
func commentOnly(ss []said) bool {
	for _, s := range ss {
		if !strings.HasPrefix(s.source, "the comment") {
			return false
		}
	}
	return len(ss) > 0
}

func sources(ss []said) string {
	var out []string
	for _, s := range ss {
		if !slices.Contains(out, s.source) {
			out = append(out, s.source)
		}
	}
	return strings.Join(out, ", ")
}

// link links the nodes: the same email (certain), then the same full name
// or username (likely), then, for a person of whom nothing but a username
// or a first name is known, likeness to exactly one other.
func (l *linker) link() {
	byAnchor := map[string]int{}
	for i, n := range l.nodes {
		if n.anchor != "" {
			byAnchor[n.anchor] = i
		}
	}
	for i, n := range l.nodes {
		if n.person == nil {
			continue
		}
		for _, kind := range slices.Sorted(maps.Keys(n.anchors)) {
			if j, ok := byAnchor[kind+":"+n.anchors[kind]]; ok {
				l.join(link{a: j, b: i, strength: outcome.MatchCertain, why: fmt.Sprintf("%s names %s %s", n.person.File, kind, l.nodes[j].subject), doubt: -1})
			}
		}
	}
	for _, k := range shared(l.nodes, outcome.MatchCertain, func(n *node) map[string][]said { return n.emails }, "the email") {
		l.join(k)
	}
	likely := append(shared(l.nodes, outcome.MatchLikely, func(n *node) map[string][]said { return n.names }, "the name"),
		shared(l.nodes, outcome.MatchLikely, func(n *node) map[string][]said { return n.usernames }, "the username")...)
	for _, k := range likely {
		l.join(k)
	}
	l.likeness()
}

// weak reports whether nothing but usernames and first names is known of
// a cluster: no email, no full name, no file.
func (l *linker) weak(c *cluster) bool {
	for _, i := range c.nodes {
		n := l.nodes[i]
		if len(n.emails) > 0 || len(n.names) > 0 || n.person != nil {
			return false
		}
	}
	return true
}

// likeness links each weak cluster to the one other cluster its
// usernames and first names look like, when exactly one does; when two
// or more do, it links it to none and records why.
func (l *linker) likeness() {
	type candidate struct {
		root int
		why  string
	}
	roots := slices.Sorted(maps.Keys(l.clusters))
	looks := map[int]map[string]string{} // root → normalized look → what it comes from
	for _, r := range roots {
		looks[r] = l.looksOf(l.clusters[r])
	}
	var links []link
	for _, r := range roots {
		c := l.clusters[r]
		if !l.weak(c) {
			continue
		}
		var found []candidate
		var first int
		for _, i := range c.nodes {
			n := l.nodes[i]
			var mine []said
			for _, ss := range n.usernames {
				mine = append(mine, ss...)
			}
			mine = append(mine, n.tokens...)
			for _, s := range mine {
				keys := []string{normUser(s.value)}
				if stem := stem(s.value); stem != "" {
					keys = append(keys, normUser(stem))
				}
				for _, o := range roots {
					if o == r || l.weak(l.clusters[o]) {
						continue
					}
					from, ok := "", false
					for _, k := range keys {
						if f, hit := looks[o][k]; hit && k != "" && !ok {
							from, ok = f, true
						}
					}
					if ok && !slices.ContainsFunc(found, func(c candidate) bool { return c.root == o }) {
						if len(found) == 0 {
							first = i
						}
						found = append(found, candidate{o, fmt.Sprintf("%s %q looks like %s", s.source, s.value, from)})
					}
				}
			}
		}
		switch {
		case len(found) == 1:
			links = append(links, link{a: first, b: l.clusters[found[0].root].nodes[0], strength: outcome.MatchLikeness, why: found[0].why, doubt: first})
		case len(found) > 1:
			for _, f := range found {
				l.conflicts = append(l.conflicts, conflict{node: first, other: l.clusters[f.root].nodes[0], why: f.why})
			}
		}
	}
	for _, k := range links {
		l.join(k)
	}
}

// looksOf is what a cluster's usernames may look like: the usernames
// themselves, and from each full name and email the usual ways of making
// one (jane.doe, janedoe, jdoe, janed, doe, and the first name).
func (l *linker) looksOf(c *cluster) map[string]string {
	out := map[string]string{}
	add := func(v, from string) {
		if k := normUser(v); k != "" {
			if _, ok := out[k]; !ok {
				out[k] = from
			}
		}
	}
	for _, i := range c.nodes {
		n := l.nodes[i]
		for _, k := range slices.Sorted(maps.Keys(n.names)) {
			s := n.names[k][0]
			words := strings.Fields(normName(s.value))
			first, last := words[0], words[len(words)-1]
			from := fmt.Sprintf("the name %q in %s", s.value, s.source)
			for _, v := range []string{first + last, first[:1] + last, first + last[:1], last, first} {
				add(v, from)
			}
		}
		for _, e := range slices.Sorted(maps.Keys(n.emails)) {
			local, _, _ := strings.Cut(e, "@")
			add(local, fmt.Sprintf("the email %s in %s", e, n.emails[e][0].source))
		}
		for _, k := range slices.Sorted(maps.Keys(n.usernames)) {
			for _, s := range n.usernames[k] {
				add(s.value, fmt.Sprintf("%s %q", s.source, s.value))
				if stem := stem(s.value); stem != "" {
					add(stem, fmt.Sprintf("%s %q", s.source, s.value))
				}
			}
		}
	}
	return out
}

// report lists the conflicts: each entry whose evidence named a person
// other than the one it was placed with (ids gives each cluster's
// person), once, with every person named.
func (l *linker) report(ids map[int]string) []outcome.AdoptionConflict {
	byNode := map[int]*outcome.AdoptionConflict{}
	var order []int
	for _, c := range l.conflicts {
		n, other := c.node, c.other
		if l.nodes[n].anchor == "" || len(l.nodes[n].entries) == 0 {
			continue
		}
		here, there := ids[l.find(n)], ids[l.find(other)]
		ac := byNode[n]
		if ac == nil {
			e := l.nodes[n].entries[0]
			ac = &outcome.AdoptionConflict{FoundEntry: outcome.FoundEntry{Target: e.Target, Subject: e.Subject, Says: append(slices.Clone(e.Says), l.nodes[n].says()...)}, PlacedWith: here}
			if here != "" {
				ac.People = append(ac.People, here)
			}
			byNode[n] = ac
			order = append(order, n)
		}
		if there != "" && !slices.Contains(ac.People, there) {
			ac.People = append(ac.People, there)
		}
		if ac.Why != "" {
			ac.Why += "; "
		}
		ac.Why += c.why
	}
	out := []outcome.AdoptionConflict{}
	for _, n := range order {
		ac := byNode[n]
		if len(ac.People) < 2 && ac.PlacedWith != "" {
			continue // the other was placed with nobody: a namesake of a machine, say
		}
		switch {
		case ac.PlacedWith == "":
			slices.Sort(ac.People)
			ac.Why = "placed with nobody, as it could be any of them: " + ac.Why
		default:
			ac.Why = fmt.Sprintf("placed with %s by the stronger evidence; also %s", ac.PlacedWith, ac.Why)
		}
		out = append(out, *ac)
	}
	slices.SortFunc(out, func(a, b outcome.AdoptionConflict) int {
		return strings.Compare(a.Target+"\x00"+a.Subject, b.Target+"\x00"+b.Subject)
	})
	return out
}

// stem is a login without the suffix an organisation gives its accounts
// (alexlead-gds: alexlead), or "" when it has none.
func stem(login string) string {
	i := strings.LastIndexByte(login, '-')
	if i < 3 {
		return ""
	}
	return login[:i]
}
