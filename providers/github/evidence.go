package github

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/evidence"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
	"github.com/prodaccess/prodaccess/reconciler"
)

// Evidence looks up, through GitHub's API, how commits of the people
// repository's branch got there: the merged pull requests that hold them,
// their authors, mergers and reviews, and which reviews were made on a
// commit that already held each entry.
type Evidence struct {
	client      *Client
	owner, name string
	branch      string
	peopleDir   string // the people folder in the repository
	label       string // the people folder as messages name it
	configPath  string // the configuration file in the repository
	// local reads a file at a commit from the local clone; found is
	// false when the clone lacks the commit (a squashed pull request's
	// commits, say), and the API is asked instead.
	local func(sha, file string) (data []byte, found bool, err error)
	now   func() time.Time
	// Reviews is the folder of the review files whose rows certify access
	// (see model.CertificationEntry), in the repository.
	Reviews string
}

var _ reconciler.EvidenceSource = (*Evidence)(nil)

// NewEvidence returns the evidence source for the people repository
// (owner/name) and its branch. local reads files of the local clone.
func NewEvidence(c *Client, repo, branch, peopleDir, label, configPath string, local func(sha, file string) ([]byte, bool, error), now func() time.Time) (*Evidence, error) {
	owner, name, ok := config.SplitGitHubRepo(repo)
	if !ok {
		return nil, fmt.Errorf("%q is not a GitHub owner/name", preview(repo))
	}
	return &Evidence{client: c, owner: owner, name: name, branch: branch, peopleDir: peopleDir, label: label, configPath: configPath, local: local, now: now}, nil
}

// CommitEvidence gathers the evidence of one commit: every pull request
// merged into the branch that contains it, with all its reviews and the
// authors of its commits, and, for each entry, the reviews made on a
// commit that held it. A failed read is an error, never missing evidence.
func (e *Evidence) CommitEvidence(ctx context.Context, sha string, entries []model.EntryRef) (*model.CommitEvidence, error) {
	ev, err := e.commitEvidence(ctx, sha, entries)
	return ev, e.client.clean(err)
}

// The checks of the entries of the lists evidence is read from: a list
// with an entry that fails is not read.
func checkPullRequest(pr github.PullRequest) error {
	if pr.GetNumber() <= 0 {
		return fmt.Errorf("GitHub gave a pull request numbered %d", pr.GetNumber())
	}
	return checkAccount(pr.User)
}

func checkReview(r github.PullRequestReview) error {
	if r.GetID() <= 0 {
		return fmt.Errorf("GitHub gave a review with id %d", r.GetID())
	}
	return checkAccount(r.User)
}

func checkCommit(c github.RepositoryCommit) error {
	if err := checkAccount(c.Author); err != nil {
		return err
	}
	return checkAccount(c.Committer)
}

// checkAccount checks a user, if there is one: a commit's author may be
// no GitHub account at all. A GitHub App acts as its bot account,
// name[bot], which opens pull requests (rota sync's, audit certify's,
// adopt's, from a workflow); it is no person's, and no approver's account
// is one, so it approves and agrees to nothing.
func checkAccount(u *github.User) error {
	if u == nil {
		return nil
	}
	if name, ok := strings.CutSuffix(u.GetLogin(), "[bot]"); ok && u.GetType() == "Bot" && u.GetID() > 0 && model.ValidGitHubLogin(name) {
		return nil
	}
	return checkUser(apiUser{Login: u.GetLogin(), ID: u.GetID()})
}

func (e *Evidence) commitEvidence(ctx context.Context, sha string, entries []model.EntryRef) (*model.CommitEvidence, error) {
	ev := &model.CommitEvidence{Version: model.EvidenceVersion, Repository: e.owner + "/" + e.name, Commit: sha, Branch: e.branch, PullRequests: []model.PullRequestFact{}, Entries: []model.EntryEvidence{}, RecordedAt: e.now().UTC().Truncate(time.Second)}
	path, err := apiPath("repos", e.owner, e.name, "commits", sha, "pulls")
	if err != nil {
		return nil, err
	}
	prs, err := listAll(ctx, e.client, path, nil, checkPullRequest)
	if err != nil {
		return nil, fmt.Errorf("list the pull requests of commit %s in %s/%s: %w", sha, e.owner, e.name, err)
	}
	c := newCollector(e, entries)
	for _, listed := range prs {
		if listed.MergedAt == nil || listed.GetBase().GetRef() != e.branch {
			continue
		}
		fact, err := c.pull(ctx, listed.GetNumber())
		if err != nil {
			return nil, err
		}
		ev.PullRequests = append(ev.PullRequests, *fact)
	}
	ev.Entries = c.entries(ev.PullRequests)
	return ev, nil
}

// PullEvidence gathers what a pull request, merged or not, shows of the
// approval of entries it writes: the evidence its merge would have. The
// validate workflow uses it to say, while the pull request is open,
// whose approving review each new entry still needs.
func (e *Evidence) PullEvidence(ctx context.Context, number int, entries []model.EntryRef) (*model.CommitEvidence, error) {
	c := newCollector(e, entries)
	fact, err := c.pull(ctx, number)
	if err != nil {
		return nil, e.client.clean(err)
	}
	return &model.CommitEvidence{Version: model.EvidenceVersion, Repository: e.owner + "/" + e.name, Commit: fact.Head, Branch: fact.Base, PullRequests: []model.PullRequestFact{*fact},
		Entries: c.entries([]model.PullRequestFact{*fact}), RecordedAt: e.now().UTC().Truncate(time.Second)}, nil
}

// collector reads pull requests for the evidence of some entries,
// remembering which entries each reviewed commit held.
type collector struct {
	e       *Evidence
	list    []model.EntryRef
	onEntry []map[int64]bool           // by entry: the reviews made on a commit that held it
	held    map[string]map[string]bool // commit → keys of the entries it held
}

func newCollector(e *Evidence, entries []model.EntryRef) *collector {
	c := &collector{e: e, list: entries, onEntry: make([]map[int64]bool, len(entries)), held: map[string]map[string]bool{}}
	for i := range c.onEntry {
		c.onEntry[i] = map[int64]bool{}
	}
	return c
}

// pull reads one pull request: itself, all its reviews, and its commits.
func (c *collector) pull(ctx context.Context, n int) (*model.PullRequestFact, error) {
	e := c.e
	pr, _, err := e.client.gh.PullRequests.Get(ctx, e.owner, e.name, n)
	if err != nil {
		return nil, fmt.Errorf("read pull request #%d of %s/%s: %w", n, e.owner, e.name, err)
	}
	if err := checkPullRequest(*pr); err != nil {
		return nil, fmt.Errorf("read pull request #%d of %s/%s: %w", n, e.owner, e.name, err)
	}
	fact := &model.PullRequestFact{
		Number: n, URL: pr.GetHTMLURL(), Title: pr.GetTitle(), Author: account(pr.GetUser()),
		MergeCommit: pr.GetMergeCommitSHA(), Base: pr.GetBase().GetRef(), Head: pr.GetHead().GetSHA(), Reviews: []model.ReviewFact{}, SignedBy: []model.Account{},
	}
	if pr.MergedBy != nil {
		a := account(pr.MergedBy)
		fact.MergedBy = &a
	}
	if pr.MergedAt != nil {
		t := pr.MergedAt.UTC()
		fact.MergedAt = &t
	}
	pull, err := apiPath("repos", e.owner, e.name, "pulls", strconv.Itoa(n))
	if err != nil {
		return nil, err
	}
	reviews, err := listAll(ctx, e.client, pull+"/reviews", nil, checkReview)
	if err != nil {
		return nil, fmt.Errorf("list the reviews of pull request #%d of %s/%s: %w", n, e.owner, e.name, err)
	}
	for _, r := range reviews {
		rf := model.ReviewFact{ID: r.GetID(), User: account(r.GetUser()), State: r.GetState(), CommitID: r.GetCommitID()}
		if r.SubmittedAt != nil {
			rf.SubmittedAt = r.SubmittedAt.UTC()
		}
		fact.Reviews = append(fact.Reviews, rf)
		if rf.State != model.ReviewApproved || rf.CommitID == "" {
			continue
		}
		keys, ok := c.held[rf.CommitID]
		if !ok {
			if keys, err = e.entriesAt(ctx, rf.CommitID, c.list); err != nil {
				return nil, err
			}
			c.held[rf.CommitID] = keys
		}
		for i, en := range c.list {
			if keys[en.Key()] {
				c.onEntry[i][rf.ID] = true
			}
		}
	}
	commits, err := listAll(ctx, e.client, pull+"/commits", nil, checkCommit)
	if err != nil {
		return nil, fmt.Errorf("list the commits of pull request #%d of %s/%s: %w", n, e.owner, e.name, err)
	}
	fact.Commits = len(commits)
	seen := map[int64]bool{}
	for _, cm := range commits {
		// Only a signature GitHub verified ties a commit to an account:
		// it is valid, and made by a key of the committer's account.
		// The author is whatever the pusher typed.
		c := cm.GetCommitter()
		if c == nil || c.GetLogin() == "" || !cm.GetCommit().GetVerification().GetVerified() || seen[c.GetID()] {
			continue
		}
		seen[c.GetID()] = true
		fact.SignedBy = append(fact.SignedBy, account(c))
	}
	return fact, nil
}

// entries says, for each entry, which reviews of the pull requests were
// made on a commit that held it.
func (c *collector) entries(prs []model.PullRequestFact) []model.EntryEvidence {
	out := []model.EntryEvidence{}
	for i, en := range c.list {
		ee := model.EntryEvidence{Entry: en, ReviewsOnEntry: []int64{}}
		for _, pr := range prs {
			for _, r := range pr.Reviews {
				if c.onEntry[i][r.ID] {
					ee.ReviewsOnEntry = append(ee.ReviewsOnEntry, r.ID)
				}
			}
		}
		out = append(out, ee)
	}
	return out
}

// entriesAt returns the keys of the entries, among those asked about,
// that the person files held at a commit.
func (e *Evidence) entriesAt(ctx context.Context, sha string, entries []model.EntryRef) (map[string]bool, error) {
	out := map[string]bool{}
	files := map[string]bool{}
	reviews := map[string]bool{}
	policy := false
	for _, en := range entries {
		switch en.Kind {
		case model.PolicyEntry:
			policy = true
		case model.CertificationEntry:
			reviews[path.Join(e.Reviews, en.Period+".yaml")] = true
		default:
			files[en.Person+".yaml"] = true
		}
	}
	for name := range reviews {
		data, found, err := e.fileAt(ctx, sha, name)
		if err != nil {
			return nil, err
		}
		if !found || data == nil {
			continue
		}
		if c, err := personfile.ParseCertification(name, data); err == nil {
			for _, en := range c.Entries() {
				out[en.Key()] = true
			}
		}
	}
	for name := range files {
		data, found, err := e.fileAt(ctx, sha, path.Join(e.peopleDir, name))
		if err != nil || !found {
			if err != nil {
				return nil, err
			}
			continue // the file did not exist at that commit
		}
		entry, _ := personfile.PersonEntry(e.label, name, 0)
		p := personfile.ParsePerson(entry, data)
		for _, en := range p.AllEntries() {
			out[en.Key()] = true
		}
		if en, ok := evidence.ApproverEntryOf(p); ok {
			out[en.Key()] = true
		}
	}
	if policy {
		data, found, err := e.fileAt(ctx, sha, e.configPath)
		if err != nil {
			return nil, err
		}
		p := model.DefaultPolicy()
		if found {
			c, err := config.ParseConfig(e.configPath, data)
			if err != nil {
				return out, nil // a configuration that does not parse holds no policy
			}
			p = c.Policy
		}
		out[evidence.PolicyEntryOf(p).Key()] = true
	}
	return out, nil
}

// fileAt reads a file at a commit: from the local clone, else through the
// API; found is false when the file did not exist there.
func (e *Evidence) fileAt(ctx context.Context, sha, file string) ([]byte, bool, error) {
	data, found, err := e.local(sha, file)
	if err != nil || found {
		return data, data != nil, err
	}
	content, _, resp, err := e.client.gh.Repositories.GetContents(ctx, e.owner, e.name, file, &github.RepositoryContentGetOptions{Ref: sha})
	switch {
	case resp != nil && resp.StatusCode == 404:
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("read %s at %s from %s/%s: %w", file, sha, e.owner, e.name, err)
	case content == nil:
		return nil, false, fmt.Errorf("read %s at %s from %s/%s: not a file", file, sha, e.owner, e.name)
	}
	text, err := content.GetContent()
	if err != nil {
		return nil, false, fmt.Errorf("read %s at %s from %s/%s: %w", file, sha, e.owner, e.name, err)
	}
	return []byte(text), true, nil
}

func account(u *github.User) model.Account {
	return model.Account{Login: u.GetLogin(), ID: u.GetID()}
}
