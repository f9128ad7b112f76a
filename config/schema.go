package config

import "github.com/prodaccess/prodaccess/internal/strictyaml"

var configShape = strictyaml.MappingOf(configTable, "The configuration: the people folder, the policy time zone, the parameters of the rules, the safety limits and the targets.")

// ConfigSchema is the JSON Schema (draft 2020-12) of prodaccess.yaml,
// written from the tables the loader reads it with.
func ConfigSchema() ([]byte, error) {
	return strictyaml.WriteSchema("config.schema.json", "prodaccess configuration", configShape)
}
