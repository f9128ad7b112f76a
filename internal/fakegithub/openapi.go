package fakegithub

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/prodaccess/prodaccess/internal/openapi"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// subsetJSON is the part of GitHub's REST description the stand-in
// serves; go generate makes it (see generate.go).
//
//go:embed testdata/openapi-subset.json
var subsetJSON []byte

// description is GitHub's REST description, compiled for checking.
type description struct {
	*openapi.Description
	source     string             // the package and version it came from
	basicError *jsonschema.Schema // the body of an error GitHub may give on any operation
	verdicts   verdicts           // what checkBody found in each answer body it checked
}

// loadDescription compiles the embedded description once.
var loadDescription = sync.OnceValues(func() (*description, error) {
	return compileDescription(subsetJSON)
})

// compileDescription compiles an OpenAPI 3.0 description (see
// openapi.ToJSONSchema for how its schemas differ from JSON Schema), its
// request schemas closed (see openapi.CloseRequestSchemas).
func compileDescription(data []byte) (*description, error) {
	doc, err := openapi.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("openapi subset: %w", err)
	}
	openapi.CloseRequestSchemas(doc)
	od, err := openapi.Compile(doc, "fakegithub.invalid")
	if err != nil {
		return nil, fmt.Errorf("openapi subset: %w", err)
	}
	d := &description{Description: od}
	if src, ok := openapi.Lookup(doc, "info", "x-source").(map[string]any); ok {
		d.source = fmt.Sprint(src["package"], " ", src["version"])
	}
	if d.basicError, err = od.Schema("components", "schemas", "basic-error"); err != nil {
		return nil, fmt.Errorf("openapi subset: %w", err)
	}
	return d, nil
}
