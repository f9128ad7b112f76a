package secrets

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Recipients are the keys a store's secrets are encrypted to: each
// holder's usable encryption key, found once.
type Recipients struct {
	keys []*packet.PublicKey
	ids  []string // the key ids the messages name, sorted
}

// NewRecipients finds the usable encryption key of each public key at
// now, and fails naming a holder who has none.
func NewRecipients(to []*PublicKey, now time.Time) (*Recipients, error) {
	if len(to) == 0 {
		return nil, errors.New("nobody to encrypt to: the store would have no recipients")
	}
	r := &Recipients{}
	for _, k := range to {
		key, ok := k.Entity.EncryptionKey(now)
		if !ok {
			return nil, fmt.Errorf("the key of %s (%s) has no usable encryption key: it is expired, revoked or sign-only; nothing was re-encrypted", k.Name(), k.File)
		}
		r.keys = append(r.keys, key.PublicKey)
		r.ids = append(r.ids, fmt.Sprintf("%016X", key.PublicKey.KeyId))
	}
	slices.Sort(r.ids)
	return r, nil
}

// KeyIDs are the key ids a message to these recipients names.
func (r *Recipients) KeyIDs() []string { return slices.Clone(r.ids) }

// sealed is a message made by seal, and what checking it needs.
type sealed struct {
	message []byte   // binary
	key     []byte   // the session key, which never leaves memory
	sum     [32]byte // the SHA-256 of the plaintext
}

// seal encrypts plain to the recipients with a session key it makes:
// AES-256, no compression, a literal data packet in integrity-protected
// data (SEIPD version 1, which gpg 2.2 reads), one session key packet a
// recipient, each naming its key id unless hidden.
func (r *Recipients) seal(plain []byte, hidden bool, now time.Time) (*sealed, error) {
	s := &sealed{key: make([]byte, 32), sum: sha256.Sum256(plain)}
	if _, err := io.ReadFull(rand.Reader, s.key); err != nil {
		return nil, err
	}
	cfg := &packet.Config{DefaultCipher: packet.CipherAES256, Time: func() time.Time { return now }}
	var buf bytes.Buffer
	for _, pk := range r.keys {
		if err := packet.SerializeEncryptedKeyAEADwithHiddenOption(&buf, pk, packet.CipherAES256, false, s.key, hidden, cfg); err != nil {
			return nil, fmt.Errorf("encrypt the session key: %w", err)
		}
	}
	w, err := packet.SerializeSymmetricallyEncrypted(&buf, packet.CipherAES256, false, packet.CipherSuite{}, s.key, cfg)
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	lit, err := packet.SerializeLiteral(w, true, "", uint32(now.Unix()))
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if _, err := lit.Write(plain); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if err := lit.Close(); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	s.message = buf.Bytes()
	return s, nil
}

// check reads a sealed message back without any private key and without
// gpg: its session key packets must name exactly the recipients' key ids
// (or, hidden, be as many and name none), with no passphrase, and its data
// must decrypt with the session key made for it, pass its integrity
// check, and hold a plaintext with the same SHA-256.
func (r *Recipients) check(s *sealed, hidden bool, limit int) error {
	h, err := readMessage(s.message)
	if err != nil {
		return fmt.Errorf("the re-encrypted message does not read back: %w", err)
	}
	want := r.ids
	if hidden {
		want = slices.Repeat([]string{HiddenKeyID}, len(r.ids))
	}
	if !slices.Equal(h.keyIDs, want) || len(h.fingerprints)+h.hidden+h.symmetric > 0 {
		return fmt.Errorf("the re-encrypted message names key ids %v, not exactly %v", h.keyIDs, want)
	}
	sum, err := openWithSessionKey(s.message, s.key, limit)
	if err != nil {
		return fmt.Errorf("the re-encrypted message does not decrypt with its own session key: %w", err)
	}
	if sum != s.sum {
		return errors.New("the re-encrypted message decrypts to something else")
	}
	return nil
}

// openWithSessionKey decrypts a message's data with its session key and
// returns the SHA-256 of its plaintext, read as it comes and at most
// limit bytes.
func openWithSessionKey(message, key []byte, limit int) ([32]byte, error) {
	var sum [32]byte
	r := bytes.NewReader(message)
	for {
		p, err := packet.Read(r)
		if err != nil {
			return sum, err
		}
		switch p := p.(type) {
		case *packet.EncryptedKey:
			continue
		case *packet.SymmetricallyEncrypted:
			rc, err := p.Decrypt(packet.CipherAES256, key)
			if err != nil {
				return sum, err
			}
			lp, err := packet.Read(rc)
			if err != nil {
				return sum, err
			}
			lit, ok := lp.(*packet.LiteralData)
			if !ok {
				return sum, fmt.Errorf("it holds a %T, not literal data", lp)
			}
			h := sha256.New()
			n, err := io.Copy(h, io.LimitReader(lit.Body, int64(limit)+1))
			if err != nil {
				return sum, err
			}
			if n > int64(limit) {
				return sum, &TooLargeError{Limit: limit}
			}
			// Reading to the end and closing checks the integrity code.
			if _, err := io.Copy(io.Discard, rc); err != nil {
				return sum, err
			}
			if err := rc.Close(); err != nil {
				return sum, err
			}
			if r.Len() != 0 {
				return sum, errors.New("something follows the encrypted data")
			}
			copy(sum[:], h.Sum(nil))
			return sum, nil
		default:
			return sum, fmt.Errorf("unexpected %T", p)
		}
	}
}
