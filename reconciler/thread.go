package reconciler

import (
	"context"
	"fmt"
	"strings"

	"github.com/prodaccess/prodaccess/outcome"
)

// Thread is a pull request or an issue that prodaccess keeps: at most one
// open at a time, found by its own mark (a pull request by its head
// branch, an issue by a marker in its body) and updated in place.
type Thread struct {
	Number      int
	URL         string
	Title, Body string
}

// Threads finds, opens and edits the threads of one kind in one
// repository.
type Threads interface {
	Kind() string // "pull request" or "issue"
	Repo() string // owner/name
	// Find returns the open thread that carries the mark, or nil.
	Find(ctx context.Context) (*Thread, error)
	Create(ctx context.Context, title, body string) (*Thread, error)
	Update(ctx context.Context, number int, title, body string) error
}

// KeepThread makes sure that one open thread has the title and body:
// existing (found by the caller, or nil) is updated when it differs; with
// none, one is opened, and if that fails because another run opened one
// meanwhile, that one is found again and updated rather than a second
// opened. It reports the thread and whether it wrote anything.
func KeepThread(ctx context.Context, th Threads, existing *Thread, title, body string) (*Thread, bool, error) {
	t := existing
	if t == nil {
		created, err := th.Create(ctx, title, body)
		if err == nil {
			return created, true, nil
		}
		found, ferr := th.Find(ctx)
		switch {
		case ferr != nil:
			return nil, false, fmt.Errorf("open a %s in %s: %w; %v", th.Kind(), th.Repo(), err, ferr)
		case found == nil:
			return nil, false, fmt.Errorf("open a %s in %s: %w", th.Kind(), th.Repo(), err)
		}
		t = found
	}
	if t.Title == title && t.Body == body {
		return t, false, nil
	}
	if err := th.Update(ctx, t.Number, title, body); err != nil {
		return t, false, fmt.Errorf("update %s #%d in %s: %w", th.Kind(), t.Number, th.Repo(), err)
	}
	t.Title, t.Body = title, body
	return t, true, nil
}

// PullRequestAPI finds, opens and edits pull requests; repo is
// "owner/name".
type PullRequestAPI interface {
	Find(ctx context.Context, repo, head string) (*outcome.PullRequest, error)
	Create(ctx context.Context, repo, base, head, title, body string) (*outcome.PullRequest, error)
	Update(ctx context.Context, repo string, number int, title, body string) error
}

// PullThreads are the pull requests from one head branch into base, as
// the threads KeepThread keeps. Last is the one found or opened.
type PullThreads struct {
	API        PullRequestAPI
	Repository string // owner/name
	Base, Head string
	Last       *outcome.PullRequest
	// Check refuses a pull request found from Head that prodaccess must
	// not take for its own (one that another account opened); nil keeps
	// every one.
	Check func(ctx context.Context, pr *outcome.PullRequest) error
}

// AsThread is a pull request as a thread.
func AsThread(pr *outcome.PullRequest) *Thread {
	return &Thread{Number: pr.Number, URL: pr.URL, Title: pr.Title, Body: pr.Body}
}

func (p *PullThreads) Kind() string { return "pull request" }
func (p *PullThreads) Repo() string { return p.Repository }

func (p *PullThreads) Find(ctx context.Context) (*Thread, error) {
	pr, err := p.API.Find(ctx, p.Repository, p.Head)
	if err != nil || pr == nil {
		return nil, err
	}
	if p.Check != nil {
		if err := p.Check(ctx, pr); err != nil {
			return nil, err
		}
	}
	p.Last = pr
	return AsThread(pr), nil
}

func (p *PullThreads) Create(ctx context.Context, title, body string) (*Thread, error) {
	pr, err := p.API.Create(ctx, p.Repository, p.Base, p.Head, title, body)
	if err != nil {
		return nil, err
	}
	p.Last = pr
	return AsThread(pr), nil
}

func (p *PullThreads) Update(ctx context.Context, number int, title, body string) error {
	return p.API.Update(ctx, p.Repository, number, title, body)
}

// CheckAuthor refuses a pull request from head that the account
// prodaccess runs as did not open: anyone who can push a branch can open
// one from prodaccess's, and prodaccess would then write its title and
// description over it, or close it. login says which account prodaccess
// runs as; nil when nothing can say, and then no pull request is taken.
func CheckAuthor(ctx context.Context, login func(context.Context) (string, error), pr *outcome.PullRequest, head string) error {
	if login == nil {
		return fmt.Errorf("pull request #%d (%s) from %s: prodaccess cannot tell whether it opened it, so it is left alone", pr.Number, pr.URL, head)
	}
	self, err := login(ctx)
	if err != nil {
		return fmt.Errorf("pull request #%d (%s) from %s: %w", pr.Number, pr.URL, head, err)
	}
	if !strings.EqualFold(pr.Author, self) {
		author := pr.Author
		if author == "" {
			author = "an unknown account"
		}
		return fmt.Errorf("the open pull request #%d (%s) from %s was opened by %s, not by %s, the account prodaccess runs as: prodaccess neither updates nor closes it; close it, and prodaccess opens its own",
			pr.Number, pr.URL, head, author, self)
	}
	return nil
}
