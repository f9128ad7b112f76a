package render

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
)

// SecretCountsText says how many secrets there are, and how many of each
// status.
func SecretCountsText(c model.SecretCounts) string {
	return fmt.Sprintf("%s: %d current, %d stale, %d missing, %d unknown, %d unreadable",
		plural(c.Total, "secret", "secrets"), c.Current, c.Stale, c.Missing, c.Unknown, c.Unreadable)
}

func holderNames(hs []model.Holder) string {
	if len(hs) == 0 {
		return "nobody"
	}
	names := make([]string, len(hs))
	for i, h := range hs {
		names[i] = h.Name
	}
	return strings.Join(names, ", ")
}

// WriteSecretsStatus writes secrets status for people to read: text for a
// terminal, markdown for a job summary.
func WriteSecretsStatus(w io.Writer, s *model.SecretsStatus, markdown bool) error {
	for i, r := range s.Targets {
		if markdown {
			fmt.Fprintf(w, "### %s\n\n%s.\n\nShould read them: %s.\n\n", r.Target, SecretCountsText(r.Counts), mdText(holderNames(r.Desired)))
			if len(r.Secrets) > 0 {
				fmt.Fprintln(w, "| secret | line | status | detail |\n|---|---|---|---|")
				for _, c := range r.Secrets {
					fmt.Fprintf(w, "| %s | %d | %s | %s |\n", mdCode(c.Name()), c.Line, strings.Join(c.Statuses(), ", "), mdText(SecretLine(&c)))
				}
				fmt.Fprintln(w)
			}
			for _, warn := range r.Warnings {
				fmt.Fprintf(w, "- warning: %s\n", mdText(warn))
			}
			if len(r.Warnings) > 0 {
				fmt.Fprintln(w)
			}
			continue
		}
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s: %s\n  should read them: %s\n", r.Target, SecretCountsText(r.Counts), holderNames(r.Desired))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, c := range r.Secrets {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", strings.Join(c.Statuses(), ","), c.Place()+" "+keyText(&c), SecretLine(&c))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, warn := range r.Warnings {
			fmt.Fprintf(w, "  warning: %s\n", warn)
		}
	}
	if s.NeedsAttention() {
		if !markdown {
			fmt.Fprintln(w)
		}
		_, err := fmt.Fprintln(w, "Re-encrypt with: prodaccess secrets reencrypt --target TARGET (run by a current recipient); then rotate every value listed as stale.")
		return err
	}
	return nil
}

func keyText(c *model.SecretCheck) string {
	if c.Key == "" {
		return ""
	}
	return c.Key
}

// writePlanSecrets writes, after a plan's changes, the secrets of each
// target that are not current: the values to rotate, those that new
// recipients cannot read yet, and those whose readers are unknown.
func writePlanSecrets(w io.Writer, p *model.Plan, markdown bool) {
	first := true
	for _, tp := range p.Targets {
		r := tp.Secrets
		if r == nil || r.Clean() {
			continue
		}
		if first {
			if markdown {
				fmt.Fprintf(w, "\n### Secrets not yet re-encrypted\n\n")
			} else {
				fmt.Fprintf(w, "\nSecrets not yet re-encrypted:\n")
			}
			first = false
		}
		head := "  %s: %s; re-encrypt with prodaccess secrets reencrypt --target %s\n"
		if markdown {
			head = "- **%s**: %s; re-encrypt with `prodaccess secrets reencrypt --target %s`\n"
		}
		fmt.Fprintf(w, head, tp.Target, SecretCountsText(r.Counts), tp.Target)
		code, text := func(s string) string { return s }, func(s string) string { return s }
		if markdown {
			code, text = mdCode, mdText
		}
		for _, c := range r.StaleFor(nil) {
			fmt.Fprintf(w, "    - rotate %s: %s can read it\n", code(c.Name()), text(strings.Join(c.Stale, ", ")))
		}
		for _, c := range r.MissingFor(nil) {
			fmt.Fprintf(w, "    - %s cannot read %s yet\n", text(strings.Join(c.Missing, ", ")), code(c.Name()))
		}
		for _, c := range r.Secrets {
			if c.Problem != "" || len(c.Unknown) > 0 {
				fmt.Fprintf(w, "    - %s: %s\n", code(strings.TrimSpace(c.Place()+" "+keyText(&c))), text(SecretLine(&c)))
			}
		}
	}
}

// writePullRequestSecrets tells the reviewer of a pull request that changes
// GPG recipients which secrets the people it removes can still read (to
// rotate once re-encrypted) and which the people it adds cannot read yet.
func writePullRequestSecrets(b io.Writer, plan *model.Plan, targets []*config.Target, changes []model.Change) {
	for _, t := range targets {
		tp := plan.Target(t.Name)
		if tp == nil || tp.Secrets == nil {
			continue
		}
		removed, added := map[string]bool{}, map[string]bool{}
		for _, c := range changes {
			if c.Target != t.Name || c.Person == "" {
				continue
			}
			if c.Action == model.Remove {
				removed[c.Person] = true
			} else {
				added[c.Person] = true
			}
		}
		stale, missing := tp.Secrets.StaleFor(nil), tp.Secrets.MissingFor(added)
		if len(stale)+len(missing) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n### Secrets of %s\n\n", t.Name)
		fmt.Fprintf(b, "Changing `%s` re-encrypts nothing. A current recipient re-encrypts with `prodaccess secrets reencrypt --target %s --push`.\n", t.Path, t.Name)
		if len(stale) > 0 {
			b.Write([]byte("\n**Rotate these** once re-encrypted: people who are not entitled can read them, and may already have.\n\n"))
			for _, c := range stale {
				mark := ""
				for _, s := range c.Stale {
					if removed[s] {
						mark = " (removed by this pull request)"
					}
				}
				fmt.Fprintf(b, "- [ ] %s (line %d): %s%s\n", mdCode(c.Name()), c.Line, mdText(strings.Join(c.Stale, ", ")), mark)
			}
		}
		if len(missing) > 0 {
			b.Write([]byte("\n**Cannot read yet**: the people this pull request adds cannot read these until they are re-encrypted.\n\n"))
			for _, c := range missing {
				fmt.Fprintf(b, "- %s (line %d): %s\n", mdCode(c.Name()), c.Line, mdText(strings.Join(c.Missing, ", ")))
			}
		}
	}
}

// ReencryptMessage is the commit message of a re-encryption.
func ReencryptMessage(t *config.Target, done []model.SecretCheck, holders []model.Holder) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Re-encrypt %d secret(s) of %s for exactly its current recipients\n\n", len(done), t.Name)
	fmt.Fprintf(&b, "Now readable by: %s.\n\n", holderNames(sortedHolders(holders)))
	for _, c := range done {
		fmt.Fprintf(&b, "- %s: %s\n", c.Name(), SecretLine(&c))
	}
	return b.String()
}

// ReencryptBody is the pull request body of a re-encryption: what changed,
// and which values to rotate.
func ReencryptBody(t *config.Target, done []model.SecretCheck, refused []string, holders []model.Holder) string {
	var b strings.Builder
	fmt.Fprintf(&b, "prodaccess re-encrypted these secrets of **%s** to exactly the people the rules entitle and the keep entries: %s. ", t.Name, mdText(holderNames(sortedHolders(holders))))
	b.WriteString("Every result was read back: its recipients are exactly those, and it decrypts to the same value. Nothing but the encrypted values changed.\n\n")
	b.WriteString("| secret | line | was |\n|---|---|---|\n")
	for _, c := range done {
		fmt.Fprintf(&b, "| %s | %d | %s |\n", mdCode(c.Name()), c.Line, mdText(SecretLine(&c)))
	}
	if rotate := model.SelectSecrets(done, (*model.SecretCheck).Rotate); len(rotate) > 0 {
		b.WriteString("\n### Rotate these\n\nRe-encryption stops future reads from the repository, not reads already made: people who are no longer entitled could read these values, and may have kept them or still have an old clone. Change each value where it is used, then here.\n\n")
		for _, c := range rotate {
			fmt.Fprintf(&b, "- [ ] %s (line %d): readable by %s\n", mdCode(c.Name()), c.Line, mdText(strings.Join(c.Stale, ", ")))
		}
	}
	if len(refused) > 0 {
		b.WriteString("\n### Not re-encrypted\n\nThese files are unchanged, because the person who ran this could not re-encrypt them:\n\n")
		for _, r := range refused {
			fmt.Fprintf(&b, "- %s\n", mdText(r))
		}
	}
	return b.String()
}

func sortedHolders(hs []model.Holder) []model.Holder {
	out := slices.Clone(hs)
	slices.SortFunc(out, func(a, b model.Holder) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// SecretLine says in one line what is wrong with a secret.
func SecretLine(c *model.SecretCheck) string {
	var parts []string
	if c.Problem != "" {
		parts = append(parts, "cannot be read: "+c.Problem)
	}
	if len(c.Stale) > 0 {
		parts = append(parts, "readable by "+strings.Join(c.Stale, ", ")+", not entitled")
	}
	if len(c.Missing) > 0 {
		parts = append(parts, "not readable by "+strings.Join(c.Missing, ", "))
	}
	if len(c.Unknown) > 0 {
		parts = append(parts, "unknown: "+strings.Join(c.Unknown, "; "))
	}
	return strings.Join(parts, "; ")
}
