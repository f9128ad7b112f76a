package gitfile

import (
	"fmt"
	"slices"

	"github.com/prodaccess/prodaccess/model"
)

// format reads the entries of one kind of file and writes changes into it,
// leaving everything else in the file as it was.
type format interface {
	parse(content []byte) ([]model.Entry, error)
	// update removes the entries whose subject key is in remove and adds
	// the additions, in order.
	update(content []byte, remove map[string]bool, add []model.Change) ([]byte, error)
}

func formatFor(t *model.Target) (format, error) {
	switch t.Format {
	case model.GPGRecipients:
		return recipients{}, nil
	case model.GPGID:
		return gpgID{}, nil
	case model.YAMLList:
		return yamlList{key: t.Key}, nil
	case model.TFVarsList:
		return tfvarsList{name: t.Key, file: t.Path}, nil
	}
	return nil, fmt.Errorf("target %s: unknown format %q", t.Name, t.Format)
}

// rewrite applies the changes for target t to content and checks the
// result by reading it back: the file must now hold exactly the entries
// intended, or nothing is written.
func rewrite(t *model.Target, content []byte, changes []model.Change) ([]byte, error) {
	f, err := formatFor(t)
	if err != nil {
		return nil, err
	}
	before, err := f.parse(content)
	if err != nil {
		return nil, err
	}
	remove := map[string]bool{}
	var add []model.Change
	for _, c := range changes {
		if c.Action == model.Remove {
			remove[t.SubjectKey(c.Subject)] = true
		} else {
			add = append(add, c)
		}
	}
	out, err := f.update(content, remove, add)
	if err != nil {
		return nil, err
	}
	var want []string
	for _, e := range before {
		if !remove[t.SubjectKey(e.Subject)] {
			want = append(want, t.SubjectKey(e.Subject))
		}
	}
	for _, c := range add {
		want = append(want, t.SubjectKey(c.Subject))
	}
	after, err := f.parse(out)
	if err != nil {
		return nil, fmt.Errorf("%s: the rewritten file does not read back: %w", t.Path, err)
	}
	var got []string
	for _, e := range after {
		got = append(got, t.SubjectKey(e.Subject))
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		return nil, fmt.Errorf("%s: the rewritten file holds %v, not the intended %v; nothing was written", t.Path, got, want)
	}
	return out, nil
}

// lines splits text into lines without their line ends; a final line end
// does not make an empty last line.
func lines(content []byte) []string {
	var out []string
	start := 0
	for i, b := range content {
		if b == '\n' {
			out = append(out, string(content[start:i]))
			start = i + 1
		}
	}
	if start < len(content) {
		out = append(out, string(content[start:]))
	}
	return out
}

func joinLines(ls []string) []byte {
	var b []byte
	for _, l := range ls {
		b = append(b, l...)
		b = append(b, '\n')
	}
	return b
}
