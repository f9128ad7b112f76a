// Package gitfile is the provider of file targets: list files in git
// repositories (GPG recipients, pass's .gpg-id, YAML lists, Terraform
// lists, and the records of manual targets), read from the base branch and
// changed through a branch and a pull request, never by pushing to the
// base branch. It reads and rewrites each format byte for byte, and reads
// the history of a record for audits. The pull requests it opens go
// through an interface it owns (PullRequests), which the GitHub provider
// implements.
//
// It may import model, outcome, config, personfile, secrets (to read a target's
// secrets), render (for its pull requests and commit messages), reconciler
// (whose Provider it is), internal/gittree and internal/gitop; it must not import another
// provider, peoplerepo, requests or cmd.
package gitfile
