package model

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// UpcomingChange is a change of someone's level that the files already
// make certain: a grant or shift ending, an absence reaching the day it
// revokes access, a shift completing, a last day passing.
type UpcomingChange struct {
	Day    Day    `json:"day"` // the first day at the new level
	Person string `json:"person"`
	Name   string `json:"name"`
	GitHub string `json:"github,omitempty"`
	From   Level  `json:"from"`
	To     Level  `json:"to"`
	Rule   string `json:"rule"`
	Detail string `json:"detail"`
	// For a change a temporary grant makes: who approved it, and who
	// supervises it (person ids).
	ApprovedBy string `json:"approved_by,omitempty"`
	Supervisor string `json:"supervisor,omitempty"`
}

// Upcoming is every level change certain in a window of days after a day.
type Upcoming struct {
	After   Day              `json:"after"` // the day the window follows (today)
	Until   Day              `json:"until"` // its last day
	Changes []UpcomingChange `json:"changes"`
}

// Upcoming lists every change of level, for anyone, on the days after
// today up to and including today+days, in order of day and person.
// People whose files have problems hold nothing and change nothing.
func (r *Roster) Upcoming(today Day, days int) *Upcoming {
	u := &Upcoming{After: today, Until: today + Day(days), Changes: []UpcomingChange{}}
	for _, p := range r.People {
		if !r.Valid(p) {
			continue
		}
		for _, d := range r.ChangeDays(p) {
			if d <= today || d > u.Until {
				continue
			}
			from, to := r.Level(p, d-1), r.Level(p, d)
			if from == to {
				continue
			}
			rule, detail := r.Transition(p, d)
			c := UpcomingChange{Day: d, Person: p.ID, Name: p.Name, GitHub: p.GitHub, From: from, To: to, Rule: rule, Detail: detail}
			if rule == RuleTemporaryException {
				c.ApprovedBy, c.Supervisor = r.grantParties(p, d)
			}
			u.Changes = append(u.Changes, c)
		}
	}
	slices.SortStableFunc(u.Changes, func(a, b UpcomingChange) int {
		if a.Day != b.Day {
			return int(a.Day - b.Day)
		}
		return strings.Compare(a.Person, b.Person)
	})
	return u
}

// grantParties names the approver and supervisor of the temporary grant
// that begins on d or ended the day before.
func (r *Roster) grantParties(p *Person, d Day) (approver, supervisor string) {
	for _, day := range []Day{d, d - 1} {
		if v := r.judge(p, day, true); v.exceptionFires() {
			return v.grant.ApprovedBy, v.grant.Supervisor
		}
	}
	if v := r.judge(p, d, true); v.grant != nil {
		return v.grant.ApprovedBy, v.grant.Supervisor
	}
	return "", ""
}

// UpcomingMarker starts the body of the issue that lists upcoming
// changes, so that prodaccess finds its own issue and updates it.
const UpcomingMarker = "<!-- prodaccess:upcoming -->"

// UpcomingTitle is the title of that issue.
const UpcomingTitle = "Production access: upcoming changes"

func (u *Upcoming) window() string {
	return fmt.Sprintf("%s to %s (%s after %s)", u.After+1, u.Until, plural(int(u.Until-u.After), "day", "days"), u.After)
}

// change writes what happens to the level, in words, with arrow between.
func (c UpcomingChange) change(arrow string) string {
	return levelWords(c.From) + " " + arrow + " " + levelWords(c.To)
}

// WriteUpcoming writes the upcoming changes for people to read: text for
// a terminal, or markdown for a job summary.
func WriteUpcoming(w io.Writer, u *Upcoming, markdown bool) error {
	if markdown {
		fmt.Fprintf(w, "## prodaccess: upcoming changes of production access\n\n%s.\n\n", capitalise(u.window()))
		if len(u.Changes) == 0 {
			_, err := fmt.Fprintln(w, "No one's level changes.")
			return err
		}
		fmt.Fprintln(w, "| day | person | change | approved by | supervisor | why |\n|---|---|---|---|---|---|")
		for _, c := range u.Changes {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", c.Day, mdText(c.Person+" ("+c.Name+")"), mdText(c.change("→")),
				orDash(mdText(c.ApprovedBy)), orDash(mdText(c.Supervisor)), mdText(c.Rule+": "+c.Detail))
		}
		_, err := fmt.Fprintf(w, "\n%s.\n", plural(len(u.Changes), "change", "changes"))
		return err
	}
	fmt.Fprintf(w, "Upcoming changes of production access, %s\n\n", u.window())
	if len(u.Changes) == 0 {
		_, err := fmt.Fprintln(w, "No one's level changes.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DAY\tPERSON\tCHANGE\tAPPROVER\tSUPERVISOR\tWHY")
	for _, c := range u.Changes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s: %s\n", c.Day, c.Person, c.change("->"), orDash(c.ApprovedBy), orDash(c.Supervisor), c.Rule, c.Detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s.\n", plural(len(u.Changes), "change", "changes"))
	return err
}

// UpcomingIssueBody is the body of the issue that warns of the upcoming
// changes: it mentions each person concerned and, for a temporary grant,
// its approver and supervisor, by GitHub login where their files give
// one, so that GitHub tells them. login returns a person's login.
func UpcomingIssueBody(u *Upcoming, login func(id string) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nWhat the person files already decide for production access from %s. ", UpcomingMarker, u.window())
	b.WriteString("prodaccess keeps this issue up to date on each scheduled run, and closes it when nothing changes in the window.\n\n")
	b.WriteString("| day | person | change | why | who to tell |\n|---|---|---|---|---|\n")
	for _, c := range u.Changes {
		tell := []string{mention(login, c.Person)}
		if c.ApprovedBy != "" {
			tell = append(tell, "approved by "+mention(login, c.ApprovedBy))
		}
		if c.Supervisor != "" {
			tell = append(tell, "supervised by "+mention(login, c.Supervisor))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", c.Day, mdText(c.Person+" ("+c.Name+")"), mdText(c.change("→")), mdText(c.Rule+": "+c.Detail), strings.Join(tell, "; "))
	}
	return b.String()
}

// mention is @login for a person whose file gives a valid GitHub login,
// and their id as text otherwise.
func mention(login func(string) string, id string) string {
	if l := login(id); ValidGitHubLogin(l) {
		return "@" + l
	}
	return mdText(id)
}
