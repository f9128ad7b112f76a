package render

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// WriteTimeline writes the timeline for people to read.
func WriteTimeline(w io.Writer, t *outcome.Timeline) error {
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
func writeFindings(w io.Writer, findings []outcome.Finding, markdown bool) error {
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
func changeText(e *outcome.TimelineEvent) string {
	switch e.Cause {
	case outcome.CauseRename:
		return e.To.String()
	case outcome.CauseInvalid:
		return "-"
	}
	return fmt.Sprintf("%s -> %s", e.From, e.To)
}

// causeText is why an event happened, as people read it.
func causeText(e *outcome.TimelineEvent) string {
	switch e.Cause {
	case outcome.CauseRule:
		if e.Written != "" {
			return fmt.Sprintf("rule %s: %s (%s)", e.Rule, e.Detail, e.Written)
		}
		return fmt.Sprintf("rule %s: %s", e.Rule, e.Detail)
	case outcome.CauseCommit:
		return e.Commit.String()
	case outcome.CauseRename:
		return fmt.Sprintf("%s; %s", e.Commit, e.Detail)
	case outcome.CauseInvalid:
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
	// Differences are the people whose level differs from what the files
	// alone give, as who shows it, and why.
	Differences []Difference `json:"differs_from_files,omitempty"`
}

// Difference is a person whose level under the evidence differs from the
// level their files alone give: what who shows, what audit at shows, and
// the evidence missing.
type Difference struct {
	Person   string      `json:"person"`
	Files    model.Level `json:"files"`
	Evidence model.Level `json:"with_evidence"`
	Missing  []string    `json:"missing"`
}

// NewAuditAt is the JSON of audit at.
func NewAuditAt(d model.Day, commit string, decisions []model.Decision, differences []Difference) AuditAt {
	out := AuditAt{WhoJSON: NewWhoJSON(d, decisions), Commit: commit, Differences: differences}
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
// approver and supervisor of any exception used, and everyone whose level
// differs from what the files alone give (as who shows it), with the
// evidence missing.
func WriteAuditAt(w io.Writer, at model.Day, commit *outcome.Commit, decisions []model.Decision, differences []Difference) error {
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
	fmt.Fprintf(w, "\n%d people had production access.\n", n)
	if len(differences) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\nWho, which reads the files alone, differs for %s: the evidence of approval decides here.\n", plural(len(differences), "person", "people"))
	for _, d := range differences {
		fmt.Fprintf(w, "  - %s: %s by the files, %s with the evidence: %s\n", d.Person, d.Files, d.Evidence, model.Printable(strings.Join(d.Missing, "; ")))
	}
	return nil
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
func WriteReviewMarkdown(w io.Writer, rv *outcome.Review) error {
	fmt.Fprintf(w, "# Production access review, %s\n\n", rv.At)
	fmt.Fprintf(w, "From the person files at %s.\n\n", mdText(rv.Commit.String()))
	flagged := 0
	for _, r := range rv.Rows {
		if r.Level != model.None && len(r.Flags) > 0 {
			flagged++
		}
	}
	access, without := rv.WithAccess()
	fmt.Fprintf(w, "%s production access; %s for the reviewer", plural(access, "person has", "people have"), plural(flagged, "is flagged", "are flagged"))
	if without > 0 {
		fmt.Fprintf(w, "; %s without access %s flagged too (below the others)", plural(without, "person", "people"), map[bool]string{true: "is", false: "are"}[without == 1])
	}
	fmt.Fprint(w, ".\n\n")
	fmt.Fprintln(w, "| person | level | basis | approved by | supervisor | evidence | certified | since | until | flags |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rv.Rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", mdText(r.ID+" ("+r.Name+")"), r.Level, mdText(strings.Join(r.Basis, "; ")),
			orDash(mdText(r.ApprovedBy)), orDash(mdText(r.Supervisor)), orDash(mdText(strings.Join(r.Evidence, "; "))), orDash(mdText(CertifiedText(r.Certified))),
			dayText(r.Since), dayText(r.Until), mdText(strings.Join(r.Flags, "; ")))
	}
	if err := writeFindings(w, rv.Findings, true); err != nil {
		return err
	}
	writeRemovalsMarkdown(w, rv.Removals)
	if len(rv.Unchecked) > 0 {
		fmt.Fprintf(w, "\n## Not checked\n\n")
		for _, u := range rv.Unchecked {
			fmt.Fprintf(w, "- %s\n", mdText(u))
		}
	}
	return nil
}

// CertifiedText says in a few words how a person's access was last
// certified: the period, and who signed it off in which pull request, or
// that it is not signed off.
func CertifiedText(c *outcome.Certified) string {
	switch {
	case c == nil:
		return ""
	case !c.Proven:
		return fmt.Sprintf("%s: not signed off", c.Period)
	case c.PullRequest != 0:
		return fmt.Sprintf("%s by %s (#%d)", c.Period, c.By, c.PullRequest)
	}
	return fmt.Sprintf("%s by %s", c.Period, c.By)
}

// RemovalsHeadline sums up the removals in one sentence.
func RemovalsHeadline(r *outcome.RemovalReport) string {
	if len(r.Summary) == 0 || r.Summary[0].Total == 0 {
		return fmt.Sprintf("No access ended from %s to %s.", r.From, r.To)
	}
	all := r.Summary[0]
	s := fmt.Sprintf("%s from %s to %s: %d on time, %d late, %d waiting, %d not recorded", plural(all.Total, "removal", "removals"), r.From, r.To, all.OnTime, all.Late, all.Waiting, all.Unrecorded)
	if all.Median != "" {
		s += fmt.Sprintf("; median delay %s, worst %s", all.Median, all.Worst)
	}
	s += fmt.Sprintf(". Late is more than %s after the start of the day the rules ended the access (audit.removal_within).", r.Within)
	if r.Records == 0 {
		s += " No record of apply is in this clone, so no target change is known: fetch them with git fetch origin 'refs/notes/*:refs/notes/*'."
	}
	return s
}

// RemovalCause says when the rules ended one removal's access, and why.
func RemovalCause(r outcome.Removal) string {
	if r.Rule == "" {
		return r.Due.String()
	}
	return fmt.Sprintf("%s (%s)", r.Due, r.Rule)
}

// RemovalFiles says when the files said so.
func RemovalFiles(r outcome.Removal) string {
	switch {
	case r.FilesOn == nil:
		return "-"
	case r.Commit != "":
		return fmt.Sprintf("%s, commit %s", r.FilesOn, model.ShortSHA(r.Commit))
	case r.Written != "":
		return fmt.Sprintf("%s (%s)", r.FilesOn, r.Written)
	}
	return r.FilesOn.String()
}

// RemovalChanged says when the target changed, and how.
func RemovalChanged(r outcome.Removal) string {
	if r.Changed == nil {
		return "no record"
	}
	return fmt.Sprintf("%s, %s", r.Changed.UTC().Format("2006-01-02 15:04 UTC"), r.How)
}

func writeRemovalsMarkdown(w io.Writer, r *outcome.RemovalReport) {
	if r == nil {
		return
	}
	fmt.Fprintf(w, "\n## Removals\n\n%s\n", mdText(RemovalsHeadline(r)))
	if len(r.Rows) == 0 {
		return
	}
	fmt.Fprintln(w, "\n| target | removals | on time | late | waiting | not recorded | median | worst |\n|---|---|---|---|---|---|---|---|")
	for _, s := range r.Summary[1:] {
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %d | %s | %s |\n", mdText(s.Target), s.Total, s.OnTime, s.Late, s.Waiting, s.Unrecorded, orDash(s.Median), orDash(s.Worst))
	}
	fmt.Fprintln(w, "\n| person | target | ended by the rules | files said so | target changed | delay | status |\n|---|---|---|---|---|---|---|")
	for _, x := range r.Rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", mdText(x.Person), mdText(x.Target), mdText(RemovalCause(x)), mdText(RemovalFiles(x)), mdText(RemovalChanged(x)), x.Delay, x.Status)
	}
}

func dayText(d *model.Day) string {
	if d == nil {
		return "-"
	}
	return d.String()
}

// WriteReviewCSV writes the review as CSV, one row per person.
func WriteReviewCSV(w io.Writer, rv *outcome.Review) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "name", "level", "basis", "approved_by", "supervisor", "since", "until", "flags", "commit", "at", "evidence", "certified"})
	for _, r := range rv.Rows {
		since, until := "", ""
		if r.Since != nil {
			since = r.Since.String()
		}
		if r.Until != nil {
			until = r.Until.String()
		}
		cw.Write([]string{r.ID, r.Name, r.Level.String(), strings.Join(r.Basis, "; "), r.ApprovedBy, r.Supervisor, since, until,
			strings.Join(r.Flags, "; "), rv.Commit.SHA, rv.At.String(), strings.Join(r.Evidence, "; "), CertifiedText(r.Certified)})
	}
	// A finding is a row of its own: no level, the finding as its flag,
	// its commit as the row's.
	for _, f := range rv.Findings {
		commit := f.Commit
		if commit == "" {
			commit = rv.Commit.SHA
		}
		cw.Write([]string{f.Person, "", "", "", "", "", "", "", f.String(), commit, rv.At.String(), "", ""})
	}
	// A removal that was late, or of which there is no record, is a
	// row too, with the removal as its flag.
	if rv.Removals != nil {
		for _, x := range rv.Removals.Rows {
			if x.Status == outcome.RemovalLate || x.Status == outcome.RemovalUnrecorded {
				cw.Write([]string{x.Person, "", "", "", "", "", "", "", fmt.Sprintf("removal from %s %s: ended by the rules %s, target changed %s, delay %s", x.Target, x.Status, RemovalCause(x), RemovalChanged(x), x.Delay),
					x.Commit, rv.At.String(), "", ""})
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
