package gitfile

import (
	"fmt"
	"strings"

	"github.com/prodaccess/prodaccess/model"
)

// recipients is the gpg-recipients format: one "<FINGERPRINT> # Name" line
// per key, with comment lines and blank lines kept as they are.
type recipients struct{}

func (recipients) parse(content []byte) ([]model.Entry, error) {
	var out []model.Entry
	for i, line := range lines(content) {
		text, comment, _ := strings.Cut(line, "#")
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		fp, err := model.NormalizeFingerprint(strings.ReplaceAll(text, "\t", " "))
		if err != nil {
			return nil, fmt.Errorf("line %d: %v; prodaccess only manages full fingerprints and will not guess", i+1, err)
		}
		out = append(out, model.Entry{Subject: fp, Label: strings.TrimSpace(comment)})
	}
	return out, nil
}

func (r recipients) update(content []byte, remove map[string]bool, add []model.Change) ([]byte, error) {
	var out []string
	for _, line := range lines(content) {
		text, _, _ := strings.Cut(line, "#")
		if fp, err := model.NormalizeFingerprint(strings.TrimSpace(text)); err == nil && remove[fp] {
			continue
		}
		out = append(out, line)
	}
	for _, c := range add {
		fp, err := model.NormalizeFingerprint(c.Subject)
		if err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("%s # %s", fp, recipientLabel(c)))
	}
	return joinLines(out), nil
}

func recipientLabel(c model.Change) string {
	label := c.Name
	if c.Email != "" {
		label += " <" + c.Email + ">"
	}
	return strings.TrimSpace(label)
}

// gpgID is the gpg-id format of pass's .gpg-id: one fingerprint a line and
// nothing else.
type gpgID struct{}

func (gpgID) parse(content []byte) ([]model.Entry, error) {
	var out []model.Entry
	for i, line := range lines(content) {
		text := strings.TrimSpace(line)
		if text == "" {
			continue
		}
		fp, err := model.NormalizeFingerprint(text)
		if err != nil || strings.ContainsAny(text, " \t") {
			return nil, fmt.Errorf("line %d: %q is not a 40-digit fingerprint written without spaces; prodaccess only manages full fingerprints and will not guess", i+1, text)
		}
		out = append(out, model.Entry{Subject: fp})
	}
	return out, nil
}

func (gpgID) update(content []byte, remove map[string]bool, add []model.Change) ([]byte, error) {
	var out []string
	for _, line := range lines(content) {
		if fp, err := model.NormalizeFingerprint(strings.TrimSpace(line)); err == nil && remove[fp] {
			continue
		}
		if strings.TrimSpace(line) != "" {
			out = append(out, line)
		}
	}
	for _, c := range add {
		fp, err := model.NormalizeFingerprint(c.Subject)
		if err != nil {
			return nil, err
		}
		out = append(out, fp)
	}
	return joinLines(out), nil
}
