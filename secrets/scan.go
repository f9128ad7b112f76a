package secrets

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
)

// MaxSecretFileSize is the largest secrets file read: as large as a file
// that a git tree is read with (internal/gittree.MaxFileSize).
const MaxSecretFileSize = 16 << 20

// maxSessionKeys bounds the session key packets read from one message.
const maxSessionKeys = 1000

// ScanSecrets reads who each of a target's secrets is encrypted to, from
// the files of fsys (the repository's tree) that its secrets globs match,
// without decrypting anything. A secret that cannot be read is returned
// with its problem; the error is for a repository that cannot be read at
// all. The warnings name globs that match no file.
func ScanSecrets(fsys fs.FS, t *config.Target) ([]model.Secret, []string, error) {
	var out []model.Secret
	var warnings []string
	seen := map[string]bool{}
	for _, g := range t.SecretGlobs() {
		files, err := secretFiles(fsys, g)
		if err != nil {
			return nil, nil, fmt.Errorf("target %s: secrets %s: %w", t.Name, g.Glob, err)
		}
		if len(files) == 0 && g.Store == "" {
			warnings = append(warnings, fmt.Sprintf("%s: secrets glob %q matches no file", t.Name, g.Glob))
		}
		for _, name := range files {
			if seen[name] {
				continue // the first glob that matches a file says its format
			}
			seen[name] = true
			data, err := readSecretFile(fsys, name)
			if err != nil {
				return nil, nil, fmt.Errorf("target %s: %w", t.Name, err)
			}
			out = append(out, scanFile(name, g.Format, data)...)
		}
	}
	return out, warnings, nil
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
			if g.Store != "" && name != g.Store && name != root {
				if _, err := fs.Stat(fsys, path.Join(name, ".gpg-id")); err == nil {
					return fs.SkipDir // another password store
				}
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
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSecretFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > MaxSecretFileSize {
		return nil, fmt.Errorf("read %s: larger than %d MiB", name, MaxSecretFileSize>>20)
	}
	return data, nil
}

// scanFile reads the secrets of one file.
func scanFile(name string, format model.SecretFormat, data []byte) []model.Secret {
	switch format {
	case model.EYAMLGPG:
		return scanEYAML(name, data)
	case model.SOPS:
		return []model.Secret{scanSOPS(name, data)}
	}
	s := model.Secret{File: name, Line: 1, Format: model.OpenPGPFiles}
	h, err := readMessage(data)
	if err != nil {
		s.Problem = err.Error()
	} else {
		h.fill(&s)
	}
	return []model.Secret{s}
}

// header is what the packets before a message's encrypted data say.
type header struct {
	keyIDs       []string
	fingerprints []string
	hidden       int
	symmetric    int
	armored      bool
	notes        []string
}

func (h *header) fill(s *model.Secret) {
	s.KeyIDs = h.keyIDs
	s.Fingerprints = h.fingerprints
	s.Hidden = h.hidden
	s.Symmetric = h.symmetric
	s.Notes = append(s.Notes, h.notes...)
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
		h, err := readPackets(bufio.NewReader(block.Body))
		if h != nil {
			h.armored = true
		}
		return h, err
	}
	return readPackets(bytes.NewReader(data))
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
