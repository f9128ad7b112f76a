package render

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// SecretCountsText says how many secrets there are, and how many of each
// status, and how many values are still to rotate.
func SecretCountsText(c outcome.SecretCounts) string {
	return fmt.Sprintf("%s: %d current, %d stale, %d missing, %d unknown, %d unreadable; %d to rotate",
		plural(c.Total, "secret", "secrets"), c.Current, c.Stale, c.Missing, c.Unknown, c.Unreadable, c.ToRotate)
}

// HistoryNote is what every output that reports re-encryption says of
// what it cannot undo.
const HistoryNote = "Re-encryption changes who can read the current files only. Old versions remain in git history, and anyone who could read a value can still read it there, from any clone, with their key: only a new value ends what they know."

// entryText is the entry a change adds or removes, and the sub-store's
// .gpg-id it is in when it is not the target's own file.
func entryText(c outcome.Change, markdown bool) string {
	if markdown {
		if c.Store != "" {
			return mdCode(c.Subject) + " in " + mdCode(c.Store+"/.gpg-id")
		}
		return mdCode(c.Subject)
	}
	if c.Store != "" {
		return c.Subject + " in " + c.Store + "/.gpg-id"
	}
	return c.Subject
}

// rotationLine says in one line what is still to rotate, and since when.
func rotationLine(e *outcome.RotationEntry) string {
	return fmt.Sprintf("%s: readable by %s at commit %s; due since %s", e.Name(), strings.Join(e.Readers, ", "), model.ShortSHA(e.ReadableAt), e.Due)
}

func holderNames(hs []outcome.Holder) string {
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
func WriteSecretsStatus(w io.Writer, s *outcome.SecretsStatus, markdown bool) error {
	for i, r := range s.Targets {
		if markdown {
			fmt.Fprintf(w, "### %s\n\n%s.\n\nShould read them: %s.\n\n", r.Target, SecretCountsText(r.Counts), mdText(holderNames(r.Desired)))
			for _, st := range r.Stores {
				fmt.Fprintf(w, "Should read those of the sub-store %s: %s.\n\n", mdCode(st.Path), mdText(holderNames(st.Desired)))
			}
			if len(r.Secrets) > 0 {
				fmt.Fprintln(w, "| secret | line | status | detail |\n|---|---|---|---|")
				for _, c := range r.Secrets {
					fmt.Fprintf(w, "| %s | %d | %s | %s |\n", mdCode(c.Name()), c.Line, strings.Join(c.Statuses(), ", "), mdText(SecretLine(&c)))
				}
				fmt.Fprintln(w)
			}
			if len(r.Rotation) > 0 {
				fmt.Fprintf(w, "To rotate (from the ledger, %s):\n\n", mdCode(secretsLedgerPath(r.Target)))
				for _, e := range r.Rotation {
					fmt.Fprintf(w, "- [ ] %s\n", mdText(rotationLine(&e)))
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
		for _, st := range r.Stores {
			fmt.Fprintf(w, "  should read those of the sub-store %s: %s\n", st.Path, holderNames(st.Desired))
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, c := range r.Secrets {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", strings.Join(c.Statuses(), ","), c.Place()+" "+keyText(&c), SecretLine(&c))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if len(r.Rotation) > 0 {
			fmt.Fprintf(w, "  to rotate (from the ledger, %s):\n", secretsLedgerPath(r.Target))
			for _, e := range r.Rotation {
				fmt.Fprintf(w, "    %s\n", rotationLine(&e))
			}
		}
		for _, warn := range r.Warnings {
			fmt.Fprintf(w, "  warning: %s\n", warn)
		}
	}
	if !s.NeedsAttention() {
		return nil
	}
	if !markdown {
		fmt.Fprintln(w)
	}
	stale, toRotate := false, false
	for _, r := range s.Targets {
		stale = stale || !r.Clean()
		toRotate = toRotate || r.Counts.ToRotate > 0 || r.Counts.Stale > 0
	}
	var say []string
	if stale {
		say = append(say, "Re-encrypt with: prodaccess secrets reencrypt --target TARGET (run by a current recipient).")
	}
	if toRotate {
		say = append(say, "Rotate every value listed as stale or to rotate, and record it with prodaccess secrets rotation --record.")
	}
	_, err := fmt.Fprintln(w, strings.Join(append(say, HistoryNote), " "))
	return err
}

func keyText(c *outcome.SecretCheck) string {
	if c.Key == "" {
		return ""
	}
	return c.Key
}

// writePlanSecrets writes, after a plan's changes, the secrets of each
// target that are not current: the values to rotate, those that new
// recipients cannot read yet, and those whose readers are unknown.
func writePlanSecrets(w io.Writer, p *outcome.Plan, markdown bool) {
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
			if c.Problem != "" || len(c.Unknown)+len(c.Retired) > 0 {
				fmt.Fprintf(w, "    - %s: %s\n", code(strings.TrimSpace(c.Place()+" "+keyText(&c))), text(SecretLine(&c)))
			}
		}
		for _, e := range r.Rotation {
			fmt.Fprintf(w, "    - still to rotate: %s\n", text(rotationLine(&e)))
		}
	}
}

// writePullRequestSecrets tells the reviewer of a pull request that changes
// GPG recipients which secrets the people it removes can still read (to
// rotate once re-encrypted) and which the people it adds cannot read yet.
func writePullRequestSecrets(b io.Writer, plan *outcome.Plan, targets []*config.Target, changes []outcome.Change) {
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
			if c.Action == outcome.Remove {
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

// ReencryptMessage is the commit message of one batch of a re-encryption.
func ReencryptMessage(t *config.Target, done []outcome.SecretCheck, batch int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Re-encrypt %d secret(s) of %s for exactly their stores' recipients", len(done), t.Name)
	if batch > 1 {
		fmt.Fprintf(&b, " (batch %d)", batch)
	}
	b.WriteString("\n\nEach secret is encrypted to the holders of its store; what each dropped:\n\n")
	for _, c := range done {
		fmt.Fprintf(&b, "- %s: %s\n", c.Name(), SecretLine(&c))
	}
	fmt.Fprintf(&b, "\nThe values to rotate are added to %s.\n\n%s\n", secretsLedgerPath(t.Name), HistoryNote)
	return b.String()
}

// ReencryptBody is the pull request body of a re-encryption: what changed,
// what it dropped, which values to rotate (the ledger's entries for the
// branch's base, this run's and any earlier run's on the branch), and what
// it cannot undo.
func ReencryptBody(t *config.Target, done []outcome.SecretCheck, refused []string, stores map[string][]outcome.Holder, resumed bool, rotate []outcome.RotationEntry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "prodaccess re-encrypted these secrets of **%s**, each to exactly the holders of its store: %s", t.Name, mdText(holderNames(sortedHolders(stores[""]))))
	for _, dir := range slices.Sorted(maps.Keys(stores)) {
		if dir != "" {
			fmt.Fprintf(&b, "; in the sub-store %s, %s", mdCode(dir), mdText(holderNames(sortedHolders(stores[dir]))))
		}
	}
	b.WriteString(". Each secret was decrypted once; every result was read back without a second decryption: its recipients are exactly those, and it decrypts, with the session key made for it, to the same value. Nothing but the encrypted values and the ledger changed, and no secret was given to anyone who could not read it before.\n\n")
	if resumed {
		b.WriteString("This branch goes on from an interrupted run: its earlier commits re-encrypted other secrets, which their messages list.\n\n")
	}
	b.WriteString("| secret | line | what it dropped |\n|---|---|---|\n")
	for _, c := range done {
		fmt.Fprintf(&b, "| %s | %d | %s |\n", mdCode(c.Name()), c.Line, mdText(SecretLine(&c)))
	}
	fmt.Fprintf(&b, "\n### Old versions remain in git history\n\n%s\n", HistoryNote)
	if len(rotate) > 0 {
		fmt.Fprintf(&b, "\n### Rotate these\n\nPeople and keys that may no longer read these values could read them, and may have kept them or still have an old clone. Change each value where it is used, then store the new one here. They are listed in %s until `prodaccess secrets rotation --record` finds, by decrypting both, that each value has changed.\n\n", mdCode(secretsLedgerPath(t.Name)))
		for _, e := range rotate {
			fmt.Fprintf(&b, "- [ ] %s: readable by %s\n", mdCode(e.Name()), mdText(strings.Join(e.Readers, ", ")))
		}
	}
	if len(refused) > 0 {
		b.WriteString("\n### Not re-encrypted\n\nThese files are unchanged:\n\n")
		for _, r := range refused {
			fmt.Fprintf(&b, "- %s\n", mdText(r))
		}
	}
	return b.String()
}

// secretsLedgerPath is where a target's ledger is kept (secrets.LedgerPath,
// which render may not import).
func secretsLedgerPath(target string) string { return ".prodaccess/secrets/" + target + ".yaml" }

// RotationMessage is the commit message that records rotated values in a
// target's ledger.
func RotationMessage(t *config.Target, rotated []outcome.RotationEntry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Record %d rotated value(s) of %s in its ledger\n\n", len(rotated), t.Name)
	b.WriteString("A current recipient decrypted each value as its readers could last read it and as it is now, and found them different (the digests of the two were compared in memory; nothing about either was written):\n\n")
	for _, e := range rotated {
		fmt.Fprintf(&b, "- %s: readable by %s at %s, changed by %s\n", e.Name(), strings.Join(e.Readers, ", "), model.ShortSHA(e.ReadableAt), model.ShortSHA(e.RotatedAt))
	}
	return b.String()
}

// RotationBody is the pull request body that records rotated values.
func RotationBody(t *config.Target, rotated, remaining []outcome.RotationEntry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "prodaccess records in %s that these values of **%s** have changed since their last readers who may no longer read them could read them: a current recipient decrypted both versions of each and compared their digests in memory. Nothing about any value is written.\n\n", mdCode(secretsLedgerPath(t.Name)), mdText(t.Name))
	b.WriteString("| value | readers | readable at | changed by |\n|---|---|---|---|\n")
	for _, e := range rotated {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCode(e.Name()), mdText(strings.Join(e.Readers, ", ")), model.ShortSHA(e.ReadableAt), model.ShortSHA(e.RotatedAt))
	}
	if len(remaining) > 0 {
		b.WriteString("\n### Still to rotate\n\n")
		for _, e := range remaining {
			fmt.Fprintf(&b, "- [ ] %s\n", mdText(rotationLine(&e)))
		}
	}
	return b.String()
}

// WriteRotation writes what secrets rotation found, target by target:
// each value still to rotate, with the day it became due, and those found
// rotated.
func WriteRotation(w io.Writer, rs []outcome.RotationReport, now model.Day) error {
	for i, r := range rs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s: %s to rotate, %d found rotated\n", r.Target, plural(len(r.Remaining), "value", "values"), len(r.Rotated))
		for _, e := range r.Remaining {
			line := fmt.Sprintf("  to rotate  %s (%s)", rotationLine(&e.Entry), plural(int(now-e.Entry.Due), "day", "days"))
			if e.Problem != "" {
				line += "; cannot tell whether it changed: " + e.Problem
			}
			fmt.Fprintln(w, line)
		}
		for _, e := range r.Rotated {
			fmt.Fprintf(w, "  rotated    %s: readable by %s at %s, changed by %s\n", e.Name(), strings.Join(e.Readers, ", "), model.ShortSHA(e.ReadableAt), model.ShortSHA(e.RotatedAt))
		}
	}
	_, err := fmt.Fprintln(w, "\n"+HistoryNote)
	return err
}

func sortedHolders(hs []outcome.Holder) []outcome.Holder {
	out := slices.Clone(hs)
	slices.SortFunc(out, func(a, b outcome.Holder) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// SecretLine says in one line what is wrong with a secret.
func SecretLine(c *outcome.SecretCheck) string {
	var parts []string
	if c.Problem != "" {
		parts = append(parts, "cannot be read: "+c.Problem)
	}
	if len(c.Stale) > 0 {
		parts = append(parts, "readable by "+strings.Join(c.Stale, ", ")+", not entitled")
	}
	if len(c.Retired) > 0 {
		parts = append(parts, "encrypted to "+strings.Join(c.Retired, ", ")+", no longer usable")
	}
	if len(c.Missing) > 0 {
		parts = append(parts, "not readable by "+strings.Join(c.Missing, ", "))
	}
	if len(c.Unknown) > 0 {
		parts = append(parts, "unknown: "+strings.Join(c.Unknown, "; "))
	}
	return strings.Join(parts, "; ")
}
