package personfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prodaccess/prodaccess/model"
)

// LoadPeople reads every person file in the root of fsys. Paths in
// problems are written as label joined with the file name (label is how the
// user knows the folder, such as "people").
//
// A problem in a file (bad YAML, a bad field, a symlink, a file too large)
// is recorded on that person, who is then granted nothing. A failure to read
// the folder or a file is returned as an error: a failed read is never taken
// for an empty or shorter list of people.
func LoadPeople(fsys fs.FS, label string) ([]*model.Person, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read people folder %s: %w", label, err)
	}

	people, jobs := entriesOf(label, entries)

	// Parsing dominates; spread it over the processors. Each worker takes
	// the next file by number and reads into a buffer of its own.
	var (
		wg       sync.WaitGroup
		next     atomic.Int64
		mu       sync.Mutex
		firstErr error
	)
	for range min(runtime.GOMAXPROCS(0), max(1, len(jobs))) {
		wg.Go(func() {
			buf := make([]byte, MaxPersonFileSize+1)
			for {
				j := int(next.Add(1) - 1)
				if j >= len(jobs) {
					return
				}
				job := jobs[j]
				n, err := readLimited(fsys, job.name, buf)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("read %s: %w", job.file, err)
					}
					mu.Unlock()
					return
				}
				people[job.at] = job.parse(buf[:n])
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	sortPeople(people)
	return people, nil
}

// fileJob is a person file to read and parse: its person's place in the
// list of people, its id, its name in the folder, and its path as
// messages name it.
type fileJob struct {
	at             int
	id, name, file string
}

// parse is the person the file's bytes give.
func (j fileJob) parse(data []byte) *model.Person {
	if len(data) > MaxPersonFileSize {
		return ParsePerson(&model.Person{ID: j.id, File: j.file}, data)
	}
	return decodePerson(j.file, j.id, data)
}

// entriesOf is the person of each entry of a people folder that is one,
// and the files to read and parse, whose places in people are left nil
// for the person parsed. (A person file's entry is no person until it
// is parsed: PersonEntry's person for it would be garbage at once.)
func entriesOf(label string, entries []fs.DirEntry) (people []*model.Person, jobs []fileJob) {
	people = make([]*model.Person, 0, len(entries))
	jobs = make([]fileJob, 0, len(entries))
	for _, e := range entries {
		name := e.Name()
		if id, ok := personFileID(name, e.Type()); ok {
			jobs = append(jobs, fileJob{at: len(people), id: id, name: name, file: path.Join(label, name)})
			people = append(people, nil)
			continue
		}
		// Any other entry is not read: a note, or a person with a problem.
		if p, _ := PersonEntry(label, name, e.Type()); p != nil {
			people = append(people, p)
		}
	}
	return people, jobs
}

// personFileID is the id of a file PersonEntry says must be read, found
// without making its person: a regular file named <id>.yaml with a valid
// id. ok is false for every other entry, which PersonEntry then judges
// and never says to read (TestPersonFileIDAsPersonEntry).
func personFileID(name string, mode fs.FileMode) (id string, ok bool) {
	id, ok = strings.CutSuffix(name, ".yaml")
	if !ok || !mode.IsRegular() || strings.HasPrefix(name, ".") || len(id) > model.MaxIDLength || !isID(id) {
		return "", false
	}
	return id, true
}

func sortPeople(people []*model.Person) {
	slices.SortFunc(people, func(a, b *model.Person) int { return strings.Compare(a.ID, b.ID) })
}

// Reader reads the named files of a folder one after another, in the
// order that suits where they are stored, and calls got with each one's
// bytes as soon as they are read (got keeps them). It gives at most
// MaxPersonFileSize+1 bytes of a file, which is enough to tell that it is
// too large. An error fails the whole load.
type Reader func(names []string, got func(i int, data []byte)) error

// LoadFrom is LoadPeople for a folder listed as entries whose files read
// calls for, such as the blobs of a git tree, which are read fastest one
// after another in the order they are stored: each file is parsed on a
// free processor while the next ones are read. The people are those
// LoadPeople gives for the same files, with the same problems. parsed,
// if not nil, is called with each person parsed from a file read and the
// index of its name, from the goroutine that parsed it.
func LoadFrom(entries []fs.DirEntry, label string, read Reader, parsed func(i int, p *model.Person)) ([]*model.Person, error) {
	people, jobs := entriesOf(label, entries)
	names := make([]string, len(jobs))
	for j, job := range jobs {
		names[j] = job.name
	}
	type file struct {
		j    int
		data []byte
	}
	files := make(chan file, 64)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(1, len(jobs))) {
		wg.Go(func() {
			for f := range files {
				p := jobs[f.j].parse(f.data)
				people[jobs[f.j].at] = p
				if parsed != nil {
					parsed(f.j, p)
				}
			}
		})
	}
	err := read(names, func(j int, data []byte) { files <- file{j, data} })
	close(files)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	sortPeople(people)
	return people, nil
}

// PersonEntry says what an entry of the people folder is. It returns nil
// for an entry that is not a person file (hidden files, notes such as a
// README); otherwise the person, with a problem already if the entry
// cannot be one (a symbolic link, a folder, a .yml name, a bad id), and
// whether the file must be read and parsed with ParsePerson.
func PersonEntry(label, name string, mode fs.FileMode) (p *model.Person, read bool) {
	if strings.HasPrefix(name, ".") {
		return nil, false
	}
	ext := path.Ext(name)
	isYAML := strings.EqualFold(ext, ".yaml") || strings.EqualFold(ext, ".yml")
	if !isYAML && !mode.IsDir() {
		return nil, false // READMEs and other notes live beside person files
	}
	id := strings.TrimSuffix(name, ext)
	p = &model.Person{ID: id, File: path.Join(label, name)}
	if ext != ".yaml" || mode.IsDir() {
		p.ID = name // keeps ids unique: jane.yml and jane.yaml are two files
	}
	switch {
	case mode.IsDir():
		p.AddProblem(model.Pos{Line: 1, Col: 1}, "this is a folder; person files are read only from the top of the people folder, so nothing in it counts")
	case mode&fs.ModeSymlink != 0:
		p.AddProblem(model.Pos{Line: 1, Col: 1}, "person files may not be symbolic links")
	case !mode.IsRegular():
		p.AddProblem(model.Pos{Line: 1, Col: 1}, "not a regular file")
	case ext != ".yaml":
		p.AddProblem(model.Pos{Line: 1, Col: 1}, "person files are named <id>.yaml; rename it to %s.yaml", id)
	case len(id) > model.MaxIDLength || !isID(id): // model.ValidID, by the matcher
		p.AddProblem(model.Pos{Line: 1, Col: 1}, "%q is not a valid person id: lower-case letters and digits in words joined by single hyphens, at most 64 characters", id)
	default:
		return p, true
	}
	return p, false
}

// ParsePerson reads the file of an entry that PersonEntry said must be
// read. data may be one byte longer than MaxPersonFileSize, to tell that
// the file is too large.
func ParsePerson(entry *model.Person, data []byte) *model.Person {
	if len(data) > MaxPersonFileSize {
		p := *entry
		p.AddProblem(model.Pos{Line: 1, Col: 1}, "the file is larger than %d KiB", MaxPersonFileSize>>10)
		return &p
	}
	return decodePerson(entry.File, entry.ID, data)
}

// readLimited reads the named file into buf, which is one byte longer
// than the largest file allowed, and returns how many bytes it read: a
// huge file costs no more than a small one. A file whose size is known to
// be too large is not read at all: the whole buffer is reported, which is
// all ParsePerson needs to refuse it.
func readLimited(fsys fs.FS, name string, buf []byte) (int, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() >= int64(len(buf)) {
		return len(buf), nil
	}
	n, err := io.ReadFull(f, buf)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = nil
	}
	return n, err
}
