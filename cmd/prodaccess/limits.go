package main

import (
	"fmt"
	"strconv"

	"github.com/prodaccess/prodaccess/model"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The most characters a flag or an argument takes. Every one has a
// limit, checked before a command does anything: maxFlagLength unless the
// flag sets a lower one with limitFlag. docs/requesting-access.md lists
// the request commands' limits.
const (
	// maxFlagLength bounds every flag and argument: enough for any path.
	maxFlagLength = 4096
	// maxDayLength bounds a day or an instant (RFC 3339 with nanoseconds
	// and an offset is 35 characters).
	maxDayLength = 40
	// maxWordLength bounds a flag that takes one of a few words (--type,
	// --role, --format).
	maxWordLength = 30
	// maxOwnerNameLength bounds owner/name on GitHub: a login, a slash, and
	// a name of at most 100 characters.
	maxOwnerNameLength = model.MaxLoginLength + 1 + 100
	// maxListItems bounds the values of a flag given more than once.
	maxListItems = 15
)

// limitAnnotation carries a flag's limit on the flag itself.
const limitAnnotation = "prodaccess-max-length"

// limitFlag sets the most characters flag name takes (each value, for a
// flag given more than once).
func limitFlag(cmd *cobra.Command, name string, max int) {
	if err := cmd.Flags().SetAnnotation(name, limitAnnotation, []string{strconv.Itoa(max)}); err != nil {
		panic(err)
	}
}

// checkLengths refuses a flag or an argument longer than its limit, and a
// flag given more than maxListItems times, saying how long it is rather
// than printing it back.
func checkLengths(cmd *cobra.Command, args []string) error {
	for i, a := range args {
		if msg := model.CheckLength(a, maxFlagLength); msg != "" {
			return fmt.Errorf("argument %d %s", i+1, msg)
		}
	}
	var err error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if err != nil {
			return
		}
		max := maxFlagLength
		if v := f.Annotations[limitAnnotation]; len(v) == 1 {
			if n, convErr := strconv.Atoi(v[0]); convErr == nil {
				max = n
			}
		}
		values := []string{f.Value.String()}
		if s, ok := f.Value.(pflag.SliceValue); ok {
			values = s.GetSlice()
			if len(values) > maxListItems {
				err = fmt.Errorf("--%s: given %d times; at most %d are allowed", f.Name, len(values), maxListItems)
				return
			}
		}
		for _, v := range values {
			if msg := model.CheckLength(v, max); msg != "" {
				err = fmt.Errorf("--%s: %s", f.Name, msg)
				return
			}
		}
	})
	return err
}

// The limits of person new's flags that name an identity.
const (
	maxGitHubIDLength    = 20  // a 64-bit whole number
	maxFingerprintLength = 80  // 40 hex digits, with spaces between
	maxSSHUsernameLength = 32  // as the person file's pattern allows
	maxARNLength         = 600 // arn:aws:iam::<account>:user/ and 512 characters
)
