package render

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/prodaccess/prodaccess/model"
)

// UpcomingMarker starts the body of the issue that lists upcoming
// changes, so that prodaccess finds its own issue and updates it.
const UpcomingMarker = "<!-- prodaccess:upcoming -->"

// UpcomingTitle is the title of that issue.
const UpcomingTitle = "Production access: upcoming changes"

func window(u *model.Upcoming) string {
	return fmt.Sprintf("%s to %s (%s after %s)", u.After+1, u.Until, plural(int(u.Until-u.After), "day", "days"), u.After)
}

// changeWords writes what happens to the level, in words, with arrow between.
func changeWords(c model.UpcomingChange, arrow string) string {
	return model.LevelWords(c.From) + " " + arrow + " " + model.LevelWords(c.To)
}

// upcomingWhy is the rule and detail of a change, and for one a planned
// shift would make, the condition: that it is worked.
func upcomingWhy(c model.UpcomingChange) string {
	why := c.Rule + ": " + c.Detail
	if c.IfWorked != "" {
		why = "if " + c.IfWorked + " is worked: " + why
	}
	return why
}

// WriteUpcoming writes the upcoming changes for people to read: text for
// a terminal, or markdown for a job summary.
func WriteUpcoming(w io.Writer, u *model.Upcoming, markdown bool) error {
	if markdown {
		fmt.Fprintf(w, "## prodaccess: upcoming changes of production access\n\n%s.\n\n", capitalise(window(u)))
		if len(u.Changes) == 0 {
			_, err := fmt.Fprintln(w, "No one's level changes.")
			return err
		}
		fmt.Fprintln(w, "| day | person | change | approved by | supervisor | why |\n|---|---|---|---|---|---|")
		for _, c := range u.Changes {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", c.Day, mdText(c.Person+" ("+c.Name+")"), mdText(changeWords(c, "→")),
				orDash(mdText(c.ApprovedBy)), orDash(mdText(c.Supervisor)), mdText(upcomingWhy(c)))
		}
		_, err := fmt.Fprintf(w, "\n%s.\n", plural(len(u.Changes), "change", "changes"))
		return err
	}
	fmt.Fprintf(w, "Upcoming changes of production access, %s\n\n", window(u))
	if len(u.Changes) == 0 {
		_, err := fmt.Fprintln(w, "No one's level changes.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DAY\tPERSON\tCHANGE\tAPPROVER\tSUPERVISOR\tWHY")
	for _, c := range u.Changes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Day, c.Person, changeWords(c, "->"), orDash(c.ApprovedBy), orDash(c.Supervisor), upcomingWhy(c))
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
func UpcomingIssueBody(u *model.Upcoming, login func(id string) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nWhat the person files already decide for production access from %s. ", UpcomingMarker, window(u))
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
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", c.Day, mdText(c.Person+" ("+c.Name+")"), mdText(changeWords(c, "→")), mdText(upcomingWhy(c)), strings.Join(tell, "; "))
	}
	return b.String()
}

// mention is @login for a person whose file gives a valid GitHub login,
// and their id as text otherwise.
func mention(login func(string) string, id string) string {
	if l := login(id); model.ValidGitHubLogin(l) {
		return "@" + l
	}
	return mdText(id)
}
