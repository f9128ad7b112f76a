package reconciler

import (
	"crypto/sha1"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/personfile"
)

var walkSeed = flag.Uint64("walkseed", 0, "the seed of TestWalksAgree's random histories (0: from the clock)")

// TestWalksAgree: the walk that reads only what each commit changed gives
// exactly the timeline (events, findings, people) that the walk comparing
// whole listings of the people folder gave, over random histories of
// person files added, edited, renamed and removed, commits that do not
// validate, configuration changes, entries that are not person files, and
// evidence of approvals for some. A failure names the seed that repeats it.
func TestWalksAgree(t *testing.T) {
	const histories = 300
	seed := *walkSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (repeat with -walkseed %d)", seed, seed)
	// The histories are compared in parts side by side, on every
	// processor; the events are counted over all of them.
	const parts = 4
	var mu sync.Mutex
	kinds := map[string]int{}
	t.Run("parts", func(t *testing.T) {
		for part := range parts {
			t.Run(fmt.Sprint(part), func(t *testing.T) {
				t.Parallel()
				for i := part; i < histories; i += parts {
					agreeOn(t, seed, i, &mu, kinds)
				}
			})
		}
	})
	if t.Failed() {
		return
	}
	// The histories must reach every kind of event, or the agreement
	// says little.
	t.Logf("over %d histories: %v", histories, kinds)
	for _, k := range []string{outcome.CauseCommit, outcome.CauseRule, outcome.CauseRename, outcome.CauseInvalid, "finding"} {
		if kinds[k] < histories/10 {
			t.Errorf("only %d %q events over %d histories: %v", kinds[k], k, histories, kinds)
		}
	}
}

// agreeOn compares the old and the new walk on history i of seed, and
// counts its events in kinds.
func agreeOn(t *testing.T, seed uint64, i int, mu *sync.Mutex, kinds map[string]int) {
	t.Helper()
	s := seed + uint64(i)
	h := randomHistory(rand.New(rand.NewPCG(s, 25)))
	opts := TimelineOptions{Branch: "main", PeopleLabel: "people", ConfigFile: "prodaccess.yaml", Location: time.UTC, To: h.last + 30}
	if i%2 == 1 {
		opts.EvidenceOf, opts.Authority = h.evidence(rand.New(rand.NewPCG(s, 26)))
	}
	if i%7 == 3 {
		// A timeline that stops before the last commit.
		opts.To = h.last - 20
	}
	if i%5 == 4 {
		opts.Person = "bob"
		from := h.first + 30
		opts.From = &from
	}
	want, err := buildTimelineOld(h, opts)
	if err != nil {
		t.Fatalf("history %d of seed %d: old walk: %v", i, seed, err)
	}
	got, err := BuildTimeline(h, opts)
	if err != nil {
		t.Fatalf("history %d of seed %d: %v", i, seed, err)
	}
	// People are compared whole, their fields worked out on loading too.
	if diff := cmp.Diff(got, want, cmp.Exporter(func(reflect.Type) bool { return true })); diff != "" {
		t.Fatalf("history %d of seed %d: the walks disagree (-new +old):\n%s", i, seed, diff)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, e := range got.Events {
		kinds[e.Cause]++
	}
	kinds["finding"] += len(got.Findings)
}

// fakeHistory is a history held in memory, read both ways: whole
// listings (snapshotHistory) and changes (History).
type fakeHistory struct {
	commits     []outcome.Commit
	trees       []ObjectID // the people tree at each commit
	configs     []ObjectID
	listings    map[ObjectID][]HistoryEntry
	blobs       map[ObjectID][]byte
	first, last model.Day
	leads       []*model.Person // the lead developers of the first commit
	policy      model.Policy    // the first commit's
}

func (h *fakeHistory) Commits() ([]outcome.Commit, error) { return slices.Clone(h.commits), nil }

func (h *fakeHistory) Tree(sha string) (ObjectID, ObjectID, error) {
	for i := range h.commits {
		if h.commits[i].SHA == sha {
			return h.trees[i], h.configs[i], nil
		}
	}
	return ObjectID{}, ObjectID{}, fmt.Errorf("no commit %s", sha)
}

func (h *fakeHistory) Entries(tree ObjectID) ([]HistoryEntry, error) {
	return slices.Clone(h.listings[tree]), nil
}

func (h *fakeHistory) Blob(id ObjectID, limit int) ([]byte, error) {
	b, ok := h.blobs[id]
	if !ok {
		return nil, fmt.Errorf("no blob %x", id)
	}
	return b[:min(len(b), limit)], nil
}

// Walk gives each commit's changes by comparing its listing with its
// parent's, as a tree diff does.
func (h *fakeHistory) Walk(visit func(*HistoryStep) error) error {
	prev := map[string]HistoryEntry{}
	for i, c := range h.commits {
		now := map[string]HistoryEntry{}
		for _, e := range h.listings[h.trees[i]] {
			now[e.Name] = e
		}
		var changes []HistoryChange
		for _, name := range slices.Sorted(maps.Keys(now)) {
			if prev[name] != now[name] {
				changes = append(changes, HistoryChange{Old: prev[name], New: now[name]})
			}
		}
		for _, name := range slices.Sorted(maps.Keys(prev)) {
			if _, ok := now[name]; !ok {
				changes = append(changes, HistoryChange{Old: prev[name]})
			}
		}
		slices.SortFunc(changes, func(a, b HistoryChange) int { return strings.Compare(changeName(a), changeName(b)) })
		if err := visit(&HistoryStep{Commit: &c, PeopleTree: h.trees[i], Config: h.configs[i], Changes: changes}); err != nil {
			return err
		}
		prev = now
	}
	return nil
}

func changeName(c HistoryChange) string {
	if c.New.Name != "" {
		return c.New.Name
	}
	return c.Old.Name
}

func (h *fakeHistory) put(data []byte) ObjectID {
	id := ObjectID(sha1.Sum(data))
	h.blobs[id] = data
	return id
}

// evidence gives some commits a pull request approved or not, and the
// authority of the first commit's leads under its policy.
func (h *fakeHistory) evidence(rng *rand.Rand) (func(string) *model.CommitEvidence, *AuthorityChain) {
	known := map[string]*model.CommitEvidence{}
	line := make([]string, len(h.commits))
	for i, c := range h.commits {
		line[i] = c.SHA
		if rng.IntN(3) == 0 {
			continue
		}
		merged := c.When
		pr := model.PullRequestFact{Number: 100 + i, MergeCommit: c.SHA, Base: "main", Commits: 1, MergedAt: &merged, Author: model.Account{Login: "someone"}}
		if len(h.leads) > 0 && rng.IntN(2) == 0 {
			lead := h.leads[rng.IntN(len(h.leads))]
			pr.Reviews = append(pr.Reviews, model.ReviewFact{ID: int64(i), User: model.Account{Login: lead.GitHub, ID: lead.GitHubID}, State: "APPROVED", CommitID: c.SHA, SubmittedAt: c.When})
		}
		known[c.SHA] = &model.CommitEvidence{Version: model.EvidenceVersion, Commit: c.SHA, Branch: "main", PullRequests: []model.PullRequestFact{pr}, Complete: true}
	}
	steps := []AuthorityStep{{Commit: line[0], People: h.leads, Policy: h.policy, Intro: map[string]string{}}}
	chain := BuildAuthority(line, steps, func(commit string, _ []string) (*model.CommitEvidence, bool) { return known[commit], true })
	return func(commit string) *model.CommitEvidence { return known[commit] }, chain
}

// person is what a random history writes in one person file.
type randomPerson struct {
	id, role, login string
	name            string // the id it was written for, which a rename keeps
	broken          bool   // not YAML
	touched         int    // a comment, which changes the file and nothing else
	start           model.Day
	probation       *model.Day
	lastDay         *model.Day
	shifts          []span
	absences        []span // an end of 0 is open
	grants          []grant
	reinstated      []grant // start and approver only
}

type span struct {
	kind       string
	start, end model.Day
}

type grant struct {
	start, end           model.Day
	approver, supervisor string
	agreed               bool
}

func (p *randomPerson) yaml() string {
	if p.broken {
		return "name: [" + p.id + "\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\nemail: %s@example.gov.uk\ngithub: %s\n", p.name, p.name, p.login)
	fmt.Fprintf(&b, "programme: govuk\nrole: %s\nemployment: civil_servant\nclearance: sc\nstart_date: %s\n", p.role, p.start)
	if p.probation != nil {
		fmt.Fprintf(&b, "probation_passed: %s\n", p.probation)
	}
	if p.lastDay != nil {
		fmt.Fprintf(&b, "last_day: %s\n", p.lastDay)
	}
	if len(p.shifts) > 0 {
		b.WriteString("shifts:\n")
		for _, s := range p.shifts {
			fmt.Fprintf(&b, "  - type: %s\n    start: %s\n    end: %s\n", s.kind, s.start, s.end)
		}
	}
	if len(p.absences) > 0 {
		b.WriteString("absences:\n")
		for _, a := range p.absences {
			fmt.Fprintf(&b, "  - start: %s\n", a.start)
			if a.end != 0 {
				fmt.Fprintf(&b, "    end: %s\n", a.end)
			}
		}
	}
	if len(p.grants) > 0 {
		b.WriteString("temporary_access:\n")
		for _, g := range p.grants {
			fmt.Fprintf(&b, "  - start: %s\n    end: %s\n    approved_by: %s\n    supervisor: %s\n    agreed: %t\n    reason: Covering the rota\n", g.start, g.end, g.approver, g.supervisor, g.agreed)
		}
	}
	if len(p.reinstated) > 0 {
		b.WriteString("reinstated:\n")
		for _, r := range p.reinstated {
			fmt.Fprintf(&b, "  - date: %s\n    approved_by: %s\n", r.start, r.approver)
		}
	}
	for i := range p.touched {
		fmt.Fprintf(&b, "# touched %d\n", i)
	}
	return b.String()
}

var (
	poolIDs = []string{"ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal", "ivy", "jo"}
	roles   = []string{"developer", "developer", "developer", "lead_developer", "sre", "other", "head_of_technology"}
	configs = []string{
		"people: people\n",
		"people: people\npolicy:\n  absence_limit_days: 10\n",
		"people: people\npolicy:\n  max_temporary_days: 30\n  shadow_shifts_required: 1\n",
		"people: people\npolicy:\n  evidence: required\n",
		"people: people\npolicy:\n  evidence: warn\n",
		"people: people\npolicy: [\n",        // not YAML
		"people: people\nno_such_field: 1\n", // not the schema
		"",                                   // no configuration
	}
	// others are entries of the people folder that are not person
	// files, or not valid ones; none shares an id with a person.
	others = []HistoryEntry{
		{Name: "README.md"},
		{Name: ".hidden.yaml"},
		{Name: "archive", Mode: fs.ModeDir},
		{Name: "old.yaml", Mode: fs.ModeDir},
		{Name: "link.yaml", Mode: fs.ModeSymlink},
		{Name: "mod.yaml", Mode: fs.ModeIrregular},
		{Name: "kit.yml"},
		{Name: "Bad_Id.yaml"},
	}
)

// randomHistory writes 15 to 45 commits a few days apart, each changing a
// few things.
func randomHistory(rng *rand.Rand) *fakeHistory {
	h := &fakeHistory{listings: map[ObjectID][]HistoryEntry{}, blobs: map[ObjectID][]byte{}}
	day := model.DayFromDate(2020, 1, 1) + model.Day(rng.IntN(300))
	h.first = day
	extra := map[string]HistoryEntry{}
	conf := configs[rng.IntN(4)]
	salt, serial := 0, 0
	date := func(around model.Day, spread int) model.Day { return around + model.Day(rng.IntN(2*spread+1)-spread) }
	// someone is mostly a lead with a file, who may approve.
	people := map[string]*randomPerson{} // by id, those with a file
	leads := func() []string {
		var out []string
		for _, id := range slices.Sorted(maps.Keys(people)) {
			if people[id].role == "lead_developer" {
				out = append(out, id)
			}
		}
		return out
	}
	someone := func() string {
		if ls := leads(); len(ls) > 0 && rng.IntN(5) > 0 {
			return ls[rng.IntN(len(ls))]
		}
		if rng.IntN(4) == 0 {
			return "nobody"
		}
		return poolIDs[rng.IntN(len(poolIDs))]
	}
	newPerson := func(id string) *randomPerson {
		serial++
		name := fmt.Sprintf("%s%d", id, serial)
		p := &randomPerson{id: id, name: name, role: roles[rng.IntN(len(roles))], login: name + "-gh", start: date(day, 200)}
		if rng.IntN(3) > 0 {
			d := p.start + model.Day(rng.IntN(200))
			p.probation = &d
		}
		if rng.IntN(3) > 0 { // the shifts that lead to access
			for i, kind := range []string{"shadow", "shadow", "primary"} {
				s := p.start + model.Day(10+30*i+rng.IntN(10))
				p.shifts = append(p.shifts, span{kind: kind, start: s, end: s + 4})
			}
		}
		for range rng.IntN(3) {
			s := date(day, 150)
			p.shifts = append(p.shifts, span{kind: []string{"shadow", "shadow", "primary", "secondary"}[rng.IntN(4)], start: s, end: s + 4})
		}
		return p
	}
	for _, id := range poolIDs[:3+rng.IntN(5)] {
		people[id] = newPerson(id)
	}
	people[poolIDs[0]].role = "lead_developer"
	// repair undoes, now and then, what makes a commit invalid, so that
	// runs of invalid commits end.
	repair := func() {
		if slices.Index(configs, conf) >= 5 && conf != "" {
			conf = configs[0]
		}
		for name := range extra {
			if name != "README.md" && name != ".hidden.yaml" {
				delete(extra, name)
			}
		}
		ls := leads()
		for _, p := range people {
			p.broken = false
			p.login = p.name + "-gh"
			if p.lastDay != nil && *p.lastDay < p.start {
				p.lastDay = nil
			}
			p.grants = slices.DeleteFunc(p.grants, func(g grant) bool {
				return !slices.Contains(ls, g.approver) || g.approver == p.id || people[g.supervisor] == nil || g.supervisor == p.id || g.end-g.start > 25
			})
			p.reinstated = slices.DeleteFunc(p.reinstated, func(g grant) bool { return !slices.Contains(ls, g.approver) || g.approver == p.id })
		}
	}
	n := 15 + rng.IntN(31)
	for i := range n {
		if i > 0 {
			day += model.Day(rng.IntN(10))
		}
		if rng.IntN(3) > 0 {
			repair()
		}
		for range 1 + rng.IntN(3) {
			ids := slices.Sorted(maps.Keys(people))
			var p *randomPerson
			if len(ids) > 0 {
				p = people[ids[rng.IntN(len(ids))]]
			}
			switch op := rng.IntN(24); {
			case op <= 1: // someone joins
				if id := poolIDs[rng.IntN(len(poolIDs))]; people[id] == nil {
					people[id] = newPerson(id)
				}
			case op == 2 && p != nil: // someone's file goes
				delete(people, p.id)
			case op >= 3 && op <= 5 && p != nil: // renamed, the content kept
				if id := poolIDs[rng.IntN(len(poolIDs))]; people[id] == nil {
					delete(people, p.id)
					cp := *p // the same bytes under a new name
					cp.id = id
					people[id] = &cp
				}
			case op == 6 && p != nil:
				d := max(date(day, 40), p.start) // often in the past: a late fact
				p.lastDay = &d
			case op == 7 && p != nil:
				p.lastDay = nil
			case op == 8 && p != nil:
				a := span{start: date(day, 60)}
				if rng.IntN(2) == 0 {
					a.end = a.start + model.Day(rng.IntN(90))
				}
				p.absences = append(p.absences, a)
			case op >= 9 && op <= 10 && p != nil:
				s := date(day, 30)
				p.grants = append(p.grants, grant{start: s, end: s + model.Day(rng.IntN(60)), approver: someone(), supervisor: someone(), agreed: rng.IntN(5) > 0})
			case op == 11 && p != nil && len(p.grants) > 0:
				p.grants[0].end = date(day, 20) // shortened or extended
			case op == 12 && p != nil:
				p.reinstated = append(p.reinstated, grant{start: date(day, 30), approver: someone()})
			case op >= 13 && op <= 14 && p != nil:
				s := date(day, 30)
				p.shifts = append(p.shifts, span{kind: []string{"shadow", "primary", "secondary"}[rng.IntN(3)], start: s, end: s + 4})
			case op == 15 && p != nil:
				p.role = roles[rng.IntN(len(roles))]
			case op == 16 && p != nil && rng.IntN(2) == 0:
				p.broken = !p.broken
			case op == 17 && p != nil && rng.IntN(2) == 0: // a login claimed twice, or given back
				if p.login == p.name+"-gh" {
					p.login = poolIDs[rng.IntN(len(poolIDs))] + "-gh"
				} else {
					p.login = p.name + "-gh"
				}
			case op == 18 && p != nil:
				p.touched++
			case op == 19 && rng.IntN(2) == 0:
				conf = configs[rng.IntN(len(configs))]
			case op == 20 && rng.IntN(2) == 0:
				e := others[rng.IntN(len(others))]
				if _, ok := extra[e.Name]; ok && rng.IntN(2) == 0 {
					delete(extra, e.Name)
				} else {
					e.Blob = ObjectID(sha1.Sum(fmt.Appendf(nil, "%s %d %d", e.Name, i, rng.IntN(3))))
					if e.Mode == 0 {
						e.Blob = h.put(fmt.Appendf(nil, "name: %s\n# %d\n", e.Name, rng.IntN(3)))
					}
					extra[e.Name] = e
				}
			case op == 21:
				salt++ // the folder's tree changes, no entry does (a file made executable)
			case op == 22 && p != nil && p.probation == nil:
				d := date(day, 20)
				p.probation = &d
			}
		}
		var entries []HistoryEntry
		for _, id := range slices.Sorted(maps.Keys(people)) {
			entries = append(entries, HistoryEntry{Name: id + ".yaml", Blob: h.put([]byte(people[id].yaml()))})
		}
		for _, name := range slices.Sorted(maps.Keys(extra)) {
			entries = append(entries, extra[name])
		}
		var b strings.Builder
		fmt.Fprintf(&b, "salt %d\n", salt)
		for _, e := range entries {
			fmt.Fprintf(&b, "%s %x %d\n", e.Name, e.Blob, e.Mode)
		}
		tree := ObjectID(sha1.Sum([]byte(b.String())))
		h.listings[tree] = entries
		var cfg ObjectID
		if conf != "" {
			cfg = h.put([]byte(conf))
		}
		sha := fmt.Sprintf("%040x", sha1.Sum(fmt.Appendf(nil, "commit %d %x", i, tree)))
		h.commits = append(h.commits, outcome.Commit{SHA: sha, When: day.Time().Add(time.Duration(9+i%8) * time.Hour), Author: "someone", Subject: fmt.Sprintf("Change %d", i)})
		h.trees = append(h.trees, tree)
		h.configs = append(h.configs, cfg)
		if i == 0 {
			h.policy = model.DefaultPolicy()
			if c, err := config.ParseConfig("prodaccess.yaml", []byte(configOr(conf))); err == nil {
				h.policy = c.Policy
			}
			for _, e := range entries {
				if p := people[strings.TrimSuffix(e.Name, ".yaml")]; p != nil && p.role == "lead_developer" && !p.broken {
					entry, _ := personfile.PersonEntry("people", e.Name, 0)
					h.leads = append(h.leads, personfile.ParsePerson(entry, h.blobs[e.Blob]))
				}
			}
		}
	}
	h.last = day
	return h
}

func configOr(c string) string {
	if c == "" {
		return "people: people\n"
	}
	return c
}
