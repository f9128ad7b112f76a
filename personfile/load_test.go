package personfile

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	goldenfile "github.com/prodaccess/prodaccess/internal/golden"
	"github.com/prodaccess/prodaccess/model"
)

var update = flag.Bool("update", false, "rewrite golden files with what the code produces")

// checkDay is a day on which every bad-input case's person would hold
// permanent access if their file were valid.
const checkDay = "2021-06-15"

// TestBadInputs loads every case under testdata/bad: a people folder with
// one defect, and in "want" the exact problems validate must print. Nobody
// whose file has a problem may be granted anything.
func TestBadInputs(t *testing.T) {
	dirs, err := os.ReadDir("testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 30 {
		t.Fatalf("only %d bad-input cases; the corpus must hold at least 30", len(dirs))
	}
	for _, dir := range dirs {
		t.Run(dir.Name(), func(t *testing.T) {
			root := filepath.Join("testdata/bad", dir.Name())
			files := os.DirFS(root)
			checkBadCase(t, files, filepath.Join(root, "want"))
		})
	}
}

// TestBadInputsMadeAtRun covers cases that are awkward to keep in git.
func TestBadInputsMadeAtRun(t *testing.T) {
	good, err := os.ReadFile("testdata/good/jane-doe.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		setup func(dir string) error
		want  string
	}{
		{
			name: "symlink",
			setup: func(dir string) error {
				if err := os.WriteFile(filepath.Join(dir, ".real"), good, 0o644); err != nil {
					return err
				}
				return os.Symlink(".real", filepath.Join(dir, "jane-doe.yaml"))
			},
			want: "people/jane-doe.yaml:1:1: person files may not be symbolic links",
		},
		{
			name: "larger than 64 KiB",
			setup: func(dir string) error {
				big := append([]byte(nil), good...)
				big = append(big, "# "+strings.Repeat("x", MaxPersonFileSize)+"\n"...)
				return os.WriteFile(filepath.Join(dir, "jane-doe.yaml"), big, 0o644)
			},
			want: "people/jane-doe.yaml:1:1: the file is larger than 64 KiB",
		},
		{
			name: "a folder among the person files",
			setup: func(dir string) error {
				return os.Mkdir(filepath.Join(dir, "contractors"), 0o755)
			},
			want: "people/contractors:1:1: this is a folder; person files are read only from the top of the people folder, so nothing in it counts",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := tt.setup(dir); err != nil {
				t.Fatal(err)
			}
			people, err := LoadPeople(os.DirFS(dir), "people")
			if err != nil {
				t.Fatal(err)
			}
			r := model.NewRoster(people, model.DefaultPolicy())
			if diff := cmp.Diff(tt.want, r.Problems().Error()); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			for _, p := range r.People {
				if l := r.Level(p, day(t, checkDay)); l != model.None {
					t.Errorf("%s has problems but is granted %s", p.ID, l)
				}
			}
		})
	}
}

// TestGoodBaseIsPermanent proves the bad cases mean something: the file
// they are all made from, unchanged, gives permanent access on checkDay.
func TestGoodBaseIsPermanent(t *testing.T) {
	people, err := LoadPeople(os.DirFS("testdata/good"), "people")
	if err != nil {
		t.Fatal(err)
	}
	r := model.NewRoster(people, model.DefaultPolicy())
	if len(r.Problems()) != 0 {
		t.Fatalf("the good base has problems:\n%v", r.Problems())
	}
	if l := r.Level(r.Person("jane-doe"), day(t, checkDay)); l != model.Permanent {
		t.Fatalf("the good base gives %s on %s, want permanent", l, checkDay)
	}
}

func checkBadCase(t *testing.T, files fs.FS, wantFile string) {
	t.Helper()
	people, err := LoadPeople(files, "people")
	if err != nil {
		t.Fatal(err)
	}
	r := model.NewRoster(people, model.DefaultPolicy())
	if len(r.Problems()) == 0 {
		t.Fatal("no problem found")
	}
	got := r.Problems().Error() + "\n"
	if *update {
		if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(wantFile)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	for _, p := range r.People {
		if l := r.Level(p, day(t, checkDay)); !r.Valid(p) && l != model.None {
			t.Errorf("%s has problems but is granted %s", p.ID, l)
		}
	}
}

// golden compares got with the golden file at path (see -update).
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	goldenfile.Check(t, path, got, *update)
}

// TestFieldNamesShared: the names a person keeps its fields' places by
// are the field table's strings, not the parser's copies, which are let
// go with the rest of the parse; a key the table does not know is kept as
// written.
func TestFieldNamesShared(t *testing.T) {
	text := "name: Jo Bloggs\nemail: jo@example.gov.uk\ngithub: jo\ngithub_id: 1\nrole: developer\nprogramme: govuk\nemployment: civil_servant\nclearance: sc\nstart_date: 2015-01-01\nprobation_passed: 2015-07-01\nshifts:\n  - {type: shadow, start: 2015-03-01, end: 2015-03-05}\nnickname: Jo\n"
	p := ParsePerson(&model.Person{ID: "jo", File: "people/jo.yaml"}, []byte(text))
	table := fieldNames()
	fields := reflect.ValueOf(p).Elem().FieldByName("fieldPos")
	if fields.Len() < 10 {
		t.Fatalf("%d fields kept", fields.Len())
	}
	for i := range fields.Len() {
		name := fields.Index(i).FieldByName("Name").String()
		own, known := table[name]
		switch {
		case name == "nickname" && known:
			t.Errorf("nickname is in the table")
		case name != "nickname" && !known:
			t.Errorf("%s is not in the table", name)
		case known && unsafe.StringData(name) != unsafe.StringData(own):
			t.Errorf("%s is the parser's copy, not the table's", name)
		}
	}
}
