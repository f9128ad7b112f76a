package render

import (
	"fmt"
	"slices"
	"strings"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/outcome"
)

// PullRequestTitle is the title of the pull request for one repository.
func PullRequestTitle(repo string, changes []outcome.Change) string {
	return fmt.Sprintf("prodaccess: %s in %s", countChanges(changes, "removal", "addition"), repo)
}

// countChanges counts the removals and additions, in words such as "1
// removal and 2 additions" (an s makes the plural).
func countChanges(changes []outcome.Change, removal, addition string) string {
	adds, removes := 0, 0
	for _, c := range changes {
		if c.Action == outcome.Remove {
			removes++
		} else {
			adds++
		}
	}
	var parts []string
	if removes > 0 {
		parts = append(parts, plural(removes, removal, removal+"s"))
	}
	if adds > 0 {
		parts = append(parts, plural(adds, addition, addition+"s"))
	}
	return strings.Join(parts, " and ")
}

// CommitMessage is the message of the commit on the sync branch.
func CommitMessage(plan *outcome.Plan, changes []outcome.Change) string {
	return commitMessage(fmt.Sprintf("Bring production access in line with the rules on %s", plan.At), "", plan, changes)
}

// commitMessage is a commit message: the subject, the people commit, a
// note, and the changes.
func commitMessage(subject, note string, plan *outcome.Plan, changes []outcome.Change) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", subject)
	if plan.Commit != "" {
		fmt.Fprintf(&b, "Person files at commit %s.\n", plan.Commit)
	}
	if note != "" {
		b.WriteString(note + "\n")
	}
	if plan.Commit != "" || note != "" {
		b.WriteString("\n")
	}
	for _, c := range changes {
		fmt.Fprintf(&b, "- %s\n", c)
	}
	return b.String()
}

// PullRequestBody says what the pull request changes, why, and what a
// person must still do once it is merged. It holds nothing that changes
// from run to run unless the changes do, so that an unchanged pull request
// is not edited.
func PullRequestBody(plan *outcome.Plan, targets []*config.Target, changes []outcome.Change) string {
	return pullRequestBody(plan, targets, changes, true)
}

// PullRequestText is PullRequestBody without the day and commit it was
// decided from, which change on every run: the whole description, kept in
// a file on the branch when the body is cut, changes only when the changes
// do, so that the branch is not pushed again (and its approvals
// dismissed) every day.
func PullRequestText(plan *outcome.Plan, targets []*config.Target, changes []outcome.Change) string {
	return pullRequestBody(plan, targets, changes, false)
}

func pullRequestBody(plan *outcome.Plan, targets []*config.Target, changes []outcome.Change, decided bool) string {
	var b strings.Builder
	b.WriteString("prodaccess opened this pull request to bring production access in line with the rules. ")
	b.WriteString("Merging it is what grants and revokes the access below.\n\n")
	if decided {
		writeDecided(&b, plan)
	}
	b.WriteString("### Waiting: what merging changes\n\n")
	writeChangeTable(&b, changes)
	gpg := false
	for _, t := range targets {
		gpg = gpg || t.Format == config.GPGRecipients || t.Format == config.GPGID
	}
	if gpg && len(plan.KeyWarnings) > 0 {
		b.WriteString("\n### Keys about to expire\n\n")
		for _, w := range plan.KeyWarnings {
			fmt.Fprintf(&b, "- %s\n", mdText(w))
		}
	}
	var unproven []string
	for _, c := range changes {
		if c.Unproven != "" && !slices.Contains(unproven, c.Unproven) {
			unproven = append(unproven, c.Unproven)
		}
	}
	if len(unproven) > 0 {
		b.WriteString("\n### Approval not proven\n\nThese additions rest on entries no lead's review of the pull request that wrote them approves; policy.evidence is warn, so they are made, and the reviewer should know:\n\n")
		for _, u := range unproven {
			fmt.Fprintf(&b, "- %s\n", mdText(u))
		}
	}
	writePullRequestSecrets(&b, plan, targets, changes)
	todos := afterMerge(targets, changes)
	if len(todos) > 0 {
		b.WriteString("\n### By hand: still to do after merging\n\n")
		for _, t := range todos {
			fmt.Fprintf(&b, "- [ ] %s\n", t)
		}
	}
	b.WriteString("\nprodaccess updates this pull request in place on each run and closes it when nothing is left to change.\n")
	return b.String()
}

// writeDecided says what a pull request was decided from.
func writeDecided(b *strings.Builder, plan *outcome.Plan) {
	fmt.Fprintf(b, "Decided for **%s**", plan.At)
	if plan.Commit != "" {
		fmt.Fprintf(b, " from the person files at commit `%s`", plan.Commit)
	}
	b.WriteString(".\n\n")
}

// writeChangeTable writes the changes of a pull request as a table.
func writeChangeTable(b *strings.Builder, changes []outcome.Change) {
	b.WriteString("| target | change | entry | person | why |\n|---|---|---|---|---|\n")
	for _, c := range changes {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", mdText(c.Target), c.Action, entryText(c, true), mdText(personText(c)), mdText(c.Reason))
	}
}

// afterMerge lists what merging does not do by itself.
func afterMerge(targets []*config.Target, changes []outcome.Change) []string {
	var out []string
	for _, t := range targets {
		var added, removed []string
		for _, c := range changes {
			if c.Target != t.Name {
				continue
			}
			who := mdText(c.Subject)
			if c.Person != "" {
				who = mdText(c.Person)
			}
			if c.Action == outcome.Add {
				added = append(added, who)
			} else {
				removed = append(removed, who)
			}
		}
		if len(added)+len(removed) == 0 {
			continue
		}
		path, name := mdCode(t.Path), mdText(t.Name)
		switch t.Format {
		case config.GPGRecipients:
			out = append(out, fmt.Sprintf("Re-encrypt every secret encrypted to %s so that it matches the new recipients (%s).", path, name))
		case config.GPGID:
			out = append(out, fmt.Sprintf("Re-encrypt the password store under %s for the new recipients, for example with `pass init`: changing the file re-encrypts nothing (%s).", path, name))
		case config.YAMLList:
			out = append(out, fmt.Sprintf("Deploy %s so that the servers pick up the new user list (%s).", path, name))
		case config.TFVarsList:
			out = append(out, fmt.Sprintf("Run Terraform for %s so that the role's trust list changes (%s).", path, name))
		}
		if len(removed) > 0 && (t.Format == config.GPGRecipients || t.Format == config.GPGID) {
			out = append(out, fmt.Sprintf("Rotate every secret that %s could read through %s: removing a recipient does not take back what they already decrypted.", strings.Join(removed, ", "), name))
		}
		if len(removed) > 0 && (t.Format == config.YAMLList || t.Format == config.TFVarsList) {
			out = append(out, fmt.Sprintf("Check that no session or key of %s still gives access through %s.", strings.Join(removed, ", "), name))
		}
	}
	return out
}
