package render

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// WriteAdoption writes what prodaccess adopt found, for people: each
// person with where they were found, how sure the match is and why, and
// what their file gets; the entries not placed, with the keep entries to
// add to the configuration; the conflicts; and the targets not read.
func WriteAdoption(w io.Writer, a *outcome.Adoption, cfg *config.Config) error {
	adopted := "policy.adopted_on not set"
	if a.AdoptedOn != nil {
		adopted = "policy.adopted_on " + a.AdoptedOn.String()
	}
	fmt.Fprintf(w, "Adoption of the targets as they are on %s (%s; access held since %s)\n", a.At, adopted, a.Since)
	fmt.Fprintf(w, "\nPeople found:\n")
	if len(a.People) == 0 {
		fmt.Fprintln(w, "  nobody")
	}
	for _, p := range a.People {
		fmt.Fprintf(w, "\n%s\n", personHead(p))
		fmt.Fprintf(w, "  match: %s\n", p.Match)
		for _, r := range p.Reasons {
			fmt.Fprintf(w, "    %s\n", r)
		}
		fmt.Fprintln(w, "  found:")
		writeFoundTable(w, "    ", p.Found)
		if h := p.Held; h != nil {
			fmt.Fprintf(w, "  held before adoption: %s since %s on %s, approved by %s\n", h.Level, h.Since, strings.Join(h.Targets, ", "), h.ApprovedBy)
		}
		if len(p.Missing) > 0 {
			fmt.Fprintf(w, "  to fill in: %s (the file grants nothing until it has them)\n", strings.Join(p.Missing, ", "))
		}
		for _, n := range p.Notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
	}
	if len(a.Unplaced) > 0 {
		fmt.Fprintf(w, "\nNot placed:\n")
		rows := [][]string{}
		for _, u := range a.Unplaced {
			what := "removed by the first plan"
			if u.Keep {
				what = "keep"
			}
			rows = append(rows, []string{u.Target, model.Printable(u.Subject), what, u.Why})
		}
		writeColumns(w, "  ", rows)
	}
	if keep := a.KeepProposals(); len(keep) > 0 {
		fmt.Fprintf(w, "\nTo keep them, add to the targets in %s:\n", configName(cfg))
		writeKeepYAML(w, "  ", keep, cfg)
	}
	if len(a.Conflicts) > 0 {
		fmt.Fprintf(w, "\nConflicts: entries in more than one person's name\n")
		for _, c := range a.Conflicts {
			fmt.Fprintf(w, "  %s %s (%s): %s\n", c.Target, model.Printable(c.Subject), strings.Join(c.People, ", "), model.Printable(c.Why))
		}
	}
	if len(a.Kept) > 0 {
		fmt.Fprintf(w, "\nKept already (keep entries, which belong to nobody):\n")
		for _, t := range slices.Sorted(maps.Keys(a.Kept)) {
			fmt.Fprintf(w, "  %s: %s\n", t, strings.Join(a.Kept[t], ", "))
		}
	}
	if len(a.Unread) > 0 {
		fmt.Fprintf(w, "\nNot read:\n")
		for _, u := range a.Unread {
			fmt.Fprintf(w, "  %s\n", u)
		}
	}
	_, err := fmt.Fprintf(w, "\n%s\n", AdoptionSummary(a))
	return err
}

// personHead is the first line of a person in the report: who, their
// file, and what adoption writes in it.
func personHead(p outcome.AdoptedPerson) string {
	who := p.ID
	switch {
	case p.Name != "" && p.Email != "":
		who += fmt.Sprintf(" (%s <%s>)", p.Name, p.Email)
	case p.Name != "":
		who += fmt.Sprintf(" (%s)", p.Name)
	case p.Email != "":
		who += fmt.Sprintf(" (<%s>)", p.Email)
	}
	what := "unchanged"
	switch {
	case !p.Existing:
		what = "new"
		if len(p.Missing) > 0 {
			what = "new, to complete"
		}
	case len(p.Changes) > 0:
		what = "changed: " + strings.Join(p.Changes, ", ")
	}
	return model.Printable(fmt.Sprintf("%s: %s, %s", who, p.File, what))
}

func writeFoundTable(w io.Writer, indent string, found []outcome.FoundEntry) {
	var rows [][]string
	for _, e := range found {
		rows = append(rows, []string{e.Target, e.Subject, strings.Join(e.Says, "; ")})
	}
	writeColumns(w, indent, rows)
}

// writeColumns writes rows in columns padded to the widest cell, the last
// column as it is.
func writeColumns(w io.Writer, indent string, rows [][]string) {
	if len(rows) == 0 {
		return
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r[:len(r)-1] {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		b.WriteString(indent)
		for i, c := range r {
			if i == len(r)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(c + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
		}
		fmt.Fprintln(w, model.Printable(strings.TrimRight(b.String(), " ")))
	}
}

func configName(cfg *config.Config) string {
	if cfg != nil && cfg.File != "" {
		return cfg.File
	}
	return "prodaccess.yaml"
}

// writeKeepYAML writes the keep entries to add to each target, in the
// order of the configuration, with what each entry is as a comment.
func writeKeepYAML(w io.Writer, indent string, keep map[string][]outcome.UnplacedEntry, cfg *config.Config) {
	var names []string
	if cfg != nil {
		for _, t := range cfg.Targets {
			if _, ok := keep[t.Name]; ok {
				names = append(names, t.Name)
			}
		}
	}
	for _, n := range slices.Sorted(maps.Keys(keep)) {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, n := range names {
		fmt.Fprintf(w, "%s- name: %s\n%s  keep:\n", indent, n, indent)
		for _, u := range keep[n] {
			line := fmt.Sprintf("%s    - %q", indent, u.Subject)
			if len(u.Says) > 0 {
				line += "  # " + strings.Join(u.Says, "; ")
			}
			fmt.Fprintln(w, model.Printable(line))
		}
	}
}

// AdoptionSummary says in one paragraph what adoption found and writes.
func AdoptionSummary(a *outcome.Adoption) string {
	var added, changed, unchanged, drafts int
	for _, p := range a.People {
		switch {
		case !p.Existing:
			added++
			if len(p.Missing) > 0 {
				drafts++
			}
		case len(p.Changes) > 0:
			changed++
		default:
			unchanged++
		}
	}
	keep := 0
	for _, u := range a.Unplaced {
		if u.Keep {
			keep++
		}
	}
	s := fmt.Sprintf("%d people found: %d new file(s) (%d to complete), %d changed, %d unchanged; %d entr(ies) not placed (%d proposed as keep entries, %d the first plan removes); %d conflict(s).",
		len(a.People), added, drafts, changed, unchanged, len(a.Unplaced), keep, len(a.Unplaced)-keep, len(a.Conflicts))
	if !a.Changed() {
		s += "\nNothing to write: every person found has a file that says what they hold."
	}
	return s
}

// maxAdoptionBody is the most characters of a pull request's body that
// adoption writes; GitHub refuses more than 65,536.
const maxAdoptionBody = 60000

// AdoptionPullRequestBody is the description of the pull request that
// proposes the files adoption wrote: what the leads approve, person by
// person, and what the approval means. When the whole does not fit in a
// pull request, each person is one line.
func AdoptionPullRequestBody(a *outcome.Adoption, cfg *config.Config) string {
	body := adoptionBody(a, cfg, true)
	if utf8.RuneCountInString(body) <= maxAdoptionBody {
		return body
	}
	body = adoptionBody(a, cfg, false)
	if utf8.RuneCountInString(body) <= maxAdoptionBody {
		return body
	}
	// Still too long for GitHub: cut it at a line, and say where the rest is.
	const cut = "\n\n…the rest is cut, to keep within GitHub's limit: `prodaccess adopt --dry-run` prints it all.\n"
	runes := []rune(body)[:maxAdoptionBody-utf8.RuneCountInString(cut)]
	text := string(runes)
	if i := strings.LastIndexByte(text, '\n'); i > 0 {
		text = text[:i]
	}
	return text + cut
}

func adoptionBody(a *outcome.Adoption, cfg *config.Config, full bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## prodaccess adopt: the access held on %s\n\n", a.At)
	fmt.Fprintf(&b, "These person files record who holds production access today, as the targets show it. "+
		"Each `held_before_adoption` entry names a lead: **their approving review of this pull request is the approval** "+
		"that the person held that access before prodaccess, and until it is given the entry grants nothing (under `policy.evidence: required`). "+
		"`prodaccess audit review` lists everyone who still rests on it, to be replaced by real facts over time.\n\n")
	fmt.Fprintf(&b, "%s\n\n", strings.ReplaceAll(mdText(AdoptionSummary(a)), "\n", " "))
	approvers := map[string][]string{}
	for _, p := range a.People {
		if p.Held != nil {
			approvers[p.Held.ApprovedBy] = append(approvers[p.Held.ApprovedBy], p.ID)
		}
	}
	if len(approvers) > 0 {
		b.WriteString("### Approvals needed\n\n")
		for _, id := range slices.Sorted(maps.Keys(approvers)) {
			fmt.Fprintf(&b, "- %s: %d entr(ies)\n", mdText(id), len(approvers[id]))
		}
		b.WriteString("\n")
	}
	b.WriteString("### People\n\n| person | file | match | found in | held before adoption |\n|---|---|---|---|---|\n")
	for _, p := range a.People {
		held := ""
		if h := p.Held; h != nil {
			held = fmt.Sprintf("%s since %s, approved by %s", h.Level, h.Since, h.ApprovedBy)
		}
		what := "unchanged"
		switch {
		case !p.Existing && len(p.Missing) > 0:
			what = "new, to complete: " + strings.Join(p.Missing, ", ")
		case !p.Existing:
			what = "new"
		case len(p.Changes) > 0:
			what = strings.Join(p.Changes, ", ")
		}
		var targets []string
		for _, e := range p.Found {
			if !slices.Contains(targets, e.Target) {
				targets = append(targets, e.Target)
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdText(p.ID+" "+p.Name), mdText(what), mdText(string(p.Match)), mdText(strings.Join(targets, ", ")), mdText(held))
	}
	if full {
		b.WriteString("\n<details><summary>Why each match was made</summary>\n\n")
		for _, p := range a.People {
			if len(p.Reasons) == 0 {
				continue
			}
			fmt.Fprintf(&b, "- **%s**: %s\n", mdText(p.ID), mdText(strings.Join(p.Reasons, "; ")))
		}
		b.WriteString("\n</details>\n")
	}
	if len(a.Unplaced) > 0 {
		b.WriteString("\n### Not placed\n\n| target | entry | | why |\n|---|---|---|---|\n")
		for _, u := range a.Unplaced {
			what := "removed by the first plan"
			if u.Keep {
				what = "proposed as keep"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdText(u.Target), mdCode(u.Subject), what, mdText(u.Why))
		}
		if keep := a.KeepProposals(); len(keep) > 0 {
			fmt.Fprintf(&b, "\nTo keep them, add to the targets in `%s`:\n\n```yaml\n", configName(cfg))
			var y strings.Builder
			writeKeepYAML(&y, "", keep, cfg)
			b.WriteString(strings.ReplaceAll(y.String(), "```", "'''"))
			b.WriteString("```\n")
		}
	}
	if len(a.Conflicts) > 0 {
		b.WriteString("\n### Conflicts\n\n")
		for _, c := range a.Conflicts {
			fmt.Fprintf(&b, "- %s %s (%s): %s\n", mdText(c.Target), mdCode(c.Subject), mdText(strings.Join(c.People, ", ")), mdText(c.Why))
		}
	}
	if len(a.Unread) > 0 {
		b.WriteString("\n### Not read\n\n")
		for _, u := range a.Unread {
			fmt.Fprintf(&b, "- %s\n", mdText(u))
		}
	}
	if !full {
		b.WriteString("\nThe reasons for each match are left out to keep this description within GitHub's limit: `prodaccess adopt --dry-run` prints them.\n")
	}
	return b.String()
}
