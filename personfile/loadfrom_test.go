package personfile

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
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

// TestPersonFileIDAsPersonEntry: the files personFileID picks out, with
// their ids, are exactly those PersonEntry says must be read, over names
// and kinds of entry of every sort a people folder may hold.
func TestPersonFileIDAsPersonEntry(t *testing.T) {
	long := strings.Repeat("a", model.MaxIDLength)
	ids := []string{"jo", "jo-bloggs", "jo2", "a", long, long + "a", "", "Jo", "jo_b", "jo--b", "-jo", "jo-", "jo.b", "jö", "jo b", ".jo", "a1-b2-c3"}
	exts := []string{".yaml", ".yml", ".YAML", ".Yaml", ".yaml.yaml", "", ".txt", ".yaml~"}
	modes := []fs.FileMode{0, fs.ModeDir, fs.ModeSymlink, fs.ModeNamedPipe, fs.ModeSocket, fs.ModeDevice, fs.ModeIrregular}
	picked := 0
	for _, id := range ids {
		for _, ext := range exts {
			name := id + ext
			for _, mode := range modes {
				gotID, ok := personFileID(name, mode)
				p, read := PersonEntry("people", name, mode)
				if ok != read {
					t.Errorf("%q (%v): personFileID %v, PersonEntry read %v", name, mode, ok, read)
					continue
				}
				if !ok {
					continue
				}
				picked++
				want := &model.Person{ID: gotID, File: path.Join("people", name)}
				if diff := cmp.Diff(want, p, cmp.Exporter(func(reflect.Type) bool { return true })); diff != "" {
					t.Errorf("%q: PersonEntry's person (-personFileID +PersonEntry):\n%s", name, diff)
				}
			}
		}
	}
	if picked < 5 {
		t.Errorf("only %d files picked: the test tells little", picked)
	}
}
