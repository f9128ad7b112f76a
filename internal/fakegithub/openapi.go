package fakegithub

import (
	_ "embed"
	"fmt"
	"maps"
	"slices"
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
	source     string // the package and version it came from
	operations []*operation
	basicError *jsonschema.Schema // the body of an error GitHub may give on any operation
}

// operation is one documented operation.
type operation struct {
	id, method, path string
	segments         []string // of path; "{name}" for a parameter
	pathParams       map[string]*param
	queryParams      map[string]*param
	request          *jsonschema.Schema // the JSON body of a write, if it has one
	requestRequired  bool
	responses        map[int]*response
}

func (o *operation) String() string { return o.id + " (" + o.method + " " + o.path + ")" }

// param is a path or query parameter.
type param struct {
	typ    string // the schema's type
	schema *jsonschema.Schema
}

// response is a documented response of an operation.
type response struct {
	media   string             // the documented media type, if it has a body
	schema  *jsonschema.Schema // of the body
	headers map[string]*header // by canonical name
}

type header struct {
	typ    string
	schema *jsonschema.Schema
}

// loadDescription compiles the embedded description once.
var loadDescription = sync.OnceValues(func() (*description, error) {
	return compileDescription(subsetJSON)
})

// compileDescription turns an OpenAPI 3.0 description into operations
// with compiled JSON Schemas (see openapi.ToJSONSchema for the
// differences).
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
	d := &description{}
	if src, ok := openapi.Lookup(doc, "info", "x-source").(map[string]any); ok {
		d.source = fmt.Sprint(src["package"], " ", src["version"])
	}
	if d.basicError, err = od.Schema("components", "schemas", "basic-error"); err != nil {
		return nil, fmt.Errorf("openapi subset: %w", err)
	}
	for _, o := range od.Operations {
		op := &operation{
			id: o.ID, method: o.Method, path: o.Path, segments: o.Segments,
			pathParams:      params(o.PathParams),
			queryParams:     params(o.QueryParams),
			request:         o.Request,
			requestRequired: o.RequestRequired,
			responses:       map[int]*response{},
		}
		for status, r := range o.Responses {
			resp := &response{media: r.Media, schema: r.Schema, headers: map[string]*header{}}
			for name, h := range r.Headers {
				resp.headers[name] = &header{typ: h.Type, schema: h.Schema}
			}
			op.responses[status] = resp
		}
		d.operations = append(d.operations, op)
	}
	return d, nil
}

func params(ps map[string]*openapi.Param) map[string]*param {
	out := map[string]*param{}
	for name, p := range ps {
		out[name] = &param{typ: p.Type, schema: p.Schema}
	}
	return out
}

func paramName(seg string) (string, bool) { return openapi.ParamName(seg) }

func pointer(keys []string) string { return openapi.Pointer(keys) }

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
