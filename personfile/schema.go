package personfile

import "github.com/prodaccess/prodaccess/internal/strictyaml"

// PersonSchema is the JSON Schema (draft 2020-12) of a person file,
// written from the tables the loader reads person files with.
func PersonSchema() ([]byte, error) {
	return strictyaml.WriteSchema("person.schema.json", "prodaccess person file", personShape)
}
