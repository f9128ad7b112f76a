package gitfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/util"
	"github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/internal/gitop"
	"github.com/prodaccess/prodaccess/internal/gittree"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/reconciler"
	"github.com/prodaccess/prodaccess/render"
	"github.com/prodaccess/prodaccess/secrets"
)

// SyncBranch is the one branch prodaccess pushes to in a target repository.
const SyncBranch = "prodaccess/sync"

// RecordBranch is the one branch prodaccess pushes to in a repository of
// records of manual targets: its pull request is the ticket for the work
// done by hand, apart from any pull request that changes access itself.
const RecordBranch = "prodaccess/record"

// PullRequests opens, finds, updates and closes pull requests. The GitHub
// provider implements it; repo is "owner/name".
type PullRequests interface {
	Find(ctx context.Context, repo, head string) (*outcome.PullRequest, error)
	Create(ctx context.Context, repo, base, head, title, body string) (*outcome.PullRequest, error)
	Update(ctx context.Context, repo string, number int, title, body string) error
	Close(ctx context.Context, repo string, number int) error
	// RequestReviewers asks people (logins) and teams (slugs of the
	// repository owner's teams) to review a pull request.
	RequestReviewers(ctx context.Context, repo string, number int, logins, teams []string) error
}

// Options configure a repository provider.
type Options struct {
	// Token is the GitHub token, kept out of every error. The repository
	// attaches no credentials itself: the program's git transport does,
	// by each request's host (the token only to the configured GitHub's).
	Token        string
	PullRequests PullRequests // nil: push the branch only
	// Author returns the login of the account prodaccess runs as on
	// GitHub: an open pull request from its branch is updated in place,
	// or closed, only when that account opened it. Without it, no pull
	// request that exists is adopted.
	Author func(ctx context.Context) (string, error)
	Now    func() time.Time
	// Timeout bounds each git operation (a clone, a fetch, a push);
	// zero means the context's (gitop.Timeout), by default
	// DefaultGitTimeout.
	Timeout time.Duration
}

// DefaultGitTimeout bounds one git operation with a target repository.
const DefaultGitTimeout = gitop.DefaultTimeout

// gitOp runs one git operation under its own deadline, so that a host
// that accepts the connection and never answers fails the operation
// rather than holding the run.
func (r *Repo) gitOp(ctx context.Context, op func(ctx context.Context) error) error {
	return gitop.Run(ctx, r.opts.Timeout, op)
}

// Repo is the provider for every file target in one git repository, or
// for every record of a manual target in one. It opens one pull request
// for all of them.
type Repo struct {
	url        string // as configured
	branch     string
	githubRepo string
	head       string // the branch of the pull request: SyncBranch or RecordBranch
	record     bool   // the targets are records of manual targets
	targets    []*config.Target
	opts       Options

	// What Read found, for Apply.
	repo     *git.Repository
	base     *object.Commit
	sync     *object.Commit // the current sync branch, if any
	pr       *outcome.PullRequest
	contents map[string][]byte // target name → file content at base
	// unread are the targets whose file could not be read: nothing of
	// theirs changes, and what the open pull request already changes in
	// their file stays.
	unread map[string]bool
	// subContents are, for gpg-id targets, the content at base of each
	// sub-store's .gpg-id: target name → folder → content.
	subContents map[string]map[string][]byte
	// branchHead is where the next commit of a branch of batches goes
	// (CommitBatch); nil: on the base.
	branchHead *object.Commit
}

var _ reconciler.Provider = (*Repo)(nil)

// NewRepos groups the file targets by repository and returns a provider
// for each; the records of manual targets likewise, apart from the file
// targets. Targets in one repository must share a base branch, since one
// pull request carries all their changes.
func NewRepos(targets []*config.Target, opts Options) ([]*Repo, error) {
	var out []*Repo
	byURL := map[string]*Repo{}
	for _, t := range targets {
		key, head := t.Repo, SyncBranch
		switch {
		case t.Type == model.FileTarget:
		case t.Type == model.Manual && t.Record != nil:
			t = recordView(t)
			key, head = "record "+t.Repo, RecordBranch
		default:
			continue
		}
		r := byURL[key]
		if r == nil {
			r = &Repo{url: t.Repo, branch: t.Branch, githubRepo: t.GitHubRepo, head: head, record: head == RecordBranch, opts: opts}
			byURL[key] = r
			out = append(out, r)
		}
		if r.branch != t.Branch {
			return nil, fmt.Errorf("targets %s and %s are in the same repository %s on different branches (%s, %s); prodaccess opens one pull request per repository, so give them one base branch",
				r.targets[0].Name, t.Name, config.RedactURL(t.Repo), r.branch, t.Branch)
		}
		if t.GitHubRepo != "" && r.githubRepo != "" && t.GitHubRepo != r.githubRepo {
			return nil, fmt.Errorf("targets %s and %s name different github_repo for the same repository %s", r.targets[0].Name, t.Name, config.RedactURL(t.Repo))
		}
		if r.githubRepo == "" {
			r.githubRepo = t.GitHubRepo
		}
		r.targets = append(r.targets, t)
	}
	return out, nil
}

// recordView is a manual target's record seen as a file target: the
// record's place, in the lines format. Its type stays manual, so that it
// holds email addresses compared without regard to case.
func recordView(t *config.Target) *config.Target {
	v := *t
	v.Repo, v.GitHubRepo, v.Branch, v.Path, v.Format = t.Record.Repo, t.Record.GitHubRepo, t.Record.Branch, t.Record.Path, config.Lines
	return &v
}

// Targets names the targets in this repository.
func (r *Repo) Targets() []string {
	names := make([]string, len(r.targets))
	for i, t := range r.targets {
		names[i] = t.Name
	}
	return names
}

// UseAuthor sets Options.Author of a repository made without it.
func (r *Repo) UseAuthor(login func(ctx context.Context) (string, error)) { r.opts.Author = login }

// checkAuthor refuses a pull request from head that the account
// prodaccess runs as did not open (see reconciler.CheckAuthor).
func (r *Repo) checkAuthor(ctx context.Context, pr *outcome.PullRequest, head string) error {
	return reconciler.CheckAuthor(ctx, r.opts.Author, pr, head)
}

// Mode is Proposed: changes become access when the pull request is merged.
func (r *Repo) Mode() reconciler.Mode { return reconciler.Proposed }

// Read clones the repository into memory and reads each target's file on
// the base branch, and the open pull request if there is one.
func (r *Repo) Read(ctx context.Context) ([]outcome.TargetState, error) {
	r.repo, r.pr = nil, nil
	repo, head, err := r.clone(ctx)
	if err != nil {
		return nil, err
	}
	r.repo = repo
	if r.base, err = repo.CommitObject(head); err != nil {
		return nil, fmt.Errorf("%s: read the head of %s: %w", r.display(), r.branch, err)
	}
	if r.sync, err = r.fetchSync(ctx); err != nil {
		return nil, err
	}
	tree, err := r.base.Tree()
	if err != nil {
		return nil, fmt.Errorf("%s: read the tree of %s: %w", r.display(), r.branch, err)
	}
	if r.githubRepo != "" && r.opts.PullRequests != nil {
		// The pull request is taken for prodaccess's own only once its
		// author is checked: a repository whose read failed has none.
		pr, err := r.opts.PullRequests.Find(ctx, r.githubRepo, r.head)
		if err != nil {
			return nil, fmt.Errorf("find the open pull request of %s in %s: %w", r.head, r.githubRepo, err)
		}
		if pr != nil {
			if err := r.checkAuthor(ctx, pr, r.head); err != nil {
				return nil, err
			}
		}
		r.pr = pr
	}
	r.contents = map[string][]byte{}
	r.subContents = map[string]map[string][]byte{}
	var states []outcome.TargetState
	// A file that cannot be read fails its own target only: the other
	// files of the repository are changed as planned, and that one not.
	failed := reconciler.TargetErrors{}
	defer func() {
		r.unread = map[string]bool{}
		for t := range failed {
			r.unread[t] = true
		}
	}()
	for _, t := range r.targets {
		f, err := tree.File(t.Path)
		if err != nil {
			failed[t.Name] = fmt.Errorf("target %s: read %s from %s (%s): %w", t.Name, t.Path, r.display(), r.branch, err)
			continue
		}
		content, err := gittree.ReadBlob(tree, t.Path)
		if err != nil {
			failed[t.Name] = fmt.Errorf("target %s: read %s: %w", t.Name, t.Path, err)
			continue
		}
		ft, err := formatFor(t)
		if err != nil {
			failed[t.Name] = err
			continue
		}
		entries, err := readEntries(ft, content)
		if err != nil {
			failed[t.Name] = fmt.Errorf("target %s: %s: %w", t.Name, t.Path, err)
			continue
		}
		r.contents[t.Name] = content
		st := outcome.TargetState{Target: t.Name, Entries: entries, Version: "blob " + f.Hash.String()}
		if st.Secrets, err = r.scanSecrets(tree, t); err != nil {
			failed[t.Name] = err
			continue
		}
		if st.SubStores, err = r.readSubStores(tree, t, ft); err != nil {
			failed[t.Name] = err
			continue
		}
		if r.pr != nil {
			st.PullRequest = r.pr.URL
		} else if r.sync != nil {
			st.PullRequest = "branch " + r.head
		}
		st.Proposed = r.proposal(t, ft)
		states = append(states, st)
	}
	if len(failed) > 0 {
		return states, failed
	}
	return states, nil
}

// proposal is what the branch of the open pull request changes in target
// t once merged: the entries it adds and removes, compared with the
// commit it was made from (a pull request's changes are what its branch
// changes, whatever the base holds now). It is nil when there is no such
// pull request, or when the pull request machinery is in use and the
// branch has none (apply would open one); a branch whose file cannot be
// read proposes nothing, so that its changes are to do.
func (r *Repo) proposal(t *config.Target, ft format) *outcome.ProposedChanges {
	withPRs := r.githubRepo != "" && r.opts.PullRequests != nil
	if r.sync == nil || (withPRs && r.pr == nil) {
		return nil
	}
	if len(r.sync.ParentHashes) != 1 {
		return nil
	}
	read := func(c *object.Commit) ([]outcome.Entry, bool) {
		tree, err := c.Tree()
		if err != nil {
			return nil, false
		}
		content, err := gittree.ReadBlob(tree, t.Path)
		if err != nil {
			return nil, false
		}
		entries, err := readEntries(ft, content)
		return entries, err == nil
	}
	parent, err := r.repo.CommitObject(r.sync.ParentHashes[0])
	if err != nil {
		return nil
	}
	before, ok := read(parent)
	if !ok {
		return nil
	}
	after, ok := read(r.sync)
	if !ok {
		return nil
	}
	// Times in UTC, so that a saved plan read back compares equal.
	p := &outcome.ProposedChanges{Branch: r.head, Since: r.sync.Committer.When.UTC(), Adds: []string{}, Removes: []string{}}
	if r.pr != nil {
		p.PullRequest, p.Since = r.pr, r.pr.Opened.UTC()
	}
	keys := func(entries []outcome.Entry) map[string]bool {
		m := make(map[string]bool, len(entries))
		for _, e := range entries {
			m[t.SubjectKey(e.Subject)] = true
		}
		return m
	}
	compare := func(before, after []outcome.Entry) (adds, removes []string) {
		adds, removes = []string{}, []string{}
		had, has := keys(before), keys(after)
		for _, e := range after {
			if !had[t.SubjectKey(e.Subject)] {
				adds = append(adds, e.Subject)
			}
		}
		for _, e := range before {
			if !has[t.SubjectKey(e.Subject)] {
				removes = append(removes, e.Subject)
			}
		}
		return adds, removes
	}
	p.Adds, p.Removes = compare(before, after)
	for dir := range r.subContents[t.Name] {
		readSub := func(c *object.Commit) []outcome.Entry {
			tree, err := c.Tree()
			if err != nil {
				return nil
			}
			content, err := gittree.ReadBlob(tree, dir+"/.gpg-id")
			if err != nil {
				return nil
			}
			entries, _ := readEntries(ft, content)
			return entries
		}
		adds, removes := compare(readSub(parent), readSub(r.sync))
		if len(adds)+len(removes) > 0 {
			if p.SubStores == nil {
				p.SubStores = map[string]*outcome.StoreChanges{}
			}
			p.SubStores[dir] = &outcome.StoreChanges{Adds: adds, Removes: removes}
		}
	}
	return p
}

// readSubStores reads the .gpg-id of each sub-store of a gpg-id target,
// and keeps their contents for Apply.
func (r *Repo) readSubStores(tree *object.Tree, t *config.Target, ft format) ([]outcome.SubStore, error) {
	dirs, err := secrets.SubStoreDirs(gittree.New(tree), t)
	if err != nil {
		return nil, fmt.Errorf("target %s: find its sub-stores in %s (%s): %w", t.Name, r.display(), r.branch, err)
	}
	var out []outcome.SubStore
	for _, dir := range dirs {
		name := dir + "/.gpg-id"
		content, err := gittree.ReadBlob(tree, name)
		if err != nil {
			return nil, fmt.Errorf("target %s: read the sub-store %s: %w", t.Name, name, err)
		}
		entries, err := readEntries(ft, content)
		if err != nil {
			return nil, fmt.Errorf("target %s: the sub-store %s: %w", t.Name, name, err)
		}
		if r.subContents[t.Name] == nil {
			r.subContents[t.Name] = map[string][]byte{}
		}
		r.subContents[t.Name][dir] = content
		out = append(out, outcome.SubStore{Path: dir, Entries: entries})
	}
	return out, nil
}

// clone clones the base branch into memory and returns the commit at
// its head.
func (r *Repo) clone(ctx context.Context) (*git.Repository, plumbing.Hash, error) {
	var repo *git.Repository
	err := r.gitOp(ctx, func(ctx context.Context) (err error) {
		repo, err = git.CloneContext(ctx, memory.NewStorage(), memfs.New(), &git.CloneOptions{
			URL:           r.url,
			ReferenceName: plumbing.NewBranchReferenceName(r.branch),
			SingleBranch:  true,
			NoCheckout:    true,
		})
		return err
	})
	if err != nil {
		return nil, plumbing.ZeroHash, fmt.Errorf("clone %s (branch %s): %w", r.display(), r.branch, r.scrub(err))
	}
	head, err := repo.Reference(plumbing.NewRemoteReferenceName("origin", r.branch), true)
	if err != nil {
		return nil, plumbing.ZeroHash, fmt.Errorf("%s: no branch %s: %w", r.display(), r.branch, err)
	}
	return repo, head.Hash(), nil
}

// fetchSync fetches prodaccess's own branch, if it exists.
func (r *Repo) fetchSync(ctx context.Context) (*object.Commit, error) {
	return r.fetchBranch(ctx, r.head)
}

// fetchBranch fetches a branch of the repository, if it exists.
func (r *Repo) fetchBranch(ctx context.Context, branch string) (*object.Commit, error) {
	remote := plumbing.NewRemoteReferenceName("origin", branch)
	err := r.gitOp(ctx, func(ctx context.Context) error {
		return r.repo.FetchContext(ctx, &git.FetchOptions{
			RemoteName: "origin",
			RefSpecs:   []gitconfig.RefSpec{gitconfig.RefSpec("+refs/heads/" + branch + ":" + remote.String())},
		})
	})
	var noMatch git.NoMatchingRefSpecError
	switch {
	case errors.As(err, &noMatch):
		return nil, nil
	case err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate):
		return nil, fmt.Errorf("fetch %s from %s: %w", branch, r.display(), r.scrub(err))
	}
	ref, err := r.repo.Reference(remote, true)
	if err != nil {
		return nil, nil
	}
	return r.repo.CommitObject(ref.Hash())
}

// display is the repository's URL fit to print.
func (r *Repo) display() string { return config.RedactURL(r.url) }

// scrub keeps the token out of an error, whatever the transport put in it.
func (r *Repo) scrub(err error) error {
	if r.opts.Token == "" || !strings.Contains(err.Error(), r.opts.Token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), r.opts.Token, "***"))
}

// Apply writes every change into one commit on the sync branch, based on
// the head of the base branch, pushes it if the branch does not already
// hold exactly that, and opens or updates the pull request. With no
// changes it closes the pull request and deletes the branch.
func (r *Repo) Apply(ctx context.Context, plan *outcome.Plan, changes []outcome.Change) []outcome.Result {
	fail := func(err error) []outcome.Result {
		return results(changes, outcome.Failed, err.Error())
	}
	if r.repo == nil {
		return fail(errors.New("the repository was not read before applying"))
	}
	if len(changes) == 0 {
		if len(r.unread) > 0 {
			return nil // the open pull request may hold what the unread targets need
		}
		if err := r.closeAll(ctx); err != nil {
			return []outcome.Result{{Change: outcome.Change{Target: r.targets[0].Name}, Status: outcome.Failed, Detail: err.Error()}}
		}
		return nil
	}
	commit, err := r.commit(plan, changes)
	if err != nil {
		return fail(err)
	}
	upToDate := func() bool {
		return r.sync != nil && r.sync.TreeHash == commit.TreeHash &&
			len(r.sync.ParentHashes) == 1 && r.sync.ParentHashes[0] == r.base.Hash
	}
	pushed := !upToDate()
	for attempt := 1; !upToDate(); attempt++ {
		err := r.push(ctx, gitconfig.RefSpec("+refs/heads/"+r.head+":refs/heads/"+r.head))
		if err == nil {
			break
		}
		// Another run may be pushing the same branch: if it now holds
		// exactly these files, the work is done; if not, push again.
		if r.sync, _ = r.fetchSync(ctx); upToDate() {
			break
		}
		if attempt == 3 {
			return fail(err)
		}
	}
	where := fmt.Sprintf("on branch %s of %s", r.head, r.display())
	var pull *outcome.TargetPull
	if r.githubRepo != "" && r.opts.PullRequests != nil {
		opened := r.pr == nil
		pr, err := r.pullRequest(ctx, plan, changes)
		if err != nil {
			return fail(fmt.Errorf("pushed %s, but: %w", r.head, err))
		}
		where = fmt.Sprintf("in pull request #%d (%s); merge it to apply", pr.Number, pr.URL)
		pull = &outcome.TargetPull{Repo: r.githubRepo, Number: pr.Number, URL: pr.URL}
		if r.record {
			where = fmt.Sprintf("in pull request #%d (%s); do what it lists, then merge it to record the work", pr.Number, pr.URL)
			// The owners are asked when there is new work: a new pull
			// request, or new changes pushed to it.
			if opened || pushed {
				if err := r.requestReview(ctx, pr); err != nil {
					return fail(fmt.Errorf("opened or updated pull request #%d (%s), but could not ask its owners to review it: %w", pr.Number, pr.URL, err))
				}
			}
		}
	}
	out := results(changes, outcome.Pending, where)
	for i := range out {
		out[i].Pull = pull
	}
	return out
}

// requestReview asks the owners of the record targets to review the pull
// request: logins as reviewers, org/team as team reviewers.
func (r *Repo) requestReview(ctx context.Context, pr *outcome.PullRequest) error {
	var logins, teams []string
	for _, t := range r.targets {
		for _, o := range t.Owners {
			if _, team, ok := strings.Cut(o, "/"); ok {
				teams = append(teams, team)
			} else {
				logins = append(logins, o)
			}
		}
	}
	slices.Sort(logins)
	slices.Sort(teams)
	logins, teams = slices.Compact(logins), slices.Compact(teams)
	if len(logins)+len(teams) == 0 {
		return nil
	}
	return r.opts.PullRequests.RequestReviewers(ctx, r.githubRepo, pr.Number, logins, teams)
}

func results(changes []outcome.Change, s outcome.Status, detail string) []outcome.Result {
	out := make([]outcome.Result, len(changes))
	for i, c := range changes {
		out[i] = outcome.Result{Change: c, Status: s, Detail: detail}
	}
	return out
}

// commit builds the new files on a local sync branch from the base head.
func (r *Repo) commit(plan *outcome.Plan, changes []outcome.Change) (*object.Commit, error) {
	files := map[string][]byte{}
	for _, t := range r.targets {
		if r.unread[t.Name] {
			// Its file stays as the open pull request has it, so that a
			// change waiting there is not lost while the file cannot be
			// read.
			if content, ok := r.pending(t); ok {
				files[t.Path] = content
			}
			continue
		}
		byStore := map[string][]outcome.Change{}
		for _, c := range changes {
			if c.Target == t.Name {
				byStore[c.Store] = append(byStore[c.Store], c)
			}
		}
		for store, mine := range byStore {
			path, content := t.Path, r.contents[t.Name]
			if store != "" {
				var ok bool
				if content, ok = r.subContents[t.Name][store]; !ok {
					return nil, fmt.Errorf("target %s: no sub-store %s was read", t.Name, store)
				}
				path = store + "/.gpg-id"
			}
			out, err := rewrite(t, content, mine)
			if err != nil {
				return nil, fmt.Errorf("target %s: %s: %w", t.Name, path, err)
			}
			files[path] = out
		}
	}
	if r.githubRepo != "" && r.opts.PullRequests != nil {
		// The whole description of a pull request too long for GitHub
		// is kept beside the changes, on the branch alone; a description
		// that fits leaves no file behind it.
		p := fullTextPath(r.head)
		if _, body := r.description(plan, changes); !render.BodyFits(body) {
			files[p] = []byte(r.fullText(plan, changes))
		} else if _, err := r.base.File(p); err == nil {
			files[p] = nil
		}
	}
	message := render.CommitMessage(plan, changes)
	if r.record {
		message = render.RecordCommitMessage(plan, changes)
	}
	return r.commitFiles(r.head, files, message)
}

// pending is the file of target t as the open pull request's branch has
// it, when that branch changes it.
func (r *Repo) pending(t *config.Target) ([]byte, bool) {
	if r.sync == nil || len(r.sync.ParentHashes) != 1 {
		return nil, false
	}
	tree, err := r.sync.Tree()
	if err != nil {
		return nil, false
	}
	content, err := gittree.ReadBlob(tree, t.Path)
	if err != nil {
		return nil, false
	}
	if content != nil && string(content) == string(r.contents[t.Name]) {
		return nil, false
	}
	return content, content != nil
}

// commitFiles writes files into one commit on a local branch made from the
// base head; a file whose content is nil is removed.
func (r *Repo) commitFiles(branch string, files map[string][]byte, message string) (*object.Commit, error) {
	return r.commitOn(branch, r.base, files, message)
}

// commitOn writes files into one commit on a local branch, on top of
// parent.
func (r *Repo) commitOn(branch string, parent *object.Commit, files map[string][]byte, message string) (*object.Commit, error) {
	wt, err := r.repo.Worktree()
	if err != nil {
		return nil, err
	}
	ref := plumbing.NewBranchReferenceName(branch)
	if err := r.repo.Storer.SetReference(plumbing.NewHashReference(ref, parent.Hash)); err != nil {
		return nil, err
	}
	if err := wt.Checkout(&git.CheckoutOptions{Branch: ref, Force: true}); err != nil {
		return nil, fmt.Errorf("check out %s at %s: %w", branch, parent.Hash, err)
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if files[name] == nil {
			if _, err := wt.Remove(filepath.ToSlash(name)); err != nil {
				return nil, fmt.Errorf("remove %s: %w", name, err)
			}
			continue
		}
		if err := util.WriteFile(wt.Filesystem, name, files[name], 0o644); err != nil {
			return nil, err
		}
		// Without SkipStatus, go-git works out the status of the whole
		// tree for every file added: a commit of n files of a tree of m
		// would cost n times m.
		if err := wt.AddWithOptions(&git.AddOptions{Path: filepath.ToSlash(name), SkipStatus: true}); err != nil {
			return nil, err
		}
	}
	now := time.Now
	if r.opts.Now != nil {
		now = r.opts.Now
	}
	sig := &object.Signature{Name: "prodaccess", Email: "prodaccess@users.noreply.github.com", When: now()}
	h, err := wt.Commit(message, &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		return nil, fmt.Errorf("commit on %s: %w", branch, err)
	}
	return r.repo.CommitObject(h)
}

func (r *Repo) push(ctx context.Context, spec gitconfig.RefSpec) error {
	if spec.Dst("") == plumbing.NewBranchReferenceName(r.branch) {
		return fmt.Errorf("refusing to push to the base branch %s", r.branch)
	}
	err := r.gitOp(ctx, func(ctx context.Context) error {
		return r.repo.PushContext(ctx, &git.PushOptions{RemoteName: "origin", RefSpecs: []gitconfig.RefSpec{spec}})
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return fmt.Errorf("push %s to %s: %w", spec.Dst("").Short(), r.display(), r.scrub(err))
	}
	return nil
}

// description is the title and the whole body of the pull request.
func (r *Repo) description(plan *outcome.Plan, changes []outcome.Change) (title, body string) {
	if r.record {
		return render.RecordPullRequestTitle(changes), render.RecordPullRequestBody(plan, r.targets, changes)
	}
	return render.PullRequestTitle(r.githubRepo, changes), render.PullRequestBody(plan, r.targets, changes)
}

// fullText is the whole description as kept on the branch when the body
// is cut: the body without the day it was decided for, so that the file,
// and the branch, change only when the changes do.
func (r *Repo) fullText(plan *outcome.Plan, changes []outcome.Change) string {
	if r.record {
		return render.RecordPullRequestText(plan, r.targets, changes)
	}
	return render.PullRequestText(plan, r.targets, changes)
}

// fullTextPath is where the whole description of the pull request from
// head is kept on its branch when its body is cut:
// .prodaccess/sync.md, .prodaccess/record.md.
func fullTextPath(head string) string {
	return config.ProdaccessFolder + "/" + path.Base(head) + ".md"
}

func (r *Repo) pullRequest(ctx context.Context, plan *outcome.Plan, changes []outcome.Change) (*outcome.PullRequest, error) {
	title, body := r.description(plan, changes)
	if r.record && r.pr != nil {
		body = render.CarryTicks(r.pr.Body, body)
	}
	kind, removal, addition := "makes", "removal", "addition"
	if r.record {
		kind, removal, addition = "lists the work to do by hand:", "revocation", "grant"
	}
	body = render.FitBody(body, fmt.Sprintf("This pull request %s %s.", kind, render.ChangesSummary(changes, removal, addition)),
		fmt.Sprintf("The whole description is in `%s` on this pull request's branch (`%s`), a file that changes no access.", fullTextPath(r.head), r.head))
	pr, err := r.proposeChanges(ctx, r.pr, r.head, title, body)
	if pr != nil {
		r.pr = pr
	}
	return pr, err
}

// proposeChanges opens a pull request from head, or updates the open one
// (existing, or one that another run opened meanwhile) to title and body.
func (r *Repo) proposeChanges(ctx context.Context, existing *outcome.PullRequest, head, title, body string) (*outcome.PullRequest, error) {
	pt := &reconciler.PullThreads{API: r.opts.PullRequests, Repository: r.githubRepo, Base: r.branch, Head: head, Last: existing,
		Check: func(ctx context.Context, pr *outcome.PullRequest) error { return r.checkAuthor(ctx, pr, head) }}
	var cur *reconciler.Thread
	if existing != nil {
		cur = reconciler.AsThread(existing)
	}
	t, _, err := reconciler.KeepThread(ctx, pt, cur, title, body)
	pr := pt.Last
	if pr != nil && t != nil {
		pr.Title, pr.Body = t.Title, t.Body
	}
	return pr, err
}

// closeAll closes the pull request and deletes the sync branch, when
// nothing is left to change.
func (r *Repo) closeAll(ctx context.Context) error {
	if r.pr != nil {
		if err := r.opts.PullRequests.Close(ctx, r.githubRepo, r.pr.Number); err != nil {
			return fmt.Errorf("close pull request #%d in %s: %w", r.pr.Number, r.githubRepo, err)
		}
		r.pr = nil
	}
	if r.sync != nil {
		if err := r.push(ctx, gitconfig.RefSpec(":refs/heads/"+r.head)); err != nil {
			return err
		}
		r.sync = nil
	}
	return nil
}

// scanSecrets reads the secrets of a target that holds any. A secret that
// cannot be read is one unreadable secret of the scan, not an error.
func (r *Repo) scanSecrets(tree *object.Tree, t *config.Target) (*outcome.SecretScan, error) {
	if len(t.SecretGlobs()) == 0 {
		return nil, nil
	}
	scan, err := secrets.ScanSecrets(gittree.New(tree), t)
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %w", r.display(), r.branch, err)
	}
	// A key that hides characters names one secret as another: it is
	// read as a problem, never as current, and never re-encrypted.
	for i := range scan.Secrets {
		s := &scan.Secrets[i]
		if msg := model.CheckFreeText(s.Key); s.Key != "" && msg != "" && s.Problem == "" {
			s.Problem = "its key " + msg
		}
	}
	return scan, nil
}

// Files is the repository's tree at the head of the base branch, as Read
// found it.
func (r *Repo) Files() (fs.FS, error) {
	if r.base == nil {
		return nil, errors.New("the repository was not read")
	}
	tree, err := r.base.Tree()
	if err != nil {
		return nil, err
	}
	return gittree.New(tree), nil
}

// Propose commits files on branch, based on the head of the base branch,
// and pushes the branch to the repository it was read from. With
// pullRequest, and a GitHub repository and client, it opens or updates a
// pull request from the branch as file targets do. It returns where the
// change is.
func (r *Repo) Propose(ctx context.Context, branch string, files map[string][]byte, message, title, body string, pullRequest bool) (string, error) {
	r.branchHead = nil
	if err := r.CommitBatch(ctx, branch, files, message); err != nil {
		return "", err
	}
	return r.OpenPullRequest(ctx, branch, title, body, pullRequest)
}

// BaseCommit is the commit at the head of the base branch, as Read found
// it.
func (r *Repo) BaseCommit() string {
	if r.base == nil {
		return ""
	}
	return r.base.Hash.String()
}

// FilesAt is the repository's tree at a commit of its base branch's
// history, as Read cloned it.
func (r *Repo) FilesAt(commit string) (fs.FS, error) {
	if r.repo == nil {
		return nil, errors.New("the repository was not read")
	}
	c, err := r.repo.CommitObject(plumbing.NewHash(commit))
	if err != nil {
		return nil, fmt.Errorf("commit %s is not in the history of %s in %s: %w", model.ShortSHA(commit), r.branch, r.display(), err)
	}
	tree, err := c.Tree()
	if err != nil {
		return nil, err
	}
	return gittree.New(tree), nil
}

// maxResumeCommits bounds how far back Resume looks for the base.
const maxResumeCommits = 10000

// Resume finds branch in the repository and, when it was made from the
// head of the base branch as Read found it (its commits lead back to it,
// one parent each), sets the next CommitBatch on top of it and returns its
// tree and head, so that an interrupted run goes on where it stopped. A
// branch made from an older base is started again from the base, and
// Resume returns nil.
func (r *Repo) Resume(ctx context.Context, branch string) (fs.FS, string, error) {
	if r.repo == nil {
		return nil, "", errors.New("the repository was not read before resuming a branch")
	}
	r.branchHead = nil
	head, err := r.fetchBranch(ctx, branch)
	if err != nil || head == nil {
		return nil, "", err
	}
	c := head
	for range maxResumeCommits {
		if c.Hash == r.base.Hash {
			if head.Hash == r.base.Hash {
				return nil, "", nil
			}
			tree, err := head.Tree()
			if err != nil {
				return nil, "", err
			}
			r.branchHead = head
			return gittree.New(tree), head.Hash.String(), nil
		}
		if len(c.ParentHashes) != 1 {
			return nil, "", nil
		}
		if c, err = r.repo.CommitObject(c.ParentHashes[0]); err != nil {
			return nil, "", nil
		}
	}
	return nil, "", nil
}

// CommitBatch commits files on branch, on top of what the branch holds in
// this run (the base head at first, or the branch Resume found), and
// pushes the branch. Never on the base branch or the branches of plan
// and apply.
func (r *Repo) CommitBatch(ctx context.Context, branch string, files map[string][]byte, message string) error {
	if r.repo == nil {
		return errors.New("the repository was not read before proposing a change")
	}
	if branch == r.branch || branch == SyncBranch || branch == RecordBranch {
		return fmt.Errorf("refusing to commit on %s", branch)
	}
	parent := r.branchHead
	if parent == nil {
		parent = r.base
	}
	c, err := r.commitOn(branch, parent, files, message)
	if err != nil {
		return err
	}
	if err := r.push(ctx, gitconfig.RefSpec("+refs/heads/"+branch+":refs/heads/"+branch)); err != nil {
		return err
	}
	r.branchHead = c
	return nil
}

// OpenPullRequest says where the branch is and, with pullRequest and a
// GitHub repository and client, opens or updates its pull request as file
// targets do.
func (r *Repo) OpenPullRequest(ctx context.Context, branch, title, body string, pullRequest bool) (string, error) {
	where := fmt.Sprintf("branch %s of %s", branch, r.display())
	if !pullRequest || r.githubRepo == "" || r.opts.PullRequests == nil {
		return where, nil
	}
	existing, err := r.opts.PullRequests.Find(ctx, r.githubRepo, branch)
	if err != nil {
		return where, fmt.Errorf("pushed %s, but: find its pull request in %s: %w", where, r.githubRepo, err)
	}
	if existing != nil {
		if err := r.checkAuthor(ctx, existing, branch); err != nil {
			return where, fmt.Errorf("pushed %s, but: %w", where, err)
		}
	}
	pr, err := r.proposeChanges(ctx, existing, branch, title, body)
	if err != nil {
		return where, fmt.Errorf("pushed %s, but: %w", where, err)
	}
	return fmt.Sprintf("pull request #%d (%s), from %s", pr.Number, pr.URL, where), nil
}
