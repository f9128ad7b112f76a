package main

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// dayFlags are the flags that take a day.
var dayFlags = map[string]bool{"at": true, "from": true, "to": true, "end": true, "on": true, "last-day": true, "start": true}

// TestHelpVoice: help reads as one voice. No command keeps cobra's own
// words (the completion commands' "Generate the autocompletion script"),
// person says what it does rather than listing its subcommand, and every
// flag that takes a day names its format.
func TestHelpVoice(t *testing.T) {
	o := &options{stdout: &strings.Builder{}, stderr: &strings.Builder{}, now: time.Now, getenv: func(string) string { return "" }}
	root := newRoot(o)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, cobraWords := range []string{"Generate the autocompletion script", "Person files: new"} {
			if strings.Contains(c.Short+c.Long, cobraWords) {
				t.Errorf("%s: help says %q:\n%s\n%s", c.CommandPath(), cobraWords, c.Short, c.Long)
			}
		}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			// changes --from and --to take revisions, not days.
			if dayFlags[f.Name] && strings.Contains(f.Usage, "day") && !strings.Contains(f.Usage, "YYYY-MM-DD") {
				t.Errorf("%s --%s takes a day but does not name its format: %q", c.CommandPath(), f.Name, f.Usage)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
