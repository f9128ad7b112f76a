package render

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// WritePlan writes a plan for people to read: text for a terminal or
// markdown for a pull-request comment or a job summary. It says what the
// plan does in one line first, then each person it changes once, with
// their level and why, then each target's changes in compact lines; the
// JSON of a plan keeps every detail.
func WritePlan(w io.Writer, p *outcome.Plan, markdown bool) error {
	head := fmt.Sprintf("Plan for %s", p.At)
	if p.Commit != "" {
		head += fmt.Sprintf(", person files at commit %s", model.ShortSHA(p.Commit))
	}
	if markdown {
		fmt.Fprintf(w, "## prodaccess: %s\n\n**%s**\n", head, planSummary(p))
	} else {
		fmt.Fprintf(w, "%s: %s\n", head, planSummary(p))
	}
	if p.Adoption != nil {
		// While people rest on what was held before adoption, the summary
		// says whether the plan adds anyone or removes anything of theirs.
		if markdown {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, p.Adoption.Text())
	}
	var unchanged []string
	for _, tp := range p.Targets {
		if len(tp.Changes) == 0 {
			unchanged = append(unchanged, tp.Target)
		}
	}
	writePlanPeople(w, p, markdown)
	for _, g := range progressGroups {
		if err := writeGroup(w, p, g, markdown); err != nil {
			return err
		}
	}
	if len(unchanged) > 0 {
		fmt.Fprintf(w, "\nNo changes: %s\n", strings.Join(unchanged, ", "))
	}
	list := func(title string, items []string, own bool) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s\n", title)
		if markdown {
			fmt.Fprintln(w)
		}
		for _, s := range items {
			if markdown {
				s = mdEscape(s, own)
			}
			fmt.Fprintf(w, "  - %s\n", s)
		}
	}
	writePlanSecrets(w, p, markdown)
	list("Warnings:", p.Warnings, false)
	list("ERRORS: access the rules do not give, which prodaccess does not take away; the run fails until a person resolves them:", p.Errors, false)
	if p.AllowMassRemoval {
		list("Mass removal is allowed (--allow-mass-removal).", nil, true)
	}
	list("REFUSED: nothing in this plan may be applied:", p.Refusals, false)
	list("OVERDUE: revocations that have waited too long in a pull request:", p.Overdue, true)
	list("GRANTS REFUSED: removals go ahead, and nothing is granted, because:", p.GrantsRefused, false)
	list("FAILED: these could not be read, so nothing that depends on them is changed; everything else is, and the run fails:", p.Failures, false)
	return nil
}

// planSummary says in one line what the plan does: "2 to add, 1 to remove,
// 1 waiting, 0 by hand".
func planSummary(p *outcome.Plan) string {
	adds, removes := 0, 0
	for _, tp := range p.Targets {
		for _, c := range tp.Changes {
			if c.Stage() != outcome.ToDo {
				continue
			}
			if c.Action == outcome.Add {
				adds++
			} else {
				removes++
			}
		}
	}
	return fmt.Sprintf("%d to add, %d to remove, %d waiting, %d by hand", adds, removes, p.Count(outcome.Waiting), p.Count(outcome.DoneByHand))
}

// personLine is what a plan says once of a person it changes.
type personLine struct {
	id, level, why string
}

// planPeople lists each person the plan changes, once, with the level and
// the reason of their first change.
func planPeople(p *outcome.Plan) []personLine {
	var out []personLine
	seen := map[string]bool{}
	for _, tp := range p.Targets {
		for _, c := range tp.Changes {
			if c.Person == "" || seen[c.Person] {
				continue
			}
			seen[c.Person] = true
			out = append(out, personLine{id: c.Person, level: levelText(c), why: c.Reason})
		}
	}
	slices.SortFunc(out, func(a, b personLine) int { return strings.Compare(a.id, b.id) })
	return out
}

// personReason is the reason a plan gives for a person, by id.
func personReason(people []personLine) map[string]string {
	m := make(map[string]string, len(people))
	for _, pl := range people {
		m[pl.id] = pl.why
	}
	return m
}

// writePlanPeople writes each person the plan changes, once.
func writePlanPeople(w io.Writer, p *outcome.Plan, markdown bool) {
	people := planPeople(p)
	if len(people) == 0 {
		return
	}
	if markdown {
		fmt.Fprintf(w, "\n### Who changes, and why\n\n| person | level | why |\n|---|---|---|\n")
		for _, pl := range people {
			fmt.Fprintf(w, "| %s | %s | %s |\n", mdText(pl.id), pl.level, mdText(pl.why))
		}
		return
	}
	fmt.Fprintf(w, "\nWho changes, and why:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, pl := range people {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", pl.id, pl.level, pl.why)
	}
	tw.Flush()
}

// progressGroup is one of the three groups a plan shows its changes in.
type progressGroup struct {
	progress    outcome.Progress
	title, note string
}

var progressGroups = []progressGroup{
	{outcome.ToDo, "To do", "apply makes these changes now."},
	{outcome.Waiting, "Waiting", "an open pull request of prodaccess holds these changes; they take effect when a person merges it."},
	{outcome.DoneByHand, "By hand", "a person makes these changes in each system, which prodaccess cannot read."},
}

// writeGroup writes the changes of one group, target by target, a line
// each: the entry and whose it is; the reason only where it is not the
// person's, given once above.
func writeGroup(w io.Writer, p *outcome.Plan, g progressGroup, markdown bool) error {
	reasons := personReason(planPeople(p))
	note := func(c outcome.Change) string {
		if c.Person != "" && reasons[c.Person] == c.Reason {
			return ""
		}
		return c.Reason
	}
	first := true
	for _, tp := range p.Targets {
		var cs []outcome.Change
		for _, c := range tp.Changes {
			if c.Stage() == g.progress {
				cs = append(cs, c)
			}
		}
		if len(cs) == 0 {
			continue
		}
		if first {
			if markdown {
				fmt.Fprintf(w, "\n### %s\n\n%s\n", g.title, capitalise(g.note))
			} else {
				fmt.Fprintf(w, "\n%s: %s\n", g.title, g.note)
			}
			first = false
		}
		title := fmt.Sprintf("%s: %s (%d entries now)", tp.Target, tp.Where, tp.Current)
		if g.progress == outcome.DoneByHand {
			title = fmt.Sprintf("%s, by hand: %s", tp.Target, tp.Where)
		}
		var about string
		switch {
		case g.progress == outcome.Waiting && cs[0].Waiting != nil:
			about = waitingText(cs[0].Waiting, p.Made)
		case g.progress == outcome.ToDo && tp.PullRequest != "":
			about = "open pull request: " + tp.PullRequest
		}
		if markdown {
			fmt.Fprintf(w, "\n**%s**", mdText(title))
			if about != "" {
				fmt.Fprintf(w, " (%s)", mdOwnText(about))
			}
			fmt.Fprintf(w, "\n\n")
			for _, c := range cs {
				line := fmt.Sprintf("- %s %s", verb(tp.Type, c.Action), entryText(c, true))
				if c.Person != "" {
					line += " " + mdText(c.Person)
				}
				if n := note(c); n != "" {
					line += ": " + mdText(n)
				}
				fmt.Fprintln(w, line)
			}
			continue
		}
		fmt.Fprintf(w, "\n  %s\n", title)
		if about != "" {
			fmt.Fprintf(w, "    %s\n", about)
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, c := range cs {
			sign := "+"
			if c.Action == outcome.Remove {
				sign = "-"
			}
			if n := note(c); n != "" {
				fmt.Fprintf(tw, "    %s %s\t%s\t%s\n", sign, entryText(c, false), orDash(c.Person), n)
			} else {
				fmt.Fprintf(tw, "    %s %s\t%s\n", sign, entryText(c, false), orDash(c.Person))
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// waitingText says where a waiting change is, for how long, and who is
// asked to review it.
func waitingText(wo *outcome.WaitingOn, now time.Time) string {
	s := wo.String()
	if !wo.Since.IsZero() && !now.IsZero() {
		s += ", open " + outcome.DurationText(now.Sub(wo.Since))
	}
	if len(wo.Reviewers) > 0 {
		s += ", review requested from " + strings.Join(wo.Reviewers, ", ")
	} else if wo.PullRequest != 0 {
		s += ", no review requested"
	}
	return s
}

// capitalise writes the first letter of s in upper case.
func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func verb(t model.TargetType, a outcome.Action) string {
	switch {
	case t == model.Manual && a == outcome.Add:
		return "grant"
	case t == model.Manual:
		return "revoke"
	}
	return string(a)
}

func levelText(c outcome.Change) string {
	if c.Person == "" {
		return "-"
	}
	if c.Until != nil && c.Level != model.None {
		return fmt.Sprintf("%s until %s", c.Level, c.Until)
	}
	return c.Level.String()
}

// WriteResults writes what apply did, change by change.
func WriteResults(w io.Writer, r *outcome.Report, markdown bool) error {
	counts := map[outcome.Status]int{}
	if markdown {
		fmt.Fprintf(w, "\n## Results\n\n| result | change | detail |\n|---|---|---|\n")
		for _, res := range r.Results {
			counts[res.Status]++
			fmt.Fprintf(w, "| %s | %s | %s |\n", res.Status, mdText(res.Change.String()), mdText(res.Detail))
		}
	} else {
		fmt.Fprintf(w, "\nResults:\n")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, res := range r.Results {
			counts[res.Status]++
			status := string(res.Status)
			if res.Status == outcome.Failed || res.Status == outcome.Refused {
				status = strings.ToUpper(status)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", status, res.Change, res.Detail)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	var parts []string
	for _, s := range []outcome.Status{outcome.Done, outcome.Pending, outcome.ByHand, outcome.Failed, outcome.Refused} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	if len(parts) == 0 {
		parts = []string{"nothing to do"}
	}
	_, err := fmt.Fprintf(w, "\nApplied: %s.\n", strings.Join(parts, ", "))
	return err
}
