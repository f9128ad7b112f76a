// Package example loads the repository's own example, prodaccess.yaml and
// the people folder, for the tests of the packages that show it.
package example

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
)

// Day is the day the README and make demo show the example people on.
const Day = "2026-12-01"

// Root is the top folder of the repository.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Roster reads the example configuration and people, and fails the test
// if they do not read.
func Roster(t testing.TB) (*config.Config, *model.Roster) {
	t.Helper()
	root := Root()
	data, err := os.ReadFile(filepath.Join(root, "prodaccess.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.ParseConfig("prodaccess.yaml", data)
	if err != nil {
		t.Fatalf("the example configuration is invalid:\n%v", err)
	}
	people, err := personfile.LoadPeople(os.DirFS(filepath.Join(root, cfg.People)), "people")
	if err != nil {
		t.Fatal(err)
	}
	return cfg, model.NewRoster(people, cfg.Policy)
}
