package main

import (
	"github.com/prodaccess/prodaccess/render"
	"github.com/spf13/cobra"
)

func newExplain(o *options) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "explain ID",
		Short: "One person's level: every rule, whether it fired, and why",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			cfg, roster, day, err := o.decide()
			if err != nil {
				return err
			}
			p := roster.Person(args[0])
			if p == nil {
				return roster.NoSuch(args[0], o.peopleFolder(cfg))
			}
			dc := roster.Decide(p, day)
			if isData(format) {
				return render.WriteData(o.stdout, format, render.NewExplainJSON(dc))
			}
			return render.WriteExplanation(o.stdout, dc)
		},
	}
	cmd.Flags().StringVar(&o.at, "at", "", "the day to decide for: YYYY-MM-DD, or an RFC 3339 instant (default today in the policy time zone)")
	cmd.Flags().StringVar(&format, "format", "text", "text, json or yaml")
	return cmd
}
