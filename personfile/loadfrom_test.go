package personfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/model"
)

// readFrom is a Reader of fsys's files, in reverse order: the order a
// Reader reads in must not matter.
func readFrom(fsys fs.FS) Reader {
	return func(names []string, got func(int, []byte)) error {
		for i := len(names) - 1; i >= 0; i-- {
			data, err := fs.ReadFile(fsys, names[i])
			if err != nil {
				return err
			}
			got(i, data[:min(len(data), MaxPersonFileSize+1)])
		}
		return nil
	}
}

// TestLoadFromAsLoadPeople: LoadFrom gives the people, and the problems,
// LoadPeople gives for the same folder, in every bad-input case, with a
// file too large, a folder and a symbolic link beside them; and calls
// parsed once for each file it parsed.
func TestLoadFromAsLoadPeople(t *testing.T) {
	dirs, err := filepath.Glob("testdata/bad/*")
	if err != nil {
		t.Fatal(err)
	}
	folders := map[string]fs.FS{"good": os.DirFS("testdata/good"), "odd": fstest.MapFS{
		"big.yaml":        {Data: make([]byte, MaxPersonFileSize+1)},
		"short.yml":       {Data: []byte("name: x\n")},
		"nested":          {Mode: fs.ModeDir},
		"linked.yaml":     {Data: []byte("jane-doe.yaml"), Mode: fs.ModeSymlink},
		"jane-doe.yaml":   {Data: []byte("name: Jane\n")},
		"README.md":       {Data: []byte("notes\n")},
		"Bad_Name.yaml":   {Data: []byte("name: x\n")},
		".hidden.yaml":    {Data: []byte("name: x\n")},
		"empty-file.yaml": {},
	}}
	for _, d := range dirs {
		folders[d] = os.DirFS(d)
	}
	everything := cmp.Exporter(func(reflect.Type) bool { return true })
	for name, fsys := range folders {
		t.Run(name, func(t *testing.T) {
			want, err := LoadPeople(fsys, "people")
			if err != nil {
				t.Fatal(err)
			}
			entries, err := fs.ReadDir(fsys, ".")
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var calls []string
			got, err := LoadFrom(entries, "people", readFrom(fsys), func(i int, p *model.Person) {
				mu.Lock()
				defer mu.Unlock()
				calls = append(calls, p.ID)
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, want, everything); diff != "" {
				t.Errorf("LoadFrom differs from LoadPeople (-got +want):\n%s", diff)
			}
			read := 0
			for _, e := range entries {
				if _, r := PersonEntry("people", e.Name(), e.Type()); r {
					read++
				}
			}
			if len(calls) != read {
				t.Errorf("parsed was called for %v; want one call for each of the %d files read", calls, read)
			}
		})
	}
}

// TestLoadFromFailedRead: a read that fails fails the load.
func TestLoadFromFailedRead(t *testing.T) {
	fsys := os.DirFS("testdata/good")
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	failed := errors.New("the disk is on fire")
	people, err := LoadFrom(entries, "people", func([]string, func(int, []byte)) error { return failed }, nil)
	if !errors.Is(err, failed) || people != nil {
		t.Errorf("LoadFrom = %v, %v; want nothing and the read's error", people, err)
	}
}
