package devstack

import (
	"fmt"
	"strings"
	"time"

	"github.com/prodaccess/prodaccess/internal/fakegithub"
)

// MergeMethod is how GitHub merges a pull request.
type MergeMethod string

// Merge methods.
const (
	MergeCommit MergeMethod = "merge"  // a merge commit on the base branch
	Squash      MergeMethod = "squash" // one new commit with the changes of all
	Rebase      MergeMethod = "rebase" // each commit made again on the base branch
)

// PullCommit is one commit of a pull request: the files it writes (empty
// content deletes a file), by whom.
type PullCommit struct {
	Files   map[string]string
	Message string
	Author  *fakegithub.User
	// Signed makes the commit one its author committed and signed with a
	// key of their account, which GitHub shows as verified.
	Signed bool
}

// Pull is a pull request to make and merge.
type Pull struct {
	Repo     string // owner/name on the stand-in
	Branch   string
	Title    string
	Author   *fakegithub.User
	Commits  []PullCommit
	Method   MergeMethod // "": leave it open, not merged
	MergedBy *fakegithub.User
	When     time.Time // when the first commit is made; the rest follow a minute apart
}

// MergePull makes a pull request the way people do on GitHub, in the git
// repository at dir (on branch main), and tells the stand-in what GitHub
// would know of it: its commits with their authors, and once merged by
// Method, who merged it and the commits it put on main. It returns the
// pull request; add reviews with gh.AddReview on its Commits' SHAs.
func MergePull(dir string, gh *fakegithub.Server, p Pull) (*fakegithub.PullRequest, error) {
	when := p.When
	if when.IsZero() {
		when = time.Now().Add(-time.Hour)
	}
	number := gh.NextNumber(p.Repo)
	if _, err := Git(dir, "checkout", "-q", "-b", p.Branch, "main"); err != nil {
		return nil, err
	}
	pr := &fakegithub.PullRequest{Head: p.Branch, Base: "main", Title: p.Title, Author: p.Author}
	for i, c := range p.Commits {
		if err := CommitAt(dir, c.Files, c.Message, when.Add(time.Duration(i)*time.Minute)); err != nil {
			return nil, err
		}
		sha, err := revParse(dir, "HEAD")
		if err != nil {
			return nil, err
		}
		pc := fakegithub.PullCommit{SHA: sha, Author: c.Author}
		if c.Signed {
			pc.Committer, pc.SignedBy = c.Author, c.Author
		}
		pr.Commits = append(pr.Commits, pc)
	}
	if _, err := Git(dir, "checkout", "-q", "main"); err != nil {
		return nil, err
	}
	mergedAt := when.Add(time.Duration(len(p.Commits)+1) * time.Minute)
	at := func(args ...string) error {
		_, err := GitAt(dir, mergedAt, args...)
		return err
	}
	switch p.Method {
	case "":
		return gh.AddPull(p.Repo, pr), nil
	case MergeCommit:
		if err := at("merge", "-q", "--no-ff", "-m", fmt.Sprintf("Merge pull request #%d from %s", number, p.Branch), p.Branch); err != nil {
			return nil, err
		}
	case Squash:
		if err := at("merge", "-q", "--squash", p.Branch); err != nil {
			return nil, err
		}
		if err := at("commit", "-q", "-m", fmt.Sprintf("%s (#%d)", p.Title, number)); err != nil {
			return nil, err
		}
	case Rebase:
		base, err := revParse(dir, "main")
		if err != nil {
			return nil, err
		}
		if err := at("rebase", "-q", "--committer-date-is-author-date", "main", p.Branch); err != nil {
			return nil, err
		}
		if err := at("checkout", "-q", "main"); err != nil {
			return nil, err
		}
		if err := at("merge", "-q", "--ff-only", p.Branch); err != nil {
			return nil, err
		}
		out, err := Git(dir, "rev-list", "--reverse", base+"..main")
		if err != nil {
			return nil, err
		}
		pr.BranchCommits = strings.Fields(out)
	default:
		return nil, fmt.Errorf("unknown merge method %q", p.Method)
	}
	sha, err := revParse(dir, "main")
	if err != nil {
		return nil, err
	}
	pr.MergeCommitSHA, pr.MergedAt, pr.MergedBy = sha, mergedAt, p.MergedBy
	if pr.MergedBy == nil {
		pr.MergedBy = p.Author
	}
	return gh.AddPull(p.Repo, pr), nil
}

func revParse(dir, rev string) (string, error) {
	out, err := Git(dir, "rev-parse", rev)
	return strings.TrimSpace(out), err
}

// MergeOpened merges, by squashing, a pull request that was opened
// through the stand-in's API (as prodaccess opens them) from a branch of
// origin, in the clone at dir (on main), pushes main to origin, and tells
// the stand-in what GitHub would know of it: its commit, who merged it
// and when. It returns the pull request.
func MergeOpened(dir string, gh *fakegithub.Server, repo string, number int, mergedBy *fakegithub.User, when time.Time) (*fakegithub.PullRequest, error) {
	var pr *fakegithub.PullRequest
	gh.Lock()
	for _, p := range gh.Pulls[repo] {
		if p.Number == number {
			pr = p
		}
	}
	gh.Unlock()
	if pr == nil || pr.State != "open" {
		return nil, fmt.Errorf("no open pull request #%d in %s", number, repo)
	}
	if _, err := Git(dir, "fetch", "-q", "origin", pr.Head); err != nil {
		return nil, err
	}
	head, err := revParse(dir, "FETCH_HEAD")
	if err != nil {
		return nil, err
	}
	if err := func() error {
		if _, err := GitAt(dir, when, "merge", "-q", "--squash", "FETCH_HEAD"); err != nil {
			return err
		}
		_, err := GitAt(dir, when, "commit", "-q", "-m", fmt.Sprintf("%s (#%d)", pr.Title, number))
		return err
	}(); err != nil {
		return nil, err
	}
	if _, err := Git(dir, "push", "-q", "origin", "main"); err != nil {
		return nil, err
	}
	sha, err := revParse(dir, "main")
	if err != nil {
		return nil, err
	}
	gh.Lock()
	defer gh.Unlock()
	author := pr.Author
	pr.Commits = []fakegithub.PullCommit{{SHA: head, Author: author}}
	pr.State, pr.Closed, pr.MergedAt, pr.MergedBy, pr.MergeCommitSHA = "closed", when, when, mergedBy, sha
	return pr, nil
}

// MergeOpen merges an open pull request of repo, which a program opened
// through the stand-in from a branch of the git repository at dir, with a
// merge commit on main, as pressing merge on GitHub does: the stand-in
// learns its commits (made by author, nil for an account GitHub does not
// know), who merged it and when.
func MergeOpen(dir string, gh *fakegithub.Server, repo string, number int, author, mergedBy *fakegithub.User, when time.Time) (*fakegithub.PullRequest, error) {
	gh.Lock()
	var pr *fakegithub.PullRequest
	for _, p := range gh.Pulls[repo] {
		if p.Number == number {
			pr = p
		}
	}
	gh.Unlock()
	if pr == nil || pr.State != "open" {
		return nil, fmt.Errorf("%s has no open pull request #%d", repo, number)
	}
	out, err := Git(dir, "rev-list", "--reverse", "main.."+pr.Head)
	if err != nil {
		return nil, err
	}
	var commits []fakegithub.PullCommit
	for _, sha := range strings.Fields(out) {
		commits = append(commits, fakegithub.PullCommit{SHA: sha, Author: author})
	}
	if _, err := GitAt(dir, when, "merge", "-q", "--no-ff", "-m", fmt.Sprintf("Merge pull request #%d from %s", number, pr.Head), pr.Head); err != nil {
		return nil, err
	}
	sha, err := revParse(dir, "main")
	if err != nil {
		return nil, err
	}
	gh.Lock()
	defer gh.Unlock()
	pr.Commits, pr.MergeCommitSHA, pr.MergedAt, pr.MergedBy = commits, sha, when, mergedBy
	pr.State, pr.Closed, pr.UpdatedAt = "closed", when, when
	return pr, nil
}

// Opened is a pull request that prodaccess opened through the API on the
// stand-in, from a branch it pushed to the origin of the git repository
// at dir (a clone, on branch main).
type Opened struct {
	Repo   string // owner/name on the stand-in
	Number int
}

// TrackOpened tells the stand-in the commits of a pull request that
// prodaccess opened, as GitHub knows them from its branch: it fetches
// the branch from origin and lists its commits since main, authored by
// author. Reviews can then be made on them (pr.Commits).
func TrackOpened(dir string, gh *fakegithub.Server, o Opened, author *fakegithub.User) (*fakegithub.PullRequest, error) {
	pr := findPull(gh, o)
	if pr == nil {
		return nil, fmt.Errorf("no pull request #%d in %s", o.Number, o.Repo)
	}
	if _, err := Git(dir, "fetch", "-q", "origin", pr.Head+":"+pr.Head); err != nil {
		return nil, err
	}
	out, err := Git(dir, "rev-list", "--reverse", "main.."+pr.Head)
	if err != nil {
		return nil, err
	}
	gh.Lock()
	defer gh.Unlock()
	pr.Commits = nil
	for _, sha := range strings.Fields(out) {
		pr.Commits = append(pr.Commits, fakegithub.PullCommit{SHA: sha, Author: author})
	}
	return pr, nil
}

// MergeTracked merges a pull request that TrackOpened tracks, with a merge
// commit on main at when, pushes main to origin, and tells the stand-in
// who merged it and when.
func MergeTracked(dir string, gh *fakegithub.Server, o Opened, mergedBy *fakegithub.User, when time.Time) error {
	pr := findPull(gh, o)
	if pr == nil {
		return fmt.Errorf("no pull request #%d in %s", o.Number, o.Repo)
	}
	if _, err := GitAt(dir, when, "merge", "-q", "--no-ff", "-m", fmt.Sprintf("Merge pull request #%d from %s", pr.Number, pr.Head), pr.Head); err != nil {
		return err
	}
	if _, err := Git(dir, "push", "-q", "origin", "main"); err != nil {
		return err
	}
	sha, err := revParse(dir, "main")
	if err != nil {
		return err
	}
	gh.Lock()
	defer gh.Unlock()
	pr.MergeCommitSHA, pr.MergedAt, pr.MergedBy, pr.State, pr.Closed = sha, when, mergedBy, "closed", when
	return nil
}

func findPull(gh *fakegithub.Server, o Opened) *fakegithub.PullRequest {
	gh.Lock()
	defer gh.Unlock()
	for _, pr := range gh.Pulls[o.Repo] {
		if pr.Number == o.Number {
			return pr
		}
	}
	return nil
}
