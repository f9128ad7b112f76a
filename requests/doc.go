// Package requests carries out the commands that change one person file
// for people, so that nobody types YAML to ask for access: grant, shift,
// absence (and its end), reinstate, leave and person new. Each builds a
// Request; Propose reads the files, makes the edit with personfile's
// engine, loads the whole roster with it and refuses, in the words of the
// rules, what they would not honour, says what the change does to access,
// then writes the file, or commits it on a branch of its own, pushes it
// and opens a pull request that asks the approver for their review.
//
// The command line, the environment and GitHub come in through Env; the
// pull requests go through an interface it owns (PullRequests). It may
// import model, outcome, evidence, config, personfile, peoplerepo,
// reconciler, render and internal/gittree; it must not import a provider, secrets or cmd.
package requests
