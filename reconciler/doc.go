// Package reconciler turns decisions into changes and carries them out:
// it owns the interfaces of the providers it consumes, computes the plan as
// a pure function of the people, the day and what the targets hold, checks
// the plan against the safety limits, and applies it with revocations
// first.
//
// It never imports a provider: the command wires concrete providers in.
package reconciler
