package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"
	_ "time/tzdata" // the policy time zone must resolve on machines without zoneinfo

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/providers/github"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// A run is short and parsing YAML allocates a great deal, while
		// the live heap stays small: collect garbage less often than Go's
		// default, but not so seldom that the heap runs through fresh
		// memory, each page of which costs the kernel a fault (measured,
		// docs/performance.md: who over 10,000 people 0.75 s at 200,
		// 0.82 s at 100 and at 400, whose peak was 136 MB against 100 MB;
		// the timeline of 10,000 commits 122 MiB at 200, 174 MiB at
		// 400). The memory limit bounds the trade where the live heap is
		// large; GOGC and GOMEMLIMIT override.
		debug.SetGCPercent(200)
		if os.Getenv("GOMEMLIMIT") == "" {
			debug.SetMemoryLimit(256 << 20)
		}
	}
	stop := cpuProfile(os.Getenv("PRODACCESS_CPUPROFILE"))
	code := run(os.Args[1:], os.Stdout, os.Stderr, time.Now)
	stop()
	os.Exit(code)
}

// cpuProfile writes a CPU profile of the run to file, for go tool pprof,
// when file is not empty (PRODACCESS_CPUPROFILE; see docs/performance.md).
// A profile that cannot be written is said on stderr and the run goes on.
func cpuProfile(file string) (stop func()) {
	if file == "" {
		return func() {}
	}
	f, err := os.Create(file)
	if err == nil {
		if err = pprof.StartCPUProfile(f); err != nil {
			f.Close()
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "prodaccess: no CPU profile: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "prodaccess: CPU profile %s: %v\n", file, err)
		}
	}
}

// run executes one command line and returns the process's exit status.
func run(args []string, stdout, stderr io.Writer, now func() time.Time) int {
	out, errOut := &printable{w: stdout}, &printable{w: stderr}
	defer out.Flush()
	defer errOut.Flush()
	return runWith(&options{stdout: out, stderr: errOut, now: now, getenv: os.Getenv}, args)
}

// exitError carries an exit status other than 1 and may carry no message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

// runWith executes one command line with the given options. Nothing it
// writes carries the token, and a panic is reported and exits 1, never 2,
// which scripts read as "changes".
func runWith(o *options, args []string) (code int) {
	outRedactor, errRedactor := newRedactor(o.stdout, o.getenv("GITHUB_TOKEN")), newRedactor(o.stderr, o.getenv("GITHUB_TOKEN"))
	o.stdout, o.stderr = outRedactor, errRedactor
	o.hide = func(secret string) {
		outRedactor.hide(secret)
		errRedactor.hide(secret)
	}
	if token := o.getenv("PAGERDUTY_TOKEN"); token != "" {
		o.hide(token)
	}
	defer errRedactor.Flush()
	defer outRedactor.Flush()
	stderr := o.stderr
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "prodaccess: internal error (a bug; please report it), nothing more was done: %v\n%s", r, debug.Stack())
			code = 1
		}
	}()
	o.args = args
	root := newRoot(o)
	root.SetArgs(args)
	err := o.stopped(root.Execute())
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ee.err != nil {
			fmt.Fprintf(stderr, "prodaccess: %s\n", github.StripUserInfo(ee.err.Error()))
		}
		return ee.code
	default:
		fmt.Fprintf(stderr, "prodaccess: %s\n", github.StripUserInfo(err.Error()))
		return 1
	}
}

func newRoot(o *options) *cobra.Command {
	root := &cobra.Command{
		Use:   "prodaccess",
		Short: "Production access rules as code",
		Long: `prodaccess reads one YAML file per person, decides who should have
production access on a given day and why, and shows or applies the result.`,
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentPreRunE = checkLengths
	root.SetOut(o.stdout)
	root.SetErr(o.stderr)
	root.PersistentFlags().StringVar(&o.configPath, "config", defaultConfig, "the configuration file")
	root.PersistentFlags().StringVar(&o.peopleDir, "people", "", "the folder of person files (overrides the configuration's people)")
	root.AddCommand(newValidate(o), newWho(o), newExplain(o), newPlan(o), newApply(o), newChanges(o), newAudit(o), newUpcoming(o))
	root.AddCommand(newSecrets(o), newEvidence(o), newRota(o), newSchema(o), newVersion(o), newAdopt(o))
	root.AddCommand(newGrant(o), newShift(o), newAbsence(o), newReinstate(o), newLeave(o), newPerson(o))
	// A mistyped flag says which it may have meant, as a mistyped
	// command does.
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
		if !ok {
			return err
		}
		var names []string
		c.Flags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
		if s := model.Closest(name, names); s != "" {
			return fmt.Errorf("%w; did you mean --%s?", err, s)
		}
		return err
	})
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Short = "Shell completion of commands and flags, for bash, zsh, fish or powershell"
			c.Long = `Print the script that makes a shell complete prodaccess's commands and flags.
Load it in the current shell, or install it once; each shell's subcommand
says how (prodaccess completion bash --help), and docs/README.md has the
usual places.`
			for _, sh := range c.Commands() {
				sh.Short = "The completion script for " + sh.Name() + ", and how to load it"
				sh.Long = strings.Replace(sh.Long, "Generate the autocompletion script", "Print the script that completes prodaccess's commands and flags", 1)
			}
		}
	}
	return root
}
