package render

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// AccessReport is what the HTML access report is made from.
type AccessReport struct {
	// Timeline is the history from the first commit (built without a
	// From day, so that everyone's level on the first day drawn is
	// known) up to its To, the last day drawn.
	Timeline *outcome.Timeline
	// Review is the access review on the timeline's To.
	Review *outcome.Review
	// From is the first day drawn.
	From model.Day
	// RepoURL is the web address of the people repository on GitHub
	// (https://github.com/owner/name), or "" when it is not there; commits
	// and pull requests are links only when it is given.
	RepoURL string
}

//go:embed accessreport.tmpl
var reportTemplate string

//go:embed accessreport.css
var reportCSS string

// reportTmpl is parsed when a report is drawn, not at the start of every
// command (0.75 ms).
var reportTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{"plural": plural}).Parse(reportTemplate))
})

// plural writes a count with the word for one or for many.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// styleHash is the page's one style sheet as its Content-Security-Policy
// allows it: nothing else may style, load or run anything.
var styleHash = func() string {
	sum := sha256.Sum256([]byte(reportCSS))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}()

// WriteAccessReport writes the report as one self-contained HTML page: no
// scripts, and nothing loaded from anywhere.
func WriteAccessReport(w io.Writer, r *AccessReport) error {
	if r.From > r.Timeline.To {
		return fmt.Errorf("the first day drawn, %s, is after the last, %s", r.From, r.Timeline.To)
	}
	var b bytes.Buffer
	if err := reportTmpl().Execute(&b, newPage(r)); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// span is an unbroken run of days at one level, both ends included.
type span struct {
	Level      model.Level
	Start, End model.Day
}

// history is one person's part of the timeline.
type history struct {
	ID       string
	Former   []string // ids before renames
	Spans    []span   // at levels other than none, oldest first
	Events   []outcome.TimelineEvent
	Level    model.Level // at the end of the timeline
	openFrom model.Day
}

// histories replays the timeline's events person by person: the spans
// at each level, and the events of each. A renamed file carries its
// person's history to the new id. Invalid commits belong to no one.
func histories(t *outcome.Timeline) map[string]*history {
	hs := map[string]*history{}
	get := func(id string) *history {
		h := hs[id]
		if h == nil {
			h = &history{ID: id}
			hs[id] = h
		}
		return h
	}
	for _, e := range t.Events {
		switch e.Cause {
		case outcome.CauseInvalid:
			continue
		case outcome.CauseRename:
			old := hs[e.RenamedFrom]
			switch {
			case old == nil:
			case hs[e.Person] == nil:
				delete(hs, e.RenamedFrom)
				old.ID = e.Person
				old.Former = append(old.Former, e.RenamedFrom)
				hs[e.Person] = old
			default:
				// The new id had a history of its own: the old id's row
				// ends here and the new one goes on.
				old.end(e.Day)
			}
		}
		h := get(e.Person)
		h.Events = append(h.Events, e)
		if e.To != h.Level {
			h.end(e.Day)
			h.Level, h.openFrom = e.To, e.Day
		}
	}
	for _, h := range hs {
		if h.Level != model.None && h.openFrom <= t.To {
			h.Spans = append(h.Spans, span{h.Level, h.openFrom, t.To})
		}
	}
	return hs
}

// end closes the span under way, if any, on the day before d.
func (h *history) end(d model.Day) {
	if h.Level != model.None && d > h.openFrom {
		h.Spans = append(h.Spans, span{h.Level, h.openFrom, d - 1})
	}
	h.Level = model.None
}

// page is what the template shows.
type page struct {
	Title, Branch     string
	From, To          model.Day
	Commits           int
	Commit            link
	CSP               string
	Style             template.CSS
	Counts            []count
	Changes, ByCommit int
	ByRule            int
	Chart             chart
	Review            []reviewRow
	Access            int // people with access on the last day
	Flagged           int // of them, flagged for the reviewer
	FlaggedWithout    int // people without access, flagged
	People            []personView
	Others            []string
	Invalid           []eventRow
	Findings          []findingRow
	Removals          *removalsView
	Certification     string   // the period whose sign-off the review checks
	Unchecked         []string // what the review could not check
}

// removalsView is the removals of the period, timed.
type removalsView struct {
	Headline string
	Summary  []outcome.RemovalSummary
	Rows     []removalRow
}

type removalRow struct {
	outcome.Removal
	Cause, Changed, Status string
	Files                  link
	Late                   bool
}

// approvalView is the evidence of one entry, with its pull request linked.
type approvalView struct {
	Entry, Approved, Merged string
	Pull                    link
	Flags                   []string
	Proven                  bool
	Missing                 string
}

// findingRow is one finding of the audit, with its commit linked.
type findingRow struct {
	Kind, Person, Detail string
	Commit               link
}

type count struct {
	Level string
	N     int
}

type link struct {
	Text, URL string
}

type reviewRow struct {
	outcome.ReviewRow
	Since, Until string
	Approvals    []approvalView
	Certified    link
}

type personView struct {
	ID, Name, Team, Former string
	Level                  string
	Events                 []eventRow
}

type eventRow struct {
	Day    model.Day
	Change string
	Cause  link
}

// Geometry of the picture, in SVG user units (CSS pixels at full width).
const (
	chartWidth  = 1200.0
	labelWidth  = 200.0
	chartLeft   = 208.0
	chartRight  = chartWidth - 12
	axisHeight  = 32.0
	minBarWidth = 0.8
)

type chart struct {
	Width, Height, AxisHeight, LabelWidth string
	FontSize                              string
	Years, Months                         []tick
	Groups                                []group
	Rows                                  []row
	Empty                                 bool
}

type tick struct {
	X, LabelX, Label string
}

type group struct {
	Label, Y string
}

type row struct {
	ID, Title, Name string
	Y, TextY, H     string
	Stripe          bool
	Bars            []bar
	Marks           []mark
}

type bar struct {
	Person, Level string
	X, Y, W, H    string
	Title         string
}

type mark struct {
	Person, Cause string
	Path, URL     string
	Title         string
}

// num writes a coordinate with one decimal, without a trailing ".0".
func num(v float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0")
}

var (
	programmeOrder = []model.Programme{model.GOVUK, model.TechOps, model.OtherProgramme}
	roleOrder      = []model.Role{model.Developer, model.LeadDeveloper, model.SRE, model.HeadOfTechnology, model.OtherRole}
)

// team is how rows are grouped: by programme, then role.
type team struct {
	programme, role int
	label           string
}

func teamOf(p *model.Person) team {
	if p == nil {
		return team{len(programmeOrder), len(roleOrder), "no valid person file"}
	}
	pi, ri := slices.Index(programmeOrder, p.Programme), slices.Index(roleOrder, p.Role)
	if pi < 0 {
		pi = len(programmeOrder)
	}
	if ri < 0 {
		ri = len(roleOrder)
	}
	return team{pi, ri, fmt.Sprintf("%s · %s", p.Programme, p.Role)}
}

func newPage(r *AccessReport) *page {
	t := r.Timeline
	pg := &page{
		Title:   fmt.Sprintf("Production access on %s, %s to %s", t.Branch, r.From, t.To),
		Branch:  t.Branch,
		From:    r.From,
		To:      t.To,
		Commits: t.Commits,
		CSP:     "default-src 'none'; style-src '" + styleHash + "'; img-src data:; form-action 'none'; base-uri 'none'",
		Style:   template.CSS(reportCSS),
	}
	pg.summarise(r)
	drawn := peopleDrawn(t, r.From)
	pg.Chart = newChart(drawn, r.From, t.To, r.RepoURL)
	isDrawn := map[string]bool{}
	for _, d := range drawn {
		isDrawn[d.ID] = true
		pv := personView{ID: d.ID, Name: d.name, Team: d.team.label, Level: d.Level.String(), Former: strings.Join(d.Former, ", ")}
		for _, e := range d.Events {
			if e.Day >= r.From && e.Day <= t.To {
				pv.Events = append(pv.Events, eventRow{Day: e.Day, Change: changeText(&e), Cause: causeLink(r.RepoURL, &e)})
			}
		}
		pg.People = append(pg.People, pv)
	}
	for id := range t.People {
		if !isDrawn[id] {
			pg.Others = append(pg.Others, id)
		}
	}
	slices.Sort(pg.Others)
	seen := map[string]bool{}
	// A finding names its commit by id; the timeline's events say who
	// made it, when and why.
	commits := map[string]*outcome.Commit{}
	for i := range t.Events {
		if c := t.Events[i].Commit; c != nil {
			commits[c.SHA] = c
		}
	}
	for _, f := range append(slices.Clone(t.Findings), r.Review.Findings...) {
		if k := f.String() + "\x00" + f.Person; !seen[k] {
			seen[k] = true
			row := findingRow{Kind: f.Kind, Person: f.Person, Detail: f.Detail}
			if f.Commit != "" {
				c := commits[f.Commit]
				if c == nil {
					c = &outcome.Commit{SHA: f.Commit}
				}
				row.Commit = commitLink(r.RepoURL, c)
			}
			pg.Findings = append(pg.Findings, row)
		}
	}
	return pg
}

// summarise fills in the review and the counts of the summary: people
// with access at each level, and apart from them, people flagged who
// have none (who can still read secrets).
func (pg *page) summarise(r *AccessReport) {
	if c := r.Review.Commit; c != nil {
		pg.Commit = commitLink(r.RepoURL, c)
	}
	pg.Unchecked = r.Review.Unchecked
	if p := r.Review.Certification; p != nil {
		pg.Certification = p.Name
	}
	byLevel := map[model.Level]int{}
	for _, row := range r.Review.Rows {
		switch {
		case row.Level != model.None:
			byLevel[row.Level]++
			pg.Access++
			if len(row.Flags) > 0 {
				pg.Flagged++
			}
		case len(row.Flags) > 0:
			pg.FlaggedWithout++
		}
		rr := reviewRow{ReviewRow: row, Since: "-", Until: "-"}
		if row.Since != nil {
			rr.Since = row.Since.String()
		}
		if row.Until != nil {
			rr.Until = row.Until.String()
		}
		for _, a := range row.Approvals {
			rr.Approvals = append(rr.Approvals, approvalOf(r.RepoURL, a))
		}
		if c := row.Certified; c != nil {
			rr.Certified = link{Text: CertifiedText(c)}
			if c.PullRequest != 0 {
				rr.Certified.URL = pullURL(r.RepoURL, c.PullRequest, c.URL)
			}
		}
		pg.Review = append(pg.Review, rr)
	}
	if rm := r.Review.Removals; rm != nil {
		v := &removalsView{Headline: RemovalsHeadline(rm)}
		if len(rm.Rows) > 0 {
			v.Summary = rm.Summary
		}
		for _, x := range rm.Rows {
			row := removalRow{Removal: x, Cause: RemovalCause(x), Changed: RemovalChanged(x), Status: x.Status, Late: x.Status == outcome.RemovalLate || x.Status == outcome.RemovalUnrecorded}
			row.Files = link{Text: RemovalFiles(x)}
			if x.Commit != "" && r.RepoURL != "" {
				row.Files.URL = r.RepoURL + "/commit/" + x.Commit
			}
			v.Rows = append(v.Rows, row)
		}
		pg.Removals = v
	}
	for i := len(model.AccessLevels) - 1; i >= 0; i-- {
		l := model.AccessLevels[i]
		pg.Counts = append(pg.Counts, count{l.String(), byLevel[l]})
	}
	for _, e := range r.Timeline.Events {
		if e.Day < pg.From || e.Day > pg.To {
			continue
		}
		switch e.Cause {
		case outcome.CauseInvalid:
			pg.Invalid = append(pg.Invalid, eventRow{Day: e.Day, Cause: causeLink(r.RepoURL, &e)})
		case outcome.CauseCommit:
			pg.Changes++
			pg.ByCommit++
		case outcome.CauseRule:
			pg.Changes++
			pg.ByRule++
		}
	}
}

// drawnPerson is a person in the picture.
type drawnPerson struct {
	*history
	name string
	team team
}

// peopleDrawn are the people with access, or a change of level, between
// from and the end of the timeline, their spans clipped to that period,
// sorted by team and name.
func peopleDrawn(t *outcome.Timeline, from model.Day) []drawnPerson {
	var drawn []drawnPerson
	for id, h := range histories(t) {
		h.Spans = clip(h.Spans, from, t.To)
		inPeriod := slices.ContainsFunc(h.Events, func(e outcome.TimelineEvent) bool { return e.Day >= from && e.Day <= t.To })
		if len(h.Spans) == 0 && !inPeriod {
			continue
		}
		p := t.People[id]
		name := id
		if p != nil && p.Name != "" {
			name = p.Name
		}
		drawn = append(drawn, drawnPerson{h, name, teamOf(p)})
	}
	slices.SortFunc(drawn, func(a, b drawnPerson) int {
		return cmp.Or(cmp.Compare(a.team.programme, b.team.programme), cmp.Compare(a.team.role, b.team.role),
			cmp.Compare(a.team.label, b.team.label), cmp.Compare(strings.ToLower(a.name), strings.ToLower(b.name)), cmp.Compare(a.ID, b.ID))
	})
	return drawn
}

// newChart lays out the picture: a row per person, grouped by team, with
// a bar per span and a mark per event.
func newChart(drawn []drawnPerson, from, to model.Day, repoURL string) chart {
	rowH := 18.0 // thinner rows for more people, so that 300 fit a few screens
	switch n := len(drawn); {
	case n > 400:
		rowH = 10
	case n > 150:
		rowH = 12
	case n > 40:
		rowH = 15
	}
	days := float64(to-from) + 1
	x := func(d model.Day) float64 { return chartLeft + float64(d-from)/days*(chartRight-chartLeft) }
	c := chart{Width: num(chartWidth), AxisHeight: num(axisHeight), LabelWidth: num(labelWidth), FontSize: num(max(rowH-3, 8)), Empty: len(drawn) == 0}
	c.Years, c.Months = ticks(from, to, x)
	y := 4.0
	for i, d := range drawn {
		if i == 0 || d.team != drawn[i-1].team {
			y += 4
			c.Groups = append(c.Groups, group{Label: d.team.label, Y: num(y + rowH - 4)})
			y += rowH
		}
		title := d.name + " (" + d.ID + ")"
		if len(d.Former) > 0 {
			title += ", formerly " + strings.Join(d.Former, ", ")
		}
		rw := row{ID: d.ID, Name: d.name, Title: title + ", " + d.team.label, Y: num(y), H: num(rowH), TextY: num(y + rowH - 4), Stripe: i%2 == 1}
		mid := y + rowH/2
		for _, s := range d.Spans {
			bh := max(rowH*(0.3+0.2*float64(s.Level-1)), 2) // thicker for higher levels
			rw.Bars = append(rw.Bars, bar{Person: d.ID, Level: s.Level.String(),
				X: num(x(s.Start)), W: num(max(x(s.End+1)-x(s.Start), minBarWidth)), Y: num(mid - bh/2), H: num(bh),
				Title: fmt.Sprintf("%s: %s from %s to %s", d.ID, s.Level, s.Start, s.End)})
		}
		for _, e := range d.Events {
			if e.Day < from || e.Day > to {
				continue
			}
			cx := (x(e.Day) + x(e.Day+1)) / 2
			m := mark{Person: d.ID, Title: fmt.Sprintf("%s %s: %s, %s", e.Day, d.ID, changeText(&e), shortCause(&e))}
			if e.Cause == outcome.CauseRule {
				r := rowH * 0.22 // a circle
				m.Cause = "rule"
				m.Path = fmt.Sprintf("M%s %sa%s %s 0 1 0 %s 0a%s %s 0 1 0 -%s 0z", num(cx-r), num(mid), num(r), num(r), num(2*r), num(r), num(r), num(2*r))
			} else {
				s := rowH * 0.32 // a diamond
				m.Cause = "commit"
				m.URL = commitLink(repoURL, e.Commit).URL
				m.Path = fmt.Sprintf("M%s %sl%s %sl-%s %sl-%s -%sz", num(cx), num(mid-s), num(s), num(s), num(s), num(s), num(s), num(s))
			}
			rw.Marks = append(rw.Marks, m)
		}
		c.Rows = append(c.Rows, rw)
		y += rowH
	}
	c.Height = num(y + 4)
	return c
}

// clip keeps the parts of spans within from and to.
func clip(spans []span, from, to model.Day) []span {
	var out []span
	for _, s := range spans {
		s.Start, s.End = max(s.Start, from), min(s.End, to)
		if s.Start <= s.End {
			out = append(out, s)
		}
	}
	return out
}

// ticks are the year and month lines of the picture, each labelled
// where the label fits. There are no month lines where months would be
// less than three units apart.
func ticks(from, to model.Day, x func(model.Day) float64) (years, months []tick) {
	perDay := (chartRight - chartLeft) / (float64(to-from) + 1)
	for y := from.Time().Year(); ; y++ {
		first := model.DayFromDate(y, time.January, 1)
		start, end := max(first, from), min(model.DayFromDate(y+1, time.January, 1), to+1)
		if start > to {
			break
		}
		t := tick{LabelX: num(x(start) + 3)}
		if first >= from {
			t.X = num(x(first))
		}
		if float64(end-start)*perDay >= 34 {
			t.Label = strconv.Itoa(y)
		}
		years = append(years, t)
	}
	if 30*perDay < 3 {
		return years, nil
	}
	for m := time.Date(from.Time().Year(), from.Time().Month(), 1, 0, 0, 0, 0, time.UTC); ; m = m.AddDate(0, 1, 0) {
		first := model.DayFromDate(m.Year(), m.Month(), 1)
		start, end := max(first, from), min(model.DayFromDate(m.Year(), m.Month()+1, 1), to+1)
		if start > to {
			break
		}
		width := float64(end-start) * perDay
		t := tick{LabelX: num(x(start) + width/2)}
		if first > from && m.Month() != time.January {
			t.X = num(x(first))
		}
		switch {
		case width >= 30:
			t.Label = m.Format("Jan")
		case width >= 11:
			t.Label = m.Format("Jan")[:1]
		}
		months = append(months, t)
	}
	return years, months
}

// shortCause names the cause of an event in a few words, for the marks:
// the person's table below the picture has it in full.
func shortCause(e *outcome.TimelineEvent) string {
	switch {
	case e.Cause == outcome.CauseRule:
		return "rule " + e.Rule
	case e.Commit != nil && e.Commit.PR != 0:
		return fmt.Sprintf("%s in pull request #%d", e.Cause, e.Commit.PR)
	case e.Commit != nil:
		return fmt.Sprintf("%s %.12s", e.Cause, e.Commit.SHA)
	}
	return e.Cause
}

// approvalOf shows the evidence of one entry: the pull request (linked),
// who approved it and when, who merged it and when, and the flags.
func approvalOf(repoURL string, a outcome.Approval) approvalView {
	v := approvalView{Entry: string(a.Entry), Proven: a.Proven, Flags: a.Flags, Missing: strings.Join(a.Missing, "; ")}
	switch {
	case a.PullRequest != 0:
		v.Pull = link{Text: fmt.Sprintf("#%d", a.PullRequest), URL: pullURL(repoURL, a.PullRequest, a.URL)}
	case a.Commit != "":
		v.Pull = link{Text: "commit " + model.ShortSHA(a.Commit)}
		if repoURL != "" {
			v.Pull.URL = repoURL + "/commit/" + a.Commit
		}
	}
	if a.ApprovedBy != "" {
		v.Approved = "approved by " + a.ApprovedBy
		if a.ApprovedAt != nil {
			v.Approved += " on " + a.ApprovedAt.UTC().Format("2006-01-02")
		}
	}
	if a.MergedBy != "" {
		v.Merged = "merged by " + a.MergedBy
		if a.MergedAt != nil {
			v.Merged += " on " + a.MergedAt.UTC().Format("2006-01-02")
		}
	}
	return v
}

// pullURL links a pull request of the people repository: on its GitHub
// page when the origin is there, else at the address the signed evidence
// gives, if that is a web address.
func pullURL(repoURL string, n int, recorded string) string {
	switch {
	case repoURL != "":
		return fmt.Sprintf("%s/pull/%d", repoURL, n)
	case strings.HasPrefix(recorded, "https://"):
		return recorded
	}
	return ""
}

func commitLink(repoURL string, c *outcome.Commit) link {
	l := link{Text: c.String()}
	switch {
	case repoURL == "":
	case c.PR != 0:
		l.URL = fmt.Sprintf("%s/pull/%d", repoURL, c.PR)
	default:
		l.URL = repoURL + "/commit/" + c.SHA
	}
	return l
}

func causeLink(repoURL string, e *outcome.TimelineEvent) link {
	l := link{Text: causeText(e)}
	if e.Commit != nil {
		l.URL = commitLink(repoURL, e.Commit).URL
	}
	return l
}
