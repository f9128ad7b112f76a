package main

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/evidence"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/peoplerepo"
	"github.com/prodaccess/prodaccess/personfile"
	"github.com/prodaccess/prodaccess/render"
)

// The access report must not contradict itself nor the other audits: its
// review's rows and its headline counts are audit review's, and its
// picture, day by day, is audit at's. This is checked on random
// histories with signed evidence (approved before and after the merge,
// by the wrong lead, pushed without a pull request, or not recorded),
// facts recorded after their day, people leaving and coming back, and
// commits that do not validate.

// histories is how many random histories are checked.
const histories = 200

// TestOneTruth checks the report against audit review and audit at on
// every day it draws, for each random history.
func TestOneTruth(t *testing.T) {
	t.Parallel()
	key := newTestSigningKey(t)
	signer, err := peoplerepo.ParseSigningKey(key)
	if err != nil {
		t.Fatal(err)
	}
	public := publicKeyLine(t, key)
	days, checked := 0, map[string]int{}
	for seed := uint64(1); seed <= histories; seed++ {
		h := randomHistory(rand.New(rand.NewPCG(seed, 24)), public)
		dir := t.TempDir()
		if err := h.write(dir, signer); err != nil {
			t.Fatal(err)
		}
		n, what := checkOneTruth(t, seed, dir, h)
		days += n
		for k, v := range what {
			checked[k] += v
		}
		if t.Failed() {
			t.Logf("history %d:\n%s", seed, h)
			return
		}
	}
	t.Logf("%d histories, %d days compared; %v", histories, days, checked)
	// The histories are worth checking only if they hold what they are
	// meant to.
	for _, k := range []string{"approved before merge", "approved after merge", "pushed without a pull request", "no note", "approved by the wrong lead", "fact recorded after its day", "invalid commit", "grant drawn"} {
		if checked[k] < 20 {
			t.Errorf("only %d histories with %s; the generator should make more", checked[k], k)
		}
	}
}

// checkOneTruth compares, for one history, the page with audit review and
// audit at; it returns the days compared and what the history held.
func checkOneTruth(t *testing.T, seed uint64, dir string, h *history) (int, map[string]int) {
	t.Helper()
	a := &auditOptions{options: &options{stdout: io.Discard, stderr: io.Discard, now: func() time.Time { return h.now }, getenv: func(string) string { return "" }, configPath: "prodaccess.yaml"}, repo: dir, branch: "main"}
	s, err := a.source()
	if err != nil {
		t.Fatalf("history %d: %v", seed, err)
	}
	first, last := h.first, h.last
	r, err := s.report(a, first, last, false)
	if err != nil {
		t.Fatalf("history %d: report: %v", seed, err)
	}
	var page bytes.Buffer
	if err := render.WriteAccessReport(&page, r); err != nil {
		t.Fatal(err)
	}
	drawn := pageOf(t, page.String())

	// The review, as audit review makes it.
	truth, err := s.truth(a, last)
	if err != nil {
		t.Fatalf("history %d: audit at %s: %v", seed, last, err)
	}
	tl, err := s.timeline(last)
	if err != nil {
		t.Fatal(err)
	}
	rv, err := s.review(a, truth, reviewScope{timeline: tl, from: model.PeriodOf(s.tipConfig.Audit.CertifyEvery, last).Start})
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	counts := map[string]int{}
	for _, row := range rv.Rows {
		rows = append(rows, fmt.Sprintf("%s %s: %s", row.ID, row.Level, strings.Join(row.Flags, "; ")))
		if row.Level != model.None {
			counts[row.Level.String()]++
		}
	}
	if diff := cmp.Diff(rows, drawn.rows); diff != "" {
		t.Errorf("history %d: the page's review differs from audit review's on %s (-audit review +page):\n%s", seed, last, diff)
	}
	access := 0
	for _, dc := range truth.decisions {
		if dc.Level != model.None {
			access++
		}
	}
	if drawn.access != access || !cmp.Equal(drawn.counts, counts) {
		t.Errorf("history %d: the headline says %d people had access (%v); audit at says %d (%v)", seed, drawn.access, drawn.counts, access, counts)
	}

	// The picture, day by day, against audit at.
	n := 0
	for d := first; d <= last; d++ {
		at, err := s.truth(a, d)
		if err != nil {
			t.Fatalf("history %d: audit at %s: %v", seed, d, err)
		}
		want := map[string]string{}
		for _, dc := range at.decisions {
			if dc.Level != model.None {
				want[dc.Person.ID] = dc.Level.String()
			}
		}
		if diff := cmp.Diff(want, drawn.on(d)); diff != "" {
			t.Errorf("history %d: on %s the picture differs from audit at (-audit at +picture):\n%s", seed, d, diff)
			return n, nil
		}
		n++
	}
	what := map[string]int{}
	for _, k := range h.holds {
		what[k] = 1
	}
	for _, f := range tl.Findings {
		if f.Kind == outcome.FindingLateFact {
			what["fact recorded after its day"] = 1
		}
	}
	for _, e := range tl.Events {
		if e.Cause == outcome.CauseInvalid {
			what["invalid commit"] = 1
		}
		if e.To == model.TemporarySupervised && e.Person != "" && strings.HasPrefix(e.Person, "c") {
			what["grant drawn"] = 1
		}
	}
	return n, what
}

// drawnPage is what the page shows: the review's rows, the headline's
// counts, and the bars of the picture.
type drawnPage struct {
	rows   []string
	access int
	counts map[string]int
	bars   []drawnBar
}

type drawnBar struct {
	person, level string
	from, to      model.Day
}

// on is everyone's level on day d, as the bars draw it.
func (p drawnPage) on(d model.Day) map[string]string {
	out := map[string]string{}
	for _, b := range p.bars {
		if b.from <= d && d <= b.to {
			out[b.person] = b.level
		}
	}
	return out
}

var (
	pageBar      = regexp.MustCompile(`<rect class="l-[a-z_]+" data-person="([^"]+)" data-level="([a-z_]+)"[^>]*><title>[^<]*: [a-z_]+ from (\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)</title>`)
	pageRow      = regexp.MustCompile(`(?s)<tr(?: class="flagged")? data-person="([^"]+)"><td>.*?<span class="chip l-([a-z_]+)">.*?<td>(?:<ul class="flags">(.*?)</ul>|-)</td></tr>`)
	pageFlag     = regexp.MustCompile(`<li>(.*?)</li>`)
	pageHeadline = regexp.MustCompile(`<p class="headline">On \d{4}-\d\d-\d\d, (\d+) (?:person|people) had production access: (\d+) permanent, (\d+) supervised, (\d+) temporary_supervised;`)
)

// pageOf reads the page's review, headline and picture.
func pageOf(t *testing.T, page string) drawnPage {
	t.Helper()
	var p drawnPage
	for _, m := range pageBar.FindAllStringSubmatch(page, -1) {
		from, err1 := model.ParseDay(m[3])
		to, err2 := model.ParseDay(m[4])
		if err1 != nil || err2 != nil {
			t.Fatalf("a bar's days: %s", m[0])
		}
		p.bars = append(p.bars, drawnBar{html.UnescapeString(m[1]), m[2], from, to})
	}
	review := page[strings.Index(page, `<section id="review">`):]
	review = review[:strings.Index(review, "</section>")]
	for _, m := range pageRow.FindAllStringSubmatch(review, -1) {
		var flags []string
		for _, f := range pageFlag.FindAllStringSubmatch(m[3], -1) {
			flags = append(flags, html.UnescapeString(f[1]))
		}
		p.rows = append(p.rows, fmt.Sprintf("%s %s: %s", html.UnescapeString(m[1]), m[2], strings.Join(flags, "; ")))
	}
	h := pageHeadline.FindStringSubmatch(page)
	if h == nil {
		t.Fatalf("the page has no headline")
	}
	num := func(s string) int { n, _ := strconv.Atoi(s); return n }
	p.access = num(h[1])
	p.counts = map[string]int{}
	for i, l := range []string{"permanent", "supervised", "temporary_supervised"} {
		if n := num(h[2+i]); n > 0 {
			p.counts[l] = n
		}
	}
	return p
}

// history is a random history of a people repository: its commits, and
// the signed notes of some of them.
type history struct {
	first, last model.Day
	now         time.Time
	commits     []histCommit
	holds       []string // what the history holds, for the test's own check
}

type histCommit struct {
	when    time.Time
	message string
	files   map[string]string // path → content; "" deletes
	// evidence is how the entries the commit writes reached the branch.
	evidence string
	author   string // the pull request's author: the grantee's login
	approver model.Account
}

func (h *history) String() string {
	var b strings.Builder
	for _, c := range h.commits {
		fmt.Fprintf(&b, "%s %s [%s]\n", c.when.Format(time.RFC3339), c.message, c.evidence)
		for _, name := range slices.Sorted(maps.Keys(c.files)) {
			fmt.Fprintf(&b, "  %s:\n%s", name, indent(c.files[name]))
		}
	}
	return b.String()
}

func indent(s string) string {
	if s == "" {
		return "    (deleted)\n"
	}
	return "    " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n    ") + "\n"
}

// leads of every history, with their GitHub accounts.
var histLeads = map[string]model.Account{"alex": {Login: "alex-gh", ID: 11}, "lee": {Login: "lee-gh", ID: 12}}

// randomHistory makes a history: the first commit adopts prodaccess with
// two leads, a supervisor and others; each later commit changes one
// person's file, and the commits that write grants and reinstatements
// reach the branch in one of the ways evidence tells apart.
func randomHistory(r *rand.Rand, signer string) *history {
	start := model.DayFromDate(2026, time.Month(1+r.IntN(12)), 1+r.IntN(28))
	h := &history{first: start}
	policy := "required"
	if r.IntN(4) == 0 {
		policy = "warn"
	}
	config := fmt.Sprintf("people: people\npolicy:\n  evidence: %s\n  evidence_signers:\n    - %s\n", policy, signer)
	ids := map[string]int{"alex": 11, "lee": 12, "sam": 13, "pat": 14, "dana": 15}
	permanent := func(name string) string {
		id := strings.ToLower(strings.Fields(name)[0])
		return fmt.Sprintf("name: %s\nemail: %s@example.gov.uk\ngithub: %s-gh\ngithub_id: %d\nprogramme: govuk\nrole: developer\nemployment: civil_servant\nclearance: sc\n"+
			"probation_passed: 2019-01-01\nshifts:\n  - {type: shadow, start: 2019-02-04, end: 2019-02-08}\n  - {type: shadow, start: 2019-03-04, end: 2019-03-08}\n  - {type: primary, start: 2019-04-01, end: 2019-04-05}\n", name, id, id, ids[id])
	}
	lead := func(name string) string {
		return strings.Replace(permanent(name), "role: developer", "role: lead_developer", 1)
	}
	files := map[string]string{
		"prodaccess.yaml":   config,
		"people/alex.yaml":  lead("Alex Lead"),
		"people/lee.yaml":   lead("Lee Lead"),
		"people/sam.yaml":   permanent("Sam Senior"),
		"people/pat.yaml":   permanent("Pat Person"),
		"people/dana.yaml":  strings.Replace(permanent("Dana Dev"), "  - {type: primary, start: 2019-04-01, end: 2019-04-05}\n", "", 1),
		"people/chris.yaml": contractor("chris", nil, nil),
		"people/cleo.yaml":  contractor("cleo", nil, nil),
	}
	when := func(d model.Day) time.Time { return d.Time().Add(10 * time.Hour) }
	h.commits = append(h.commits, histCommit{when: when(start), message: "Adopt prodaccess", files: files, evidence: "adopted"})
	state := map[string]string{}
	for k, v := range files {
		state[k] = v
	}
	day := start
	grants := map[string][]string{}
	for i := 0; i < 5+r.IntN(6); i++ {
		day += model.Day(1 + r.IntN(8))
		c := histCommit{when: when(day), files: map[string]string{}}
		switch k := r.IntN(10); {
		case k < 5: // a grant to a contractor
			who := []string{"chris", "cleo"}[r.IntN(2)]
			approver := []string{"alex", "lee"}[r.IntN(2)]
			supervisor := []string{"sam", "pat"}[r.IntN(2)]
			s := day + model.Day(r.IntN(10)-3)
			g := fmt.Sprintf("  - {start: %s, end: %s, approved_by: %s, supervisor: %s, agreed: true, reason: Cover %d}\n", s, s+model.Day(3+r.IntN(25)), approver, supervisor, i)
			if r.IntN(4) == 0 || len(grants[who]) == 0 {
				grants[who] = []string{g}
			} else {
				grants[who] = append(grants[who], g)
			}
			c.files["people/"+who+".yaml"] = contractor(who, grants[who], nil)
			c.message = "Grant " + who
			c.author = who + "-gh"
			c.approver = histLeads[approver]
			c.evidence = []string{"approved before merge", "approved after merge", "pushed without a pull request", "no note", "approved by the wrong lead"}[r.IntN(5)]
			if c.evidence == "approved by the wrong lead" {
				c.approver = histLeads[map[string]string{"alex": "lee", "lee": "alex"}[approver]]
			}
		case k < 7: // a last day, perhaps recorded after it
			who := []string{"pat", "sam", "dana"}[r.IntN(3)]
			last := day + model.Day(r.IntN(14)-9)
			c.files["people/"+who+".yaml"] = strings.TrimSuffix(state["people/"+who+".yaml"], lastDayLine(state["people/"+who+".yaml"])) + "last_day: " + last.String() + "\n"
			if strings.Contains(state["people/"+who+".yaml"], "last_day:") && r.IntN(2) == 0 {
				c.files["people/"+who+".yaml"] = strings.TrimSuffix(state["people/"+who+".yaml"], lastDayLine(state["people/"+who+".yaml"])) // back again
			}
			c.message = "Last day of " + who
		case k < 8: // a long absence, perhaps recorded late
			who := []string{"pat", "dana"}[r.IntN(2)]
			c.files["people/"+who+".yaml"] = strings.TrimSuffix(state["people/"+who+".yaml"], lastDayLine(state["people/"+who+".yaml"])) + fmt.Sprintf("absences:\n  - start: %s\n", day-model.Day(r.IntN(60)))
			c.message = "Absence of " + who
		case k < 9: // the supervisor's file goes, and comes back
			who := []string{"sam", "pat"}[r.IntN(2)]
			if state["people/"+who+".yaml"] == "" {
				c.files["people/"+who+".yaml"] = permanent(map[string]string{"sam": "Sam Senior", "pat": "Pat Person"}[who])
				c.message = "Restore " + who
			} else {
				c.files["people/"+who+".yaml"] = ""
				c.message = "Remove " + who
			}
		default: // nothing that decides access
			c.files["people/dana.yaml"] = state["people/dana.yaml"] + fmt.Sprintf("# touched %d\n", i)
			c.message = "Touch dana"
		}
		for k, v := range c.files {
			state[k] = v
		}
		h.commits = append(h.commits, c)
		if c.evidence != "" {
			h.holds = append(h.holds, c.evidence)
		}
	}
	h.last = day + model.Day(5+r.IntN(20))
	h.now = h.last.Time().Add(36 * time.Hour)
	return h
}

// lastDayLine is the last_day line a person file ends with, or "".
func lastDayLine(body string) string {
	if i := strings.LastIndex(body, "last_day: "); i >= 0 && strings.Count(body[i:], "\n") == 1 {
		return body[i:]
	}
	return ""
}

func contractor(id string, grants []string, extra []string) string {
	s := fmt.Sprintf("name: %s Contractor\nemail: %s@example.gov.uk\ngithub: %s-gh\ngithub_id: %d\nprogramme: other\nrole: other\nemployment: contractor\nclearance: bpss\n", strings.ToUpper(id[:1])+id[1:], id, id, 200+int(id[1]))
	if len(grants) > 0 {
		s += "temporary_access:\n" + strings.Join(grants, "")
	}
	return s + strings.Join(extra, "")
}

// write makes the repository at dir and signs the notes of the commits
// whose evidence is recorded.
func (h *history) write(dir string, signer *peoplerepo.NoteSigner) error {
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		return err
	}
	st := repo.Storer
	store := func(o plumbing.EncodedObject) (plumbing.Hash, error) { return st.SetEncodedObject(o) }
	blobs := map[string]plumbing.Hash{}
	blob := func(data string) (plumbing.Hash, error) {
		if h, ok := blobs[data]; ok {
			return h, nil
		}
		o := st.NewEncodedObject()
		o.SetType(plumbing.BlobObject)
		w, err := o.Writer()
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if _, err := io.WriteString(w, data); err != nil {
			return plumbing.ZeroHash, err
		}
		if err := w.Close(); err != nil {
			return plumbing.ZeroHash, err
		}
		h, err := store(o)
		blobs[data] = h
		return h, err
	}
	tree := func(entries []object.TreeEntry) (plumbing.Hash, error) {
		sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
		o := st.NewEncodedObject()
		if err := (&object.Tree{Entries: entries}).Encode(o); err != nil {
			return plumbing.ZeroHash, err
		}
		return store(o)
	}
	state := map[string]string{}
	var parent plumbing.Hash
	notes := map[string][]byte{}
	for i, c := range h.commits {
		for k, v := range c.files {
			if v == "" {
				delete(state, k)
			} else {
				state[k] = v
			}
		}
		var people, root []object.TreeEntry
		for name, body := range state {
			b, err := blob(body)
			if err != nil {
				return err
			}
			if p, ok := strings.CutPrefix(name, "people/"); ok {
				people = append(people, object.TreeEntry{Name: p, Mode: filemode.Regular, Hash: b})
			} else {
				root = append(root, object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: b})
			}
		}
		pt, err := tree(people)
		if err != nil {
			return err
		}
		rt, err := tree(append(root, object.TreeEntry{Name: "people", Mode: filemode.Dir, Hash: pt}))
		if err != nil {
			return err
		}
		sig := object.Signature{Name: "History", Email: "history@example.gov.uk", When: c.when}
		commit := &object.Commit{Author: sig, Committer: sig, Message: c.message, TreeHash: rt}
		if !parent.IsZero() {
			commit.ParentHashes = []plumbing.Hash{parent}
		}
		o := st.NewEncodedObject()
		if err := commit.Encode(o); err != nil {
			return err
		}
		if parent, err = store(o); err != nil {
			return err
		}
		if ev := h.evidenceOf(i, parent.String(), state); ev != nil {
			payload, err := evidence.EncodeEvidence(ev)
			if err != nil {
				return err
			}
			if notes[ev.Commit], err = signer.Sign(payload); err != nil {
				return err
			}
		}
	}
	if err := st.SetReference(plumbing.NewHashReference("refs/heads/main", parent)); err != nil {
		return err
	}
	if err := st.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, "refs/heads/main")); err != nil {
		return err
	}
	r, err := peoplerepo.Open(dir)
	if err != nil {
		return err
	}
	return r.AddNotes(notes, h.now)
}

// evidenceOf is the note of commit i (sha), or nil when none is kept: a
// pull request approved by its lead (or the other) before or after the
// merge, or a push without one. The grantee opened the pull request, which
// shows their agreement.
func (h *history) evidenceOf(i int, sha string, state map[string]string) *model.CommitEvidence {
	c := h.commits[i]
	switch c.evidence {
	case "", "adopted", "no note":
		return nil
	}
	ev := &model.CommitEvidence{Version: model.EvidenceVersion, Commit: sha, Branch: "main", PullRequests: []model.PullRequestFact{}, RecordedAt: h.now, Complete: true}
	var entries []model.EntryRef
	for name, body := range c.files {
		if id, ok := strings.CutSuffix(strings.TrimPrefix(name, "people/"), ".yaml"); ok && body != "" {
			entry, _ := personfile.PersonEntry("people", id+".yaml", 0)
			entries = append(entries, personfile.ParsePerson(entry, []byte(body)).Entries()...)
		}
	}
	if c.evidence == "pushed without a pull request" {
		for _, e := range entries {
			ev.Entries = append(ev.Entries, model.EntryEvidence{Entry: e, ReviewsOnEntry: []int64{}})
		}
		return ev
	}
	merged := c.when.Add(time.Hour)
	approved := merged.Add(-30 * time.Minute)
	if c.evidence == "approved after merge" {
		approved = merged.Add(time.Duration(24*(1+i%4)) * time.Hour)
	}
	review := model.ReviewFact{ID: int64(1000 + i), User: c.approver, State: model.ReviewApproved, CommitID: sha, SubmittedAt: approved}
	ev.PullRequests = append(ev.PullRequests, model.PullRequestFact{Number: i, URL: "https://github.com/example/people/pull/" + strconv.Itoa(i), Title: c.message,
		Author: model.Account{Login: c.author, ID: int64(200 + int(c.author[1]))}, MergedBy: &model.Account{Login: "alex-gh", ID: 11}, MergedAt: &merged,
		Base: "main", Reviews: []model.ReviewFact{review}, Commits: 1, SignedBy: []model.Account{}})
	for _, e := range entries {
		ev.Entries = append(ev.Entries, model.EntryEvidence{Entry: e, ReviewsOnEntry: []int64{review.ID}})
	}
	return ev
}
