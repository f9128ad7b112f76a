package reconciler

// The walk through history that BuildTimeline replaced, kept here only to
// prove the two agree (TestWalksAgree): at every commit it listed the
// whole people folder and compared the listings name by name.

import (
	"fmt"
	"maps"
	"slices"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/personfile"
)

// snapshotHistory is the history as the old walk read it: each commit's
// whole people folder.
type snapshotHistory interface {
	Commits() ([]outcome.Commit, error)
	Tree(sha string) (peopleTree, configBlob ObjectID, err error)
	Entries(peopleTree ObjectID) ([]HistoryEntry, error)
	Blob(id ObjectID, limit int) ([]byte, error)
}

// oldWalk is the old walk's state: the timeline's, and the whole people
// folder at the last commit read and in force.
type oldWalk struct {
	*timeline
	sh       snapshotHistory
	curFiles map[string]HistoryEntry
	effFiles map[string]HistoryEntry
	cache    map[HistoryEntry]*model.Person
}

func buildTimelineOld(h snapshotHistory, opts TimelineOptions) (*outcome.Timeline, error) {
	commits, err := h.Commits()
	if err != nil {
		return nil, err
	}
	t := &oldWalk{sh: h, curFiles: map[string]HistoryEntry{}, effFiles: map[string]HistoryEntry{}, cache: map[HistoryEntry]*model.Person{}}
	t.timeline = &timeline{
		opts: opts, cfg: config.DefaultConfig(),
		changeDays: map[string][]model.Day{}, level: map[string]model.Level{},
		known: map[string]*model.Person{}, writes: map[string]map[string][]factWrite{}, byEntry: map[string]*model.CommitEvidence{}, bases: map[string]*model.EntryBase{},
	}
	t.cur = model.NewRoster(nil, t.cfg.Policy)
	t.eff = model.NewRoster(nil, t.cfg.Policy)
	t.setEvidence()
	read := 0
	for i := range commits {
		c := &commits[i]
		d := model.DayOf(c.When, opts.Location)
		if d > opts.To {
			break
		}
		read++
		t.advance(d)
		if err := t.commit(c, d); err != nil {
			return nil, err
		}
	}
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
	return out, nil
}

// person parses the file of an entry, once per name and content.
func (t *oldWalk) person(e HistoryEntry) (*model.Person, error) {
	if p, ok := t.cache[e]; ok {
		return p, nil
	}
	p, read := personfile.PersonEntry(t.opts.PeopleLabel, e.Name, e.Mode)
	if p == nil {
		return nil, nil
	}
	if read {
		data, err := t.sh.Blob(e.Blob, personfile.MaxPersonFileSize+1)
		if err != nil {
			return nil, err
		}
		p = personfile.ParsePerson(p, data)
	}
	t.cache[e] = p
	return p, nil
}

// diff compares two states of the people folder: the person in each file
// that differs (nil for a file that is gone), and the blobs of files added
// and removed, to spot renames.
func (t *oldWalk) diff(old, now map[string]HistoryEntry) (changed map[string]*model.Person, added, removed map[ObjectID]string, err error) {
	changed, added, removed = map[string]*model.Person{}, map[ObjectID]string{}, map[ObjectID]string{}
	for name, e := range now {
		if o, ok := old[name]; ok && o == e {
			continue
		}
		p, err := t.person(e)
		if err != nil {
			return nil, nil, nil, err
		}
		if p != nil {
			changed[p.ID] = p
			if _, existed := old[name]; !existed {
				added[e.Blob] = p.ID
			}
		}
	}
	for name, o := range old {
		if _, ok := now[name]; ok {
			continue
		}
		if p, err := t.person(o); err != nil {
			return nil, nil, nil, err
		} else if p != nil {
			changed[p.ID] = nil
			removed[o.Blob] = p.ID
		}
	}
	return changed, added, removed, nil
}

func (t *oldWalk) all(files map[string]HistoryEntry) ([]*model.Person, error) {
	var out []*model.Person
	for _, e := range files {
		p, err := t.person(e)
		if err != nil {
			return nil, err
		}
		if p != nil {
			out = append(out, p)
		}
	}
	return out, nil
}

func (t *oldWalk) commit(c *outcome.Commit, d model.Day) error {
	if ev := t.evidenceOf(c.SHA); ev != nil && len(ev.PullRequests) > 0 {
		c.PR = ev.PullRequests[0].Number
	}
	peopleTree, cfgBlob, err := t.sh.Tree(c.SHA)
	if err != nil {
		return err
	}
	if peopleTree == t.seenTree && cfgBlob == t.seenCfg {
		return nil // nothing that decides access changed
	}
	t.seenTree, t.seenCfg = peopleTree, cfgBlob
	invalid := func(problems model.Problems) {
		detail := fmt.Sprintf("%d problem(s)", len(problems))
		if len(problems) > 0 {
			detail += "; first: " + problems[0].String()
		}
		t.events = append(t.events, outcome.TimelineEvent{Day: d, Cause: outcome.CauseInvalid, Commit: c, Detail: detail})
	}

	entries, err := t.sh.Entries(peopleTree)
	if err != nil {
		return err
	}
	now := make(map[string]HistoryEntry, len(entries))
	for _, e := range entries {
		now[e.Name] = e
	}
	if err := t.track(c, t.curFiles, now); err != nil {
		return err
	}

	// Follow the files.
	cfg := t.cfg
	if cfgBlob != t.cfgBlob {
		cfg = config.DefaultConfig()
		if cfgBlob != (ObjectID{}) {
			data, err := t.sh.Blob(cfgBlob, 1<<20)
			if err != nil {
				return err
			}
			if cfg, err = config.ParseConfig(t.opts.ConfigFile, data); err != nil {
				delta, _, _, derr := t.diff(t.curFiles, now)
				if derr != nil {
					return derr
				}
				t.cur.Replace(delta, nil)
				t.curFiles = now
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
		people, err := t.all(now)
		if err != nil {
			return err
		}
		t.cur = model.NewRoster(people, cfg.Policy)
	} else {
		delta, _, _, err := t.diff(t.curFiles, now)
		if err != nil {
			return err
		}
		t.cur.Replace(delta, nil)
	}
	t.curFiles = now
	if t.cur.InvalidCount() > 0 {
		invalid(t.cur.Problems())
		return nil
	}

	// The commit is in force: bring eff up to it.
	var affected []string
	since := map[string]*model.Day{}
	changed, added, removed, err := t.diff(t.effFiles, now)
	if err != nil {
		return err
	}
	if cfg != t.cfg {
		people, err := t.all(now)
		if err != nil {
			return err
		}
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
	t.effFiles = now

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

// track follows what commit c wrote: the facts each changed file wrote,
// and the evidence of each entry it wrote in a new form.
func (t *oldWalk) track(c *outcome.Commit, old, now map[string]HistoryEntry) error {
	seen := map[string]bool{}
	for _, files := range []map[string]HistoryEntry{now, old} {
		// In the files' order, so that the findings of one commit come
		// in the same order every time.
		for _, name := range slices.Sorted(maps.Keys(files)) {
			if seen[name] {
				continue
			}
			seen[name] = true
			o, hadOld := old[name]
			n, hasNew := now[name]
			if hadOld && hasNew && o == n {
				continue
			}
			var before, after *model.Person
			var err error
			if hadOld {
				if before, err = t.person(o); err != nil {
					return err
				}
			}
			if hasNew {
				if after, err = t.person(n); err != nil {
					return err
				}
			}
			if before == nil && after == nil {
				continue
			}
			t.blame(c, before, after)
			had := map[string]bool{}
			if before != nil {
				for _, e := range before.AllEntries() {
					had[e.Key()] = true
				}
			}
			if after != nil {
				for _, e := range after.AllEntries() {
					if !had[e.Key()] {
						ev := t.evidenceOf(c.SHA)
						t.byEntry[e.Key()] = ev
						if a := t.opts.Authority; a != nil {
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
				}
			}
		}
	}
	return nil
}
