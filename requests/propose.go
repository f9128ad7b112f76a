package requests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/internal/gittree"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/peoplerepo"
	"github.com/prodaccess/prodaccess/personfile"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/prodaccess/prodaccess/render"
)

// The commands grant, shift, absence, reinstate, leave and person new
// each change one person file. They share this flow: read the files,
// make the edit, load the whole roster with it and refuse what the rules
// would not honour, say what the change does to access, then write the
// file, or (--pr) commit it on a branch of its own, push it and open a
// pull request that asks the approver for their review.

// Flags are the options every command that writes a person file takes.
type Flags struct {
	DryRun    bool     // check the change and print it as a diff; write nothing
	PR        bool     // commit the change on a new branch, push it and open a pull request
	Repo      string   // with PR: the people repository on GitHub, as owner/name
	Base      string   // with PR: the branch the pull request goes into
	Branch    string   // with PR: the new branch
	Reviewers []string // with PR: more GitHub logins to ask for a review
	At        string   // show what the change does to access on this day (--at)
}

// check refuses flags that could never be used, before anything is read,
// written or pushed: a repository that is not owner/name on GitHub (such
// as acme/..), a branch name git would not take or that prodaccess
// refuses (HEAD, refs/heads/main), a reviewer who is no GitHub login.
func (f *Flags) check() error {
	if f.Repo != "" {
		if _, _, ok := config.SplitGitHubRepo(f.Repo); !ok {
			return fmt.Errorf("--repo: %q is not a GitHub owner/name: the owner is a GitHub login, the name letters, digits, '.', '-' and '_' (and not . or ..)", f.Repo)
		}
	}
	for _, b := range []struct{ flag, name string }{{"--base", f.Base}, {"--branch", f.Branch}} {
		if b.name == "" {
			continue
		}
		if err := config.CheckBranchName(b.name); err != nil {
			return fmt.Errorf("%s: %w", b.flag, err)
		}
	}
	for _, l := range f.Reviewers {
		if !model.ValidGitHubLogin(l) {
			return fmt.Errorf("--reviewer: %q is not a GitHub login", l)
		}
	}
	return nil
}

// Env is what a request needs from the command that runs it: where the
// files are, the clock, the environment, and the way to GitHub.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Now            func() time.Time
	// ConfigPath is the configuration file, as messages name it.
	ConfigPath string
	// Command is the command line as it was run, the program first: what
	// to run again with --pr.
	Command []string
	// Anchor is a folder in the people repository: the folder of person
	// files when it is given, else the configuration's folder.
	Anchor string
	// Roster reads the configuration and every person file from the
	// working tree.
	Roster func() (*config.Config, *model.Roster, error)
	// RosterAt reads the configuration and every person file as committed
	// at a revision of the people repository.
	RosterAt func(repo *peoplerepo.Repo, rev string) (*config.Config, *model.Roster, error)
	// PeopleFolder is the folder of person files under a configuration.
	PeopleFolder func(cfg *config.Config) string
	// KeysFolder is the folder of public keys under a configuration.
	KeysFolder func(cfg *config.Config) string
	// WarnInvalid tells the user that people whose files have problems
	// are granted nothing.
	WarnInvalid func(r *model.Roster)
	// Context is the context of a run that talks to origin and GitHub,
	// and how to end it.
	Context func() (context.Context, context.CancelFunc, error)
	// GitHubRepo is the people repository on GitHub (owner/name) under a
	// configuration and origin, or "" when it is not known.
	GitHubRepo func(cfg *config.Config, origin *peoplerepo.Remote) string
	// PullRequests opens pull requests on GitHub under a configuration.
	PullRequests func(cfg *config.Config) (PullRequests, error)
}

// PullRequests opens pull requests and asks for their review. The GitHub
// provider implements it; repo is "owner/name".
type PullRequests interface {
	Create(ctx context.Context, repo, base, head, title, body string) (*outcome.PullRequest, error)
	// Find returns the open pull request from head, a branch of repo,
	// or nil.
	Find(ctx context.Context, repo, head string) (*outcome.PullRequest, error)
	RequestReviewers(ctx context.Context, repo string, number int, logins, teams []string) error
}

// Request is one change to one person file, as a command asks for it.
type Request struct {
	id     string
	edit   *personfile.Edit        // the change to an existing file
	fields []personfile.FieldValue // or the fields of a new file
	key    []byte                  // the armored public key written with a new file, if any
	// preview, if set, is the edit whose effect on access is shown: the
	// entry as it will be once the person has agreed to it.
	preview      *personfile.Edit
	previewTitle string

	title   string   // the pull request's title and the commit's subject
	summary []string // more lines for the commit message
	// day names the branch; days are the days on which to show what the
	// change does.
	day      func(s *state) model.Day
	days     func(s *state) []model.Day
	approver string // the id of the person whose approving review grants it
	// check, if set, returns the reasons to refuse the change, the
	// conditions of the rule its entry answers to, and what is still to
	// do.
	check func(s *state) (refusals []string, conditions []model.Condition, notes []string)
	// prepare, if set, completes the request from the files as they are,
	// before the edit is made; old is nil for a new file.
	prepare func(r *run, old *model.Person) error
}

// nothingToDo is returned by prepare when the file already says what
// the command would write.
type nothingToDo struct{ msg string }

func (n nothingToDo) Error() string { return n.msg }

// state is what a request is checked against.
type state struct {
	cfg           *config.Config
	today         model.Day
	before, after *model.Roster
	old, now      *model.Person // the person before the change (nil for a new file) and after
}

// source is where a command reads what it changes: the working tree, or
// with --pr the commit HEAD points at.
type source struct {
	cfg    *config.Config
	roster *model.Roster
	dir    string               // the people folder on disk
	label  string               // the people folder as messages name it
	repo   *peoplerepo.Repo     // nil when the folder is in no git repository
	head   *peoplerepo.Revision // with --pr: what is read
	rel    string               // the people folder in the repository
	from   string               // what the change is compared with: a commit, or "working tree"
	// base, with --pr, is the branch of origin the files were read from
	// when it is not the one HEAD is on: the branch the change is
	// stacked on.
	base string
}

func (s *source) read(name string) ([]byte, error) {
	if s.head != nil {
		return gittree.ReadBlob(s.head.Tree, peoplerepo.RelPath(s.rel, name))
	}
	return os.ReadFile(filepath.Join(s.dir, name))
}

func (env *Env) source(f *Flags) (*source, error) {
	if !f.PR {
		cfg, roster, err := env.Roster()
		if err != nil {
			return nil, err
		}
		dir := env.PeopleFolder(cfg)
		s := &source{cfg: cfg, roster: roster, dir: dir, label: filepath.ToSlash(dir), from: "working tree"}
		if repo, err := peoplerepo.Open(dir); err == nil {
			s.repo = repo
		}
		return s, nil
	}
	repo, err := peoplerepo.Open(env.Anchor)
	if err != nil {
		return nil, fmt.Errorf("--pr commits in the people repository: %w", err)
	}
	head, err := repo.Head()
	if err != nil {
		return nil, err
	}
	cfg, roster, err := env.RosterAt(repo, "HEAD")
	if err != nil {
		return nil, err
	}
	dir := env.PeopleFolder(cfg)
	rel, err := repo.Rel(dir)
	if err != nil {
		return nil, err
	}
	return &source{cfg: cfg, roster: roster, dir: dir, label: filepath.ToSlash(dir), repo: repo, head: head, rel: rel, from: head.Commit.Hash.String()}, nil
}

// requestBranch is the branch a request for id is proposed on unless
// --branch names another: access/<id>-<day>.
func requestBranch(id string, d model.Day) string {
	return fmt.Sprintf("access/%s-%s", id, d)
}

// isRequestBranch reports whether branch is named as id's requests are.
func isRequestBranch(id, branch string) bool {
	day, ok := strings.CutPrefix(branch, "access/"+id+"-")
	if !ok {
		return false
	}
	d, err := model.ParseDay(day)
	return err == nil && d.String() == day
}

// stack reads, for --pr, the files the change builds on. They are HEAD's,
// unless the pull request goes into another branch than the
// configuration's: --base, or, when the person's file is not on HEAD,
// the person's own request branch on origin, found by its name
// (access/<id>-<day>). So requests for a new person build on one another
// before the first is merged. More than one such branch is refused,
// naming them: --base chooses.
func (env *Env) stack(ctx context.Context, src *source, req *Request, f *Flags) (*source, error) {
	base := f.Base
	if base == "" && (req.fields != nil || src.roster.Person(req.id) != nil) || base == src.cfg.PeopleBranch {
		return src, nil
	}
	remote, err := src.repo.Origin(env.Getenv("GITHUB_TOKEN"))
	switch {
	case err != nil:
		return nil, err
	case remote == nil && base == "":
		return src, nil
	case remote == nil:
		return nil, errors.New("the people repository has no origin to push the branch to")
	}
	heads, err := src.repo.RemoteBranches(ctx, remote)
	if err != nil {
		return nil, err
	}
	if base == "" {
		var mine []string
		for b := range heads {
			if isRequestBranch(req.id, b) {
				mine = append(mine, b)
			}
		}
		slices.Sort(mine)
		switch len(mine) {
		case 0:
			return src, nil
		case 1:
			base = mine[0]
		default:
			return nil, fmt.Errorf("%s is not on %s, and origin has %d request branches for %s: %s; name the one this change builds on with --base BRANCH",
				path.Join(src.label, req.id+".yaml"), src.cfg.PeopleBranch, len(mine), req.id, strings.Join(mine, ", "))
		}
	}
	if _, ok := heads[base]; !ok {
		return nil, fmt.Errorf("origin %s has no branch %s to propose the change to", remote.URL(), base)
	}
	rev, err := src.repo.FetchBranch(ctx, remote, base)
	if err != nil {
		return nil, err
	}
	sha := rev.Commit.Hash.String()
	cfg, roster, err := env.RosterAt(src.repo, sha)
	if err != nil {
		return nil, err
	}
	dir := env.PeopleFolder(cfg)
	rel, err := src.repo.Rel(dir)
	if err != nil {
		return nil, err
	}
	return &source{cfg: cfg, roster: roster, dir: dir, label: filepath.ToSlash(dir), repo: src.repo, head: rev, rel: rel, from: sha, base: base}, nil
}

// run is one request being carried out.
type run struct {
	env   *Env
	flags *Flags
	src   *source
}

// Propose carries out a request: it reads the files, makes the edit,
// loads the whole roster with it and refuses what the rules would not
// honour, says what the change does to access, then writes the file, or
// (with PR) commits it on a branch of its own, pushes it and opens a pull
// request that asks the approver for their review.
func Propose(env *Env, req *Request, f *Flags) error {
	if !model.ValidID(req.id) {
		return fmt.Errorf("%q is not a person id: lower-case letters and digits in words joined by single hyphens", req.id)
	}
	if err := f.check(); err != nil {
		return err
	}
	src, err := env.source(f)
	if err != nil {
		return err
	}
	var ctx context.Context
	if f.PR {
		c, cancel, err := env.Context()
		if err != nil {
			return err
		}
		defer cancel()
		ctx = c
		if src, err = env.stack(ctx, src, req, f); err != nil {
			return err
		}
	}
	env.WarnInvalid(src.roster)
	name := req.id + ".yaml"
	file := path.Join(src.label, name)
	old := src.roster.Person(req.id)
	isNew := req.fields != nil
	switch _, rerr := src.read(name); {
	case isNew && (old != nil || !errors.Is(rerr, fs.ErrNotExist) && !errors.Is(rerr, object.ErrFileNotFound)):
		return fmt.Errorf("%s exists already", file)
	case !isNew && old == nil:
		return src.roster.NoSuch(req.id, src.label)
	case !isNew && !src.roster.Valid(old):
		return fmt.Errorf("%s has problems; fix them before changing it:\n%w", file, src.roster.ProblemsOf(old))
	}
	var key *keyFile
	if req.key != nil {
		if key, err = src.keyFile(env, req); err != nil {
			return err
		}
	}
	if req.prepare != nil {
		var done nothingToDo
		switch err := req.prepare(&run{env: env, flags: f, src: src}, old); {
		case errors.As(err, &done):
			fmt.Fprintln(env.Stdout, done.msg)
			return nil
		case err != nil:
			return err
		}
	}
	var data, out []byte
	if isNew {
		if out, err = personfile.NewPersonFile(file, req.fields); err != nil {
			return refused(err.Error())
		}
	} else {
		if data, err = src.read(name); err != nil {
			return fmt.Errorf("read %s: %w", file, err)
		}
		if out, err = req.edit.Apply(file, data); err != nil {
			return refused(err.Error())
		}
	}
	leftover := false
	if f.PR && src.repo != nil {
		if leftover, err = checkCommitted(src, name, file, out); err != nil {
			return err
		}
		if key != nil {
			if err := key.checkWorking(); err != nil {
				return err
			}
		}
	}
	st := &state{cfg: src.cfg, today: model.DayOf(env.Now(), src.cfg.Location), before: src.roster, old: old}
	st.now, st.after = withFile(src, name, out)
	if len(st.now.Problems) > 0 {
		// The checks below read the file's entries; a file the loader
		// refuses has none to read.
		return refused(st.now.Problems.Error())
	}
	var refusals, notes []string
	var conditions []model.Condition
	if req.check != nil {
		refusals, conditions, notes = req.check(st)
	}
	if len(refusals) == 0 {
		// Whatever else the change would break, in the words of validate.
		refusals = newProblems(st.before, st.after)
	}
	if len(refusals) > 0 {
		return refused(strings.Join(refusals, "\n"))
	}

	var pr *pullRequest
	if f.PR && !f.DryRun {
		if pr, err = env.preparePullRequest(ctx, src, st, req, f); err != nil {
			return err
		}
	}

	// What the change does to access.
	shown := st.after
	if req.preview != nil {
		p, err := req.preview.Apply(file, data)
		if err != nil {
			return err
		}
		_, shown = withFile(src, name, p)
	}
	changes, err := accessChanges(req, st, shown, src.from, f.At)
	if err != nil {
		return err
	}
	w := env.Stdout
	preview := ""
	if req.preview != nil {
		preview = req.previewTitle
	}
	if err := render.WriteRequest(w, req.title, conditions, notes, preview, changes); err != nil {
		return err
	}
	switch {
	case f.DryRun:
		render.WriteDiff(w, file, data, out)
		if key != nil {
			fmt.Fprintf(w, "\nThe public key given (--key-file) would be written to %s.\n", key.label)
		}
		fmt.Fprintln(w, "\nNothing is written (--dry-run).")
		return nil
	case !f.PR:
		if err := writePersonFile(filepath.Join(src.dir, name), out, isNew); err != nil {
			return err
		}
		files := []string{file}
		if key != nil {
			if err := os.MkdirAll(filepath.Dir(key.path), 0o755); err != nil {
				return err
			}
			if err := writePersonFile(key.path, req.key, true); err != nil {
				return err
			}
			files = append(files, key.label)
		}
		env.written(src, files, isNew)
		return nil
	}
	commit := map[string][]byte{peoplerepo.RelPath(src.rel, name): out}
	files := []string{file}
	prop := &render.Proposal{Title: req.title, File: file, Conditions: conditions, Notes: notes, Changes: changes}
	if key != nil {
		commit[key.rel] = req.key
		files = append(files, key.label)
		prop.Key = key.label
	}
	if err := env.openPullRequest(ctx, pr, src, req, strings.Join(files, " and "), commit, prop); err != nil {
		return err
	}
	if leftover {
		fmt.Fprintf(w, "The working tree still holds this change, uncommitted; the branch has it now. Drop it before you next pull, so that the merge can bring it in:\n  %s\n",
			dropCommand(src, files, isNew))
	}
	return nil
}

// written tells the user what was written and the commands that take it
// further from where it is left: how to review it, and how to propose it
// in a pull request instead of committing it by hand.
func (env *Env) written(src *source, files []string, isNew bool) {
	w := env.Stdout
	wrote := strings.Join(files, " and ")
	if src.repo == nil {
		fmt.Fprintf(w, "Wrote %s. It is in no git repository, so nothing is committed.\n", wrote)
		return
	}
	review := render.ShellCommand(append([]string{"git", "diff", "--"}, files...)...)
	if isNew {
		// git diff shows nothing of a file git does not track yet.
		review = render.ShellCommand(append([]string{"git", "add", "--"}, files...)...) + " && " + render.ShellCommand(append([]string{"git", "diff", "--cached", "--"}, files...)...)
	}
	again := slices.Clone(env.Command)
	if !slices.Contains(again, "--pr") {
		again = append(again, "--pr")
	}
	fmt.Fprintf(w, "Wrote %s; nothing is committed. Review it:\n  %s\nThen commit it yourself, or propose it in a pull request of its own (it holds the file as written here):\n  %s\n",
		wrote, review, render.ShellCommand(again...))
}

// dropCommand is the command that takes a file back to what HEAD holds:
// for a new file, removes it.
func dropCommand(src *source, files []string, isNew bool) string {
	switch {
	case !isNew:
		return render.ShellCommand(append([]string{"git", "checkout", "HEAD", "--"}, files...)...)
	case src.repo.Staged(peoplerepo.RelPath(src.rel, path.Base(files[0]))):
		return render.ShellCommand(append([]string{"git", "rm", "-q", "-f", "--"}, files...)...)
	default:
		return render.ShellCommand(append([]string{"rm", "--"}, files...)...)
	}
}

// keyFile is where the public key of a new person goes.
type keyFile struct {
	path  string // on disk
	label string // as messages name it
	rel   string // in the repository, with --pr
	key   []byte
}

// keyFile places the key of a new person in the keys folder, and refuses
// one that is there already: in the working tree, or with --pr where the
// change is read from.
func (s *source) keyFile(env *Env, req *Request) (*keyFile, error) {
	dir := env.KeysFolder(s.cfg)
	name := req.id + ".asc"
	k := &keyFile{path: filepath.Join(dir, name), label: path.Join(filepath.ToSlash(dir), name), key: req.key}
	if s.head == nil {
		if _, err := os.Lstat(k.path); !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s exists already", k.label)
		}
		return k, nil
	}
	rel, err := s.repo.Rel(dir)
	if err != nil {
		return nil, err
	}
	k.rel = peoplerepo.RelPath(rel, name)
	if _, err := gittree.ReadBlob(s.head.Tree, k.rel); err == nil {
		return nil, fmt.Errorf("%s exists already", k.label)
	}
	return k, nil
}

// checkWorking refuses, with --pr, a key in the working tree that is not
// the one given: the pull request would not hold what the user sees.
func (k *keyFile) checkWorking() error {
	working, err := os.ReadFile(k.path)
	if errors.Is(err, fs.ErrNotExist) || err == nil && bytes.Equal(working, k.key) {
		return nil
	}
	return fmt.Errorf("%s is in the working tree and is not the key given; move it away first, so that the pull request holds what you see", k.label)
}

// refused is the error of a change the rules or the loader refuse.
func refused(why string) error {
	return fmt.Errorf("refused; nothing is written:\n  %s", strings.ReplaceAll(why, "\n", "\n  "))
}

// withFile loads the person file name with content out and returns the
// person and the roster with it in place of the old file.
func withFile(src *source, name string, out []byte) (*model.Person, *model.Roster) {
	entry, _ := personfile.PersonEntry(src.label, name, 0)
	now := personfile.ParsePerson(entry, out)
	people := slices.DeleteFunc(slices.Clone(src.roster.People), func(p *model.Person) bool { return p.ID == now.ID })
	return now, model.NewRoster(append(people, now), src.cfg.Policy)
}

// newProblems are the problems of the roster after that it did not have
// before, in any file.
func newProblems(before, after *model.Roster) []string {
	had := map[string]bool{}
	for _, p := range before.Problems() {
		had[p.File+"\x00"+p.Message] = true
	}
	var out []string
	for _, p := range after.Problems() {
		if !had[p.File+"\x00"+p.Message] && !p.Warning {
			out = append(out, p.String())
		}
	}
	return out
}

// checkCommitted refuses to propose a file whose working copy differs
// from what is read (HEAD, or the branch the request stacks on) by
// anything but this very change: the pull request would not hold what
// the user sees. A working copy that holds exactly this change, as
// after the same command without --pr, is proposed as it is; leftover
// says so.
func checkCommitted(src *source, name, file string, out []byte) (leftover bool, err error) {
	changed, err := src.repo.Uncommitted(src.rel)
	if err != nil {
		return false, err
	}
	if !slices.Contains(changed, peoplerepo.RelPath(src.rel, name)) {
		return false, nil
	}
	working, werr := os.ReadFile(filepath.Join(src.dir, name))
	if werr == nil && bytes.Equal(working, out) {
		return true, nil
	}
	read, rerr := src.read(name)
	switch {
	case werr == nil && rerr == nil && bytes.Equal(working, read):
		return false, nil
	case werr != nil && errors.Is(werr, fs.ErrNotExist) && rerr != nil:
		return false, nil
	}
	drop := render.ShellCommand("git", "checkout", "HEAD", "--", file)
	if rerr != nil {
		drop = render.ShellCommand("rm", "--", file)
	}
	return false, fmt.Errorf("%s has uncommitted changes that are not this change; commit them, set them aside (git stash -u) or drop them (%s) first, so that the pull request holds what you see", file, drop)
}

// accessChanges says what the change does to access on each day to show:
// the days it takes effect, or at (--at). Days on which nothing changes
// are left out, unless nothing changes on any.
func accessChanges(req *Request, st *state, shown *model.Roster, from, at string) ([]*outcome.AccessChanges, error) {
	days := req.days(st)
	if at != "" {
		d, err := model.ParseInstantOrDay(at, st.cfg.Location)
		if err != nil {
			return nil, fmt.Errorf("--at: %w", err)
		}
		days = []model.Day{d}
	}
	slices.Sort(days)
	days = slices.Compact(days)
	var all, changed []*outcome.AccessChanges
	for _, d := range days {
		c := reconciler.Changes(
			reconciler.Side{Commit: from, Config: st.cfg, Decisions: st.before.Evaluate(d)},
			reconciler.Side{Commit: "this change", Config: st.cfg, Decisions: shown.Evaluate(d), Problems: shown.Problems()},
			d)
		all = append(all, c)
		if len(c.People) > 0 {
			changed = append(changed, c)
		}
	}
	if len(changed) == 0 {
		return all[:1], nil
	}
	return changed, nil
}

// writePersonFile writes the file in the working tree; a new file must
// not exist.
func writePersonFile(p string, data []byte, create bool) error {
	flags := os.O_WRONLY | os.O_TRUNC
	if create {
		flags = os.O_WRONLY | os.O_CREATE | os.O_EXCL
	}
	f, err := os.OpenFile(p, flags, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// pullRequest is what opening the pull request needs, checked before
// anything is written.
type pullRequest struct {
	token        string
	remote       *peoplerepo.Remote
	repo         string // owner/name on GitHub
	base, branch string
	reviewers    []string // more logins to ask for a review
	author       object.Signature
}

// preparePullRequest checks everything --pr needs before anything is
// written: a token, an origin to push to, the repository on GitHub, who
// is committing, a base branch that origin holds at HEAD, and a new
// branch that does not exist there yet.
func (env *Env) preparePullRequest(ctx context.Context, src *source, st *state, req *Request, f *Flags) (*pullRequest, error) {
	pr := &pullRequest{token: env.Getenv("GITHUB_TOKEN"), repo: f.Repo, base: f.Base, branch: f.Branch, reviewers: f.Reviewers}
	if pr.token == "" {
		return nil, errors.New("GITHUB_TOKEN is not set: --pr opens the pull request through GitHub's API")
	}
	var err error
	if pr.remote, err = src.repo.Origin(pr.token); err != nil {
		return nil, err
	}
	if pr.remote == nil {
		return nil, errors.New("the people repository has no origin to push the branch to")
	}
	if pr.repo == "" {
		pr.repo = env.GitHubRepo(src.cfg, pr.remote)
	}
	if pr.repo == "" {
		return nil, fmt.Errorf("the people repository is not known on GitHub (origin is %s): set people_repo in %s, or give --repo owner/name", pr.remote.URL(), env.ConfigPath)
	}
	if _, _, ok := config.SplitGitHubRepo(pr.repo); !ok {
		return nil, fmt.Errorf("the people repository %q is not a GitHub owner/name", pr.repo)
	}
	if pr.base == "" {
		pr.base = src.base
	}
	if pr.base == "" {
		pr.base = src.cfg.PeopleBranch
	}
	if pr.branch == "" {
		pr.branch = requestBranch(req.id, req.day(st))
	}
	if pr.branch == pr.base {
		return nil, fmt.Errorf("the new branch cannot be the base branch %s", pr.base)
	}
	for _, b := range []string{pr.base, pr.branch} {
		if err := config.CheckBranchName(b); err != nil {
			return nil, err
		}
	}
	name, email := src.repo.Author(env.Getenv)
	if email == "" {
		return nil, errors.New("git config user.email is not set: the commit must say who made it")
	}
	if name == "" {
		name = email
	}
	pr.author = object.Signature{Name: name, Email: email, When: env.Now()}
	heads, err := src.repo.RemoteBranches(ctx, pr.remote)
	if err != nil {
		return nil, err
	}
	switch at, ok := heads[pr.base]; {
	case !ok:
		return nil, fmt.Errorf("origin %s has no branch %s to propose the change to", pr.remote.URL(), pr.base)
	case at != src.from:
		return nil, fmt.Errorf("HEAD (%s) is not where origin's %s is (%s): bring the checkout up to date (git pull), so that the change is checked against the files as they are", src.from[:12], pr.base, at[:min(12, len(at))])
	}
	if _, ok := heads[pr.branch]; ok {
		return nil, fmt.Errorf("origin already has a branch %s; name another with --branch", pr.branch)
	}
	if src.repo.HasBranch(pr.branch) {
		return nil, fmt.Errorf("a branch %s exists already in the people repository; delete it (git branch -D %s) or name another with --branch", pr.branch, pr.branch)
	}
	return pr, nil
}

// openPullRequest commits the file on the new branch, pushes it and
// opens the pull request, asking the approver (and --reviewer) to review.
func (env *Env) openPullRequest(ctx context.Context, pr *pullRequest, src *source, req *Request, file string, commit map[string][]byte, prop *render.Proposal) error {
	w := env.Stdout
	message := req.title + "\n"
	if len(req.summary) > 0 {
		message += "\n" + strings.Join(req.summary, "\n") + "\n"
	}
	sha, err := src.repo.CommitFilesOn(src.head, pr.branch, commit, message, pr.author)
	if err != nil {
		return err
	}
	if err := src.repo.PushBranch(ctx, pr.remote, pr.branch, pr.base); err != nil {
		if derr := src.repo.DeleteBranch(pr.branch); derr != nil {
			err = errors.Join(err, derr)
		}
		return err
	}
	fmt.Fprintf(w, "Committed %s on branch %s (%s) and pushed it to %s.\n", file, pr.branch, sha[:12], pr.remote.URL())

	var logins []string
	approverLogin := ""
	if a := src.roster.Person(req.approver); a != nil && a.GitHub != "" {
		approverLogin = a.GitHub
		logins = append(logins, approverLogin)
	}
	for _, l := range pr.reviewers {
		if !slices.ContainsFunc(logins, func(x string) bool { return strings.EqualFold(x, l) }) {
			logins = append(logins, l)
		}
	}
	for _, c := range prop.Changes {
		c.To = sha
	}
	prs, err := env.PullRequests(src.cfg)
	if err != nil {
		return err
	}
	if src.base != "" {
		under, err := prs.Find(ctx, pr.repo, src.base)
		if err != nil {
			return fmt.Errorf("pushed branch %s, but could not look for the pull request from %s in %s: %w", pr.branch, src.base, pr.repo, err)
		}
		prop.StackedOn, prop.Into = src.base, src.cfg.PeopleBranch
		if under != nil {
			prop.StackedPull = under.Number
		}
	}
	var full bytes.Buffer
	if err := render.WriteProposalBody(&full, prop); err != nil {
		return err
	}
	body := render.FitBody(full.String(), fmt.Sprintf("This pull request changes %s: %s.", file, req.title),
		fmt.Sprintf("`prodaccess changes --from %s --to %s` prints the whole of what it does to access.", pr.base, pr.branch))
	opened, err := prs.Create(ctx, pr.repo, pr.base, pr.branch, req.title, body)
	if err != nil {
		return fmt.Errorf("pushed branch %s, but could not open the pull request in %s: %w; open it by hand", pr.branch, pr.repo, err)
	}
	fmt.Fprintf(w, "Opened pull request #%d: %s\n", opened.Number, opened.URL)
	if prop.StackedOn != "" {
		fmt.Fprintln(w, prop.Stacked())
	}
	if len(logins) > 0 {
		if err := prs.RequestReviewers(ctx, pr.repo, opened.Number, logins, nil); err != nil {
			return fmt.Errorf("opened pull request #%d, but could not ask %s for a review: %w", opened.Number, strings.Join(logins, ", "), err)
		}
		fmt.Fprintf(w, "Asked %s for a review.\n", strings.Join(logins, ", "))
	}
	if req.approver != "" && approverLogin == "" {
		fmt.Fprintf(w, "%s's file gives no GitHub login, so their review could not be requested: ask them to review it.\n", req.approver)
	}
	return nil
}
