package render

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/outcome"
)

// RecordPullRequestTitle is the title of the pull request that changes
// the records in one repository.
func RecordPullRequestTitle(changes []outcome.Change) string {
	var targets []string
	for _, c := range changes {
		targets = append(targets, c.Target)
	}
	slices.Sort(targets)
	return fmt.Sprintf("prodaccess: %s to make by hand (%s)", countChanges(changes, "revocation", "grant"), strings.Join(slices.Compact(targets), ", "))
}

// RecordCommitMessage is the message of the commit that changes records.
func RecordCommitMessage(plan *outcome.Plan, changes []outcome.Change) string {
	return commitMessage(fmt.Sprintf("Record the access changed by hand, as the rules call for on %s", plan.At),
		"Merging this commit records that the changes below were made in each\nsystem, by whoever merges it.", plan, changes)
}

// RecordPullRequestBody is the work ticket: for each record target, the
// exact actions to take (grant or revoke, for whom, why, the
// instructions) as a checklist, and what merging records. Like
// PullRequestBody, it changes only when the changes do.
func RecordPullRequestBody(plan *outcome.Plan, targets []*config.Target, changes []outcome.Change) string {
	return recordPullRequestBody(plan, targets, changes, true)
}

// RecordPullRequestText is RecordPullRequestBody without the day and
// commit it was decided from, as PullRequestText is.
func RecordPullRequestText(plan *outcome.Plan, targets []*config.Target, changes []outcome.Change) string {
	return recordPullRequestBody(plan, targets, changes, false)
}

func recordPullRequestBody(plan *outcome.Plan, targets []*config.Target, changes []outcome.Change, decided bool) string {
	var b strings.Builder
	b.WriteString("prodaccess opened this pull request as the ticket for access that people change by hand. ")
	b.WriteString("Make each change below in the system it names and tick its box. ")
	b.WriteString("Then merge: merging records who holds the access in the files it changes, and who did the work and when.\n\n")
	if decided {
		writeDecided(&b, plan)
	}
	b.WriteString("### By hand: the work to do\n")
	for _, t := range targets {
		var mine []outcome.Change
		for _, c := range changes {
			if c.Target == t.Name {
				mine = append(mine, c)
			}
		}
		if len(mine) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n#### %s\n\n%s; the record is %s.\n\n", mdText(t.Name), mdText(t.Instructions), mdCode(t.Path))
		for _, c := range mine {
			what, level := "Grant", ", "+levelText(c)
			if c.Action == outcome.Remove {
				what, level = "Revoke", ""
			}
			fmt.Fprintf(&b, "- [ ] **%s** for %s, %s%s: %s. Why: %s\n", what, mdCode(c.Subject), mdText(personText(c)), level, mdText(Instruction(t, c)), mdText(c.Reason))
		}
	}
	b.WriteString("\n### Waiting: what merging records\n\n")
	writeChangeTable(&b, changes)
	b.WriteString("\nIf a change cannot be made, do not merge: leave the pull request open and say why in a comment. ")
	b.WriteString("Its changes stay waiting in every plan, and a revocation that waits longer than `safety.max_revocation_wait` fails the scheduled run.\n")
	b.WriteString("\nprodaccess updates this pull request in place on each run and closes it when nothing is left to change.\n")
	return b.String()
}

// personText names the person a change is for: their id and name, or
// "(nobody)" for an entry that belongs to no person file.
func personText(c outcome.Change) string {
	if c.Person == "" {
		return "(nobody)"
	}
	if c.Name != "" {
		return c.Person + " (" + c.Name + ")"
	}
	return c.Person
}

// CarryTicks returns body with each box ticked that was ticked on the
// same line of old: a person ticks boxes as they do the work, and an
// update of the pull request must not take the ticks away.
func CarryTicks(old, body string) string {
	ticked := map[string]bool{}
	for _, l := range strings.Split(old, "\n") {
		for _, box := range []string{"- [x] ", "- [X] "} {
			if rest, ok := strings.CutPrefix(strings.TrimRight(l, "\r"), box); ok {
				ticked[rest] = true
			}
		}
	}
	if len(ticked) == 0 {
		return body
	}
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		if rest, ok := strings.CutPrefix(l, "- [ ] "); ok && ticked[rest] {
			lines[i] = "- [x] " + rest
		}
	}
	return strings.Join(lines, "\n")
}

// WriteRecordAt writes who a record says held an access on a day.
func WriteRecordAt(w io.Writer, r *outcome.RecordAt) error {
	if r.Commit == nil {
		_, err := fmt.Fprintf(w, "%s: the record %s had no commit by the end of %s.\n", r.Target, r.Path, r.At)
		return err
	}
	fmt.Fprintf(w, "%s on %s, as its record %s says at %s\n\n", r.Target, r.At, r.Path, r.Commit)
	if len(r.Holders) == 0 {
		_, err := fmt.Fprintln(w, "Nobody held it.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ENTRY\tNAME\tSINCE\tRECORDED BY")
	for _, h := range r.Holders {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", h.Subject, orDash(h.Label), h.Since.When.Format("2006-01-02"), h.Since.String())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s held it.\n", plural(len(r.Holders), "entry", "entries"))
	return err
}
