package render

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/prodaccess/prodaccess/evidence"
	"github.com/prodaccess/prodaccess/model"
)

// RotaMarker starts the body of a pull request rota sync keeps.
const RotaMarker = "<!-- prodaccess:rota -->"

// RotaProposal is the shifts the rota shows that one person file lacks,
// as rota sync proposes them.
type RotaProposal struct {
	Person, Name string
	File         string // the person file, as messages name it
	Branch       string
	Shifts       []evidence.RotaShift
	Location     string // the policy time zone, in which the days are counted
}

// RotaShiftsText names shifts in one line: "primary 2026-11-23 to
// 2026-11-27, shadow 2026-12-07 to 2026-12-11".
func RotaShiftsText(shifts []evidence.RotaShift) string {
	parts := make([]string, len(shifts))
	for i, s := range shifts {
		parts[i] = fmt.Sprintf("%s %s", s.Type, s.Range)
	}
	return strings.Join(parts, ", ")
}

// RotaTitle is the title of the pull request, and the commit's subject.
func RotaTitle(p RotaProposal) string {
	return fmt.Sprintf("Shifts of %s from the on-call rota: %s", p.Person, RotaShiftsText(p.Shifts))
}

// RotaCommitMessage is the message of the commit that adds the shifts.
func RotaCommitMessage(p RotaProposal) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nThe on-call rota (PagerDuty) shows %s on call on every day of these shifts:\n\n", RotaTitle(p), p.Person)
	for _, s := range p.Shifts {
		fmt.Fprintf(&b, "- %s %s: %s\n", s.Type, s.Range, schedulesOf(s))
	}
	return b.String()
}

// RotaSchedules names the schedules of a shift's on-calls.
func RotaSchedules(s evidence.RotaShift) string { return schedulesOf(s) }

// schedulesOf names the schedules of a shift's on-calls.
func schedulesOf(s evidence.RotaShift) string {
	var out []string
	for _, oc := range s.OnCalls {
		name := "PagerDuty schedule " + oc.Schedule
		if oc.ScheduleName != "" {
			name += " (" + oc.ScheduleName + ")"
		}
		if !contains(out, name) {
			out = append(out, name)
		}
	}
	return strings.Join(out, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// RotaPullRequestBody is the body of the pull request: the shifts, and
// for each the schedule and the on-call entries that are its source. It
// holds nothing that changes from one run to the next unless the rota
// does, so that a run with nothing new writes nothing.
func RotaPullRequestBody(p RotaProposal) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nThe on-call rota shows these 2nd line shifts of %s, which %s does not record yet. prodaccess proposes them from PagerDuty, and keeps this pull request up to date on each run of `prodaccess rota sync`.\n\n",
		RotaMarker, mdText(p.Person+" ("+p.Name+")"), mdText(p.File))
	b.WriteString("| shift | first day | last day | on call through |\n|---|---|---|---|\n")
	for _, s := range p.Shifts {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", s.Type, s.Start, s.End, mdText(schedulesOf(s)))
	}
	b.WriteString("\nThe on-call entries, in UTC:\n\n")
	for _, s := range p.Shifts {
		fmt.Fprintf(&b, "- %s %s:\n", s.Type, s.Range)
		for _, oc := range s.OnCalls {
			fmt.Fprintf(&b, "  - %s: %s from %s to %s\n", mdText(oc.Schedule), mdText(oc.Name+" <"+oc.Email+">"),
				oc.Start.UTC().Format(time.RFC3339), oc.End.UTC().Format(time.RFC3339))
		}
	}
	fmt.Fprintf(&b, "\nA shift counts when the rota shows the person on call on its schedule on every day of it, for any part of the day (in %s). Once this is merged, prodaccess reads the rota again for the commit that merged it, and records what it shows in the signed notes; a shift the rota does not show counts for nothing under `policy.shift_evidence: required`.\n", mdText(p.Location))
	return b.String()
}

// WriteRotaLeftOut says what rota sync did not propose: the shifts of
// PagerDuty users that no person file matches, and shifts it could not
// propose, with why, so that nothing is left out silently.
func WriteRotaLeftOut(w io.Writer, unknown []evidence.RotaShift, skipped []string, match model.RotaMatch) {
	if len(unknown) > 0 {
		field := "email"
		if match == model.MatchPagerDutyID {
			field = "pagerduty_id"
		}
		fmt.Fprintf(w, "\nPagerDuty users on call whom no person file matches (by %s), whose shifts are not proposed:\n", field)
		for _, s := range unknown {
			fmt.Fprintf(w, "  %s <%s> (PagerDuty user %s): %s shift %s, %s\n", model.Printable(s.Name), model.Printable(s.Email), model.Printable(s.User), s.Type, s.Range, model.Printable(schedulesOf(s)))
		}
	}
	if len(skipped) > 0 {
		fmt.Fprintln(w, "\nNot proposed:")
		for _, s := range skipped {
			fmt.Fprintf(w, "  %s\n", model.Printable(s))
		}
	}
}
