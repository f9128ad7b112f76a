// Command prodaccess turns the written rules for production access into
// code: it reads one YAML file per person, decides who should have which
// access on a given day and why, and keeps the real systems in line.
//
// This package only wires: it reads flags, files, the environment and the
// clock, and hands them to the packages that do the work (model's rules,
// config and personfile to load, reconciler to plan and apply, the
// providers, peoplerepo, secrets, requests, and render for every output).
// Nothing else imports it.
package main
