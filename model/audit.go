package model

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Commit is one commit of the people repository.
type Commit struct {
	SHA     string    `json:"sha"`
	When    time.Time `json:"date"`
	Author  string    `json:"author"`
	Subject string    `json:"subject"`
	PR      int       `json:"pull_request,omitempty"`
}

func (c *Commit) String() string {
	s := fmt.Sprintf("commit %s", ShortSHA(c.SHA))
	if c.PR != 0 {
		s += fmt.Sprintf(" (pull request #%d)", c.PR)
	}
	return s + fmt.Sprintf(" by %s, %s: %q", c.Author, c.When.Format(time.RFC3339), c.Subject)
}

// Causes of a timeline event.
const (
	CauseCommit  = "commit"         // a commit changed the files
	CauseRule    = "rule"           // time passed and a rule began or ended
	CauseRename  = "renamed"        // a person file was renamed; the level did not change
	CauseInvalid = "invalid-commit" // a commit's files did not validate; the state before it held
)

// TimelineEvent is one change of a person's level, or one commit that did
// not count.
type TimelineEvent struct {
	Day    Day     `json:"day"`
	Person string  `json:"person,omitempty"`
	From   Level   `json:"from"`
	To     Level   `json:"to"`
	Cause  string  `json:"cause"`
	Commit *Commit `json:"commit,omitempty"`
	Rule   string  `json:"rule,omitempty"`
	Detail string  `json:"detail"`
	// RenamedFrom is the id before a rename (cause renamed).
	RenamedFrom string `json:"renamed_from,omitempty"`
	// Written names, for a change the passing of time brings, the commits
	// (by pull request where known) that wrote the fact behind it, such
	// as "grant 2026-11-16: added in #15, shortened in #16".
	Written string `json:"written,omitempty"`
}

// Timeline is the history of production access on a branch.
type Timeline struct {
	Branch  string          `json:"branch"`
	From    *Day            `json:"from"`
	To      Day             `json:"to"`
	Commits int             `json:"commits"` // commits read
	Events  []TimelineEvent `json:"events"`
	// People holds each person the history names as their last valid
	// file had them, for reports that show names and teams; it is not
	// part of the JSON.
	People map[string]*Person `json:"-"`
}

// WriteTimeline writes the timeline for people to read.
func WriteTimeline(w io.Writer, t *Timeline) error {
	from := "the first commit"
	if t.From != nil {
		from = t.From.String()
	}
	fmt.Fprintf(w, "Production access on %s, from %s to %s (%d commits read)\n\n", t.Branch, from, t.To, t.Commits)
	if len(t.Events) == 0 {
		_, err := fmt.Fprintln(w, "No changes.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DAY\tPERSON\tCHANGE\tCAUSE")
	for _, e := range t.Events {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Day, orDash(e.Person), e.ChangeText(), e.CauseText())
	}
	return tw.Flush()
}

// ChangeText is the change of level an event records, as people read it.
func (e *TimelineEvent) ChangeText() string {
	switch e.Cause {
	case CauseRename:
		return e.To.String()
	case CauseInvalid:
		return "-"
	}
	return fmt.Sprintf("%s -> %s", e.From, e.To)
}

// CauseText is why an event happened, as people read it.
func (e *TimelineEvent) CauseText() string {
	switch e.Cause {
	case CauseRule:
		if e.Written != "" {
			return fmt.Sprintf("rule %s: %s (%s)", e.Rule, e.Detail, e.Written)
		}
		return fmt.Sprintf("rule %s: %s", e.Rule, e.Detail)
	case CauseCommit:
		return e.Commit.String()
	case CauseRename:
		return fmt.Sprintf("%s; %s", e.Commit, e.Detail)
	case CauseInvalid:
		return fmt.Sprintf("%s did not validate, so the state before it held: %s", e.Commit, e.Detail)
	}
	return e.Detail
}

// AuditAt is who had access on a day, and from which commit that is known.
type AuditAt struct {
	WhoJSON
	Commit string `json:"commit"`
	// Evidence is, by person, the verdict on each entry their access
	// rests on; absent when evidence is not looked at.
	Evidence map[string][]*Proof `json:"evidence,omitempty"`
}

// NewAuditAt is the JSON of audit at.
func NewAuditAt(d Day, commit string, decisions []Decision) AuditAt {
	out := AuditAt{WhoJSON: NewWhoJSON(d, decisions), Commit: commit}
	for _, dc := range decisions {
		if dc.Level != None && len(dc.Evidence) > 0 {
			if out.Evidence == nil {
				out.Evidence = map[string][]*Proof{}
			}
			out.Evidence[dc.Person.ID] = dc.Evidence
		}
	}
	return out
}

// WriteAuditAt writes who had access on a day, with the rules and the
// approver and supervisor of any exception used.
func WriteAuditAt(w io.Writer, at Day, commit *Commit, decisions []Decision) error {
	fmt.Fprintf(w, "Production access on %s, from the person files at %s\n\n", at, commit)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLEVEL\tUNTIL\tAPPROVER\tSUPERVISOR\tWHY")
	n := 0
	for _, dc := range decisions {
		if dc.Level == None {
			continue
		}
		n++
		approver, supervisor := exceptionParties(dc)
		reasons := dc.ReasonStrings()
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", dc.Person.ID, dc.Level, untilText(dc.Until), orDash(approver), orDash(supervisor), reasons[0])
		for _, r := range reasons[1:] {
			fmt.Fprintf(tw, "\t\t\t\t\t%s\n", r)
		}
		for _, pf := range dc.Evidence {
			line := fmt.Sprintf("evidence for the %s: %s", pf.Entry.Kind, pf.Summary())
			if !pf.Proven() {
				line += " (NOT PROVEN: " + strings.Join(pf.Missing, "; ") + ")"
			}
			fmt.Fprintf(tw, "\t\t\t\t\t%s\n", line)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d people had production access.\n", n)
	return err
}

// exceptionParties returns the approver and supervisor of the temporary
// exception that gives the person their level, if one does.
func exceptionParties(dc Decision) (string, string) {
	for _, r := range dc.Reasons {
		if r.Rule == RuleTemporaryException && r.Fired {
			return r.ApprovedBy, r.Supervisor
		}
	}
	return "", ""
}

// ReviewRow is one person in an access review.
type ReviewRow struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Level      Level    `json:"level"`
	Basis      []string `json:"basis"`
	ApprovedBy string   `json:"approved_by,omitempty"`
	Supervisor string   `json:"supervisor,omitempty"`
	// Evidence says, for each entry the access rests on, the pull
	// request that wrote it, who approved and who merged it.
	Evidence []string `json:"evidence,omitempty"`
	Since    *Day     `json:"since"`
	Until    *Day     `json:"until"`
	Flags    []string `json:"flags"`
}

// Review is an access review: everyone with access on a day, why, and what
// a reviewer should look at.
type Review struct {
	At     Day         `json:"at"`
	Commit *Commit     `json:"commit"`
	Rows   []ReviewRow `json:"people"`
}

// WriteReviewMarkdown writes the review as a markdown document.
func WriteReviewMarkdown(w io.Writer, rv *Review) error {
	fmt.Fprintf(w, "# Production access review, %s\n\n", rv.At)
	fmt.Fprintf(w, "From the person files at %s.\n\n", mdText(rv.Commit.String()))
	flagged, access := 0, 0
	for _, r := range rv.Rows {
		if len(r.Flags) > 0 {
			flagged++
		}
		if r.Level != None {
			access++
		}
	}
	fmt.Fprintf(w, "%s production access; %s for the reviewer.\n\n",
		plural(access, "person has", "people have"), plural(flagged, "is flagged", "are flagged"))
	fmt.Fprintln(w, "| person | level | basis | approved by | supervisor | evidence | since | until | flags |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	for _, r := range rv.Rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", mdText(r.ID+" ("+r.Name+")"), r.Level, mdText(strings.Join(r.Basis, "; ")),
			orDash(mdText(r.ApprovedBy)), orDash(mdText(r.Supervisor)), orDash(mdText(strings.Join(r.Evidence, "; "))), dayText(r.Since), dayText(r.Until), mdText(strings.Join(r.Flags, "; ")))
	}
	return nil
}

func dayText(d *Day) string {
	if d == nil {
		return "-"
	}
	return d.String()
}

// WriteReviewCSV writes the review as CSV, one row per person.
func WriteReviewCSV(w io.Writer, rv *Review) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "name", "level", "basis", "approved_by", "supervisor", "since", "until", "flags", "commit", "at", "evidence"})
	for _, r := range rv.Rows {
		since, until := "", ""
		if r.Since != nil {
			since = r.Since.String()
		}
		if r.Until != nil {
			until = r.Until.String()
		}
		cw.Write([]string{r.ID, r.Name, r.Level.String(), strings.Join(r.Basis, "; "), r.ApprovedBy, r.Supervisor, since, until,
			strings.Join(r.Flags, "; "), rv.Commit.SHA, rv.At.String(), strings.Join(r.Evidence, "; ")})
	}
	cw.Flush()
	return cw.Error()
}
