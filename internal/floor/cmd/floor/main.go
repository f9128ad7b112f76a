// Command floor does the unavoidable work of a prodaccess job and
// nothing else, for the benchmarks that time prodaccess against it:
//
//	floor DIR [BASE TOKEN READS WRITES]
//
// parses every .yaml file in DIR, then, given a GitHub API base URL and a
// token, makes READS reads and WRITES writes one after another (see
// floor.RoundTrips).
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/prodaccess/prodaccess/internal/floor"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 1 && len(args) != 5 {
		return fmt.Errorf("usage: floor DIR [BASE TOKEN READS WRITES]")
	}
	if err := floor.Parse(args[0]); err != nil {
		return err
	}
	if len(args) == 1 {
		return nil
	}
	reads, err := strconv.Atoi(args[3])
	if err != nil {
		return fmt.Errorf("READS: %w", err)
	}
	writes, err := strconv.Atoi(args[4])
	if err != nil {
		return fmt.Errorf("WRITES: %w", err)
	}
	if err := floor.RoundTrips(args[1], args[2], reads, false); err != nil {
		return err
	}
	return floor.RoundTrips(args[1], args[2], writes, true)
}
