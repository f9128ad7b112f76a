package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/internal/gittree"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/peoplerepo"
	"github.com/prodaccess/prodaccess/providers/gitfile"
	"github.com/prodaccess/prodaccess/providers/github"
	"github.com/prodaccess/prodaccess/providers/manual"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/prodaccess/prodaccess/secrets"
)

// world is everything plan and apply work from: the configuration and
// people as committed, the decisions for the day, and the providers.
type world struct {
	cfg       *config.Config
	day       model.Day
	commit    string
	decisions []model.Decision
	now       time.Time // when the world was read: waits are counted to it
	keys      map[string]model.KeyCheck
	providers []reconciler.Provider
	warnings  []string
	// keyWarnings are keys about to expire, for the plan and pull requests.
	keyWarnings []string

	roster      *model.Roster
	peopleRel   string           // the people folder in the people repository
	peopleLabel string           // the people folder as messages name it
	ring        *secrets.KeyRing // the keys that tell who can read secrets

	evidence *evidenceState // nil when policy.evidence is off
	// grantsRefused are why nothing may be granted now (see
	// model.Plan.GrantsRefused).
	grantsRefused []string
	// failures are inputs that could not be read (see model.Plan.Failures).
	failures []string
	// failed are the targets that could not be read, and why.
	failed map[string]error
	// reads are the reads of the targets, begun while the person files
	// loaded.
	reads *earlyReads
}

// loadWorld reads the configuration and the person files from the commit
// at HEAD of the repository that holds them (never from the working tree),
// decides everyone's level on day, and wires a provider for every target.
// The targets that do not depend on the person files (teams, files) are
// read from the moment the configuration is known, while the person files
// load: nothing waits for the parse. If the load fails, those reads are
// stopped, and no plan is made.
func (o *options) loadWorld(ctx context.Context) (*world, error) {
	w, repo, head, err := o.openWorld()
	if err != nil {
		return nil, err
	}
	cfg, rel, dir := w.cfg, w.peopleRel, o.peopleFolder(w.cfg)
	client, err := o.githubClient(cfg)
	if err != nil {
		return nil, err
	}
	targets, err := o.targetProviders(cfg, client)
	if err != nil {
		return nil, err
	}
	if err := o.keepOwnPullRequests(cfg, targets); err != nil {
		return nil, err
	}
	w.reads = startReads(ctx, targets)
	fail := func(err error) (*world, error) {
		w.reads.stop()
		return nil, err
	}
	if err := o.loadPeople(repo, head, w, func() { o.readAuthority(repo, w) }); err != nil {
		return fail(err)
	}
	if err := o.gatherEvidence(ctx, w, repo, client); err != nil {
		return fail(fmt.Errorf("nothing was planned, because a read failed:\n%w", err))
	}
	held, version, err := o.manualHeld(repo, rel, filepath.ToSlash(dir), w)
	if err != nil {
		return fail(err)
	}
	w.providers = append(targets, manual.New(pointers(cfg.Targets), held, version))
	return w, nil
}

// githubClient is the client of GitHub's API, authenticated with
// GITHUB_TOKEN; nil without a token, which is an error only when a team
// must be read.
func (o *options) githubClient(cfg *config.Config) (*github.Client, error) {
	token := o.getenv("GITHUB_TOKEN")
	if token == "" {
		for _, t := range cfg.Targets {
			if t.Type == model.GitHubTeam {
				return nil, fmt.Errorf("GITHUB_TOKEN is not set; it is needed to read team %s/%s", t.Org, t.Team)
			}
		}
		return nil, nil
	}
	return github.NewClient(o.getenv("GITHUB_API_URL"), token, github.ClientOptions{Transport: o.sharedTransport()})
}

// manualHeld works out what each manual target without a record is taken
// to hold: what the
// person files committed before each of the last midnights entitled
// people to at the end of that day (see reconciler.ManualHeld). Only
// manual targets need the history; without them nothing is read.
func (o *options) manualHeld(repo *peoplerepo.Repo, rel, label string, w *world) (map[string][]outcome.Entry, string, error) {
	var targets []*config.Target
	for i := range w.cfg.Targets {
		if t := &w.cfg.Targets[i]; t.Type == model.Manual && t.Record == nil {
			targets = append(targets, t)
		}
	}
	if len(targets) == 0 {
		return nil, "", nil
	}
	n := w.cfg.Safety.ManualWindowDays
	rosters := map[string]*model.Roster{} // by commit
	window := make([]reconciler.Snapshot, 0, n)
	for k := 1; k <= n; k++ {
		d := w.day - model.Day(k) // the day whose end is looked at
		y, m, dd := (d + 1).Time().Date()
		rev, err := repo.Before(time.Date(y, m, dd, 0, 0, 0, 0, w.cfg.Location))
		if err != nil {
			return nil, "", fmt.Errorf("manual targets list the changes of the last %d days from the history of the person files: %w", n, err)
		}
		s := reconciler.Snapshot{Day: d}
		if rev != nil {
			sha := rev.Commit.Hash.String()
			r := rosters[sha]
			if r == nil {
				if r, err = loadCommitted(repo, rev, rel, label, w.cfg); err != nil {
					return nil, "", fmt.Errorf("read the person files at commit %s, for the manual targets: %w", sha[:12], err)
				}
				rosters[sha] = r
			}
			s.Decisions = r.Evaluate(d)
		}
		window = append(window, s)
	}
	held := map[string][]outcome.Entry{}
	for _, t := range targets {
		held[t.Name] = reconciler.ManualHeld(t, w.decisions, window)
	}
	return held, fmt.Sprintf("entitled at the ends of %s to %s", w.day-model.Day(n), w.day-1), nil
}

// loadDecisions is loadWorld without the providers: the committed
// configuration, person files and keys, and everyone's level on the day.
func (o *options) loadDecisions() (*world, *peoplerepo.Repo, error) {
	w, repo, head, err := o.openWorld()
	if err != nil {
		return nil, nil, err
	}
	if err := o.loadPeople(repo, head, w, nil); err != nil {
		return nil, nil, err
	}
	w.decisions = w.roster.Evaluate(w.day)
	return w, repo, nil
}

// openWorld reads what comes before the person files: the commit at HEAD,
// the committed configuration and the day.
func (o *options) openWorld() (*world, *peoplerepo.Repo, *peoplerepo.Revision, error) {
	w := &world{now: o.now()}
	anchor := filepath.Dir(o.configPath)
	if o.peopleDir != "" {
		anchor = o.peopleDir
	}
	repo, err := peoplerepo.Open(anchor)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("plan and apply read the person files from git: %w", err)
	}
	head, err := repo.Head()
	if err != nil {
		return nil, nil, nil, err
	}
	w.commit = head.Commit.Hash.String()

	cfg, err := o.committedConfig(repo, head, w)
	if err != nil {
		return nil, nil, nil, err
	}
	w.cfg = cfg
	if w.day, err = o.day(cfg); err != nil {
		return nil, nil, nil, err
	}

	dir := o.peopleFolder(cfg)
	rel, err := repo.Rel(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	w.peopleRel, w.peopleLabel = rel, filepath.ToSlash(dir)
	return w, repo, head, nil
}

// loadPeople reads the person files and keys committed at head. It does
// not decide: the evidence decides again (see gatherEvidence), so
// loadDecisions decides, and loadWorld leaves it to the evidence.
//
// The people are checked against each other (model.NewRoster) on another
// processor while this goroutine compares the working copy with HEAD and
// then runs beside, if not nil: both read the repository, whose objects
// are read from one goroutine at a time, and the check reads none.
func (o *options) loadPeople(repo *peoplerepo.Repo, head *peoplerepo.Revision, w *world, beside func()) error {
	// The working copy is compared with HEAD for a warning; its folder is
	// read from disk while the committed files load.
	scanned := make(chan *peoplerepo.FolderScan, 1)
	go func() { scanned <- repo.ScanFolder(w.peopleRel) }()
	people, err := repo.People(head, w.peopleRel, w.peopleLabel)
	if err != nil {
		return fmt.Errorf("read the person files at commit %s: %w", head.Commit.Hash, err)
	}
	checked := make(chan *model.Roster, 1)
	go func(policy model.Policy) { checked <- model.NewRoster(people, policy) }(w.cfg.Policy)
	changed, uncommittedErr := repo.UncommittedIn(<-scanned)
	if beside != nil {
		beside()
	}
	roster := <-checked
	w.roster = roster
	if uncommittedErr == nil && len(changed) > 0 {
		w.warnings = append(w.warnings, fmt.Sprintf("uncommitted changes are ignored, only what is committed counts: %s", strings.Join(changed, ", ")))
	}
	for _, p := range roster.Problems() {
		w.warnings = append(w.warnings, "invalid person file, so nothing is granted to them: "+p.String())
	}
	return o.committedKeys(repo, head, roster, w)
}

// committedKeys checks the public keys committed in the keys folder.
func (o *options) committedKeys(repo *peoplerepo.Repo, head *peoplerepo.Revision, roster *model.Roster, w *world) error {
	dir := o.keysFolder(w.cfg)
	rel, err := repo.Rel(dir)
	if err != nil {
		return err
	}
	sub, err := fs.Sub(head.FS, rel)
	if err != nil {
		return nil // no keys folder: nothing to check
	}
	now := o.keyTime(w.cfg, w.day)
	checks, missing, err := secrets.LoadKeys(sub, filepath.ToSlash(dir), roster.People, now)
	if err != nil {
		return err
	}
	w.keys = checks
	w.warnings = append(w.warnings, missing...)
	var ringWarnings []string
	if w.ring, ringWarnings, err = secretsKeyRing(sub, filepath.ToSlash(dir), roster, w.cfg, now); err != nil {
		return err
	}
	w.warnings = append(w.warnings, ringWarnings...)
	for _, p := range secrets.KeyProblems(checks, now) {
		if p.Warning {
			w.keyWarnings = append(w.keyWarnings, p.String())
		}
	}
	return nil
}

// committedConfig reads the configuration file from the commit, and warns
// if the working copy differs. Without a configuration file, --people alone
// means the default policy and no targets.
func (o *options) committedConfig(repo *peoplerepo.Repo, head *peoplerepo.Revision, w *world) (*config.Config, error) {
	onDisk, diskErr := os.ReadFile(o.configPath)
	rel, err := repo.Rel(o.configPath)
	if err != nil {
		return nil, err
	}
	data, err := gittree.ReadBlob(head.Tree, rel)
	switch {
	case err == nil:
	case errors.Is(diskErr, fs.ErrNotExist) && o.configPath == defaultConfig && o.peopleDir != "":
		return config.DefaultConfig(), nil
	default:
		return nil, fmt.Errorf("%s is not committed at HEAD (%s): plan and apply use only committed configuration", o.configPath, head.Commit.Hash.String()[:12])
	}
	if diskErr == nil && !bytes.Equal(onDisk, data) {
		w.warnings = append(w.warnings, fmt.Sprintf("%s has uncommitted changes; they are ignored", o.configPath))
	}
	cfg, err := config.ParseConfig(o.configPath, data)
	if err != nil {
		return nil, err
	}
	cfg.File = o.configPath
	return cfg, nil
}

func loadCommitted(repo *peoplerepo.Repo, rev *peoplerepo.Revision, rel, label string, cfg *config.Config) (*model.Roster, error) {
	people, err := repo.People(rev, rel, label)
	if err != nil {
		return nil, err
	}
	return model.NewRoster(people, cfg.Policy), nil
}

// targetProviders wires a provider for every target that can be read
// without the person files: teams, files, and manual targets with a
// record. (Manual targets without one are worked out from the person
// files; see manualHeld.)
func (o *options) targetProviders(cfg *config.Config, client *github.Client) ([]reconciler.Provider, error) {
	token := o.getenv("GITHUB_TOKEN")
	var teams, files []*config.Target
	needPRs := false
	for i := range cfg.Targets {
		t := cfg.Targets[i] // a copy: repo paths are resolved below
		switch t.Type {
		case model.GitHubTeam:
			teams = append(teams, &t)
		case model.FileTarget:
			if err := plainHTTP(cfg, &t, "repo", t.Repo, token); err != nil {
				return nil, err
			}
			t.Repo = o.resolveRepo(t.Repo)
			files = append(files, &t)
			needPRs = needPRs || t.GitHubRepo != ""
		case model.Manual:
			if t.Record == nil {
				continue
			}
			r := *t.Record
			if err := plainHTTP(cfg, &t, "record repo", r.Repo, token); err != nil {
				return nil, err
			}
			r.Repo = o.resolveRepo(r.Repo)
			t.Record = &r
			files = append(files, &t)
			needPRs = needPRs || r.GitHubRepo != ""
		}
	}
	var out []reconciler.Provider
	for _, t := range teams {
		out = append(out, github.NewTeam(client, t))
	}
	opts := gitfile.Options{Token: token, Now: o.now}
	if client != nil {
		opts.PullRequests = github.NewPullRequests(client)
	} else if needPRs {
		fmt.Fprintln(o.stderr, "prodaccess: GITHUB_TOKEN is not set: branches are pushed but no pull requests are opened")
	}
	repos, err := gitfile.NewRepos(files, opts)
	if err != nil {
		return nil, err
	}
	for _, r := range repos {
		out = append(out, r)
	}
	return out, nil
}

// plainHTTP refuses a repository URL over plain http while a token is
// set: prodaccess sends credentials only over https.
func plainHTTP(cfg *config.Config, t *config.Target, field, repo, token string) error {
	if token == "" || !strings.HasPrefix(strings.ToLower(repo), "http://") {
		return nil
	}
	return fmt.Errorf("%s:%d:%d: target %s: %s %s is plain http, and GITHUB_TOKEN is set: prodaccess sends credentials only over https; use an https:// URL",
		cfg.File, t.Pos.Line, t.Pos.Col, t.Name, field, config.RedactURL(repo))
}

func pointers(ts []config.Target) []*config.Target {
	out := make([]*config.Target, len(ts))
	for i := range ts {
		out[i] = &ts[i]
	}
	return out
}

// resolveRepo makes a local repository path relative to the configuration
// file's folder; URLs are left alone.
func (o *options) resolveRepo(repo string) string {
	return resolveRepoFrom(filepath.Dir(o.configPath), repo)
}

// resolveRepoFrom makes a local repository path relative to the folder
// base; URLs are left alone.
func resolveRepoFrom(base, repo string) string {
	if strings.Contains(repo, "://") || filepath.IsAbs(repo) {
		return repo
	}
	if at, colon := strings.Index(repo, "@"), strings.Index(repo, ":"); at >= 0 && colon > at {
		return repo // user@host:path
	}
	return filepath.Join(base, repo)
}
