package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/spf13/cobra"

	"github.com/prodaccess/prodaccess/adoption"
	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/peoplerepo"
	"github.com/prodaccess/prodaccess/providers/gitfile"
	"github.com/prodaccess/prodaccess/providers/github"
	"github.com/prodaccess/prodaccess/providers/manual"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/prodaccess/prodaccess/render"
	"github.com/prodaccess/prodaccess/secrets"
)

// adoptFlags are the flags of prodaccess adopt.
type adoptFlags struct {
	dryRun    bool
	out       string
	format    string
	approvers []string
	since     string
	fields    adoption.Fields
	repo      string
	base      string
	branch    string
}

func newAdopt(o *options) *cobra.Command {
	var f adoptFlags
	cmd := &cobra.Command{
		Use:   "adopt",
		Short: "Write a person file for everyone the targets hold today, for an organisation adopting prodaccess",
		Long: `Read every target as it is today (the GitHub team's members with their
profiles, every fingerprint with its comment and, where the keys folder or
the target repository holds the key, its user ids, the puppet usernames, the
AWS users, the records of manual targets) and work out who is who across
them: by email and identity for certain, by full name or username as likely,
by a first name or a username that looks like a name as likeness only. Each
match carries its reasons.

For each person found it writes a person file (an existing one gets only the
identities it lacks), with a held_before_adoption entry that records the
access they hold, so that the first plan removes nobody who is rightly
there. Each entry names a lead (--approver): their approving review of the
pull request is the approval. It prints a report: each person, where they
were found and how sure the match is; the entries it could not place
(machine keys and bots, proposed as keep entries); and the conflicts.

policy.adopted_on must be set in the committed configuration, and the
leads' own files committed, before adopting. It reads the committed files
(HEAD). With --dry-run it prints the report and the files; with --out DIR it
writes the files into DIR; otherwise it commits them on a new branch
(adopt/<day>), pushes it to origin and opens a pull request through GitHub's
API (GITHUB_TOKEN) that asks each approver for a review. Run again once the
pull request is merged, it writes nothing.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return o.adopt(&f) },
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.dryRun, "dry-run", false, "print the report and the files; write nothing")
	fl.StringVar(&f.out, "out", "", "write the files into this folder instead of proposing them")
	fl.StringVar(&f.format, "format", "text", "text, json or yaml: the report as text or as data")
	fl.StringSliceVar(&f.approvers, "approver", nil, "the id of a lead whose approving review approves the entries (repeat it: each entry names the first who is not the person); default: every lead_developer and head_of_technology with a file")
	fl.StringVar(&f.since, "since", "", "the day from which everyone found held their access, YYYY-MM-DD, before policy.adopted_on (default: the day before policy.adopted_on, or today if that is earlier)")
	fl.StringVar(&f.fields.Programme, "programme", "", "the programme written in every new file (govuk, techops or other); without it the files are drafts to complete")
	fl.StringVar(&f.fields.Role, "role", "", "the role written in every new file (developer, lead_developer, sre, head_of_technology or other)")
	fl.StringVar(&f.fields.Employment, "employment", "", "the employment written in every new file (civil_servant or contractor)")
	fl.StringVar(&f.fields.Clearance, "clearance", "", "the clearance written in every new file (none, bpss, ctc, sc or dv)")
	fl.StringVar(&f.repo, "repo", "", "the people repository on GitHub, as owner/name (default: the configuration's people_repo, else origin's, else GITHUB_REPOSITORY)")
	fl.StringVar(&f.base, "base", "", "the branch the pull request goes into (default: the configuration's people_branch)")
	fl.StringVar(&f.branch, "branch", "", "the new branch (default: adopt/<day>)")
	o.timeoutFlag(cmd)
	return cmd
}

// adopt reads the targets, works out who is who, and prints, writes or
// proposes the person files.
func (o *options) adopt(f *adoptFlags) error {
	if err := checkFormat(f.format, "text", "json", "yaml"); err != nil {
		return err
	}
	if f.dryRun && f.out != "" {
		return errors.New("--dry-run and --out: give one")
	}
	ctx, cancel, err := o.runContext()
	if err != nil {
		return err
	}
	defer cancel()
	w, repo, err := o.loadDecisions()
	if err != nil {
		return err
	}
	cfg := w.cfg
	in, err := o.adoptionInput(ctx, w, repo, f)
	if err != nil {
		return err
	}
	res, err := adoption.Adopt(*in)
	if err != nil {
		return err
	}
	for _, warn := range w.warnings {
		fmt.Fprintf(o.stderr, "warning: %s\n", warn)
	}
	out := o.stdout
	if isData(f.format) {
		if err := render.WriteData(o.stdout, f.format, res.Report); err != nil {
			return err
		}
		out = o.stderr // what is done is said apart from the data
	} else if err := render.WriteAdoption(o.stdout, res.Report, cfg); err != nil {
		return err
	}
	switch {
	case len(res.Files) == 0:
		return nil
	case f.dryRun:
		for _, file := range res.Files {
			if file.Before == nil {
				fmt.Fprintf(out, "\n--- %s (new)\n%s", file.Path, file.After)
			} else {
				fmt.Fprintln(out)
				render.WriteDiff(out, file.Path, file.Before, file.After)
			}
		}
		fmt.Fprintln(out, "\nNothing is written (--dry-run).")
		return nil
	case f.out != "":
		if err := os.MkdirAll(f.out, 0o755); err != nil {
			return err
		}
		for _, file := range res.Files {
			if err := os.WriteFile(filepath.Join(f.out, file.ID+".yaml"), file.After, 0o644); err != nil {
				return err
			}
		}
		fmt.Fprintf(out, "\nWrote %d file(s) in %s.\n", len(res.Files), f.out)
		return nil
	}
	return o.proposeAdoption(ctx, w, repo, res, f, out)
}

// adoptionInput reads everything adoption works from: every target that
// can be read, the GitHub profiles of the teams' members, and the public
// keys of the keys folder and the target repositories. A target that
// cannot be read stops the adoption: files written from part of the
// targets would leave out what the rest hold.
func (o *options) adoptionInput(ctx context.Context, w *world, repo *peoplerepo.Repo, f *adoptFlags) (*adoption.Input, error) {
	cfg := w.cfg
	client, err := o.githubClient(cfg)
	if err != nil {
		return nil, err
	}
	targets, err := o.targetProviders(cfg, client)
	if err != nil {
		return nil, err
	}
	// A target's open pull request is read only when it is prodaccess's
	// own, as for plan.
	if err := o.keepOwnPullRequests(cfg, targets); err != nil {
		return nil, err
	}
	all := append(targets, manual.New(pointers(cfg.Targets), nil, ""))
	var providers []reconciler.Provider
	var unread []string
	for _, p := range all {
		if _, ok := p.(*manual.Provider); ok {
			for _, t := range p.Targets() {
				unread = append(unread, fmt.Sprintf("%s: a manual target without a record, so nothing tells who holds it; add %s to the held_before_adoption targets of those who do", t, t))
			}
			continue
		}
		providers = append(providers, p)
	}
	states, failed := reconciler.ReadEach(ctx, providers)
	if len(failed) > 0 {
		var msgs []string
		for _, t := range slices.Sorted(maps.Keys(failed)) {
			msgs = append(msgs, fmt.Sprintf("%s: %v", t, failed[t]))
		}
		return nil, fmt.Errorf("nothing is adopted, because some targets could not be read, and files written from the rest would leave out what they hold:\n  %s", strings.Join(msgs, "\n  "))
	}
	in := &adoption.Input{Config: cfg, Roster: w.roster, Label: strings.TrimSuffix(w.peopleLabel, "/"), Today: w.day, States: states, Unread: unread, Fields: f.fields}
	if in.Profiles, err = o.teamProfiles(ctx, client, cfg, states); err != nil {
		return nil, err
	}
	if in.Keys, err = adoptionKeys(repo, w, o.keysFolder(cfg), providers); err != nil {
		return nil, err
	}
	if in.Since, err = adoptionSince(cfg, w.day, f.since); err != nil {
		return nil, err
	}
	in.Approvers = f.approvers
	if len(in.Approvers) == 0 {
		for _, p := range w.roster.People {
			if p.Role.CanApprove() && w.roster.Valid(p) {
				in.Approvers = append(in.Approvers, p.ID)
			}
		}
	}
	head, err := repo.Head()
	if err != nil {
		return nil, err
	}
	in.ReadFile = func(name string) ([]byte, error) { return fs.ReadFile(head.FS, peoplerepo.RelPath(w.peopleRel, name)) }
	return in, nil
}

// teamProfiles reads the public profile of every member of every team.
func (o *options) teamProfiles(ctx context.Context, client *github.Client, cfg *config.Config, states []outcome.TargetState) (map[string]adoption.Profile, error) {
	var logins []string
	for _, st := range states {
		if t := cfg.Target(st.Target); t != nil && t.Type == model.GitHubTeam {
			for _, e := range st.Entries {
				logins = append(logins, e.Subject)
			}
		}
	}
	if len(logins) == 0 {
		return nil, nil
	}
	profiles, err := client.Profiles(ctx, logins)
	if err != nil {
		return nil, fmt.Errorf("read the GitHub profiles of the teams' members: %w", err)
	}
	out := make(map[string]adoption.Profile, len(profiles))
	for k, p := range profiles {
		out[k] = adoption.Profile{Login: p.Login, ID: p.ID, Name: p.Name, Email: p.Email, Bot: p.Type == "Bot"}
		for _, msg := range p.Problems {
			fmt.Fprintf(o.stderr, "warning: %s\n", msg)
		}
	}
	return out, nil
}

// adoptionKeys reads the public keys committed in the keys folder of the
// people repository and those the target repositories hold, with their
// user ids. A file that holds no key it can read is a warning.
func adoptionKeys(repo *peoplerepo.Repo, w *world, keysDir string, providers []reconciler.Provider) ([]outcome.KeyIdentity, error) {
	var out []outcome.KeyIdentity
	read := func(file string, data []byte) {
		keys, err := secrets.ReadKeyIdentities(file, data)
		if err != nil {
			w.warnings = append(w.warnings, err.Error()+", so its user ids are not used")
			return
		}
		out = append(out, keys...)
	}
	head, err := repo.Head()
	if err != nil {
		return nil, err
	}
	rel, err := repo.Rel(keysDir)
	if err != nil {
		return nil, err
	}
	err = fs.WalkDir(head.FS, rel, func(p string, d fs.DirEntry, err error) error {
		switch {
		case errors.Is(err, fs.ErrNotExist) && p == rel:
			return fs.SkipDir // no keys folder
		case err != nil:
			return err
		case d.IsDir() || !strings.HasSuffix(p, ".asc"):
			return nil
		}
		data, err := fs.ReadFile(head.FS, p)
		if err != nil {
			return err
		}
		read(path.Join(filepath.ToSlash(keysDir), strings.TrimPrefix(p, rel+"/")), data)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the keys in %s: %w", keysDir, err)
	}
	for _, p := range providers {
		r, ok := p.(*gitfile.Repo)
		if !ok {
			continue
		}
		files, skipped, err := r.PublicKeyFiles()
		if err != nil {
			return nil, err
		}
		w.warnings = append(w.warnings, skipped...)
		for _, f := range files {
			read(fmt.Sprintf("%s in the repository of %s", f.Path, strings.Join(r.Targets(), ", ")), f.Data)
		}
	}
	return out, nil
}

// adoptionSince is --since, or the day before policy.adopted_on (today,
// if that is earlier: nobody is recorded as holding access from a day
// still to come).
func adoptionSince(cfg *config.Config, today model.Day, flag string) (model.Day, error) {
	if flag != "" {
		return dayFlag("since", flag)
	}
	if a := cfg.Policy.AdoptedOn; a != nil {
		return min(*a-1, today), nil
	}
	return today, nil
}

// proposeAdoption commits the files on a new branch, pushes it to origin
// and opens a pull request that asks each approver for a review.
func (o *options) proposeAdoption(ctx context.Context, w *world, repo *peoplerepo.Repo, res *adoption.Result, f *adoptFlags, out io.Writer) error {
	cfg := w.cfg
	token := o.getenv("GITHUB_TOKEN")
	if token == "" {
		return errors.New("GITHUB_TOKEN is not set: adopt opens the pull request through GitHub's API (or give --dry-run, or --out DIR)")
	}
	origin, err := repo.Origin(token)
	if err != nil {
		return err
	}
	if origin == nil {
		return errors.New("the people repository has no origin to push the branch to (or give --out DIR)")
	}
	ghRepo := f.repo
	if ghRepo == "" {
		ghRepo = o.peopleGitHubRepo(cfg, origin)
	}
	if _, _, ok := config.SplitGitHubRepo(ghRepo); !ok {
		return fmt.Errorf("the people repository is not known on GitHub (origin is %s): set people_repo in %s, or give --repo owner/name", origin.URL(), o.configPath)
	}
	base, branch := f.base, f.branch
	if base == "" {
		base = cfg.PeopleBranch
	}
	if branch == "" {
		branch = "adopt/" + w.day.String()
	}
	for _, b := range []string{base, branch} {
		if err := config.CheckBranchName(b); err != nil {
			return err
		}
	}
	if branch == base {
		return fmt.Errorf("the new branch cannot be the base branch %s", base)
	}
	name, email := repo.Author(o.getenv)
	if email == "" {
		return errors.New("git config user.email is not set: the commit must say who made it")
	}
	if name == "" {
		name = email
	}
	heads, err := repo.RemoteBranches(ctx, origin)
	if err != nil {
		return err
	}
	switch at, ok := heads[base]; {
	case !ok:
		return fmt.Errorf("origin %s has no branch %s to propose the files to", origin.URL(), base)
	case at != w.commit:
		return fmt.Errorf("HEAD (%s) is not where origin's %s is (%s): bring the checkout up to date (git pull), so that adoption starts from the files as they are", model.ShortSHA(w.commit), base, model.ShortSHA(at))
	}
	if _, ok := heads[branch]; ok {
		return fmt.Errorf("origin already has a branch %s; name another with --branch", branch)
	}
	files := map[string][]byte{}
	for _, file := range res.Files {
		files[peoplerepo.RelPath(w.peopleRel, file.ID+".yaml")] = file.After
	}
	title := fmt.Sprintf("Adopt prodaccess: person files for the access held on %s", w.day)
	message := title + "\n\n" + render.AdoptionSummary(res.Report) + "\n"
	sha, err := repo.CommitFiles(branch, files, message, object.Signature{Name: name, Email: email, When: o.now()})
	if err != nil {
		return err
	}
	if err := repo.PushBranch(ctx, origin, branch, base); err != nil {
		if derr := repo.DeleteBranch(branch); derr != nil {
			err = errors.Join(err, derr)
		}
		return err
	}
	fmt.Fprintf(out, "\nCommitted %d file(s) on branch %s (%s) and pushed it to %s.\n", len(files), branch, model.ShortSHA(sha), origin.URL())
	client, err := o.githubClient(cfg)
	if err != nil {
		return err
	}
	if client == nil {
		return errors.New("GITHUB_TOKEN is not set")
	}
	prs := github.NewPullRequests(client)
	opened, err := prs.Create(ctx, ghRepo, base, branch, title, render.AdoptionPullRequestBody(res.Report, cfg))
	if err != nil {
		return fmt.Errorf("pushed branch %s, but could not open the pull request in %s: %w; open it by hand", branch, ghRepo, err)
	}
	fmt.Fprintf(out, "Opened pull request #%d: %s\n", opened.Number, opened.URL)
	var logins []string
	for _, p := range res.Report.People {
		if p.Held == nil {
			continue
		}
		if a := w.roster.Person(p.Held.ApprovedBy); a != nil && a.GitHub != "" && !slices.ContainsFunc(logins, func(l string) bool { return strings.EqualFold(l, a.GitHub) }) {
			logins = append(logins, a.GitHub)
		}
	}
	slices.Sort(logins)
	if len(logins) > 0 {
		if err := prs.RequestReviewers(ctx, ghRepo, opened.Number, logins, nil); err != nil {
			return fmt.Errorf("opened pull request #%d, but could not ask %s for a review: %w", opened.Number, strings.Join(logins, ", "), err)
		}
		fmt.Fprintf(out, "Asked %s for a review: each approving review approves the entries that name them.\n", strings.Join(logins, ", "))
	}
	return nil
}
