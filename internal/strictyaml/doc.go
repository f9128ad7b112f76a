// Package strictyaml is the strict YAML decoder that person files and the
// configuration are read with, and the shapes their fields are described
// by: one document of plain mappings, lists and scalars, every problem
// collected with its line and column, and nothing a YAML 1.1 reader would
// read differently. The JSON Schemas are written from the same shapes
// (schema.go), so that what editors check and what the loaders accept
// cannot drift.
//
// It holds the engine, not the tables: those are personfile's and
// config's. It may import model (for Day and Problem) and nothing else of
// prodaccess.
package strictyaml
