package openapisubset

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
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
