package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSchemaCommand checks that prodaccess schema prints the shipped
// schemas, and refuses anything else.
func TestSchemaCommand(t *testing.T) {
	t.Parallel()
	for _, which := range []string{"person", "config"} {
		r := prodaccess(t, repoRoot, "schema", which)
		want, err := os.ReadFile(filepath.Join(repoRoot, "schema", which+".schema.json"))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), r.stdout); diff != "" || r.code != 0 {
			t.Errorf("schema %s: exit %d, stderr %q (-want +got):\n%s", which, r.code, r.stderr, diff)
		}
	}
	if r := prodaccess(t, repoRoot, "schema", "people"); r.code != 1 || r.stdout != "" {
		t.Errorf("schema people: exit %d, stdout %q", r.code, r.stdout)
	}
}
