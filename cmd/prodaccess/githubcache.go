package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/prodaccess/prodaccess/outcome"
	"github.com/prodaccess/prodaccess/providers/github"
)

// githubCacheEnv names the GitHub cache file when --github-cache does not.
const githubCacheEnv = "PRODACCESS_GITHUB_CACHE"

// githubCacheFlag adds --github-cache to plan and apply.
func (o *options) githubCacheFlag(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.githubCache, "github-cache", "", "keep GitHub's answers in this file between runs and read with If-None-Match, so that unchanged pages do not count against the rate limit (default $"+githubCacheEnv+"); it holds what the token could read, such as team members: keep it in the runner's cache, never in an artifact")
}

// cachedRun makes the run use the GitHub cache, if one is named; the
// function it returns writes the cache back.
func (o *options) cachedRun() func() {
	o.cacheRun = true
	return o.saveGitHubCache
}

// githubCachePath is the cache file of this run, or "" for none.
func (o *options) githubCachePath() string {
	if !o.cacheRun {
		return ""
	}
	if o.githubCache != "" {
		return o.githubCache
	}
	return o.getenv(githubCacheEnv)
}

// sharedTransport is the one transport of a run's GitHub clients, so
// that they share its rate-limit budget, its cache and its counts. The
// cache is read from its file when the transport is made: a file that
// cannot be used is a warning and an empty cache.
func (o *options) sharedTransport() *github.Transport {
	if o.githubTransport != nil {
		return o.githubTransport
	}
	tr := o.transport()
	o.githubTransport = tr
	if path := o.githubCachePath(); path != "" {
		cache, err := github.LoadCache(path)
		if err != nil {
			fmt.Fprintf(o.stderr, "prodaccess: warning: %v\n", err)
		}
		tr.Cache = cache
	}
	return tr
}

// saveGitHubCache writes the cache back at the end of a run, whatever
// became of it: it keeps only successful answers. A cache that cannot be
// written is a warning; the next run is only slower.
func (o *options) saveGitHubCache() {
	tr := o.githubTransport
	if tr == nil || tr.Cache == nil {
		return
	}
	if err := tr.Cache.Save(o.githubCachePath()); err != nil {
		fmt.Fprintf(o.stderr, "prodaccess: warning: %v\n", err)
	}
}

// githubRequests are the requests sent to GitHub so far, nil when the run
// has no GitHub client.
func (o *options) githubRequests() *github.RequestCounts {
	if o.githubTransport == nil {
		return nil
	}
	c := o.githubTransport.Counts()
	return &c
}

// planData is the plan as plan --format json writes it: the plan, and the
// requests sent to GitHub to make it.
type planData struct {
	*outcome.Plan
	GitHubRequests *github.RequestCounts `json:"github_requests,omitempty"`
}
