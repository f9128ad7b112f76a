package fakegithub

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/openapisubset"
)

// TestSubsetIsTheList: the committed subset holds exactly the operations
// and schemas openapi-operations.txt names, so that a line added to the
// list without go generate fails here, and says where it came from.
func TestSubsetIsTheList(t *testing.T) {
	list, err := openapisubset.ReadListFile("openapi-operations.txt")
	if err != nil {
		t.Fatal(err)
	}
	got, schemas, src, err := openapisubset.Held(subsetJSON)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(list.Strings(), got); diff != "" {
		t.Errorf("operations in testdata/openapi-subset.json (-listed +present); run go generate ./internal/fakegithub:\n%s", diff)
	}
	for _, s := range list.Schemas {
		if !schemas[s] {
			t.Errorf("schema %s is listed but not in the subset; run go generate ./internal/fakegithub", s)
		}
	}
	if src.Package != openapisubset.Package || src.Version == "" || src.File != openapisubset.File || len(src.Integrity) < len("sha512-")+80 {
		t.Errorf("the subset does not say where it came from: %+v", src)
	}
	d := loaded(t)
	if len(d.Operations) != len(list.Operations) || d.source != src.Package+" "+src.Version {
		t.Errorf("compiled %d operations from %q, want %d from %s %s", len(d.Operations), d.source, len(list.Operations), src.Package, src.Version)
	}
}

// TestCompileDescriptionErrors: a description the checker cannot use is
// refused, saying where.
func TestCompileDescriptionErrors(t *testing.T) {
	basic := `"components": {"schemas": {"basic-error": {"type": "object"}}}`
	tests := []struct {
		name, doc, want string
	}{
		{"not JSON", `{`, "openapi subset: "},
		{"no basic-error", `{"paths": {}}`, "openapi subset: schema at /components/schemas/basic-error: "},
		{"an undescribed path parameter", `{"paths": {"/users/{username}": {"get": {"responses": {}}}}, ` + basic + `}`,
			"openapi subset: GET /users/{username}: path parameter username is not described"},
		{"a response that is not a status", `{"paths": {"/user": {"get": {"responses": {"default": {}}}}}, ` + basic + `}`,
			`openapi subset: GET /user: response "default" is not a status code`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := compileDescription([]byte(tt.doc))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %v, want one starting %q", err, tt.want)
			}
		})
	}
}
