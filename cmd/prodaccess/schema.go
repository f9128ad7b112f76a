package main

import (
	"fmt"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/personfile"
	"github.com/spf13/cobra"
)

func newSchema(o *options) *cobra.Command {
	return &cobra.Command{
		Use:   "schema person|config",
		Short: "Print the JSON Schema of person files or of the configuration, for editors",
		Long: `Print the JSON Schema (draft 2020-12) of a person file or of prodaccess.yaml.
The schemas are written from the tables the loader reads files with, so an
editor that uses them completes field names and marks wrong values as you
type. The loader checks more than a schema can (see docs/person-files-schema.md).`,
		Args:      cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		ValidArgs: []string{"person", "config"},
		RunE: func(_ *cobra.Command, args []string) error {
			gen := personfile.PersonSchema
			if args[0] == "config" {
				gen = config.ConfigSchema
			}
			b, err := gen()
			if err != nil {
				return fmt.Errorf("write the %s schema: %w", args[0], err)
			}
			_, err = o.stdout.Write(b)
			return err
		},
	}
}
