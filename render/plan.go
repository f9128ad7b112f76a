package render

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prodaccess/prodaccess/model"
)

// WritePlan writes a plan for people to read: text for a terminal or
// markdown for a pull-request comment or a job summary.
func WritePlan(w io.Writer, p *model.Plan, markdown bool) error {
	head := fmt.Sprintf("Plan for %s", p.At)
	if p.Commit != "" {
		head += fmt.Sprintf(", person files at commit %s", model.ShortSHA(p.Commit))
	}
	if markdown {
		fmt.Fprintf(w, "## prodaccess: %s\n\n", head)
	} else {
		fmt.Fprintf(w, "%s\n", head)
	}
	var unchanged []string
	for _, tp := range p.Targets {
		if len(tp.Changes) == 0 {
			unchanged = append(unchanged, tp.Target)
		}
	}
	for _, g := range progressGroups {
		if err := writeGroup(w, p, g, markdown); err != nil {
			return err
		}
	}
	nl := ""
	if !markdown {
		nl = "\n"
	}
	if len(unchanged) > 0 {
		fmt.Fprintf(w, "%sNo changes: %s\n", nl, strings.Join(unchanged, ", "))
	}
	list := func(title string, items []string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s\n", title)
		if markdown {
			fmt.Fprintln(w)
		}
		for _, s := range items {
			if markdown {
				s = mdText(s)
			}
			fmt.Fprintf(w, "  - %s\n", s)
		}
	}
	writePlanSecrets(w, p, markdown)
	list("Warnings:", p.Warnings)
	list("ERRORS: access the rules do not give, which prodaccess does not take away; the run fails until a person resolves them:", p.Errors)
	if p.AllowMassRemoval {
		list("Mass removal is allowed (--allow-mass-removal).", nil)
	}
	list("REFUSED: nothing in this plan may be applied:", p.Refusals)
	list("OVERDUE: revocations that have waited too long in a pull request:", p.Overdue)
	list("GRANTS REFUSED: removals go ahead, and nothing is granted, because:", p.GrantsRefused)
	list("FAILED: these could not be read, so nothing that depends on them is changed; everything else is, and the run fails:", p.Failures)
	adds, removes := 0, 0
	for _, tp := range p.Targets {
		for _, c := range tp.Changes {
			if c.Action == model.Add {
				adds++
			} else {
				removes++
			}
		}
	}
	_, err := fmt.Fprintf(w, "\n%d change(s): %d removal(s), %d addition(s); %d to do, %d waiting, %d by hand.\n",
		adds+removes, removes, adds, p.Count(model.ToDo), p.Count(model.Waiting), p.Count(model.DoneByHand))
	if err == nil && p.Adoption != nil {
		_, err = fmt.Fprintln(w, p.Adoption.Text())
	}
	return err
}

// progressGroup is one of the three groups a plan shows its changes in.
type progressGroup struct {
	progress    model.Progress
	title, note string
}

var progressGroups = []progressGroup{
	{model.ToDo, "To do", "apply makes these changes now."},
	{model.Waiting, "Waiting", "an open pull request of prodaccess holds these changes; they take effect when a person merges it."},
	{model.DoneByHand, "By hand", "a person makes these changes in each system, which prodaccess cannot read."},
}

// writeGroup writes the changes of one group, target by target.
func writeGroup(w io.Writer, p *model.Plan, g progressGroup, markdown bool) error {
	first := true
	for _, tp := range p.Targets {
		var cs []model.Change
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
				fmt.Fprintf(w, "### %s\n\n%s\n\n", g.title, capitalise(g.note))
			} else {
				fmt.Fprintf(w, "\n%s: %s\n", g.title, g.note)
			}
			first = false
		}
		title := fmt.Sprintf("%s: %s (%d entries now)", tp.Target, tp.Where, tp.Current)
		if g.progress == model.DoneByHand {
			title = fmt.Sprintf("%s, by hand: %s", tp.Target, tp.Where)
		}
		var about string
		switch {
		case g.progress == model.Waiting && cs[0].Waiting != nil:
			about = waitingText(cs[0].Waiting, p.Made)
		case g.progress == model.ToDo && tp.PullRequest != "":
			about = "open pull request: " + tp.PullRequest
		}
		if markdown {
			fmt.Fprintf(w, "#### %s\n\n", mdText(title))
			if about != "" {
				fmt.Fprintf(w, "%s\n\n", capitalise(mdText(about)))
			}
			fmt.Fprintf(w, "| change | entry | person | level | why |\n|---|---|---|---|---|\n")
			for _, c := range cs {
				fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", verb(tp.Type, c.Action), mdCode(c.Subject), orDash(mdText(c.Person)), levelText(c), mdText(c.Reason))
			}
			fmt.Fprintln(w)
			continue
		}
		fmt.Fprintf(w, "\n%s\n", title)
		if about != "" {
			fmt.Fprintf(w, "  %s\n", about)
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, c := range cs {
			sign := "+"
			if c.Action == model.Remove {
				sign = "-"
			}
			fmt.Fprintf(tw, "  %s %s\t%s\t%s\t%s\t%s\n", sign, verb(tp.Type, c.Action), c.Subject, orDash(c.Person), levelText(c), c.Reason)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// waitingText says where a waiting change is, for how long, and who is
// asked to review it.
func waitingText(wo *model.WaitingOn, now time.Time) string {
	s := wo.String()
	if !wo.Since.IsZero() && !now.IsZero() {
		s += ", open " + model.DurationText(now.Sub(wo.Since))
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

func verb(t model.TargetType, a model.Action) string {
	switch {
	case t == model.Manual && a == model.Add:
		return "grant"
	case t == model.Manual:
		return "revoke"
	}
	return string(a)
}

func levelText(c model.Change) string {
	if c.Person == "" {
		return "-"
	}
	if c.Until != nil && c.Level != model.None {
		return fmt.Sprintf("%s until %s", c.Level, c.Until)
	}
	return c.Level.String()
}

// WriteResults writes what apply did, change by change.
func WriteResults(w io.Writer, r *model.Report, markdown bool) error {
	counts := map[model.Status]int{}
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
			if res.Status == model.Failed || res.Status == model.Refused {
				status = strings.ToUpper(status)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", status, res.Change, res.Detail)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	var parts []string
	for _, s := range []model.Status{model.Done, model.Pending, model.ByHand, model.Failed, model.Refused} {
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
