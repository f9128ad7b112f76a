package render

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/prodaccess/prodaccess/model"
)

// WriteTimeline writes the timeline for people to read.
func WriteTimeline(w io.Writer, t *model.Timeline) error {
	from := "the first commit"
	if t.From != nil {
		from = t.From.String()
	}
	fmt.Fprintf(w, "Production access on %s, from %s to %s (%d commits read)\n\n", t.Branch, from, t.To, t.Commits)
	if len(t.Events) == 0 {
		fmt.Fprintln(w, "No changes.")
	} else {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "DAY\tPERSON\tCHANGE\tCAUSE")
		for _, e := range t.Events {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Day, orDash(e.Person), changeText(&e), causeText(&e))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return writeFindings(w, t.Findings, false)
}

// writeFindings lists what an audit flags, in text or markdown.
func writeFindings(w io.Writer, findings []model.Finding, markdown bool) error {
	if len(findings) == 0 {
		return nil
	}
	if markdown {
		fmt.Fprintf(w, "\n## Findings\n\n")
		for _, f := range findings {
			who := ""
			if f.Person != "" {
				who = mdText(f.Person) + ": "
			}
			fmt.Fprintf(w, "- %s%s\n", who, mdText(f.String()))
		}
		return nil
	}
	fmt.Fprintf(w, "\nFindings:\n")
	for _, f := range findings {
		who := ""
		if f.Person != "" {
			who = f.Person + ": "
		}
		if _, err := fmt.Fprintf(w, "  - %s%s\n", who, model.Printable(f.String())); err != nil {
			return err
		}
	}
	return nil
}

// changeText is the change of level an event records, as people read it.
func changeText(e *model.TimelineEvent) string {
	switch e.Cause {
	case model.CauseRename:
		return e.To.String()
	case model.CauseInvalid:
		return "-"
	}
	return fmt.Sprintf("%s -> %s", e.From, e.To)
}

// causeText is why an event happened, as people read it.
func causeText(e *model.TimelineEvent) string {
	switch e.Cause {
	case model.CauseRule:
		if e.Written != "" {
			return fmt.Sprintf("rule %s: %s (%s)", e.Rule, e.Detail, e.Written)
		}
		return fmt.Sprintf("rule %s: %s", e.Rule, e.Detail)
	case model.CauseCommit:
		return e.Commit.String()
	case model.CauseRename:
		return fmt.Sprintf("%s; %s", e.Commit, e.Detail)
	case model.CauseInvalid:
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
	Evidence map[string][]*model.Proof `json:"evidence,omitempty"`
}

// NewAuditAt is the JSON of audit at.
func NewAuditAt(d model.Day, commit string, decisions []model.Decision) AuditAt {
	out := AuditAt{WhoJSON: NewWhoJSON(d, decisions), Commit: commit}
	for _, dc := range decisions {
		if dc.Level != model.None && len(dc.Evidence) > 0 {
			if out.Evidence == nil {
				out.Evidence = map[string][]*model.Proof{}
			}
			out.Evidence[dc.Person.ID] = dc.Evidence
		}
	}
	return out
}

// WriteAuditAt writes who had access on a day, with the rules and the
// approver and supervisor of any exception used.
func WriteAuditAt(w io.Writer, at model.Day, commit *model.Commit, decisions []model.Decision) error {
	fmt.Fprintf(w, "Production access on %s, from the person files at %s\n\n", at, commit)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLEVEL\tUNTIL\tAPPROVER\tSUPERVISOR\tWHY")
	n := 0
	for _, dc := range decisions {
		if dc.Level == model.None {
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
			for _, f := range pf.Flags {
				if f != "approval not proven" {
					line += "; " + f
				}
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
func exceptionParties(dc model.Decision) (string, string) {
	for _, r := range dc.Reasons {
		if r.Rule == model.RuleTemporaryException && r.Fired {
			return r.ApprovedBy, r.Supervisor
		}
	}
	return "", ""
}

// WriteReviewMarkdown writes the review as a markdown document.
func WriteReviewMarkdown(w io.Writer, rv *model.Review) error {
	fmt.Fprintf(w, "# Production access review, %s\n\n", rv.At)
	fmt.Fprintf(w, "From the person files at %s.\n\n", mdText(rv.Commit.String()))
	flagged, access := 0, 0
	for _, r := range rv.Rows {
		if len(r.Flags) > 0 {
			flagged++
		}
		if r.Level != model.None {
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
	return writeFindings(w, rv.Findings, true)
}

func dayText(d *model.Day) string {
	if d == nil {
		return "-"
	}
	return d.String()
}

// WriteReviewCSV writes the review as CSV, one row per person.
func WriteReviewCSV(w io.Writer, rv *model.Review) error {
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
	// A finding is a row of its own: no level, the finding as its flag,
	// its commit as the row's.
	for _, f := range rv.Findings {
		commit := f.Commit
		if commit == "" {
			commit = rv.Commit.SHA
		}
		cw.Write([]string{f.Person, "", "", "", "", "", "", "", f.String(), commit, rv.At.String(), ""})
	}
	cw.Flush()
	return cw.Error()
}
