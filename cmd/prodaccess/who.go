package main

import (
	"github.com/prodaccess/prodaccess/render"
	"github.com/spf13/cobra"
)

func newWho(o *options) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "who",
		Short: "Everyone's level on a day, with reasons and until when",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			cfg, roster, day, err := o.decide()
			if err != nil {
				return err
			}
			o.warnInvalid(roster)
			decisions := roster.Evaluate(day)
			if isData(format) {
				return render.WriteData(o.stdout, format, render.NewWhoJSON(day, decisions))
			}
			return render.WriteWho(o.stdout, day, cfg.Timezone, decisions)
		},
	}
	cmd.Flags().StringVar(&o.at, "at", "", "the day to decide for: YYYY-MM-DD, or an RFC 3339 instant (default today in the policy time zone)")
	cmd.Flags().StringVar(&format, "format", "text", "text, json or yaml")
	return cmd
}
