package model

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
)

// LoadPeople reads every person file in the root of fsys. Paths in
// problems are written as label joined with the file name (label is how the
// user knows the folder, such as "people").
//
// A problem in a file (bad YAML, a bad field, a symlink, a file too large)
// is recorded on that person, who is then granted nothing. A failure to read
// the folder or a file is returned as an error: a failed read is never taken
// for an empty or shorter list of people.
func LoadPeople(fsys fs.FS, label string) ([]*Person, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read people folder %s: %w", label, err)
	}
	display := func(name string) string { return path.Join(label, name) }

	var people []*Person
	var jobs []int // indexes into people of files still to read
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		ext := path.Ext(name)
		isYAML := strings.EqualFold(ext, ".yaml") || strings.EqualFold(ext, ".yml")
		if !isYAML && !e.IsDir() {
			continue // READMEs and other notes live beside person files
		}
		id := strings.TrimSuffix(name, ext)
		p := &Person{ID: id, File: display(name)}
		if ext != ".yaml" || e.IsDir() {
			p.ID = name // keeps ids unique: jane.yml and jane.yaml are two files
		}
		people = append(people, p)
		switch {
		case e.IsDir():
			p.addProblem(Pos{1, 1}, "this is a folder; person files are read only from the top of the people folder, so nothing in it counts")
		case e.Type()&fs.ModeSymlink != 0:
			p.addProblem(Pos{1, 1}, "person files may not be symbolic links")
		case !e.Type().IsRegular():
			p.addProblem(Pos{1, 1}, "not a regular file")
		case ext != ".yaml":
			p.addProblem(Pos{1, 1}, "person files are named <id>.yaml; rename it to %s.yaml", id)
		case !ValidID(id):
			p.addProblem(Pos{1, 1}, "%q is not a valid person id: lower-case letters and digits in words joined by single hyphens, at most 64 characters", id)
		default:
			jobs = append(jobs, len(people)-1)
		}
	}

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
				p := people[jobs[j]]
				n, err := readLimited(fsys, path.Base(p.File), buf)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("read %s: %w", p.File, err)
					}
					mu.Unlock()
					return
				}
				if n > MaxPersonFileSize {
					p.addProblem(Pos{1, 1}, "the file is larger than %d KiB", MaxPersonFileSize>>10)
					continue
				}
				people[jobs[j]] = decodePerson(p.File, p.ID, buf[:n])
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	slices.SortFunc(people, func(a, b *Person) int { return strings.Compare(a.ID, b.ID) })
	return people, nil
}

// readLimited reads the named file into buf, which is one byte longer
// than the largest file allowed, and returns how many bytes it read: a
// huge file costs no more than a small one.
func readLimited(fsys fs.FS, name string, buf []byte) (int, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n, err := io.ReadFull(f, buf)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = nil
	}
	return n, err
}

func (p *Person) addProblem(pos Pos, format string, args ...any) {
	p.Problems = append(p.Problems, Problem{File: p.File, Line: pos.Line, Col: pos.Col, Message: fmt.Sprintf(format, args...)})
}
