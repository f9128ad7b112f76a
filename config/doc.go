// Package config reads prodaccess.yaml: the people folder, the policy
// time zone, the parameters of the rules (model.Policy), the safety limits
// and the targets, each with where it lives, its format, its keep entries
// and the secrets it holds. It owns the configuration's defaults, its
// strict loading and validation (every problem with its line and column),
// its JSON Schema, written from the same tables the loader reads with,
// and how each target names and compares the people it holds.
//
// It may import model and the strict YAML engine (internal/strictyaml); it
// must not import personfile, render, reconciler, peoplerepo, secrets,
// requests, a provider or cmd.
package config
