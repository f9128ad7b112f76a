package secrets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// MaxSecretFileSize is the largest secrets file read: as large as a file
// that a git tree is read with (internal/gittree.MaxFileSize).
const MaxSecretFileSize = 16 << 20

// maxSessionKeys bounds the session key packets read from one message.
const maxSessionKeys = 1000

// ScanSecrets reads who each of a target's secrets is encrypted to, from
// the files of fsys (the repository's tree) that its secrets globs match,
// without decrypting anything, and reads the target's ledger. A secret
// that cannot be read (a file too large, one whose name holds a control
// character, one that is not what its format says) is returned with its
// problem, and the others go on; the error is for a repository that
// cannot be read at all. For a gpg-id target, each file of its store is
// judged against the nearest .gpg-id above it, as pass encrypts it: its
// Store is the sub-store's folder, if any. The warnings name globs that
// match no file.
func ScanSecrets(fsys fs.FS, t *config.Target) (*outcome.SecretScan, error) {
	scan := &outcome.SecretScan{Secrets: []outcome.Secret{}, Warnings: []string{}}
	stores, err := SubStoreDirs(fsys, t)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", t.Name, err)
	}
	seen := map[string]bool{}
	for _, g := range t.SecretGlobs() {
		files, err := secretFiles(fsys, g)
		if err != nil {
			return nil, fmt.Errorf("target %s: secrets %s: %w", t.Name, g.Glob, err)
		}
		if len(files) == 0 && g.Store == "" {
			scan.Warnings = append(scan.Warnings, fmt.Sprintf("%s: secrets glob %q matches no file", t.Name, g.Glob))
		}
		for _, name := range files {
			if seen[name] {
				continue // the first glob that matches a file says its format
			}
			seen[name] = true
			var found []outcome.Secret
			if problem := model.CheckFreeText(name); problem != "" {
				found = []outcome.Secret{{File: EscapeName(name), Line: 1, Format: g.Format,
					Problem: "its name " + problem + ", so it is not read; rename it with git mv"}}
			} else if data, err := readSecretFile(fsys, name); err != nil {
				found = []outcome.Secret{{File: name, Line: 1, Format: g.Format, Problem: err.Error()}}
			} else {
				found = scanFile(name, g.Format, data)
			}
			for i := range found {
				if g.Format == model.OpenPGPFiles {
					found[i].Store = storeOf(name, stores)
				}
			}
			scan.Secrets = append(scan.Secrets, found...)
		}
	}
	scan.Ledger, scan.Problems = ReadLedger(fsys, t.Name)
	return scan, nil
}

// EscapeName writes a file name with every character that could act on a
// terminal or hide itself escaped as Go does (\t, \n, \x1b, \u202e).
func EscapeName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if model.CheckFreeText(string(r)) != "" || r == utf8.RuneError {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// SubStoreDirs lists the sub-stores of a gpg-id target: the folders below
// its .gpg-id's own with a .gpg-id of their own, in path order. Other
// targets have none.
func SubStoreDirs(fsys fs.FS, t *config.Target) ([]string, error) {
	root := t.StoreDir()
	if root == "" {
		return nil, nil
	}
	var out []string
	err := fs.WalkDir(fsys, root, func(name string, d fs.DirEntry, err error) error {
		switch {
		case err != nil && name == root && errors.Is(err, fs.ErrNotExist):
			return fs.SkipAll
		case err != nil:
			return err
		case !d.IsDir():
			return nil
		case d.Name() == ".git":
			return fs.SkipDir
		case name == root:
			return nil
		}
		if info, err := fs.Stat(fsys, path.Join(name, ".gpg-id")); err == nil && info.Mode().IsRegular() {
			out = append(out, name)
		}
		return nil
	})
	return out, err
}

// storeOf is the sub-store a file belongs to: the deepest of dirs that
// holds it, or "" for the target's own store.
func storeOf(name string, dirs []string) string {
	best := ""
	for _, d := range dirs {
		if config.InStore(d, name) && len(d) > len(best) {
			best = d
		}
	}
	return best
}

// secretFiles lists the regular files that match a glob, in path order.
func secretFiles(fsys fs.FS, g config.SecretGlob) ([]string, error) {
	root := config.GlobRoot(g.Glob)
	var files []string
	err := fs.WalkDir(fsys, root, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			if name == root && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll // nothing there: the glob matches nothing
			}
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && config.MatchGlob(g.Glob, name) {
			files = append(files, name)
		}
		return nil
	})
	return files, err
}

func readSecretFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("cannot be read (%v)", unwrapPath(err))
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() > MaxSecretFileSize {
		return nil, fmt.Errorf("it is %d bytes, larger than the %d MiB read, so it is not read", info.Size(), MaxSecretFileSize>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxSecretFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot be read (%v)", unwrapPath(err))
	}
	if len(data) > MaxSecretFileSize {
		return nil, fmt.Errorf("it is larger than the %d MiB read, so it is not read", MaxSecretFileSize>>20)
	}
	return data, nil
}

// unwrapPath drops the path from a path error: the secret is named anyway.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// scanFile reads the secrets of one file.
func scanFile(name string, format model.SecretFormat, data []byte) []outcome.Secret {
	switch format {
	case model.EYAMLGPG:
		return scanEYAML(name, data)
	case model.SOPS:
		return []outcome.Secret{scanSOPS(name, data)}
	}
	s := outcome.Secret{File: name, Line: 1, Format: model.OpenPGPFiles}
	h, err := readMessage(data)
	if err != nil {
		s.Problem = err.Error()
	} else {
		h.fill(&s)
	}
	return []outcome.Secret{s}
}

// header is what the packets before a message's encrypted data say.
type header struct {
	keyIDs       []string
	fingerprints []string
	hidden       int
	symmetric    int
	armored      bool
	notes        []string
	binary       []byte // the message without its armor
}

func (h *header) fill(s *outcome.Secret) {
	s.KeyIDs = h.keyIDs
	s.Fingerprints = h.fingerprints
	s.Hidden = h.hidden
	s.Symmetric = h.symmetric
	s.Notes = append(s.Notes, h.notes...)
	if h.binary != nil {
		s.Digest = digest(h.binary)
	}
}

// digest is the SHA-256 of data in hex.
func digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// readMessage reads an OpenPGP message, armored or binary, up to its
// encrypted data.
func readMessage(data []byte) (*header, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if bytes.HasPrefix(trimmed, []byte("-----BEGIN PGP")) {
		block, err := armor.Decode(bytes.NewReader(trimmed))
		if err != nil {
			return nil, fmt.Errorf("not a readable armored OpenPGP message (%v)", err)
		}
		if block.Type != "PGP MESSAGE" {
			return nil, fmt.Errorf("an armored %s, not an encrypted message", strings.ToLower(block.Type))
		}
		binary, err := io.ReadAll(io.LimitReader(block.Body, MaxSecretFileSize+1))
		if err != nil {
			return nil, fmt.Errorf("not a readable armored OpenPGP message (%v)", err)
		}
		h, err := readPackets(bytes.NewReader(binary))
		if h != nil {
			h.armored, h.binary = true, binary
		}
		return h, err
	}
	h, err := readPackets(bytes.NewReader(data))
	if h != nil {
		h.binary = data
	}
	return h, err
}

// readPackets reads the session key packets of an OpenPGP message and stops
// at the first encrypted data packet: nothing is decrypted.
func readPackets(r io.Reader) (h *header, err error) {
	h = &header{}
	for n := 0; ; n++ {
		if n > maxSessionKeys {
			return nil, fmt.Errorf("more than %d packets before the encrypted data", maxSessionKeys)
		}
		p, err := packet.Read(r)
		switch {
		case errors.Is(err, io.EOF) && n == 0:
			return nil, errors.New("empty: not an OpenPGP message")
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return nil, errors.New("truncated: the message ends before its encrypted data")
		case err != nil:
			var unsupported pgperrors.UnsupportedError
			if _, ok := p.(*packet.EncryptedKey); ok && errors.As(err, &unsupported) {
				// A session key packet of a kind this reader does not
				// know: someone can read it, and who is unknown.
				h.hidden++
				h.notes = append(h.notes, fmt.Sprintf("a session key packet that cannot be read (%v)", err))
				continue
			}
			if n == 0 {
				return nil, fmt.Errorf("not an OpenPGP message (%v)", err)
			}
			return nil, fmt.Errorf("corrupt OpenPGP message (%v)", err)
		}
		switch p := p.(type) {
		case *packet.EncryptedKey:
			switch {
			case p.Version == 6 && len(p.KeyFingerprint) == 0:
				h.hidden++
			case p.Version == 6:
				h.fingerprints = append(h.fingerprints, fmt.Sprintf("%X", p.KeyFingerprint))
			default:
				h.keyIDs = append(h.keyIDs, fmt.Sprintf("%016X", p.KeyId))
			}
		case *packet.SymmetricKeyEncrypted:
			h.symmetric++
		case *packet.SymmetricallyEncrypted, *packet.AEADEncrypted:
			if len(h.keyIDs)+len(h.fingerprints)+h.hidden+h.symmetric == 0 {
				return nil, errors.New("encrypted data with no session key packet before it")
			}
			slices.Sort(h.keyIDs)
			slices.Sort(h.fingerprints)
			return h, nil
		case *packet.Marker, packet.Padding:
		default:
			return nil, fmt.Errorf("not an encrypted message: it starts with a %s packet", packetName(p))
		}
	}
}

func packetName(p packet.Packet) string {
	switch p.(type) {
	case *packet.LiteralData:
		return "literal data (plaintext)"
	case *packet.Compressed:
		return "compressed data (not encrypted)"
	case *packet.Signature, *packet.OnePassSignature:
		return "signature"
	case *packet.PublicKey, *packet.PrivateKey:
		return "key"
	case *packet.UserId, *packet.UserAttribute:
		return "user id"
	}
	return fmt.Sprintf("%T", p)
}
