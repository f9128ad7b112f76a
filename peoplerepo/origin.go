package peoplerepo

import (
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5"
	"github.com/prodaccess/prodaccess/config"
)

// GitHubURL returns the web address of the repository on github.com
// (https://github.com/owner/name) when its origin remote is there, and ""
// when it has no origin or the origin is elsewhere.
func (r *Repo) GitHubURL() (string, error) {
	remote, err := r.repo.Remote("origin")
	if errors.Is(err, git.ErrRemoteNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the origin remote of the people repository: %w", err)
	}
	for _, u := range remote.Config().URLs {
		if repo := config.GitHubRepoOf(u); repo != "" {
			return "https://github.com/" + repo, nil
		}
	}
	return "", nil
}
