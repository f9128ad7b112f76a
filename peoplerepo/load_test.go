package peoplerepo

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/peoplegen"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
)

// everything compares every field, unexported ones too.
var everything = cmp.Exporter(func(reflect.Type) bool { return true })

// loadWorld is a repository whose people folder holds every kind of
// entry a people folder can: good files (leads among them), a symbolic
// link, a file too large, a .yml file, a folder, a note, a file that is
// not YAML, and a lead whose role is written with an escape, which the
// authority does not take for an approving role; and a second commit
// that changes a lead and a developer.
func loadWorld(t *testing.T) (dir string) {
	dir = t.TempDir()
	people := filepath.Join(dir, "people")
	if err := os.MkdirAll(filepath.Join(people, "nested"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := peoplegen.Write(people, 60); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("person-00001.yaml", filepath.Join(people, "linked.yaml")); err != nil {
		t.Fatal(err)
	}
	_, lead := peoplegen.File(20, 60)
	files := map[string]string{
		"people/big.yaml":           "name: big\n" + strings.Repeat("# padding\n", 7000),
		"people/short.yml":          "name: short\n",
		"people/nested/inner.yaml":  "name: inner\n",
		"people/README.md":          "Person files.\n",
		"people/broken.yaml":        "name: [\n",
		"people/escaped-lead.yaml":  strings.ReplaceAll(strings.ReplaceAll(lead, "person-00020", "escaped-lead"), "role: lead_developer", `role: "lead\x5fdeveloper"`),
		"people/person-00040.yaml":  strings.Replace(lead, "github_id: 100020", "github_id: 100040", 1),
		"people/person-00041.yaml":  "name: Person 41\n",
		"people/person-00099.yaml":  "",
		"people/person-00020.yaml":  lead,
		"people/person-00060.yaml":  lead,
		"people/person-00061.yaml":  lead + "# the same lead twice\n",
		"prodaccess.yaml":           "people: people\n",
		"people/.hidden.yaml":       "name: hidden\n",
		"people/person-00042.yaml":  strings.Replace(lead, "role: lead_developer", "role: head_of_technology", 1),
		"people/person-00043.yaml":  "name: x\nreason: lead_developer\n",
		"people/person-00044.yaml":  "\xff\n",
		"people/person-00045.yaml":  "---\nname: a\n---\nname: b\n",
		"people/person-00046.yaml":  "",
		"people/person-00047.yaml":  "# only a comment\n",
		"people/person-00048.yaml":  "name: &a x\nemail: *a\n",
		"people/person-00049.yaml":  "name:\tx\n",
		"people/person-00050.yaml":  "role: lead_developer\n",
		"people/person-00051.yaml":  "name: Person 51\nrole: head_of_technology\n",
		"people/person-00052.yaml":  lead,
		"people/person-00053.yaml":  lead,
		"people/person-00054.yaml":  lead,
		"people/person-00055.yaml":  "- a list\n",
		"people/person-00056.yaml":  "name: x\nrole: lead_developer\nrole: developer\n",
		"people/person-00057.yaml":  "",
		"people/person-00058.yaml":  lead,
		"people/person-00059.yaml":  lead,
		"people/nested/deeper.yaml": "role: lead_developer\n",
	}
	if err := devstack.NewRepo(dir, files); err != nil {
		t.Fatal(err)
	}
	_, dev := peoplegen.File(2, 60)
	if err := devstack.Commit(dir, map[string]string{
		"people/person-00020.yaml": strings.Replace(lead, "github_id: 100020", "github_id: 200020", 1),
		"people/person-00002.yaml": strings.Replace(dev, "role: developer", "role: lead_developer", 1),
		"people/person-00043.yaml": "",
	}, "Change a lead and make a developer one"); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPeopleAsFromTheTree: People gives exactly the people (and their
// problems) that reading the commit's tree as a folder gives; and the
// authority, and the commits that wrote each entry, found after it (which
// reuse what People read) are those found from the history alone.
//
// It does so with the objects loose, as go-git writes them, and packed, as
// a clone holds them, with a last commit loose on top, so that People
// reads blobs both out of the pack files itself and through go-git.
func TestPeopleAsFromTheTree(t *testing.T) {
	loose, packed := loadWorld(t), loadWorld(t)
	if _, err := devstack.Git(packed, "repack", "-q", "-a", "-d", "-f", "--depth=50"); err != nil {
		t.Fatal(err)
	}
	_, dev := peoplegen.File(3, 60)
	if err := devstack.Commit(packed, map[string]string{
		"people/person-00003.yaml": dev + "# changed\n",
		"people/person-00100.yaml": dev,
	}, "Change a developer, loose"); err != nil {
		t.Fatal(err)
	}
	for _, world := range []struct{ name, dir string }{{"loose", loose}, {"packed", packed}} {
		for _, rel := range []string{"people", "people/nested"} {
			t.Run(world.name+"/"+rel, func(t *testing.T) { peopleAsFromTheTree(t, world.dir, rel, world.dir == packed) })
		}
	}
}

func peopleAsFromTheTree(t *testing.T, dir, rel string, packed bool) {
	loaded, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := loaded.packs().Count(); (n > 0) != packed {
		t.Fatalf("%d pack files read", n)
	}
	head, err := loaded.Head()
	if err != nil {
		t.Fatal(err)
	}
	got, err := loaded.People(head, rel, rel)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := fs.Sub(head.FS, rel)
	if err != nil {
		t.Fatal(err)
	}
	want, err := personfile.LoadPeople(sub, rel)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, want, everything); diff != "" {
		t.Errorf("People differs from the tree read as a folder (-got +want):\n%s", diff)
	}

	fresh, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	tip := head.Commit.Hash.String()
	gotLine, gotSteps, err := loaded.Authority(tip, rel, rel, "prodaccess.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wantLine, wantSteps, err := fresh.Authority(tip, rel, rel, "prodaccess.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(gotLine, wantLine); diff != "" {
		t.Errorf("line (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(gotSteps, wantSteps, everything); diff != "" {
		t.Errorf("the authority after People differs from the one read from the history alone (-got +want):\n%s", diff)
	}

	var entries []model.EntryRef
	for _, p := range got {
		entries = append(entries, p.AllEntries()...)
	}
	if len(entries) == 0 && rel == "people" {
		t.Fatal("no entries to find the commits of")
	}
	gotIntro, err := loaded.Introduced(tip, rel, rel, entries)
	if err != nil {
		t.Fatal(err)
	}
	wantIntro, err := fresh.Introduced(tip, rel, rel, entries)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(gotIntro, wantIntro); diff != "" {
		t.Errorf("the commits that wrote the entries, after People, differ from those read from the history alone (-got +want):\n%s", diff)
	}
}

// TestAuthorityApprovers: the authority of loadWorld's history, which
// People's reuse must keep: the leads and the head of technology whose
// files are valid, not the lead whose role is written with an escape.
func TestAuthorityApprovers(t *testing.T) {
	r, head := openAtHead(t, loadWorld(t))
	if _, err := r.People(head, "people", "people"); err != nil {
		t.Fatal(err)
	}
	_, steps, err := r.Authority(head.Commit.Hash.String(), "people", "people", "prodaccess.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for _, s := range steps {
		var ids []string
		for _, p := range s.People {
			ids = append(ids, p.ID)
		}
		got = append(got, ids)
	}
	first := []string{"person-00000", "person-00020", "person-00040", "person-00042", "person-00052", "person-00053", "person-00054", "person-00058", "person-00059", "person-00060", "person-00061"}
	second := append([]string{"person-00000", "person-00002"}, first[1:]...)
	if diff := cmp.Diff(got, [][]string{first, second}); diff != "" {
		t.Errorf("approvers at each step (-got +want):\n%s", diff)
	}
}

// TestPeopleFailedRead: a blob that cannot be read fails the load, with
// the error reading the tree as a folder gives; it is never a shorter list.
func TestPeopleFailedRead(t *testing.T) {
	dir := loadWorld(t)
	r, head := openAtHead(t, dir)
	blob, err := devstack.Git(dir, "rev-parse", "HEAD:people/person-00003.yaml")
	if err != nil {
		t.Fatal(err)
	}
	blob = strings.TrimSpace(blob)
	if err := os.Remove(filepath.Join(dir, ".git", "objects", blob[:2], blob[2:])); err != nil {
		t.Fatal(err)
	}
	people, err := r.People(head, "people", "people")
	if err == nil {
		t.Fatalf("People read %d people from a tree missing a blob", len(people))
	}
	sub, _ := fs.Sub(head.FS, "people")
	_, want := personfile.LoadPeople(sub, "people")
	if diff := cmp.Diff(err.Error(), want.Error()); diff != "" {
		t.Errorf("error (-got +want):\n%s", diff)
	}
}

// TestAuthorityKept: what Authority answers is kept for the run (a plan
// reads it early, beside the roster's check, and the evidence run asks
// again), and is the answer a fresh repository gives; another question
// is answered afresh, and a failed one is not kept.
func TestAuthorityKept(t *testing.T) {
	dir := loadWorld(t)
	r, head := openAtHead(t, dir)
	tip := head.Commit.Hash.String()
	line, steps, err := r.Authority(tip, "people", "people", "prodaccess.yaml")
	if err != nil {
		t.Fatal(err)
	}
	again, stepsAgain, err := r.Authority(tip, "people", "people", "prodaccess.yaml")
	if err != nil || &again[0] != &line[0] || &stepsAgain[0] != &steps[0] {
		t.Errorf("asked again: %v; want the answer kept, not read again", err)
	}
	fresh, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	freshLine, freshSteps, err := fresh.Authority(tip, "people", "people", "prodaccess.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(freshLine, line); diff != "" {
		t.Errorf("the line kept differs from a fresh repository's (-fresh +kept):\n%s", diff)
	}
	if len(freshSteps) != len(steps) {
		t.Errorf("%d steps kept, %d from a fresh repository", len(steps), len(freshSteps))
	}
	if _, _, err := r.Authority(tip, "people", "staff", "prodaccess.yaml"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Authority(strings.Repeat("0", 40), "people", "people", "prodaccess.yaml"); err == nil {
		t.Error("the authority of a commit that is not there: no error")
	}
	r.mu.Lock()
	kept := len(r.authorities)
	r.mu.Unlock()
	if kept != 2 {
		t.Errorf("%d answers kept; want 2 (the failed one is not)", kept)
	}
}

// openAtHead opens the repository in dir and reads its HEAD.
func openAtHead(t *testing.T, dir string) (*Repo, *Revision) {
	t.Helper()
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	head, err := r.Head()
	if err != nil {
		t.Fatal(err)
	}
	return r, head
}
