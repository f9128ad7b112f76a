package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/peoplerepo"
	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"
)

func newEvidence(o *options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "The evidence of approvals, kept in signed git notes",
		Long: `prodaccess keeps, for each commit of the people branch that wrote a
temporary_access or reinstated entry or a shift, or changed who may approve
or the policy, the evidence of how it got there (the pull request, its
author, merger and reviews, and for a shift what the on-call rota showed)
as a git note under ` + peoplerepo.NotesRef + `, signed
with an SSH key that only the reconcile workflow holds. A note is evidence
only when a key listed in policy.evidence_signers signed it. plan and apply
look the evidence up for the entries in force and apply records it;
evidence record does it for the whole history; evidence signers prints the
allowed-signers file that ssh-keygen -Y verify reads.`,
	}
	cmd.AddCommand(newEvidenceRecord(o), newEvidenceSigners(o))
	return cmd
}

func newEvidenceRecord(o *options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "record",
		Short: "Look up and record the evidence of every commit of the history that wrote an entry",
		Long: `Walk the first-parent history of the people branch (HEAD), find every commit
that wrote a temporary_access or reinstated entry (or, when the policy checks
shifts, a shift after the adoption of prodaccess), look up through GitHub how
each reached the branch, and for shifts what the on-call rota shows of them
(with PAGERDUTY_TOKEN), and record it as a note signed with
PRODACCESS_SIGNING_KEY, pushed to origin. A commit whose signed note is
complete is not looked up again. Needs GITHUB_TOKEN with Contents: write on
the people repository (to push the notes) and Pull requests: read.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			ctx, cancel, err := o.runContext()
			if err != nil {
				return err
			}
			defer cancel()
			w, repo, client, err := o.liveWorld("to look up pull requests and reviews")
			if err != nil {
				return err
			}
			origin, err := repo.Origin(o.getenv("GITHUB_TOKEN"))
			if err != nil {
				return err
			}
			if origin != nil {
				if err := repo.FetchNotes(ctx, origin, o.now()); err != nil {
					return err
				}
			}
			ghRepo := o.peopleGitHubRepo(w.cfg, origin)
			if ghRepo == "" {
				return fmt.Errorf("the people repository is not known on GitHub: set people_repo in %s", o.configPath)
			}
			configRel, err := repo.Rel(o.configPath)
			if err != nil {
				return err
			}
			label := strings.TrimSuffix(w.peopleLabel, "/")
			source, shifts, err := o.evidenceSource(w, repo, client, ghRepo, configRel)
			if err != nil {
				return err
			}
			run, err := newEvidenceRun(ctx, evidenceWhere{repo: repo, tip: w.commit, peopleDir: w.peopleRel, label: label, configPath: configRel, ghRepo: ghRepo, source: source, location: w.cfg.Location, readsRota: shifts != nil})
			if err != nil {
				return err
			}
			if shifts != nil {
				shifts.run = run
			}
			all, err := repo.AllIntroduced(w.commit, w.peopleRel, w.peopleLabel)
			if err != nil {
				return err
			}
			var entries []model.EntryRef
			intro := map[string]string{}
			checksShifts := run.authority().Policy.ChecksShifts()
			for sha, es := range all {
				for _, e := range es {
					if e.Kind == model.ShiftEntry && (!checksShifts || run.chain.Base(sha, nil, w.cfg.Location).ShiftTakenAtWord()) {
						continue
					}
					entries = append(entries, e)
					intro[e.Key()] = sha
				}
			}
			for sha, es := range all {
				if !slices.ContainsFunc(es, func(e model.EntryRef) bool { _, ok := intro[e.Key()]; return ok }) {
					delete(all, sha)
				}
			}
			before := len(run.fetched)
			ev := run.gather(ctx, intro, entries)
			w.roster.SetEvidence(ev)
			lookedUp := len(run.fetched) - before
			for _, warn := range certificationEvidence(ctx, run, repo, w.commit, reviewsDir(configRel, w.cfg)) {
				fmt.Fprintf(o.stderr, "prodaccess: %s\n", warn)
			}
			w.evidence = &evidenceState{repo: repo, origin: origin, run: run, lookedUp: run.lookedUp(ev, w.roster, o.now())}
			if err := o.recordEvidence(ctx, w); err != nil {
				return err
			}
			complete := 0
			for _, ce := range w.evidence.lookedUp {
				if ce.Complete {
					complete++
				}
			}
			fmt.Fprintf(o.stdout, "%d commit(s) of %s wrote entries that need approval: %d already recorded, %d looked up and recorded now (%d complete, %d to look up again on the next run).\n",
				len(all), w.cfg.PeopleBranch, len(all)-lookedUp-len(run.failed), lookedUp, complete, len(w.evidence.lookedUp)-complete)
			for _, f := range run.findings() {
				fmt.Fprintf(o.stdout, "  %s\n", f.Text())
			}
			for _, p := range run.chain.Pending {
				fmt.Fprintf(o.stdout, "  %s\n", p.Text())
			}
			for _, sha := range slices.Sorted(maps.Keys(all)) {
				for _, e := range all[sha] {
					p := w.roster.Person(e.Person)
					if _, ok := intro[e.Key()]; !ok || p == nil {
						continue
					}
					pf := model.Prove(ev.ByEntry[e.Key()], e, p, w.roster.Person(e.ApprovedBy), ev.Bases[e.Key()])
					state := "proven"
					if !pf.Proven() {
						state = "NOT PROVEN"
					}
					fmt.Fprintf(o.stdout, "  %s  %s: %s: %s\n", sha[:12], e, state, pf.Summary())
				}
			}
			if len(run.failed) > 0 {
				for _, sha := range sortedKeys(run.failed) {
					fmt.Fprintf(o.stdout, "  %s  could not be looked up: %v\n", model.ShortSHA(sha), run.failed[sha])
				}
				return &exitError{code: 1}
			}
			return nil
		},
	}
	o.timeoutFlag(cmd)
	return cmd
}

func newEvidenceSigners(o *options) *cobra.Command {
	return &cobra.Command{
		Use:   "signers",
		Short: "Print the allowed-signers file of the notes, for ssh-keygen -Y verify",
		Long: `Print, in the allowed-signers format of ssh-keygen, the keys whose signature
makes a note evidence: the signers of record in policy.evidence_signers at
HEAD, without those whose addition no lead approved. An auditor verifies a
note with it and ssh-keygen alone:

  git notes --ref prodaccess show SHA > note
  sed '/^-----BEGIN SSH SIGNATURE-----$/,$d' note > note.json
  sed -n '/^-----BEGIN SSH SIGNATURE-----$/,$p' note > note.sig
  prodaccess evidence signers > allowed_signers
  ssh-keygen -Y verify -f allowed_signers -I prodaccess -n prodaccess-evidence -s note.sig < note.json`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			w, repo, err := o.loadDecisions()
			if err != nil {
				return err
			}
			configRel, err := repo.Rel(o.configPath)
			if err != nil {
				return err
			}
			run, err := newEvidenceRun(context.Background(), evidenceWhere{repo: repo, tip: w.commit, peopleDir: w.peopleRel, label: strings.TrimSuffix(w.peopleLabel, "/"), configPath: configRel,
				ghRepo: w.cfg.PeopleRepo, location: w.cfg.Location})
			if err != nil {
				return err
			}
			var keys []ssh.PublicKey
			var comments []string
			for _, s := range run.authority().Policy.EvidenceSigners {
				k, c, _, _, err := ssh.ParseAuthorizedKey([]byte(s))
				if err != nil {
					continue
				}
				keys, comments = append(keys, k), append(comments, c)
			}
			if len(keys) == 0 {
				return fmt.Errorf("no signer of notes is in force: list the reconcile workflow's public key in policy.evidence_signers of %s", o.configPath)
			}
			fmt.Fprint(o.stdout, peoplerepo.AllowedSigners(keys, comments))
			return nil
		},
	}
}
