package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// verbose is -v: every command's whole output, and every pull request's
// description and diff. Without it each command shows its gist.
var verbose bool

// gistLines is how many lines after the first a command's gist shows.
const gistLines = 1

// gist is out whole with -v; without, its first line and up to n lines
// after it that are neither blank nor a heading (a line ending in ":"),
// and how many lines it left out.
func gist(out string, n int) string {
	out = strings.TrimRight(out, "\n")
	if out == "" {
		return ""
	}
	if verbose {
		return out + "\n"
	}
	lines := strings.Split(out, "\n")
	var kept []string
	all := 0
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		all++
		if len(kept) > 0 && (strings.HasSuffix(t, ":") || len(kept) > n) {
			continue
		}
		kept = append(kept, l)
	}
	if left := all - len(kept); left > 0 {
		kept[len(kept)-1] += fmt.Sprintf("   [%d more lines with -v]", left)
	}
	return strings.Join(kept, "\n") + "\n"
}

// plain matches an argument the shell takes as it is.
var plain = regexp.MustCompile(`^[A-Za-z0-9_./:=@%+,-]+$`)

// commandLine is prodaccess with args as a line that can be pasted into a
// shell: an argument with spaces or quotes is quoted.
func commandLine(args []string) string {
	out := []string{"prodaccess"}
	for _, a := range args {
		if plain.MatchString(a) {
			out = append(out, a)
			continue
		}
		out = append(out, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
	}
	return strings.Join(out, " ")
}

// transcript is -log's file: the whole story, as -v shows it, whatever
// the screen shows.
var transcript io.Writer = io.Discard

// printf writes to the screen and the transcript.
func printf(format string, args ...any) {
	fmt.Printf(format, args...)
	fmt.Fprintf(transcript, format, args...)
}

// output writes a command's output: its gist on the screen (whole with
// -v), whole in the transcript.
func output(out string, n int) {
	fmt.Print(gist(out, n))
	if out = strings.TrimRight(out, "\n"); out != "" {
		fmt.Fprintln(transcript, out)
	}
}

// detail writes to the transcript, and to the screen only with -v.
func detail(format string, args ...any) {
	if verbose {
		fmt.Printf(format, args...)
	}
	fmt.Fprintf(transcript, format, args...)
}

// openTranscript makes -log's file the transcript; the returned function
// closes it and reports a failed write.
func openTranscript(name string) (func() error, error) {
	if name == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(name)
	if err != nil {
		return nil, err
	}
	transcript = f
	return f.Close, nil
}
