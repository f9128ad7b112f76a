package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// TestSchemaFiles checks that the shipped schemas are the ones the loader's
// tables give; go test ./model -update rewrites them.
func TestSchemaFiles(t *testing.T) {
	for file, gen := range map[string]func() ([]byte, error){"person.schema.json": PersonSchema, "config.schema.json": ConfigSchema} {
		got, err := gen()
		if err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join("..", "schema", file), got)
	}
}

// compileSchema compiles a schema as an editor uses it: formats such as
// date are checked, not only noted.
func compileSchema(t *testing.T, gen func() ([]byte, error)) *jsonschema.Schema {
	t.Helper()
	data, err := gen()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// yamlDocuments reads every document of a YAML file as an editor does,
// under YAML 1.2's core schema, into the values a JSON Schema validator
// takes. It fails when the text is not YAML an editor accepts.
func yamlDocuments(data []byte) ([]any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []any
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		v, err := coreValue(&n)
		if err != nil {
			return nil, err
		}
		docs = append(docs, v)
	}
}

// coreValue is the value of a node under YAML 1.2's core schema: dates
// stay text, and << is a key like any other.
func coreValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		return coreValue(n.Content[0])
	case yaml.AliasNode:
		return coreValue(n.Alias)
	case yaml.SequenceNode:
		out := []any{}
		for _, c := range n.Content {
			v, err := coreValue(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if _, dup := out[k]; dup {
				return nil, fmt.Errorf("line %d: the key %s appears twice", n.Content[i].Line, k)
			}
			v, err := coreValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		err := n.Decode(&b)
		return b, err
	case "!!int", "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, err
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			f = 0 // a number all the same
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	}
	return n.Value, nil
}

// schemaErrors validates every document of a file and returns the errors.
func schemaErrors(t *testing.T, s *jsonschema.Schema, path string) ([]string, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := yamlDocuments(data)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, errors.New("no YAML document")
	}
	var out []string
	for _, d := range docs {
		if err := s.Validate(d); err != nil {
			out = append(out, err.Error())
		}
	}
	return out, nil
}

func TestSchemaAcceptsExamples(t *testing.T) {
	person := compileSchema(t, PersonSchema)
	files, err := filepath.Glob("../people/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example people: %v", err)
	}
	good, _ := filepath.Glob("testdata/good/*.yaml")
	for _, f := range append(files, good...) {
		if errs, err := schemaErrors(t, person, f); err != nil || len(errs) > 0 {
			t.Errorf("%s: %v %s", f, err, strings.Join(errs, "\n"))
		}
	}
	config := compileSchema(t, ConfigSchema)
	if errs, err := schemaErrors(t, config, "../prodaccess.yaml"); err != nil || len(errs) > 0 {
		t.Errorf("prodaccess.yaml: %v %s", err, strings.Join(errs, "\n"))
	}
}

// schemaBlind lists the bad cases whose files are well shaped, so that no
// JSON Schema can catch them, and why. The loader catches them all.
var schemaBlind = map[string]string{
	"anchor-and-alias":             "YAML resolves the alias before a schema sees the values, which are well shaped",
	"approver-missing":             "between files: no file has the approver's id",
	"approver-without-role":        "between files: the approver's role is in another file",
	"duplicate-fingerprint-spaced": "between files: two files give the same fingerprint",
	"duplicate-github-id":          "between files: two files give the same GitHub user id",
	"duplicate-login-any-case":     "between files: two files give the same login",
	"explicit-tag":                 "the tag !!str makes no a string, which a schema accepts; the loader refuses tags",
	"file-name-not-an-id":          "the file's name is not in the document",
	"file-name-yml":                "the file's name is not in the document",
	"last-day-before-start":        "compares the values of two fields",
	"login-no":                     "YAML 1.1 coercion: YAML 1.2, which editors read, takes unquoted no as the text \"no\"",
	"login-on":                     "YAML 1.1 coercion: YAML 1.2, which editors read, takes unquoted on as the text \"on\"",
	"reinstatement-self-approved":  "compares a value with the file's name",
	"self-approval":                "compares a value with the file's name",
	"self-supervision":             "compares a value with the file's name",
	"supervisor-missing":           "between files: no file has the supervisor's id",
	"shift-end-before-start":       "compares the values of two fields",
	"temporary-too-long":           "counts the days between two fields against the policy",
	"utf16":                        "YAML may be UTF-16, which editors read; the loader takes UTF-8 only",
}

// notYAML lists the bad cases that an editor's YAML parser reports before
// any schema is applied.
var notYAML = map[string]string{
	"comments-only":     "no document to check",
	"duplicate-key":     "a mapping with a key twice",
	"empty-file":        "no document to check",
	"non-utf8":          "not text",
	"tab-indentation":   "a tab indents a line",
	"yaml-syntax-error": "not YAML",
}

// TestSchemaRefusesBadShapes checks every bad-input case against the
// person schema: each one that is wrong in shape fails it, and each one
// listed as beyond a schema passes it, so that the lists stay true.
func TestSchemaRefusesBadShapes(t *testing.T) {
	s := compileSchema(t, PersonSchema)
	cases, err := os.ReadDir("testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range cases {
		name := c.Name()
		seen[name] = true
		files, _ := filepath.Glob(filepath.Join("testdata/bad", name, "*.y*ml"))
		var errs []string
		var parseErr error
		for _, f := range files {
			e, err := schemaErrors(t, s, f)
			errs = append(errs, e...)
			parseErr = errors.Join(parseErr, err)
		}
		_, blind := schemaBlind[name]
		_, bad := notYAML[name]
		switch {
		case bad && parseErr == nil:
			t.Errorf("%s: listed as not YAML, but it parses", name)
		case !bad && parseErr != nil:
			t.Errorf("%s: not YAML to an editor (%v); list it in notYAML", name, parseErr)
		case blind && len(errs) > 0:
			t.Errorf("%s: listed as beyond a schema, but the schema catches it; take it off the list:\n%s", name, strings.Join(errs, "\n"))
		case !blind && !bad && len(errs) == 0:
			t.Errorf("%s: the schema accepts a file the loader refuses", name)
		}
	}
	for _, list := range []map[string]string{schemaBlind, notYAML} {
		for name := range list {
			if !seen[name] {
				t.Errorf("%s is listed but there is no such case in testdata/bad", name)
			}
		}
	}
	if n := len(cases) - len(schemaBlind) - len(notYAML); n < len(cases)/2 {
		t.Errorf("the schema catches only %d of %d bad cases", n, len(cases))
	}
}

// TestConfigSchemaTargets checks the per-type rules of the configuration
// schema against the loader: each configuration here is accepted by both,
// or refused by both.
func TestConfigSchemaTargets(t *testing.T) {
	s := compileSchema(t, ConfigSchema)
	for _, tc := range []struct {
		name, targets string
		ok            bool
	}{
		{"github team", "{name: t, type: github-team, org: alphagov, team: prod, keep: [bot]}", true},
		{"gpg file", "{name: t, type: file, repo: r, path: p, format: gpg-id, levels: [permanent]}", true},
		{"list file", "{name: t, type: file, repo: r, path: p, format: tfvars-list, key: arns}", true},
		{"manual", "{name: t, type: manual, instructions: Do it}", true},
		{"child teams", "{name: t, type: github-team, org: alphagov, team: prod, child_teams: [{team: bots, reason: Deploys}]}", true},
		{"child team without a reason", "{name: t, type: github-team, org: alphagov, team: prod, child_teams: [{team: bots}]}", false},
		{"child teams of a file", "{name: t, type: file, repo: r, path: p, format: gpg-id, child_teams: [{team: bots, reason: Deploys}]}", false},
		{"secrets of a list", "{name: t, type: file, repo: r, path: p, format: yaml-list, key: k, secrets: [{glob: a/*.gpg, format: openpgp}]}", false},
		{"secrets of a gpg file", "{name: t, type: file, repo: r, path: p, format: gpg-id, secrets: [{glob: a/*.gpg, format: openpgp}]}", true},
		{"team without a team", "{name: t, type: github-team, org: alphagov}", false},
		{"team with a repo", "{name: t, type: github-team, org: alphagov, team: prod, repo: r}", false},
		{"list without a key", "{name: t, type: file, repo: r, path: p, format: yaml-list}", false},
		{"gpg file with a key", "{name: t, type: file, repo: r, path: p, format: gpg-id, key: k}", false},
		{"manual with a path", "{name: t, type: manual, instructions: Do it, path: p}", false},
		{"unknown type", "{name: t, type: ldap-group}", false},
		{"bad name", "{name: Team_1, type: manual, instructions: Do it}", false},
		{"bad slug", "{name: t, type: github-team, org: -alphagov, team: prod}", false},
		{"no levels", "{name: t, type: manual, instructions: Do it, levels: []}", false},
		{"a level twice", "{name: t, type: manual, instructions: Do it, levels: [permanent, permanent]}", false},
		{"level none", "{name: t, type: manual, instructions: Do it, levels: [none]}", false},
	} {
		data := "people: people\ntargets:\n  - " + tc.targets + "\n"
		_, loadErr := ParseConfig("prodaccess.yaml", []byte(data))
		docs, err := yamlDocuments([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		schemaErr := s.Validate(docs[0])
		if (loadErr == nil) != tc.ok || (schemaErr == nil) != tc.ok {
			t.Errorf("%s: the loader says %v, the schema says %v; want both to %s", tc.name, loadErr, schemaErr, map[bool]string{true: "accept it", false: "refuse it"}[tc.ok])
		}
	}
	for _, policy := range []string{"shadow_shifts_required: 11", "absence_limit_days: 0", "max_temporary_days: \"90\"", "evidence: maybe"} {
		data := "policy:\n  " + policy + "\n"
		docs, _ := yamlDocuments([]byte(data))
		if _, err := ParseConfig("prodaccess.yaml", []byte(data)); err == nil || s.Validate(docs[0]) == nil {
			t.Errorf("%s: both the loader and the schema must refuse it", policy)
		}
	}
	if docs, _ := yamlDocuments([]byte("safety:\n  max_removal_fraction: 1.5\n")); s.Validate(docs[0]) == nil {
		t.Error("the schema accepts a removal fraction above 1")
	}
}
