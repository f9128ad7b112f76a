// Package peoplerepo is the git repository that holds the person files:
// its revisions (plans are made from what is committed, never from the
// working tree), the history of a branch for audits, the commit that
// introduced each entry, the evidence notes kept beside the commits and
// their signatures, and the branches on which changes to person files are
// proposed.
//
// It may import model, outcome, evidence, config, personfile, reconciler
// (whose History it implements), internal/gittree and internal/gitop; it must not import render, secrets,
// requests, a provider or cmd.
package peoplerepo
