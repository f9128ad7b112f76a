package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// sentenceOf says in words what the entry needs and whether it has it.
func sentenceOf(a outcome.ApprovalNeed) string {
	if a.Change != "" {
		who := "a lead of record (" + strings.Join(a.Approvers, ", ") + ")"
		if len(a.Approvers) == 0 {
			who = "a lead of record, and there is none"
		}
		switch {
		case !a.Checked:
			return fmt.Sprintf("%s widens access, and takes effect only with an approving review by %s", a.Change, who)
		case a.Approved:
			return fmt.Sprintf("%s widens access, and is approved by %s", a.Change, who)
		}
		return fmt.Sprintf("%s widens access, and needs an approving review by %s, not there yet: %s", a.Change, who, strings.Join(a.Missing, "; "))
	}
	switch {
	case a.Login == "":
		return fmt.Sprintf("%s needs an approving review by %s, whose person file gives no GitHub login: add it, or no review can count", a.Entry, a.Entry.ApprovedBy)
	case !a.Checked:
		return fmt.Sprintf("%s needs an approving review by %s", a.Entry, a.Login)
	case a.Approved:
		return fmt.Sprintf("%s is approved by %s", a.Entry, a.Login)
	}
	return fmt.Sprintf("%s needs an approving review by %s, not there yet: %s", a.Entry, a.Login, strings.Join(a.Missing, "; "))
}

// CommentMarker starts the pull-request comment, so that a workflow finds
// and updates its own comment instead of adding a new one on each push.
const CommentMarker = "<!-- prodaccess:changes -->"

func untilWords(u *model.Day) string {
	if u == nil {
		return "with no end date"
	}
	return "until " + u.String()
}

// WriteAccessChanges writes the changes for people to read, as text or as
// the markdown of a pull-request comment.
func WriteAccessChanges(w io.Writer, c *outcome.AccessChanges, markdown bool) error {
	count := map[string]int{}
	for _, p := range c.People {
		count[p.Kind]++
	}
	if markdown {
		fmt.Fprintf(w, "%s\n## prodaccess: what this change does to production access\n\n", CommentMarker)
		fmt.Fprintf(w, "Decided for **%s**, comparing `%s` with `%s`.\n\n", c.At, model.ShortSHA(c.From), model.ShortSHA(c.To))
	} else {
		fmt.Fprintf(w, "Production access on %s: %s compared with %s\n", c.At, model.ShortSHA(c.To), model.ShortSHA(c.From))
	}
	if len(c.People) == 0 {
		fmt.Fprintln(w, "No one's production access changes.")
	} else {
		var parts []string
		for _, k := range []struct{ kind, one, many string }{
			{outcome.Gains, "gains access", "gain access"},
			{outcome.Loses, "loses access", "lose access"},
			{outcome.Changes, "keeps their level with other changes", "keep their level with other changes"},
		} {
			switch n := count[k.kind]; n {
			case 0:
			case 1:
				parts = append(parts, "1 person "+k.one)
			default:
				parts = append(parts, fmt.Sprintf("%d people %s", n, k.many))
			}
		}
		summary := strings.Join(parts, ", ") + "."
		if markdown {
			summary = "**" + summary + "**"
		}
		fmt.Fprintf(w, "%s\n", summary)
	}
	for _, kind := range []string{outcome.Gains, outcome.Loses, outcome.Changes} {
		var items []outcome.AccessChange
		for _, p := range c.People {
			if p.Kind == kind {
				items = append(items, p)
			}
		}
		if len(items) == 0 {
			continue
		}
		title := map[string]string{outcome.Gains: "Gains", outcome.Loses: "Losses", outcome.Changes: "Other changes"}[kind]
		if markdown {
			fmt.Fprintf(w, "\n### %s\n\n", title)
		} else {
			fmt.Fprintf(w, "\n%s:\n", title)
		}
		for _, p := range items {
			bullet, indent := "  ", "      "
			if markdown {
				bullet, indent = "- ", "  - "
			}
			fmt.Fprintf(w, "%s%s\n", bullet, sentence(p, markdown))
			for _, t := range p.Targets {
				if markdown {
					fmt.Fprintf(w, "%s%s %s: %s\n", indent, mdText(t.Target), t.Action, mdCode(t.Subject))
				} else {
					fmt.Fprintf(w, "%s%s %s: %s\n", indent, t.Target, t.Action, t.Subject)
				}
			}
		}
	}
	if len(c.Approvals) > 0 {
		if markdown {
			fmt.Fprintf(w, "\n### Approvals this change needs\n\nMerging grants these only with the approving review named: the review is the approval.\n\n")
		} else {
			fmt.Fprintf(w, "\nApprovals this change needs (the review is the approval):\n")
		}
		for _, a := range c.Approvals {
			mark := "  "
			if markdown {
				mark = "- [ ] "
				if a.Checked && a.Approved {
					mark = "- [x] "
				}
				fmt.Fprintf(w, "%s%s\n", mark, mdText(sentenceOf(a)))
			} else {
				fmt.Fprintf(w, "%s%s\n", mark, sentenceOf(a))
			}
		}
	}
	if len(c.Problems) > 0 {
		if markdown {
			fmt.Fprintf(w, "\n### Problems in the person files\n\nThe people they concern are granted nothing until they are fixed.\n\n")
		} else {
			fmt.Fprintf(w, "\nProblems (the people they concern are granted nothing):\n")
		}
		for _, p := range c.Problems {
			if markdown {
				fmt.Fprintf(w, "- %s\n", mdCode(p.String()))
			} else {
				fmt.Fprintf(w, "  %s\n", p)
			}
		}
	}
	return nil
}

// sentence says in plain words what happens to one person, and why.
func sentence(p outcome.AccessChange, markdown bool) string {
	text := func(s string) string { return s }
	if markdown {
		text = mdText
	}
	who := p.ID
	if markdown {
		who = "**" + mdText(p.ID) + "**"
	}
	if p.Name != "" {
		who += " (" + text(p.Name) + ")"
	}
	why := func(s outcome.Standing) string {
		if len(s.Reasons) == 0 {
			return ""
		}
		return ", because " + text(strings.Join(s.Reasons, "; "))
	}
	switch p.Kind {
	case outcome.Gains:
		if p.From.Level == model.None {
			return fmt.Sprintf("%s gains %s access %s%s.", who, model.LevelWords(p.To.Level), untilWords(p.To.Until), why(p.To))
		}
		return fmt.Sprintf("%s moves up from %s to %s access %s%s.", who, model.LevelWords(p.From.Level), model.LevelWords(p.To.Level), untilWords(p.To.Until), why(p.To))
	case outcome.Loses:
		if p.To.Level == model.None {
			return fmt.Sprintf("%s loses %s access%s.", who, model.LevelWords(p.From.Level), why(p.To))
		}
		return fmt.Sprintf("%s moves down from %s to %s access %s%s.", who, model.LevelWords(p.From.Level), model.LevelWords(p.To.Level), untilWords(p.To.Until), why(p.To))
	}
	var parts []string
	if !sameDay(p.From.Until, p.To.Until) {
		parts = append(parts, fmt.Sprintf("the end changes from %s to %s", strings.TrimPrefix(untilWords(p.From.Until), "until "), strings.TrimPrefix(untilWords(p.To.Until), "until ")))
	}
	if strings.Join(p.From.Reasons, ";") != strings.Join(p.To.Reasons, ";") {
		parts = append(parts, "the reason becomes: "+text(strings.Join(p.To.Reasons, "; ")))
	}
	if len(parts) == 0 && len(p.Targets) > 0 {
		parts = append(parts, "what the targets hold for them changes")
	}
	return fmt.Sprintf("%s keeps %s access; %s.", who, model.LevelWords(p.To.Level), strings.Join(parts, "; "))
}

func sameDay(a, b *model.Day) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
