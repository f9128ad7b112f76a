package reconciler

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// TimelineOptions say what history to rebuild.
type TimelineOptions struct {
	Branch      string // for the report
	PeopleLabel string // the people folder as messages name it, such as "people"
	ConfigFile  string // the configuration file as messages name it
	Location    *time.Location
	Person      string     // only this person's events; "" for everyone
	From        *model.Day // only events on or after this day
	To          model.Day  // no commit after this day is read
	// EvidenceOf gives the evidence recorded of a commit (its signed
	// note), and Authority who could approve and under which policy
	// along the branch; with them the rules decide with the evidence of
	// approvals, as plan does, each entry under the authority before the
	// pull request that wrote it. Nil: files are taken at their word.
	EvidenceOf func(commit string) *model.CommitEvidence
	Authority  *AuthorityChain
}

// timeline is the state of a walk through history. cur follows the files
// commit by commit; eff is the last valid state, the one in force, which
// decides levels. While commits are valid the two move together, each by
// the few files a commit changes; after a run of invalid commits, eff
// catches up with cur in one step. Each file is parsed once when a
// commit writes it, whichever roster needs it.
type timeline struct {
	opts TimelineOptions

	cfg      *config.Config // the configuration in force
	cfgBlob  ObjectID
	cur, eff *model.Roster
	// files is the people folder at the last commit read, by name;
	// behind holds, for each name changed since eff was last brought up
	// to date, what it was then.
	files    map[string]fileState
	behind   map[string]fileState
	invalid  map[string]bool // the people whose files have a problem under cur
	seenTree ObjectID
	seenCfg  ObjectID
	configs  map[ObjectID][]byte // the configuration files read, by blob

	changeDays map[string][]model.Day   // under eff, by id
	known      map[string]*model.Person // the last valid file of everyone seen, by id
	level      map[string]model.Level   // under eff, on day, by id
	day        model.Day
	started    bool
	events     []outcome.TimelineEvent

	// writes are the commits that wrote each fact, by person and fact.
	writes map[string]map[string][]factWrite
	// byEntry is the evidence of the commit that wrote each entry in its
	// current form, and bases the branch before its pull request, by key,
	// which the rules of eff read.
	byEntry map[string]*model.CommitEvidence
	bases   map[string]*model.EntryBase
	// findings are the entries written without proven approval, by the
	// day of the commit that wrote them.
	findings []datedFinding
}

// fileState is an entry of the people folder and the person its file
// holds (nil when it is not a person file); the zero fileState is no
// entry.
type fileState struct {
	e HistoryEntry
	p *model.Person
}

// fileChange is what a name of the people folder was and is.
type fileChange struct {
	name     string
	old, now fileState
}

type datedFinding struct {
	day model.Day
	outcome.Finding
}

// BuildTimeline rebuilds every change of production access from the git
// history of the person files, walking the first-parent line once: at
// each commit, only the files whose entries changed since its parent are
// parsed, and only the people they can affect are decided again; between
// commits, each person's level is checked only on the days their files say
// it may change. A commit whose files do not validate is reported, and the
// state before it holds until the next valid commit.
func BuildTimeline(h History, opts TimelineOptions) (*outcome.Timeline, error) {
	t := &timeline{
		opts: opts, cfg: config.DefaultConfig(),
		files: map[string]fileState{}, configs: map[ObjectID][]byte{}, behind: map[string]fileState{}, invalid: map[string]bool{},
		changeDays: map[string][]model.Day{}, level: map[string]model.Level{},
		known: map[string]*model.Person{}, writes: map[string]map[string][]factWrite{}, byEntry: map[string]*model.CommitEvidence{}, bases: map[string]*model.EntryBase{},
	}
	t.cur = model.NewRoster(nil, t.cfg.Policy)
	t.eff = model.NewRoster(nil, t.cfg.Policy)
	t.setEvidence()
	read := 0
	err := readHistory(h, opts, func(rs *readStep) error {
		d := model.DayOf(rs.Commit.When, opts.Location)
		read++
		t.advance(d)
		return t.commit(rs, d)
	})
	if err != nil {
		return nil, err
	}
	return t.result(read), nil
}

// errWalkDone stops a walk at the last day asked for.
var errWalkDone = errors.New("the timeline reached its last day")

// result is the timeline of the commits read, up to the last day, for the
// person and from the day asked for.
func (t *timeline) result(read int) *outcome.Timeline {
	opts := t.opts
	t.advance(opts.To)
	out := &outcome.Timeline{Branch: opts.Branch, From: opts.From, To: opts.To, Commits: read, Events: []outcome.TimelineEvent{}, People: t.known, Findings: []outcome.Finding{}}
	for _, f := range t.findings {
		if (opts.Person == "" || f.Person == opts.Person) && (opts.From == nil || f.day >= *opts.From) {
			out.Findings = append(out.Findings, f.Finding)
		}
	}
	for _, e := range t.events {
		if (opts.Person == "" || e.Person == opts.Person || e.Cause == outcome.CauseInvalid) && (opts.From == nil || e.Day >= *opts.From) {
			out.Events = append(out.Events, e)
		}
	}
	return out
}

// advance moves the days forward to d under the files in force, recording
// every change of level that the passing of time brings.
func (t *timeline) advance(d model.Day) {
	if !t.started {
		t.day, t.started = d, true
		return
	}
	if d <= t.day {
		return
	}
	var found []outcome.TimelineEvent
	for _, p := range t.eff.People {
		days := t.changeDays[p.ID]
		i, _ := slices.BinarySearch(days, t.day+1)
		cur := t.level[p.ID]
		for ; i < len(days) && days[i] <= d; i++ {
			x := days[i]
			if l := t.eff.Level(p, x); l != cur {
				rule, detail := t.eff.Transition(p, x)
				written, on := t.written(p, x, rule)
				found = append(found, outcome.TimelineEvent{Day: x, Person: p.ID, From: cur, To: l, Cause: outcome.CauseRule, Rule: rule, Detail: detail, Written: written, WrittenOn: on})
				cur = l
			}
		}
		t.level[p.ID] = cur
	}
	slices.SortStableFunc(found, func(a, b outcome.TimelineEvent) int { return int(a.Day - b.Day) })
	t.events = append(t.events, found...)
	t.day = d
}

// delta is what changes brings about, as Roster.Replace takes it: the
// person in each file that is there and differs (nil for a file that is
// gone, or that now holds someone else), and the blobs of files added and
// removed, to spot renames.
func delta(changes []fileChange) (changed map[string]*model.Person, added, removed map[ObjectID]string) {
	changed, added, removed = map[string]*model.Person{}, map[ObjectID]string{}, map[ObjectID]string{}
	for _, ch := range changes {
		if !ch.now.e.present() || ch.old.e == ch.now.e || ch.now.p == nil {
			continue
		}
		changed[ch.now.p.ID] = ch.now.p
		if !ch.old.e.present() {
			added[ch.now.e.Blob] = ch.now.p.ID
		}
	}
	for _, ch := range changes {
		if ch.now.e.present() || !ch.old.e.present() || ch.old.p == nil {
			continue
		}
		changed[ch.old.p.ID] = nil
		removed[ch.old.e.Blob] = ch.old.p.ID
	}
	// A name that turns from a file into a folder, or back, holds another
	// id: the person it held is gone.
	for _, ch := range changes {
		if ch.now.e.present() && ch.old.p != nil && (ch.now.p == nil || ch.now.p.ID != ch.old.p.ID) {
			if _, ok := changed[ch.old.p.ID]; !ok {
				changed[ch.old.p.ID] = nil
			}
		}
	}
	return changed, added, removed
}

// all is everyone in the people folder at the last commit read.
func (t *timeline) all() []*model.Person {
	var out []*model.Person
	for _, f := range t.files {
		if f.p != nil {
			out = append(out, f.p)
		}
	}
	return out
}

// replaceCur brings cur up to the files changes give, keeping the set of
// people whose files have a problem: only those Replace checks again can
// gain or lose one.
func (t *timeline) replaceCur(changes []fileChange) {
	changed, _, _ := delta(changes)
	for _, id := range t.cur.Replace(changed, nil) {
		if p := t.cur.Person(id); p != nil && !t.cur.Valid(p) {
			t.invalid[id] = true
		} else {
			delete(t.invalid, id)
		}
	}
}

// rebuildCur checks the files at the last commit read afresh, under a new
// policy.
func (t *timeline) rebuildCur(policy model.Policy) {
	t.cur = model.NewRoster(t.all(), policy)
	clear(t.invalid)
	for _, p := range t.cur.People {
		if !t.cur.Valid(p) {
			t.invalid[p.ID] = true
		}
	}
}

// changes is what a commit changed: each name's entry and person before
// and after it.
func (t *timeline) changes(rs *readStep) ([]fileChange, error) {
	out := make([]fileChange, 0, len(rs.Changes))
	for i, ch := range rs.Changes {
		name := ch.New.Name
		if name == "" {
			name = ch.Old.Name
		}
		old := t.files[name]
		if old.e != ch.Old {
			return nil, fmt.Errorf("the history of %s at %s does not follow from its parent: %s changed from what the parent did not hold", t.opts.PeopleLabel, rs.Commit.SHA, name)
		}
		now := fileState{}
		if ch.New.present() {
			now = fileState{e: ch.New, p: rs.people[i]}
		}
		out = append(out, fileChange{name: name, old: old, now: now})
	}
	return out, nil
}

func (t *timeline) commit(st *readStep, d model.Day) error {
	c := st.Commit
	if ev := t.evidenceOf(c.SHA); ev != nil && len(ev.PullRequests) > 0 {
		c.PR = ev.PullRequests[0].Number
	}
	cfgBlob := st.Config
	if st.config != nil {
		t.configs[cfgBlob] = st.config
	}
	if st.PeopleTree == t.seenTree && cfgBlob == t.seenCfg {
		return nil // nothing that decides access changed
	}
	t.seenTree, t.seenCfg = st.PeopleTree, cfgBlob
	invalid := func(problems model.Problems) {
		detail := fmt.Sprintf("%d problem(s)", len(problems))
		if len(problems) > 0 {
			detail += "; first: " + problems[0].String()
		}
		t.events = append(t.events, outcome.TimelineEvent{Day: d, Cause: outcome.CauseInvalid, Commit: c, Detail: detail})
	}

	changes, err := t.changes(st)
	if err != nil {
		return err
	}
	t.track(c, changes)
	for _, ch := range changes {
		if _, ok := t.behind[ch.name]; !ok {
			t.behind[ch.name] = ch.old
		}
		if ch.now.e.present() {
			t.files[ch.name] = ch.now
		} else {
			delete(t.files, ch.name)
		}
	}

	// Follow the files.
	cfg := t.cfg
	if cfgBlob != t.cfgBlob {
		cfg = config.DefaultConfig()
		if cfgBlob != (ObjectID{}) {
			var err error
			if cfg, err = config.ParseConfig(t.opts.ConfigFile, t.configs[cfgBlob]); err != nil {
				t.replaceCur(changes)
				ps, _ := err.(model.Problems)
				invalid(ps)
				return nil
			}
		}
	}
	if t.opts.Authority != nil && cfg != t.cfg {
		// The policy a change wrote counts once a lead approved it.
		held := *cfg
		held.Policy = t.opts.Authority.At(c.SHA).Policy
		cfg = &held
	}
	if cfg != t.cfg {
		t.rebuildCur(cfg.Policy)
	} else {
		t.replaceCur(changes)
	}
	if len(t.invalid) > 0 {
		invalid(t.cur.Problems())
		return nil
	}

	// The commit is in force: bring eff up to it, by every name changed
	// since it was last.
	pending := make([]fileChange, 0, len(t.behind))
	for name, old := range t.behind {
		pending = append(pending, fileChange{name: name, old: old, now: t.files[name]})
	}
	clear(t.behind)
	changed, added, removed := delta(pending)
	var affected []string
	since := map[string]*model.Day{}
	if cfg != t.cfg {
		people := t.all()
		for id := range t.level {
			affected = append(affected, id)
		}
		for _, p := range people {
			affected = append(affected, p.ID)
		}
		t.eff = model.NewRoster(people, cfg.Policy)
		t.cfg, t.cfgBlob = cfg, cfgBlob
		t.setEvidence()
	} else {
		// The files before the commit: since when each person with access
		// held their level, to tell a fact the commit back-dates.
		affected = t.eff.Replace(changed, func(ids []string) {
			for _, id := range ids {
				if p := t.eff.Person(id); p != nil && t.level[id] != model.None {
					since[id] = t.eff.Since(p, d)
				}
			}
		})
	}

	var found []outcome.TimelineEvent
	slices.Sort(affected)
	affected = slices.Compact(affected)
	for _, id := range affected {
		before := t.level[id]
		after := model.None
		if p := t.eff.Person(id); p != nil {
			after = t.eff.Level(p, d)
			t.level[id] = after
			t.changeDays[id] = t.eff.ChangeDays(p)
			t.known[id] = p
		} else {
			delete(t.level, id)
			delete(t.changeDays, id)
		}
		if before != after {
			e := outcome.TimelineEvent{Day: d, Person: id, From: before, To: after, Cause: outcome.CauseCommit, Commit: c, Detail: "the commit changed the files"}
			if s, ok := since[id]; ok && after < before {
				if due, rule, detail := t.backdated(id, before, d, s, c); due != nil {
					e.Due, e.Rule = due, rule
					e.Detail = fmt.Sprintf("the commit changed the files, which end the access from %s: %s", due, detail)
				}
			}
			found = append(found, e)
		}
	}
	t.events = append(t.events, renames(found, added, removed, t.opts.PeopleLabel, c, d)...)
	return nil
}

// backdated is, for a commit on day d that lowered id's level from before,
// the earlier day from which the new files say the level fell, when they
// say so of a day while the files before the commit still gave the level
// (since: from when they did; nil for as far back as they go): a last
// day, an absence or a grant's end recorded after its day. It records
// the finding, and gives the rule that ended the access and why; nil when
// the commit itself is the cause.
func (t *timeline) backdated(id string, before model.Level, d model.Day, since *model.Day, c *outcome.Commit) (due *model.Day, rule, detail string) {
	p := t.eff.Person(id)
	if p == nil {
		return nil, "", ""
	}
	days := t.eff.ChangeDays(p)
	for i := len(days) - 1; i >= 0; i-- {
		x := days[i]
		if x > d {
			continue
		}
		now, was := t.eff.Level(p, x), t.eff.Level(p, x-1)
		switch {
		case now == was:
			continue
		case x == d || now > was:
			return nil, "", "" // the files change the level on d itself, or the last change before d is not a fall
		}
		from := x
		if since != nil && *since > from {
			from = *since
		}
		rule, detail = t.eff.Transition(p, x)
		t.findings = append(t.findings, datedFinding{day: d, Finding: outcome.Finding{Kind: outcome.FindingLateFact, Commit: c.SHA, Person: id,
			Detail: fmt.Sprintf("the files end %s's %s access from %s (%s: %s), but the commit that said so came on %s, %s later", id, before, from, rule, detail, d, plural(int(d-from), "day", "days"))}})
		return &from, rule, detail
	}
	return nil, "", ""
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// renames folds a person file moved to a new name with the same content,
// seen as one person losing a level and another gaining it, into one
// event.
func renames(found []outcome.TimelineEvent, added, removed map[ObjectID]string, label string, c *outcome.Commit, d model.Day) []outcome.TimelineEvent {
	for blob, oldID := range removed {
		newID, ok := added[blob]
		if !ok {
			continue
		}
		lost, gained := -1, -1
		for i, e := range found {
			if e.Person == oldID && e.To == model.None {
				lost = i
			}
			if e.Person == newID && e.From == model.None {
				gained = i
			}
		}
		if lost < 0 || gained < 0 || found[lost].From != found[gained].To {
			continue
		}
		found[gained] = outcome.TimelineEvent{Day: d, Person: newID, From: found[gained].To, To: found[gained].To, Cause: outcome.CauseRename, Commit: c,
			Detail: fmt.Sprintf("%s/%s.yaml renamed to %s/%s.yaml", label, oldID, label, newID), RenamedFrom: oldID}
		found = slices.Delete(found, lost, lost+1)
	}
	return found
}

// setEvidence gives the rules of eff the evidence of approvals, when the
// timeline was given the notes.
func (t *timeline) setEvidence() {
	if t.opts.EvidenceOf != nil {
		t.eff.SetEvidence(&model.Evidence{Policy: t.eff.Policy.Evidence, Shifts: ShiftPolicy(t.eff.Policy), ByEntry: t.byEntry, Bases: t.bases, Location: t.opts.Location})
	}
}

// evidenceOf is the evidence recorded of a commit, or nil.
func (t *timeline) evidenceOf(commit string) *model.CommitEvidence {
	if t.opts.EvidenceOf == nil {
		return nil
	}
	return t.opts.EvidenceOf(commit)
}

// track follows what commit c wrote: the facts each changed file wrote,
// and the evidence of each entry it wrote in a new form. The files that
// are there come first, then those removed, each in name order, so that
// the findings of one commit come in the same order every time.
func (t *timeline) track(c *outcome.Commit, changes []fileChange) {
	order := slices.Clone(changes)
	slices.SortFunc(order, func(a, b fileChange) int {
		if x, y := a.now.e.present(), b.now.e.present(); x != y {
			if x {
				return -1
			}
			return 1
		}
		return strings.Compare(a.name, b.name)
	})
	for _, ch := range order {
		if ch.old.p == nil && ch.now.p == nil {
			continue
		}
		t.wrote(c, ch.old.p, ch.now.p)
	}
}

// wrote records what commit c wrote of one person's file, moving from the
// file before to the file after (either may be nil).
func (t *timeline) wrote(c *outcome.Commit, before, after *model.Person) {
	t.blame(c, before, after)
	had := map[string]bool{}
	if before != nil {
		for _, e := range before.AllEntries() {
			had[e.Key()] = true
		}
	}
	if after == nil {
		return
	}
	for _, e := range after.AllEntries() {
		if had[e.Key()] {
			continue
		}
		ev := t.evidenceOf(c.SHA)
		t.byEntry[e.Key()] = ev
		a := t.opts.Authority
		if a == nil {
			continue
		}
		t.bases[e.Key()] = a.Base(c.SHA, ev, t.opts.Location)
		if e.Kind == model.ShiftEntry && (t.bases[e.Key()].ShiftTakenAtWord() || !t.eff.Policy.ChecksShifts()) {
			continue // taken at its word, or not checked
		}
		pf := model.Prove(ev, e, after, nil, t.bases[e.Key()])
		if pf.Commit == "" {
			pf.Commit = c.SHA
		}
		for _, f := range ProofFindings(e, pf) {
			t.findings = append(t.findings, datedFinding{day: model.DayOf(c.When, t.opts.Location), Finding: f})
		}
	}
}
