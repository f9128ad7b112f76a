package model

import (
	"fmt"
	"io"
	"strings"
)

// Standing is a person's level on a day under one revision of the files.
type Standing struct {
	Level   Level    `json:"level"`
	Until   *Day     `json:"until"`
	Reasons []string `json:"reasons"`
}

// AccessChange is what a change to the files does to one person.
type AccessChange struct {
	ID      string   `json:"id"`
	Name    string   `json:"name,omitempty"`
	Kind    string   `json:"kind"` // gains, loses or changes
	From    Standing `json:"from"`
	To      Standing `json:"to"`
	Targets []Change `json:"targets"` // what the change means for each target
}

// Kinds of access change.
const (
	Gains   = "gains"
	Loses   = "loses"
	Changes = "changes"
)

// AccessChanges is what a change to the person files (or the
// configuration) does to production access on one day.
type AccessChanges struct {
	From   string         `json:"from"`
	To     string         `json:"to"`
	At     Day            `json:"at"`
	People []AccessChange `json:"people"`
	// Problems are those of the files at To: the people they concern are
	// granted nothing.
	Problems Problems `json:"problems"`
	// Approvals are the entries the change writes that need a lead's
	// approving review of the pull request, and whose.
	Approvals []ApprovalNeed `json:"approvals"`
}

// ApprovalNeed is one entry a change writes, and the review it needs.
type ApprovalNeed struct {
	Entry EntryRef `json:"entry"`
	// Login is the GitHub login of the approver the entry names; empty
	// when their file gives none, and no review can then prove it.
	Login string `json:"approver_login,omitempty"`
	// Checked is true when the pull request's reviews were read; then
	// Approved says whether the approval is there, and Missing what is not.
	Checked  bool     `json:"checked"`
	Approved bool     `json:"approved"`
	Missing  []string `json:"missing,omitempty"`
}

// Sentence says in words what the entry needs and whether it has it.
func (a ApprovalNeed) Sentence() string {
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

func levelWords(l Level) string {
	switch l {
	case TemporarySupervised:
		return "temporary supervised"
	case None:
		return "no"
	}
	return l.String()
}

func untilWords(u *Day) string {
	if u == nil {
		return "with no end date"
	}
	return "until " + u.String()
}

// WriteAccessChanges writes the changes for people to read, as text or as
// the markdown of a pull-request comment.
func WriteAccessChanges(w io.Writer, c *AccessChanges, markdown bool) error {
	count := map[string]int{}
	for _, p := range c.People {
		count[p.Kind]++
	}
	if markdown {
		fmt.Fprintf(w, "%s\n## prodaccess: what this change does to production access\n\n", CommentMarker)
		fmt.Fprintf(w, "Decided for **%s**, comparing `%s` with `%s`.\n\n", c.At, ShortSHA(c.From), ShortSHA(c.To))
	} else {
		fmt.Fprintf(w, "Production access on %s: %s compared with %s\n", c.At, ShortSHA(c.To), ShortSHA(c.From))
	}
	if len(c.People) == 0 {
		fmt.Fprintln(w, "No one's production access changes.")
	} else {
		var parts []string
		for _, k := range []struct{ kind, one, many string }{
			{Gains, "gains access", "gain access"},
			{Loses, "loses access", "lose access"},
			{Changes, "keeps their level with other changes", "keep their level with other changes"},
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
	for _, kind := range []string{Gains, Loses, Changes} {
		var items []AccessChange
		for _, p := range c.People {
			if p.Kind == kind {
				items = append(items, p)
			}
		}
		if len(items) == 0 {
			continue
		}
		title := map[string]string{Gains: "Gains", Loses: "Losses", Changes: "Other changes"}[kind]
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
				fmt.Fprintf(w, "%s%s\n", mark, mdText(a.Sentence()))
			} else {
				fmt.Fprintf(w, "%s%s\n", mark, a.Sentence())
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
func sentence(p AccessChange, markdown bool) string {
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
	why := func(s Standing) string {
		if len(s.Reasons) == 0 {
			return ""
		}
		return ", because " + text(strings.Join(s.Reasons, "; "))
	}
	switch p.Kind {
	case Gains:
		if p.From.Level == None {
			return fmt.Sprintf("%s gains %s access %s%s.", who, levelWords(p.To.Level), untilWords(p.To.Until), why(p.To))
		}
		return fmt.Sprintf("%s moves up from %s to %s access %s%s.", who, levelWords(p.From.Level), levelWords(p.To.Level), untilWords(p.To.Until), why(p.To))
	case Loses:
		if p.To.Level == None {
			return fmt.Sprintf("%s loses %s access%s.", who, levelWords(p.From.Level), why(p.To))
		}
		return fmt.Sprintf("%s moves down from %s to %s access %s%s.", who, levelWords(p.From.Level), levelWords(p.To.Level), untilWords(p.To.Until), why(p.To))
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
	return fmt.Sprintf("%s keeps %s access; %s.", who, levelWords(p.To.Level), strings.Join(parts, "; "))
}

func sameDay(a, b *Day) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
