// Package personfile reads and writes person files (people/<id>.yaml):
// strict loading of one file or a whole people folder from an fs.FS (a
// folder or a git tree), with every problem at its line and column; the
// JSON Schema of a person file, written from the same tables the loader
// reads with; and the edit engine that changes a file byte for byte as a
// careful person would, and refuses any change that does not read back
// as intended.
//
// It may import model, evidence (for review files) and the strict YAML
// engine (internal/strictyaml); it
// must not import config, render, reconciler, peoplerepo, secrets,
// requests, a provider or cmd.
package personfile
