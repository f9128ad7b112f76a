// Package github is the client of GitHub's API, through go-github v60,
// with the rate-limit and retry handling GitHub asks of clients: it reads
// and changes team membership (the provider of github-team targets), opens
// and updates pull requests and issues, and reads what evidence of
// approval needs (pull requests, their reviews and commits, and whether a
// branch is protected).
//
// Everything GitHub answers is treated as untrusted input: the token goes
// to no host but GITHUB_API_URL's, every list must be a JSON list whose
// pages agree with its Link headers, every login read is checked before it
// is used, every path segment is escaped, and no error carries the token.
//
// It may import model, outcome, evidence, config, personfile (to read person files as a
// commit held them) and reconciler (whose interfaces it implements); it
// must not import another provider, peoplerepo, requests or cmd.
package github
