package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"time"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/peoplerepo"
	"github.com/prodaccess/prodaccess/personfile"
	"github.com/prodaccess/prodaccess/providers/gitfile"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/prodaccess/prodaccess/render"
	"github.com/prodaccess/prodaccess/secrets"
	"github.com/spf13/cobra"
)

// auditOptions are the flags of the audit commands.
type auditOptions struct {
	*options
	repo, branch string
}

func newAudit(o *options) *cobra.Command {
	a := &auditOptions{options: o}
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Who had access on any day, and why, from git history alone",
		Long: `Rebuild production access from the git history of the person files: who had
it on a day (audit at), every change and its cause (audit timeline), an
access review (audit review), all three on one HTML page (audit report), and
who a manual target's record says held it (audit record). Everything is read
from git objects on the
branch, never from the working tree. --config and --people are paths inside
the repository.`,
	}
	cmd.PersistentFlags().StringVar(&a.repo, "repo", ".", "the people repository (a clone)")
	cmd.PersistentFlags().StringVar(&a.branch, "branch", "", "the branch to read (default the remote's main: origin/HEAD, origin/main, then main)")
	cmd.AddCommand(newAuditAt(a), newAuditTimeline(a), newAuditReview(a))
	cmd.AddCommand(newAuditReport(a), newAuditRecord(a))
	return cmd
}

// source is the history of the branch, with where the files are in it.
type source struct {
	repo       *peoplerepo.Repo
	history    *peoplerepo.History
	branch     string
	configPath string // in the repository
	peopleDir  string // in the repository
	tipConfig  *config.Config
	tip        string // the commit at the tip of the branch

	runs    map[string]*evidenceRun // the evidence read up to a commit
	noNotes bool                    // there are no notes at all
}

func (a *auditOptions) source() (*source, error) {
	repo, err := peoplerepo.Open(a.repo)
	if err != nil {
		return nil, err
	}
	s := &source{repo: repo, configPath: path.Clean(filepath.ToSlash(a.configPath))}
	// The people folder is where the configuration at the tip says it is.
	tipHash, _, err := repo.Branch(a.branch)
	if err != nil {
		return nil, err
	}
	s.tip = tipHash.String()
	tip, err := repo.Resolve(tipHash.String())
	if err != nil {
		return nil, err
	}
	if s.tipConfig, err = a.configAt(tip, s.configPath); err != nil {
		return nil, err
	}
	s.peopleDir = path.Clean(path.Join(path.Dir(s.configPath), s.tipConfig.People))
	if a.peopleDir != "" {
		s.peopleDir = path.Clean(filepath.ToSlash(a.peopleDir))
	}
	s.history, s.branch, err = repo.History(a.branch, s.peopleDir, s.configPath)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// configAt reads the configuration at a revision: the default policy when
// the file is not there.
func (a *auditOptions) configAt(rev *peoplerepo.Revision, configPath string) (*config.Config, error) {
	data, err := fs.ReadFile(rev.FS, configPath)
	if errors.Is(err, fs.ErrNotExist) {
		return config.DefaultConfig(), nil
	}
	if err != nil {
		return nil, err
	}
	cfg, err := config.ParseConfig(configPath, data)
	if err != nil {
		return nil, fmt.Errorf("the configuration at %s: %w", rev.Commit.Hash, err)
	}
	return cfg, nil
}

// at finds the commit in force at the end of day d and the roster then. A
// commit whose files do not validate was not in force: the last valid
// commit before it is used, as the timeline does.
func (s *source) at(a *auditOptions, d model.Day) (*model.Commit, *model.Roster, error) {
	commits, err := s.history.Commits()
	if err != nil {
		return nil, nil, err
	}
	y, m, dd := d.Time().Date()
	end := time.Date(y, m, dd, 0, 0, 0, 0, s.tipConfig.Location).AddDate(0, 0, 1)
	for i := len(commits) - 1; i >= 0; i-- {
		c := &commits[i]
		if !c.When.Before(end) {
			continue
		}
		rev, err := s.history.Revision(c.SHA)
		if err != nil {
			return nil, nil, err
		}
		cfg, err := a.configAt(rev, s.configPath)
		var problems model.Problems
		if errors.As(err, &problems) {
			fmt.Fprintf(a.stderr, "prodaccess: %s did not validate, so the commit before it is used\n", c)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		sub, err := fs.Sub(rev.FS, s.peopleDir)
		if err != nil {
			return nil, nil, err
		}
		people, err := personfile.LoadPeople(sub, s.peopleDir)
		if err != nil {
			return nil, nil, fmt.Errorf("read the person files at %s: %w", c.SHA, err)
		}
		roster := model.NewRoster(people, cfg.Policy)
		if roster.InvalidCount() > 0 {
			fmt.Fprintf(a.stderr, "prodaccess: %s did not validate, so the commit before it is used\n", c)
			continue
		}
		return c, roster, nil
	}
	return nil, nil, fmt.Errorf("the branch %s has no valid commit at or before %s", s.branch, d)
}

// dayStart is midnight at the start of d in the policy time zone.
func (s *source) dayStart(d model.Day) time.Time {
	y, m, dd := d.Time().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, s.tipConfig.Location)
}

// keyTime is when keys are judged for day d: now, on today; the end of
// the day, on a day past (a key made that day counts, one that expired
// that day does not); its start, on a day to come.
func (s *source) keyTime(now time.Time, d model.Day) time.Time {
	today := model.DayOf(now, s.tipConfig.Location)
	switch {
	case d == today:
		return now
	case d < today:
		return s.dayStart(d + 1).Add(-time.Second)
	}
	return s.dayStart(d)
}

// keysAt checks the public keys committed at a commit, on day d.
func (s *source) keysAt(a *auditOptions, c *model.Commit, r *model.Roster, d model.Day) (map[string]model.KeyCheck, error) {
	rev, err := s.history.Revision(c.SHA)
	if err != nil {
		return nil, err
	}
	dir := path.Clean(path.Join(path.Dir(s.configPath), s.tipConfig.Keys))
	sub, err := fs.Sub(rev.FS, dir)
	if err != nil {
		return nil, nil // no keys folder at that commit
	}
	checks, _, err := secrets.LoadKeys(sub, dir, r.People, s.keyTime(a.now(), d))
	return checks, err
}

func (a *auditOptions) day(s *source, arg string) (model.Day, error) {
	if arg == "" {
		return model.DayOf(a.now(), s.tipConfig.Location), nil
	}
	return model.ParseInstantOrDay(arg, s.tipConfig.Location)
}

// onDay reads the history and the roster in force at the end of a day
// ("" for today).
func (a *auditOptions) onDay(arg string) (*source, model.Day, *model.Commit, *model.Roster, error) {
	s, err := a.source()
	if err != nil {
		return nil, 0, nil, nil, err
	}
	d, err := a.day(s, arg)
	if err != nil {
		return nil, 0, nil, nil, err
	}
	commit, roster, err := s.at(a, d)
	if err != nil {
		return nil, 0, nil, nil, err
	}
	if roster, err = s.auditEvidence(a, commit, roster, d); err != nil {
		return nil, 0, nil, nil, err
	}
	if s.noNotes {
		fmt.Fprintf(a.stderr, "prodaccess: no evidence of approvals in this clone (%s); fetch it with: git fetch origin 'refs/notes/*:refs/notes/*'\n", peoplerepo.NotesRef)
	}
	return s, d, commit, roster, nil
}

func newAuditAt(a *auditOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "at DAY",
		Short: "Everyone who had access on DAY, why, and from which commit",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			_, d, commit, roster, err := a.onDay(args[0])
			if err != nil {
				return err
			}
			decisions := roster.Evaluate(d)
			if isData(format) {
				return render.WriteData(a.stdout, format, render.NewAuditAt(d, commit.SHA, decisions))
			}
			return render.WriteAuditAt(a.stdout, d, commit, decisions)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text, json (the who JSON, plus the commit) or yaml")
	return cmd
}

func newAuditTimeline(a *auditOptions) *cobra.Command {
	var format, from, to string
	cmd := &cobra.Command{
		Use:   "timeline [ID]",
		Short: "Every change of level, for everyone or one person, with its cause",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			s, err := a.source()
			if err != nil {
				return err
			}
			opts := reconciler.TimelineOptions{Branch: s.branch, PeopleLabel: s.peopleDir, ConfigFile: s.configPath, Location: s.tipConfig.Location}
			if opts.EvidenceOf, opts.Authority, err = s.evidence(s.tip); err != nil {
				return err
			}
			if len(args) == 1 {
				opts.Person = args[0]
			}
			if opts.To, err = a.day(s, to); err != nil {
				return fmt.Errorf("--to: %w", err)
			}
			if from != "" {
				f, err := a.day(s, from)
				if err != nil {
					return fmt.Errorf("--from: %w", err)
				}
				opts.From = &f
			}
			t, err := reconciler.BuildTimeline(s.history, opts)
			if err != nil {
				return err
			}
			if err := s.addFindings(&t.Findings, s.tip, opts.Person); err != nil {
				return err
			}
			if isData(format) {
				return render.WriteData(a.stdout, format, t)
			}
			return render.WriteTimeline(a.stdout, t)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "only changes on or after this day, YYYY-MM-DD")
	cmd.Flags().StringVar(&to, "to", "", "the last day, YYYY-MM-DD (default today)")
	cmd.Flags().StringVar(&format, "format", "text", "text, json or yaml")
	return cmd
}

func newAuditReview(a *auditOptions) *cobra.Command {
	var format, at string
	secrets := true
	cmd := &cobra.Command{
		Use:   "review",
		Short: "An access review: everyone with access, the basis, and flags for the reviewer",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := checkFormat(format, "markdown", "csv", "json"); err != nil {
				return err
			}
			s, d, commit, roster, err := a.onDay(at)
			if err != nil {
				return err
			}
			rv, err := s.review(a, d, commit, roster, secrets)
			if err != nil {
				return err
			}
			switch format {
			case "csv":
				return render.WriteReviewCSV(a.stdout, rv)
			case "json", "yaml":
				return render.WriteData(a.stdout, format, rv)
			}
			return render.WriteReviewMarkdown(a.stdout, rv)
		},
	}
	cmd.Flags().StringVar(&at, "at", "", "the day of the review, YYYY-MM-DD (default today)")
	cmd.Flags().BoolVar(&secrets, "secrets", true, "flag people without access who can still read the targets' secrets (reads the target repositories as they are now)")
	cmd.Flags().StringVar(&format, "format", "markdown", "markdown, csv, json or yaml")
	return cmd
}

// review is the access review of day d, from the roster in force then
// (with its evidence), with its findings: the entries in force whose
// approval is not proven, notes that are not evidence, and changes to
// who may approve or to the policy that no lead approved.
func (s *source) review(a *auditOptions, d model.Day, commit *model.Commit, roster *model.Roster, secrets bool) (*model.Review, error) {
	keys, err := s.keysAt(a, commit, roster, d)
	if err != nil {
		return nil, err
	}
	rv := reconciler.Review(roster, d, commit, keys, s.keyTime(a.now(), d))
	if secrets {
		reports, err := a.secretReports(s, commit, roster, d, keys)
		if err != nil {
			return nil, err
		}
		reconciler.FlagSecretReaders(rv, roster, reports)
		reconciler.FlagRotation(rv, roster, reports, s.tipConfig.Secrets.RotateWithinDays)
	}
	rv.Findings = reconciler.EvidenceFindings(roster, reconciler.NeedEvidence(roster, d, 0))
	if err := s.addFindings(&rv.Findings, commit.SHA, ""); err != nil {
		return nil, err
	}
	return rv, nil
}

// addFindings adds the notes read up to commit that are not evidence, and
// the changes to the authority up to it that no lead approved.
func (s *source) addFindings(out *[]model.Finding, commit, person string) error {
	run, err := s.evidenceRun(commit)
	if err != nil {
		return err
	}
	if person != "" {
		return nil
	}
	for _, f := range run.findings() {
		*out = append(*out, model.Finding{Kind: model.FindingNote, Commit: f.Commit, Detail: f.Text()})
	}
	*out = append(*out, reconciler.AuthorityFindings(run.chain, commit)...)
	return nil
}

func newAuditRecord(a *auditOptions) *cobra.Command {
	var format, at string
	cmd := &cobra.Command{
		Use:   "record TARGET",
		Short: "Who a manual target's record says held the access on a day, and which merge recorded it",
		Long: `Read the history of a manual target's record (the file named by its record:
in the configuration at the tip of the people branch) and print who it listed
at the end of the day (default today), each with the commit that put them
there: the merge of the pull request whose work put them there, with its
author and date.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			s, err := a.source()
			if err != nil {
				return err
			}
			t := s.tipConfig.Target(args[0])
			switch {
			case t == nil:
				return fmt.Errorf("no target %q in %s at the tip of %s", args[0], s.configPath, s.branch)
			case t.Record == nil:
				return fmt.Errorf("target %s has no record: only a manual target with record: keeps one", t.Name)
			}
			d, err := a.day(s, at)
			if err != nil {
				return fmt.Errorf("--at: %w", err)
			}
			rt := *t
			rec := *t.Record
			rec.Repo = resolveRepoFrom(filepath.Join(a.repo, filepath.FromSlash(path.Dir(s.configPath))), rec.Repo)
			rt.Record = &rec
			ctx, cancel := a.signalContext()
			defer cancel()
			versions, err := gitfile.RecordHistory(ctx, &rt, a.getenv("GITHUB_TOKEN"))
			if err != nil {
				return err
			}
			held := reconciler.HeldOn(t, versions, d, s.dayStart(d+1))
			if isData(format) {
				return render.WriteData(a.stdout, format, held)
			}
			return render.WriteRecordAt(a.stdout, held)
		},
	}
	cmd.Flags().StringVar(&at, "at", "", "the day, YYYY-MM-DD (default today)")
	cmd.Flags().StringVar(&format, "format", "text", "text, json or yaml")
	return cmd
}
