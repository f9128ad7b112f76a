package personfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prodaccess/prodaccess/internal/schematest"
)

// TestSchemaFiles checks that the shipped schema is the one the loader's
// tables give; go test ./personfile -update rewrites it.
func TestSchemaFiles(t *testing.T) {
	got, err := PersonSchema()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("..", "schema", "person.schema.json"), got)
}

func TestSchemaAcceptsExamples(t *testing.T) {
	person := schematest.Compile(t, PersonSchema)
	files, err := filepath.Glob("../people/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example people: %v", err)
	}
	good, _ := filepath.Glob("testdata/good/*.yaml")
	for _, f := range append(files, good...) {
		if errs, err := schematest.Errors(t, person, f); err != nil || len(errs) > 0 {
			t.Errorf("%s: %v %s", f, err, strings.Join(errs, "\n"))
		}
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
	"held-self-approved":           "compares a value with the file's name",
	"held-without-adopted-on":      "compares a value with the configuration's policy.adopted_on",
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
	s := schematest.Compile(t, PersonSchema)
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
			e, err := schematest.Errors(t, s, f)
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
