package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/prodaccess/prodaccess/secrets"
	"github.com/spf13/cobra"
)

func newValidate(o *options) *cobra.Command {
	var live bool
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check every person file and the configuration",
		Long: `Check every person file and the configuration, each on its own and
against each other. Prints one line per problem, as file:line:column: message,
and exits 1 if there is any. In GitHub Actions (GITHUB_ACTIONS=true) it also
prints each problem as an ::error workflow command, so that it shows on the
changed line of the pull request.

With --live it also checks, through GitHub, what the files cannot show: that
each temporary_access and reinstated entry in force or due within 14 days was
approved by a review of the pull request that wrote it (policy.evidence), and
that the people branch is protected so that such an approval means something.
It reads the committed files (HEAD), and needs GITHUB_TOKEN.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			cfg, err := o.config()
			var problems model.Problems
			if err != nil && !errors.As(err, &problems) {
				return err
			}
			// Even with a broken configuration, check the people under
			// what could be read of it, so one run shows every problem.
			roster, err := o.load(cfg)
			if err != nil {
				return err
			}
			problems = append(problems, roster.Problems()...)
			keysDir := o.keysFolder(cfg)
			checks, missing, err := secrets.LoadKeys(os.DirFS(keysDir), filepath.ToSlash(keysDir), roster.People, o.now())
			if err != nil {
				return err
			}
			problems = append(problems, secrets.KeyProblems(checks, o.now())...)
			for _, m := range missing {
				fmt.Fprintf(o.stderr, "warning: %s\n", m)
			}
			errs := 0
			for _, p := range problems {
				if !p.Warning {
					errs++
				}
			}
			for _, p := range problems {
				fmt.Fprintln(o.stdout, p)
			}
			if o.getenv("GITHUB_ACTIONS") == "true" {
				// Workflow commands put each problem on its line in the
				// pull request.
				for _, p := range problems {
					fmt.Fprintln(o.stdout, p.Annotation())
				}
			}
			if errs > 0 {
				fmt.Fprintf(o.stderr, "%d problem(s) found in %d person file(s), their keys and the configuration\n", errs, len(roster.People))
				return &exitError{code: 1}
			}
			fmt.Fprintf(o.stdout, "%d person file(s), their keys and the configuration are valid\n", len(roster.People))
			if live {
				return o.validateLive()
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&live, "live", false, "also check through GitHub that approvals are proven and the people branch is protected")
	o.timeoutFlag(cmd)
	return cmd
}

// validateLive checks the evidence of approvals and the people branch's
// protection, and fails where policy.evidence required would refuse.
func (o *options) validateLive() error {
	ctx, cancel, err := o.runContext()
	if err != nil {
		return err
	}
	defer cancel()
	w, repo, client, err := o.liveWorld("for --live")
	if err != nil {
		return err
	}
	before := len(w.warnings)
	if err := o.gatherEvidence(ctx, w, repo, client); err != nil {
		return err
	}
	for _, warn := range w.warnings[before:] {
		fmt.Fprintf(o.stdout, "live: warning: %s\n", warn)
	}
	for _, g := range w.grantsRefused {
		fmt.Fprintf(o.stdout, "live: %s\n", g)
	}
	for _, f := range w.failures {
		fmt.Fprintf(o.stdout, "live: failed: %s\n", f)
	}
	tampered := 0
	if w.evidence != nil && w.evidence.run != nil {
		tampered = len(w.evidence.run.findings())
	}
	unproven := 0
	for _, e := range reconciler.NeedEvidence(w.roster, w.day, reconciler.EvidenceHorizon) {
		if pf := w.roster.Proof(w.roster.Person(e.Person), e); pf != nil && !pf.Proven() {
			unproven++
		}
	}
	if w.cfg.Policy.Evidence == model.EvidenceRequired && (unproven > 0 || len(w.grantsRefused) > 0) || len(w.failures) > 0 || tampered > 0 {
		fmt.Fprintf(o.stderr, "%d entr(ies) not proven, %d protection setting(s) missing or unreadable, %d note(s) that are not evidence, and %d lookup(s) that failed\n", unproven, len(w.grantsRefused), tampered, len(w.failures))
		return &exitError{code: 1}
	}
	fmt.Fprintf(o.stderr, "approvals and branch protection checked through GitHub: %d entr(ies) not proven\n", unproven)
	return nil
}
