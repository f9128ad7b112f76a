package main

import (
	"fmt"
	"maps"
	"slices"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/peoplerepo"
	"github.com/prodaccess/prodaccess/providers/github"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/spf13/cobra"
)

func newEvidence(o *options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "The evidence of approvals, kept in git notes",
		Long: `prodaccess keeps, for each commit of the people branch that wrote a
temporary_access or reinstated entry, the evidence of how it got there (the
pull request, its author, merger and reviews) as a git note under
` + peoplerepo.NotesRef + `. plan and apply look it up for the entries in force and
apply records it; evidence record does it for the whole history.`,
	}
	cmd.AddCommand(newEvidenceRecord(o))
	return cmd
}

func newEvidenceRecord(o *options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "record",
		Short: "Look up and record the evidence of every commit of the history that wrote an entry",
		Long: `Walk the first-parent history of the people branch (HEAD), find every commit
that wrote a temporary_access or reinstated entry, look up through GitHub how
each reached the branch, and record it as a note, pushed to origin. A commit
whose note is complete is not looked up again. Needs GITHUB_TOKEN with
Contents: write on the people repository (to push the notes) and Pull
requests: read.`,
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
			all, err := repo.AllIntroduced(w.commit, w.peopleRel, w.peopleLabel)
			if err != nil {
				return err
			}
			notes, err := repo.Notes()
			if err != nil {
				return err
			}
			known, err := peoplerepo.ReadEvidence(notes)
			if err != nil {
				fmt.Fprintf(o.stderr, "prodaccess: %v\n", err)
			}
			source, err := github.NewEvidence(client, ghRepo, w.cfg.PeopleBranch, w.peopleRel, w.peopleLabel, repo.FileAt, o.now)
			if err != nil {
				return err
			}
			var entries []model.EntryRef
			intro := map[string]string{}
			for sha, es := range all {
				for _, e := range es {
					entries = append(entries, e)
					intro[e.Key()] = sha
				}
			}
			_, fetched, err := reconciler.GatherEvidence(ctx, reconciler.EvidenceInput{Policy: w.cfg.Policy.Evidence, Introduced: intro, Entries: entries, Known: known, Source: source})
			if err != nil {
				return err
			}
			reconciler.MarkComplete(w.roster, fetched)
			w.evidence = &evidenceState{repo: repo, origin: origin, fetched: fetched}
			if err := o.recordEvidence(ctx, w); err != nil {
				return err
			}
			complete := 0
			for _, ce := range fetched {
				if ce.Complete {
					complete++
				}
			}
			fmt.Fprintf(o.stdout, "%d commit(s) of %s wrote entries that need approval: %d already recorded, %d looked up and recorded now (%d complete, %d to look up again on the next run).\n",
				len(all), w.cfg.PeopleBranch, len(all)-len(fetched), len(fetched), complete, len(fetched)-complete)
			for _, sha := range slices.Sorted(maps.Keys(all)) {
				for _, e := range all[sha] {
					p := w.roster.Person(e.Person)
					if p == nil {
						continue
					}
					ce := known[sha]
					for _, f := range fetched {
						if f.Commit == sha {
							ce = f
						}
					}
					pf := model.Prove(ce, e, p, w.roster.Person(e.ApprovedBy))
					state := "proven"
					if !pf.Proven() {
						state = "NOT PROVEN"
					}
					fmt.Fprintf(o.stdout, "  %s  %s: %s: %s\n", sha[:12], e, state, pf.Summary())
				}
			}
			return nil
		},
	}
	o.timeoutFlag(cmd)
	return cmd
}
