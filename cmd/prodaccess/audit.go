package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/peoplerepo"
	"github.com/prodaccess/prodaccess/personfile"
	"github.com/prodaccess/prodaccess/providers/gitfile"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/prodaccess/prodaccess/render"
	"github.com/prodaccess/prodaccess/secrets"
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
	cmd.AddCommand(newAuditReport(a), newAuditRecord(a), newAuditCertify(a))
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
	// files are the configuration and person files of each commit read,
	// which never change; intro the commit that wrote each entry in force
	// at a commit, by commit and entry key.
	files   map[string]*committed
	intro   map[string]map[string]string
	commits []outcome.Commit // the first-parent line, oldest first, once read
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
func (s *source) at(a *auditOptions, d model.Day) (*outcome.Commit, *model.Roster, error) {
	commits, err := s.commitList()
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
		f, err := s.committed(a, c.SHA)
		if err != nil {
			return nil, nil, err
		}
		if f.invalid {
			fmt.Fprintf(a.stderr, "prodaccess: %s did not validate, so the commit before it is used\n", c)
			continue
		}
		return c, model.NewRoster(f.people, f.cfg.Policy), nil
	}
	return nil, nil, fmt.Errorf("the branch %s has no valid commit at or before %s", s.branch, d)
}

// commitList is the branch's first-parent line, oldest first, read once.
func (s *source) commitList() ([]outcome.Commit, error) {
	if s.commits == nil {
		cs, err := s.history.Commits()
		if err != nil {
			return nil, err
		}
		s.commits = cs
	}
	return s.commits, nil
}

// committed is what one commit holds: its configuration and person
// files, and whether they validate.
type committed struct {
	cfg     *config.Config
	people  []*model.Person
	invalid bool
}

// committed reads the configuration and person files of a commit, once.
func (s *source) committed(a *auditOptions, sha string) (*committed, error) {
	if f, ok := s.files[sha]; ok {
		return f, nil
	}
	rev, err := s.history.Revision(sha)
	if err != nil {
		return nil, err
	}
	f := &committed{}
	cfg, err := a.configAt(rev, s.configPath)
	var problems model.Problems
	switch {
	case errors.As(err, &problems):
		f.invalid = true
	case err != nil:
		return nil, err
	default:
		sub, err := fs.Sub(rev.FS, s.peopleDir)
		if err != nil {
			return nil, err
		}
		if f.people, err = personfile.LoadPeople(sub, s.peopleDir); err != nil {
			return nil, fmt.Errorf("read the person files at %s: %w", sha, err)
		}
		f.cfg = cfg
		f.invalid = model.NewRoster(f.people, cfg.Policy).InvalidCount() > 0
	}
	if s.files == nil {
		s.files = map[string]*committed{}
	}
	s.files[sha] = f
	return f, nil
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
func (s *source) keysAt(a *auditOptions, c *outcome.Commit, r *model.Roster, d model.Day) (map[string]model.KeyCheck, error) {
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

// onDay reads the history and the truth of a day ("" for today).
func (a *auditOptions) onDay(arg string) (*source, *dayTruth, error) {
	s, err := a.source()
	if err != nil {
		return nil, nil, err
	}
	d, err := a.day(s, arg)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.truth(a, d)
	if err != nil {
		return nil, nil, err
	}
	s.warnNoNotes(a)
	return s, t, nil
}

// warnNoNotes says so when the clone holds no evidence at all.
func (s *source) warnNoNotes(a *auditOptions) {
	if s.noNotes {
		fmt.Fprintf(a.stderr, "prodaccess: no evidence of approvals in this clone (%s); fetch it with: git fetch origin 'refs/notes/*:refs/notes/*'\n", peoplerepo.NotesRef)
	}
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
			_, t, err := a.onDay(args[0])
			if err != nil {
				return err
			}
			if isData(format) {
				return render.WriteData(a.stdout, format, render.NewAuditAt(t.day, t.commit.SHA, t.decisions, t.differences()))
			}
			return render.WriteAuditAt(a.stdout, t.day, t.commit, t.decisions, t.differences())
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
	var secrets bool
	cmd := &cobra.Command{
		Use:   "review",
		Short: "An access review: everyone with access, the basis, and flags for the reviewer",
		Long: `An access review of a day (default today): everyone with access, the basis,
the evidence of each approval, the latest certification, flags for the
reviewer, the findings, and every removal due in the certification period
(audit.certify_every) up to the day, timed against what apply recorded.
From the people repository alone; --secrets also reads the target
repositories to flag people without access who can still read secrets.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := checkFormat(format, "markdown", "csv", "json"); err != nil {
				return err
			}
			s, t, err := a.onDay(at)
			if err != nil {
				return err
			}
			tl, err := s.timeline(t.day)
			if err != nil {
				return err
			}
			from := model.PeriodOf(s.tipConfig.Audit.CertifyEvery, t.day).Start
			rv, err := s.review(a, t, reviewScope{secrets: secrets, timeline: tl, from: from})
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
	cmd.Flags().BoolVar(&secrets, "secrets", false, "also flag people without access who can still read the targets' secrets (reads the target repositories as they are now)")
	cmd.Flags().StringVar(&format, "format", "markdown", "markdown, csv, json or yaml")
	return cmd
}

// timeline rebuilds the history of the branch up to day to, with the
// evidence recorded, from the first commit.
func (s *source) timeline(to model.Day) (*outcome.Timeline, error) {
	opts := reconciler.TimelineOptions{Branch: s.branch, PeopleLabel: s.peopleDir, ConfigFile: s.configPath, Location: s.tipConfig.Location, To: to}
	var err error
	if opts.EvidenceOf, opts.Authority, err = s.evidence(s.tip); err != nil {
		return nil, err
	}
	return reconciler.BuildTimeline(s.history, opts)
}

// addFindings adds the notes read up to commit that are not evidence, and
// the changes to the authority up to it that no lead approved.
func (s *source) addFindings(out *[]outcome.Finding, commit, person string) error {
	run, err := s.evidenceRun(commit)
	if err != nil {
		return err
	}
	if person != "" {
		return nil
	}
	for _, f := range run.findings() {
		*out = append(*out, outcome.Finding{Kind: outcome.FindingNote, Commit: f.Commit, Detail: f.Text()})
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
