package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/prodaccess/prodaccess/model"
	"github.com/spf13/cobra"
)

func newValidate(o *options) *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Check every person file and the configuration",
		Long: `Check every person file and the configuration, each on its own and
against each other. Prints one line per problem, as file:line:column: message,
and exits 1 if there is any. In GitHub Actions (GITHUB_ACTIONS=true) it also
prints each problem as an ::error workflow command, so that it shows on the
changed line of the pull request.`,
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
			checks, missing, err := model.LoadKeys(os.DirFS(keysDir), filepath.ToSlash(keysDir), roster.People, o.now())
			if err != nil {
				return err
			}
			problems = append(problems, model.KeyProblems(checks, o.now())...)
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
			fmt.Fprintf(o.stderr, "%d person file(s), their keys and the configuration are valid\n", len(roster.People))
			return nil
		},
	}
}
