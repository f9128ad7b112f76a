package secrets

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// LedgerDir is the folder of the ledgers in a target repository: one file
// a target, LedgerDir/<target>.yaml, changed in the pull requests that
// re-encrypt the target's secrets and record their rotation, so that it
// is reviewed with them and anyone can read it without a key.
const LedgerDir = ".prodaccess/secrets"

// LedgerPath is where a target's ledger is kept in its repository.
func LedgerPath(target string) string { return LedgerDir + "/" + target + ".yaml" }

// maxLedgerSize bounds the ledger file read.
const maxLedgerSize = 8 << 20

const ledgerHeader = `# The secrets ledger of the target %s, kept by prodaccess (docs/secrets.md).
# rotate: values that readers who may no longer read them could read, at
#   the commit readable_at, until a current recipient finds by decrypting
#   both that the value has changed (rotated, rotated_at). Old versions stay
#   in git history: only a new value ends what those readers know.
# hidden: messages prodaccess wrote with hidden recipients, and to whom.
# Nothing here is secret: it names files, people, commits and digests of
# encrypted messages, never anything about a value.
`

// ledgerFile is the ledger as written: plain strings, checked on reading.
type ledgerFile struct {
	Rotate []ledgerRotation `yaml:"rotate"`
	Hidden []ledgerHidden   `yaml:"hidden"`
}

type ledgerRotation struct {
	File       string   `yaml:"file"`
	Key        string   `yaml:"key,omitempty"`
	Readers    []string `yaml:"readers,flow"`
	Due        string   `yaml:"due"`
	ReadableAt string   `yaml:"readable_at"`
	Rotated    string   `yaml:"rotated,omitempty"`
	RotatedAt  string   `yaml:"rotated_at,omitempty"`
}

type ledgerHidden struct {
	File   string   `yaml:"file"`
	Key    string   `yaml:"key,omitempty"`
	SHA256 string   `yaml:"sha256"`
	KeyIDs []string `yaml:"key_ids,flow"`
}

var (
	commitPattern = regexp.MustCompile(`^[0-9a-f]{40}$`)
	sha256Pattern = regexp.MustCompile(`^[0-9a-f]{64}$`)
	keyIDPattern  = regexp.MustCompile(`^[0-9A-F]{16}$`)
)

// ReadLedger reads a target's ledger from its repository's tree. Without
// the file, the ledger is empty (nil). A ledger that cannot be read is not
// used, and the problems say why, with the line.
func ReadLedger(fsys fs.FS, target string) (*outcome.SecretsLedger, []string) {
	name := LedgerPath(target)
	f, err := fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, []string{fmt.Sprintf("%s: cannot be read (%v)", name, unwrapPath(err))}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxLedgerSize+1))
	switch {
	case err != nil:
		return nil, []string{fmt.Sprintf("%s: cannot be read (%v)", name, unwrapPath(err))}
	case len(data) > maxLedgerSize:
		return nil, []string{fmt.Sprintf("%s: larger than %d MiB", name, maxLedgerSize>>20)}
	}
	return ParseLedger(name, data)
}

// ParseLedger reads a ledger file strictly: every field known, every
// value of its form.
func ParseLedger(name string, data []byte) (*outcome.SecretsLedger, []string) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, []string{fmt.Sprintf("%s: not valid YAML (%v)", name, err)}
	}
	var raw ledgerFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			var out []string
			for _, e := range te.Errors {
				out = append(out, fmt.Sprintf("%s: %s", name, e))
			}
			return nil, out
		}
		return nil, []string{fmt.Sprintf("%s: %v", name, strings.TrimPrefix(err.Error(), "yaml: "))}
	}
	lines := itemLines(&doc)
	var problems []string
	bad := func(section string, i int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s:%d: %s[%d]: %s", name, lines[section][i], section, i, fmt.Sprintf(format, args...)))
	}
	l := &outcome.SecretsLedger{Rotate: []outcome.RotationEntry{}, Hidden: []outcome.HiddenRecipients{}}
	for i, r := range raw.Rotate {
		e := outcome.RotationEntry{File: r.File, Key: r.Key, Readers: r.Readers, ReadableAt: r.ReadableAt, RotatedAt: r.RotatedAt}
		due, err := model.ParseDay(r.Due)
		switch {
		case r.File == "":
			bad("rotate", i, "no file")
		case len(r.Readers) == 0:
			bad("rotate", i, "no readers")
		case err != nil:
			bad("rotate", i, "due: %q is not a day (YYYY-MM-DD)", r.Due)
		case !commitPattern.MatchString(r.ReadableAt):
			bad("rotate", i, "readable_at: %q is not a commit (40 hexadecimal digits)", r.ReadableAt)
		case (r.Rotated == "") != (r.RotatedAt == ""):
			bad("rotate", i, "give both rotated and rotated_at, or neither")
		case r.RotatedAt != "" && !commitPattern.MatchString(r.RotatedAt):
			bad("rotate", i, "rotated_at: %q is not a commit (40 hexadecimal digits)", r.RotatedAt)
		default:
			e.Due = due
			if r.Rotated != "" {
				d, err := model.ParseDay(r.Rotated)
				if err != nil {
					bad("rotate", i, "rotated: %q is not a day (YYYY-MM-DD)", r.Rotated)
					continue
				}
				e.Rotated = &d
			}
			l.Rotate = append(l.Rotate, e)
		}
	}
	for i, h := range raw.Hidden {
		switch {
		case h.File == "":
			bad("hidden", i, "no file")
		case !sha256Pattern.MatchString(h.SHA256):
			bad("hidden", i, "sha256: %q is not a SHA-256 (64 hexadecimal digits)", h.SHA256)
		case len(h.KeyIDs) == 0 || slices.ContainsFunc(h.KeyIDs, func(id string) bool { return !keyIDPattern.MatchString(id) }):
			bad("hidden", i, "key_ids: each must be a key id of 16 upper-case hexadecimal digits")
		default:
			l.Hidden = append(l.Hidden, outcome.HiddenRecipients{File: h.File, Key: h.Key, SHA256: h.SHA256, KeyIDs: h.KeyIDs})
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return l, nil
}

// itemLines finds the line of each item of the ledger's sections.
func itemLines(doc *yaml.Node) map[string][]int {
	out := map[string][]int{}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return out
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		for _, item := range m.Content[i+1].Content {
			out[m.Content[i].Value] = append(out[m.Content[i].Value], item.Line)
		}
	}
	return out
}

// MarshalLedger writes a target's ledger, entries in a stable order.
func MarshalLedger(target string, l *outcome.SecretsLedger) ([]byte, error) {
	var raw ledgerFile
	for _, e := range l.Rotate {
		r := ledgerRotation{File: e.File, Key: e.Key, Readers: e.Readers, Due: e.Due.String(), ReadableAt: e.ReadableAt, RotatedAt: e.RotatedAt}
		if e.Rotated != nil {
			r.Rotated = e.Rotated.String()
		}
		raw.Rotate = append(raw.Rotate, r)
	}
	for _, h := range l.Hidden {
		raw.Hidden = append(raw.Hidden, ledgerHidden(h))
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, ledgerHeader, target)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(raw); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	out := b.Bytes()
	if _, problems := ParseLedger(LedgerPath(target), out); len(problems) > 0 {
		return nil, fmt.Errorf("the ledger written does not read back: %s", strings.Join(problems, "; "))
	}
	return out, nil
}

// AddRotations adds to a ledger the values that re-encryption took from
// readers who may no longer read them: one entry a secret, readable at
// commit, due on the day due gives each reader (the day they lost access).
func AddRotations(l *outcome.SecretsLedger, done []outcome.SecretCheck, commit string, due func(reader string) model.Day) {
	for _, c := range done {
		if !c.Rotate() {
			continue
		}
		d := model.Day(0)
		for i, r := range c.Stale {
			if rd := due(r); i == 0 || rd < d {
				d = rd
			}
		}
		entry := outcome.RotationEntry{File: c.File, Key: c.Key, Readers: slices.Clone(c.Stale), Due: d, ReadableAt: commit}
		if i := slices.IndexFunc(l.Rotate, func(e outcome.RotationEntry) bool {
			return e.File == entry.File && e.Key == entry.Key && e.ReadableAt == commit && e.Rotated == nil
		}); i >= 0 {
			l.Rotate[i] = entry
			continue
		}
		l.Rotate = append(l.Rotate, entry)
	}
}

// SetHidden records that the message with the given digest, of the secret
// file (and key), was written with hidden recipients to keyIDs, replacing
// any record of the secret.
func SetHidden(l *outcome.SecretsLedger, file, key, sha string, keyIDs []string) {
	l.Hidden = slices.DeleteFunc(l.Hidden, func(h outcome.HiddenRecipients) bool { return h.File == file && h.Key == key })
	l.Hidden = append(l.Hidden, outcome.HiddenRecipients{File: file, Key: key, SHA256: sha, KeyIDs: slices.Sorted(slices.Values(keyIDs))})
	slices.SortFunc(l.Hidden, func(a, b outcome.HiddenRecipients) int {
		return strings.Compare(a.File+"\x00"+a.Key, b.File+"\x00"+b.Key)
	})
}

// CloneLedger copies a ledger (an empty one for nil), so that it can be
// changed.
func CloneLedger(l *outcome.SecretsLedger) *outcome.SecretsLedger {
	out := &outcome.SecretsLedger{Rotate: []outcome.RotationEntry{}, Hidden: []outcome.HiddenRecipients{}}
	if l != nil {
		out.Rotate = append(out.Rotate, l.Rotate...)
		out.Hidden = append(out.Hidden, l.Hidden...)
	}
	return out
}
