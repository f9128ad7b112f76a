package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/internal/gitop"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
	"github.com/prodaccess/prodaccess/providers/github"
	"github.com/spf13/cobra"
)

const defaultConfig = "prodaccess.yaml"

// options are the flags every command shares, and what they lead to.
type options struct {
	stdout, stderr io.Writer
	now            func() time.Time

	configPath string
	peopleDir  string
	at         string
	// args is the command line, without the program's name.
	args []string

	// timeout bounds a plan or apply; run is that run's context.
	timeout time.Duration
	run     context.Context
	// gitTimeout bounds each git operation with a remote in the run.
	gitTimeout time.Duration

	getenv func(string) string
	// hide masks a secret learnt during the run in all output.
	hide func(secret string)
	// newTransport makes the GitHub transport; tests give one with an
	// injected clock.
	newTransport func() *github.Transport

	// githubCache is --github-cache; cacheRun says the command has it.
	githubCache string
	cacheRun    bool
	// githubTransport is the transport of the run's GitHub client, once
	// made: its cache and its request counts.
	githubTransport *github.Transport
}

// transport is the GitHub transport: rate limits and retries, with waits
// reported on standard error.
func (o *options) transport() *github.Transport {
	if o.newTransport != nil {
		return o.newTransport()
	}
	return &github.Transport{Base: defaultHTTPTransport(), Logf: func(f string, a ...any) { fmt.Fprintf(o.stderr, "prodaccess: "+f+"\n", a...) }}
}

// config reads the configuration. Without a config file, --people alone is
// enough: the written rules' defaults apply.
func (o *options) config() (*config.Config, error) {
	data, err := os.ReadFile(o.configPath)
	switch {
	case errors.Is(err, fs.ErrNotExist) && o.configPath == defaultConfig && o.peopleDir != "":
		return config.DefaultConfig(), nil
	case errors.Is(err, fs.ErrNotExist) && o.configPath == defaultConfig:
		return nil, fmt.Errorf("no %s here: give --config FILE, or --people DIR to use the default policy", defaultConfig)
	case err != nil:
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	return config.ParseConfig(o.configPath, data)
}

// anchor is a folder in the people repository: the folder of person
// files when --people gives it, else the configuration's folder.
func (o *options) anchor() string {
	if o.peopleDir != "" {
		return o.peopleDir
	}
	return filepath.Dir(o.configPath)
}

// peopleFolder is the folder of person files: --people, or the config's
// people relative to the config file.
func (o *options) peopleFolder(cfg *config.Config) string {
	if o.peopleDir != "" {
		return filepath.Clean(o.peopleDir)
	}
	if cfg.File == "" {
		return filepath.Clean(cfg.People)
	}
	return filepath.Join(filepath.Dir(cfg.File), cfg.People)
}

// keysFolder is the folder of public keys: the config's keys relative to
// the config file.
func (o *options) keysFolder(cfg *config.Config) string {
	if cfg.File == "" {
		return filepath.Clean(cfg.Keys)
	}
	return filepath.Join(filepath.Dir(cfg.File), cfg.Keys)
}

// keyTime is the moment keys are checked at: now, or the start of the day
// --at names.
func (o *options) keyTime(cfg *config.Config, d model.Day) time.Time {
	if o.at == "" {
		return o.now()
	}
	y, m, dd := d.Time().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, cfg.Location)
}

// roster loads the configuration and every person file.
func (o *options) roster() (*config.Config, *model.Roster, error) {
	cfg, err := o.config()
	if err != nil {
		return nil, nil, err
	}
	r, err := o.load(cfg)
	return cfg, r, err
}

// load reads every person file and checks them against each other.
func (o *options) load(cfg *config.Config) (*model.Roster, error) {
	dir := o.peopleFolder(cfg)
	people, err := personfile.LoadPeople(os.DirFS(dir), filepath.ToSlash(dir))
	if err != nil {
		return nil, err
	}
	return model.NewRoster(people, cfg.Policy), nil
}

// decide loads everything a decision needs: the configuration, the
// roster and the day.
func (o *options) decide() (*config.Config, *model.Roster, model.Day, error) {
	cfg, roster, err := o.roster()
	if err != nil {
		return nil, nil, 0, err
	}
	day, err := o.day(cfg)
	if err != nil {
		return nil, nil, 0, err
	}
	return cfg, roster, day, nil
}

// day is the day --at names, or today, in the policy time zone.
func (o *options) day(cfg *config.Config) (model.Day, error) {
	if o.at == "" {
		return model.DayOf(o.now(), cfg.Location), nil
	}
	d, err := model.ParseInstantOrDay(o.at, cfg.Location)
	if err != nil {
		return 0, fmt.Errorf("--at: %w", err)
	}
	return d, nil
}

// warnInvalid tells the user, on standard error, that some people are
// granted nothing because their files have problems.
func (o *options) warnInvalid(r *model.Roster) {
	invalid := 0
	for _, p := range r.People {
		if !r.Valid(p) {
			invalid++
		}
	}
	if invalid > 0 {
		fmt.Fprintf(o.stderr, "warning: %d person file(s) have problems and grant nothing; run prodaccess validate\n", invalid)
	}
}

// checkFormat checks --format against the formats a command writes. A
// command that writes JSON writes YAML too.
func checkFormat(format string, allowed ...string) error {
	if slices.Contains(allowed, "json") {
		allowed = append(allowed, "yaml")
	}
	if slices.Contains(allowed, format) {
		return nil
	}
	return fmt.Errorf("--format: unknown format %q; use one of %s", format, strings.Join(allowed, ", "))
}

// isData reports whether a format is one of those that carry data for
// programs: json or yaml.
func isData(format string) bool { return format == "json" || format == "yaml" }

// DefaultTimeout is how long a plan or apply may run.
const DefaultTimeout = 10 * time.Minute

// timeoutFlag adds --timeout and --git-timeout to a command that reads
// or changes targets.
func (o *options) timeoutFlag(cmd *cobra.Command) {
	cmd.Flags().DurationVar(&o.timeout, "timeout", DefaultTimeout, "stop the run, as failed, if it has not finished after this long (such as 90s or 15m)")
	cmd.Flags().DurationVar(&o.gitTimeout, "git-timeout", gitop.DefaultTimeout, "fail a git operation with a remote (a clone, a fetch, a push) that has not finished after this long")
}

// runContext is the context of one plan or apply: ended by an interrupt,
// SIGTERM or --timeout, so that a scheduled job fails rather than hangs.
func (o *options) runContext() (context.Context, context.CancelFunc, error) {
	if o.timeout <= 0 {
		return nil, nil, fmt.Errorf("--timeout: %s is not a positive duration", o.timeout)
	}
	if o.gitTimeout <= 0 {
		return nil, nil, fmt.Errorf("--git-timeout: %s is not a positive duration", o.gitTimeout)
	}
	ctx, stop := o.signalContext()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	o.run = ctx
	ctx = gitop.WithTimeout(ctx, o.gitTimeout)
	return ctx, func() { cancel(); stop() }, nil
}

// signalContext is the context of a command that talks to GitHub or git
// hosts: ended by an interrupt or SIGTERM, and carrying who its git
// connections owe which credentials.
func (o *options) signalContext() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return withGitAuth(ctx, o.gitAuth()), stop
}

// stopped says so when a run failed because --timeout ended it.
func (o *options) stopped(err error) error {
	var ee *exitError
	if err == nil || o.run == nil || !errors.Is(o.run.Err(), context.DeadlineExceeded) || (errors.As(err, &ee) && ee.code != 1) {
		return err
	}
	const msg = "the run did not finish within --timeout %s and was stopped: %w"
	switch {
	case ee == nil:
		return fmt.Errorf(msg, o.timeout, err)
	case ee.err == nil:
		return &exitError{code: 1, err: fmt.Errorf("the run did not finish within --timeout %s and was stopped", o.timeout)}
	}
	return &exitError{code: 1, err: fmt.Errorf(msg, o.timeout, ee.err)}
}
