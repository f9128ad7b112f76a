// Package reconciler turns decisions into changes and carries them out:
// it owns the interfaces of what it consumes (Provider, History, the
// sources of evidence, Threads), computes the plan as a pure function of
// the people, the day and what the targets hold, checks the plan against
// the safety limits, and applies it with revocations first. It also
// rebuilds who had access when from the history of the person files, and
// from the history of a manual target's record, for audits.
//
// It may import model, outcome, evidence, config, personfile and secrets;
// it never imports a
// provider, peoplerepo, render, requests or cmd: the command wires
// concrete providers and storage in.
package reconciler
