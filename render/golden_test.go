package render

import (
	"flag"
	"testing"

	goldenfile "github.com/prodaccess/prodaccess/internal/golden"
)

var update = flag.Bool("update", false, "rewrite golden files with what the code produces")

// golden compares got with the golden file at path (see -update).
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	goldenfile.Check(t, path, got, *update)
}
