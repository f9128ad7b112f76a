// Package manual provides the targets that people change by hand (a role
// in a cloud console, an admin flag in an application). prodaccess cannot
// read them: what they hold is worked out from the person files of the
// last days (see reconciler.ManualHeld), and the difference is listed as
// actions for a person.
//
// It may import model, outcome, config, render (for the instructions)
// and reconciler (whose Provider it is); it
// must not import another provider, peoplerepo, requests or cmd.
package manual
