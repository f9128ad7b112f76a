package openapisubset

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseList(t *testing.T) {
	l, err := ParseList("ops.txt", strings.NewReader("# teams\n\nGET /orgs/{org}/teams\n  PUT /a/{b}  \nschema basic-error\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := &List{Operations: []Operation{{"GET", "/orgs/{org}/teams"}, {"PUT", "/a/{b}"}}, Schemas: []string{"basic-error"}}
	if diff := cmp.Diff(want, l); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseListErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"GET /a\nget /b\n", `ops.txt:2: "get" is not an HTTP method in upper case`},
		{"GET /a\nGET\n", `ops.txt:2: "GET" is neither "METHOD /path" nor "schema NAME"`},
		{"GET /a extra\n", `ops.txt:1: "GET /a extra" is neither`},
		{"GET a\n", `ops.txt:1: path "a" does not start with /`},
		{"GET /a\n\nGET /a\n", `ops.txt:3: "GET /a" is already on line 1`},
		{"# nothing\nschema x\n", "ops.txt: no operations"},
	}
	for _, tt := range tests {
		_, err := ParseList("ops.txt", strings.NewReader(tt.in))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want one starting %q", tt.in, err, tt.want)
		}
	}
}

// spec is a small description with what the extraction must follow:
// parameters, responses, headers and request bodies by reference, schemas
// referencing schemas (in a cycle), examples to leave out (but not
// properties named examples and schema), and parts not asked for.
const spec = `{
  "openapi": "3.0.3",
  "info": {"title": "GitHub", "version": "1.1.4"},
  "paths": {
    "/orgs/{org}/teams": {
      "parameters": [{"$ref": "#/components/parameters/org"}],
      "get": {
        "operationId": "teams/list",
        "responses": {
          "200": {
            "description": "Response",
            "content": {"application/json": {
              "schema": {"type": "array", "items": {"$ref": "#/components/schemas/team"}},
              "examples": {"default": {"$ref": "#/components/examples/team-items"}}
            }},
            "headers": {"Link": {"$ref": "#/components/headers/link"}}
          },
          "404": {"$ref": "#/components/responses/not_found"}
        }
      },
      "post": {"operationId": "teams/create", "responses": {"201": {"description": "Created"}}}
    },
    "/user": {"get": {"operationId": "users/get-authenticated", "responses": {"304": {"description": "Not modified"}}}}
  },
  "components": {
    "parameters": {"org": {"name": "org", "in": "path", "required": true, "schema": {"type": "string"}}},
    "headers": {"link": {"schema": {"type": "string"}}},
    "responses": {"not_found": {"description": "Not found", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/basic-error"}}}}},
    "examples": {"team-items": {"value": [{"id": 1}]}},
    "schemas": {
      "team": {"type": "object", "properties": {
        "id": {"type": "integer", "example": 1},
        "parent": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/team"}]},
        "examples": {"type": "array", "items": {"type": "string"}},
        "schema": {"type": "string"},
        "owner": {"$ref": "#/components/schemas/simple~1user"}
      }},
      "simple/user": {"type": "object"},
      "basic-error": {"type": "object", "properties": {"message": {"type": "string"}}},
      "validation-error": {"type": "object"},
      "unused": {"type": "object"}
    }
  }
}`

func TestExtract(t *testing.T) {
	doc, err := decode([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	src := Source{Package: Package, Version: "9.9.9", File: File, Integrity: "sha512-x"}
	got, err := Extract(doc, &List{Operations: []Operation{{"GET", "/orgs/{org}/teams"}}, Schemas: []string{"validation-error"}}, src)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var gotJSON, want map[string]any
	if err := json.Unmarshal(b, &gotJSON); err != nil {
		t.Fatal(err)
	}
	// Everything asked for and referenced, as it is; nothing else.
	if err := json.Unmarshal([]byte(spec), &want); err != nil {
		t.Fatal(err)
	}
	paths := want["paths"].(map[string]any)
	delete(paths, "/user")
	teams := paths["/orgs/{org}/teams"].(map[string]any)
	delete(teams, "post")
	delete(teams["get"].(map[string]any)["responses"].(map[string]any)["200"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any), "examples")
	components := want["components"].(map[string]any)
	delete(components, "examples")
	delete(components["schemas"].(map[string]any), "unused")
	var info map[string]any
	if err := json.Unmarshal([]byte(`{"title": "GitHub", "version": "1.1.4",
		"description": "Part of @octokit/openapi 9.9.9 (generated/api.github.com.json): the operations the stand-in may serve and every component they use. Made by go generate; do not edit.",
		"x-source": {"package": "@octokit/openapi", "version": "9.9.9", "file": "generated/api.github.com.json", "integrity": "sha512-x"}}`), &info); err != nil {
		t.Fatal(err)
	}
	want["info"] = info
	if diff := cmp.Diff(want, gotJSON); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestExtractErrors(t *testing.T) {
	tests := []struct {
		name string
		spec string
		list List
		want string
	}{
		{"no such path", spec, List{Operations: []Operation{{"GET", "/orgs/{org}/repos"}}}, "GET /orgs/{org}/repos: the description has no path /orgs/{org}/repos"},
		{"no such method", spec, List{Operations: []Operation{{"DELETE", "/user"}}}, "DELETE /user: the description has no DELETE on /user"},
		{"no such schema", spec, List{Operations: []Operation{{"GET", "/user"}}, Schemas: []string{"nope"}}, "#/components/schemas/nope: no such component in the description"},
		{"a reference to nothing", `{"paths": {"/user": {"get": {"responses": {"200": {"$ref": "#/components/responses/gone"}}}}}}`,
			List{Operations: []Operation{{"GET", "/user"}}}, "#/components/responses/gone: no such component in the description"},
		{"a reference outside the components", `{"paths": {"/user": {"get": {"responses": {"200": {"$ref": "other.json#/x"}}}}}}`,
			List{Operations: []Operation{{"GET", "/user"}}}, `reference "other.json#/x" is not of the form #/components/KIND/NAME`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := decode([]byte(tt.spec))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Extract(doc, &tt.list, Source{})
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func tarball(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	for _, name := range []string{"package/package.json", "package/README.md", "package/" + File} {
		body, ok := files[name]
		if !ok {
			continue
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadPackage(t *testing.T) {
	tgz := tarball(t, map[string]string{
		"package/package.json": `{"name": "@octokit/openapi", "version": "23.0.2"}`,
		"package/README.md":    "readme",
		"package/" + File:      spec,
	})
	doc, src, err := ReadPackage(tgz)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha512.Sum512(tgz)
	want := Source{Package: Package, Version: "23.0.2", File: File, Integrity: "sha512-" + base64.StdEncoding.EncodeToString(sum[:])}
	if diff := cmp.Diff(want, src); diff != "" {
		t.Errorf("source (-want +got):\n%s", diff)
	}
	if doc["openapi"] != "3.0.3" {
		t.Errorf("description: %v", doc["openapi"])
	}
}

func TestReadPackageErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"another package", map[string]string{"package/package.json": `{"name": "left-pad", "version": "1.0.0"}`, "package/" + File: spec}, `package.json: the package is "left-pad", not @octokit/openapi`},
		{"no description", map[string]string{"package/package.json": `{"name": "@octokit/openapi", "version": "1.0.0"}`}, "package tarball: no package/package.json or no package/" + File + " in it"},
		{"a broken description", map[string]string{"package/package.json": `{"name": "@octokit/openapi", "version": "1.0.0"}`, "package/" + File: "{"}, File + ": unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ReadPackage(tarball(t, tt.files))
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
	if _, _, err := ReadPackage([]byte("not gzip")); err == nil || !strings.HasPrefix(err.Error(), "package tarball: ") {
		t.Errorf("not a tarball: error %v", err)
	}
}

// TestExtractReferenceIntoAComponent: PagerDuty's description references
// parts of components (#/components/schemas/Tag/allOf/0); the whole
// component is copied, and what it references.
func TestExtractReferenceIntoAComponent(t *testing.T) {
	const spec = `{
  "openapi": "3.0.2",
  "info": {"title": "PagerDuty API", "version": "2.0.0"},
  "paths": {"/users/{id}": {"get": {"responses": {
    "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}},
    "404": {"$ref": "#/components/responses/NotFound"}}}}},
  "components": {
    "schemas": {
      "User": {"allOf": [{"$ref": "#/components/schemas/Tag/allOf/0"}, {"type": "object"}]},
      "Tag": {"allOf": [{"type": "object", "properties": {"team": {"$ref": "#/components/schemas/Team"}}}, {"required": ["label"]}]},
      "Team": {"type": "object"},
      "Unused": {"type": "object"}
    },
    "responses": {
      "NotFound": {"description": "no", "content": {"application/json": {"schema": {"$ref": "#/components/responses/Conflict/content/application~1json/schema"}}}},
      "Conflict": {"description": "conflict", "content": {"application/json": {"schema": {"type": "object"}}}}
    }
  }
}`
	doc, err := decode([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Extract(doc, &List{Operations: []Operation{{"GET", "/users/{id}"}}}, Source{File: "pd.json", SHA256: "ab"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, kind := range []string{"schemas", "responses"} {
		for name := range got["components"].(map[string]any)[kind].(map[string]any) {
			names = append(names, kind+"/"+name)
		}
	}
	slices.Sort(names)
	if diff := cmp.Diff([]string{"responses/Conflict", "responses/NotFound", "schemas/Tag", "schemas/Team", "schemas/User"}, names); diff != "" {
		t.Errorf("components (-want +got):\n%s", diff)
	}
	if d := got["info"].(map[string]any)["description"]; !strings.HasPrefix(d.(string), "Part of pd.json (sha256 ab): ") {
		t.Errorf("description: %q", d)
	}

	// A reference into a component that goes nowhere is an error.
	doc, _ = decode([]byte(strings.Replace(spec, "Tag/allOf/0", "Tag/allOf/2", 1)))
	if _, err := Extract(doc, &List{Operations: []Operation{{"GET", "/users/{id}"}}}, Source{}); err == nil || err.Error() != "#/components/schemas/Tag/allOf/2: no such component in the description" {
		t.Errorf("error %v", err)
	}
}

// TestReadFile: a file is read only if it is the one named by its sha256.
func TestReadFile(t *testing.T) {
	data := []byte(`{"openapi": "3.0.2", "info": {"title": "PagerDuty API"}}`)
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	doc, src, err := ReadFile(data, "PagerDuty/api-schema@91a06fb:reference/REST/openapiv3.json", strings.ToUpper(want))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Source{File: "PagerDuty/api-schema@91a06fb:reference/REST/openapiv3.json", SHA256: want}, src); diff != "" {
		t.Errorf("source (-want +got):\n%s", diff)
	}
	if doc["openapi"] != "3.0.2" {
		t.Errorf("description: %v", doc)
	}
	other := strings.Repeat("0", 64)
	if _, _, err := ReadFile(data, "x", other); err == nil || err.Error() != "its sha256 is "+want+", not "+other+": this is not the file the subset is made from" {
		t.Errorf("another file: error %v", err)
	}
	bad := []byte("{")
	sum = sha256.Sum256(bad)
	if _, _, err := ReadFile(bad, "x", hex.EncodeToString(sum[:])); err == nil {
		t.Errorf("not JSON: no error")
	}
}

// TestExtractSecurity: the security requirements, of the API and of the
// operations copied, come with the schemes they name; others do not.
func TestExtractSecurity(t *testing.T) {
	const spec = `{
  "openapi": "3.0.2", "info": {"title": "PagerDuty API", "version": "2.0.0"},
  "security": [{"api_key": []}],
  "paths": {
    "/oncalls": {"get": {"security": [{"oauth": ["oncalls.read"]}], "responses": {}}},
    "/incidents": {"get": {"security": [{"other": []}], "responses": {}}}
  },
  "components": {"securitySchemes": {
    "api_key": {"type": "apiKey", "in": "header", "name": "Authorization"},
    "oauth": {"type": "oauth2"},
    "other": {"type": "http"}
  }}
}`
	doc, err := decode([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Extract(doc, &List{Operations: []Operation{{"GET", "/oncalls"}}}, Source{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(map[string]any{"security": got["security"], "components": got["components"]})
	if err != nil {
		t.Fatal(err)
	}
	var gotJSON, want any
	json.Unmarshal(b, &gotJSON)
	json.Unmarshal([]byte(`{"security": [{"api_key": []}], "components": {"securitySchemes": {
		"api_key": {"type": "apiKey", "in": "header", "name": "Authorization"}, "oauth": {"type": "oauth2"}}}}`), &want)
	if diff := cmp.Diff(want, gotJSON); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestHeld: what a subset Extract made holds is read back as the list
// that made it.
func TestHeld(t *testing.T) {
	doc, err := decode([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	l := &List{Operations: []Operation{{"GET", "/user"}, {"GET", "/orgs/{org}/teams"}}, Schemas: []string{"validation-error"}}
	subset, err := Extract(doc, l, Source{File: "f", SHA256: "ab"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(subset)
	if err != nil {
		t.Fatal(err)
	}
	ops, schemas, src, err := Held(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(l.Strings(), ops); diff != "" {
		t.Errorf("operations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"GET /orgs/{org}/teams", "GET /user"}, ops); diff != "" {
		t.Errorf("operations in order (-want +got):\n%s", diff)
	}
	if !schemas["validation-error"] || !schemas["team"] || schemas["unused"] {
		t.Errorf("schemas %v", schemas)
	}
	if src != (Source{File: "f", SHA256: "ab"}) {
		t.Errorf("source %+v", src)
	}
	if _, _, _, err := Held([]byte("{")); err == nil {
		t.Errorf("not JSON: no error")
	}
	name := filepath.Join(t.TempDir(), "ops.txt")
	if err := os.WriteFile(name, []byte("GET /user\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadListFile(name); err != nil || len(got.Operations) != 1 {
		t.Errorf("ReadListFile: %+v, %v", got, err)
	}
	if _, err := ReadListFile(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Errorf("ReadListFile of nothing: no error")
	}
}
