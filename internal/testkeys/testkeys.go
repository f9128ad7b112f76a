// Package testkeys makes real OpenPGP keys for tests: good ones, and ones
// that are expired, revoked, sign-only or too weak. Keys use EdDSA and ECDH
// on Curve25519 (the legacy OpenPGP v4 form), which gpg 2.2 reads too.
package testkeys

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Key is a generated key pair.
type Key struct {
	Entity      *openpgp.Entity
	Fingerprint string // 40 upper-case hex digits
}

// Kind says what is wrong with a key, if anything.
type Kind int

// Kinds of key.
const (
	Good Kind = iota
	Expired
	ExpiresSoon // in ten days
	Revoked
	SignOnly
	RSA1024
)

// New makes a key of the given kind for name, valid from now, whose user
// id is name <name@example.gov.uk>.
func New(name string, kind Kind, now time.Time) (*Key, error) {
	return NewFor(name, name+"@example.gov.uk", kind, now)
}

// NewFor makes a key of the given kind whose user id is name <email>.
func NewFor(name, email string, kind Kind, now time.Time) (*Key, error) {
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Curve: packet.Curve25519, Time: func() time.Time { return now }}
	switch kind {
	case Expired:
		cfg.Time = func() time.Time { return now.AddDate(-2, 0, 0) }
		cfg.KeyLifetimeSecs = 365 * 24 * 3600
	case ExpiresSoon:
		cfg.Time = func() time.Time { return now.AddDate(0, 0, -355) }
		cfg.KeyLifetimeSecs = 365 * 24 * 3600
	case RSA1024:
		cfg.Algorithm, cfg.RSABits = packet.PubKeyAlgoRSA, 1024
	}
	e, err := openpgp.NewEntity(name, "", email, cfg)
	if err != nil {
		return nil, err
	}
	switch kind {
	case SignOnly:
		e.Subkeys = nil
	case Revoked:
		if err := e.RevokeKey(packet.KeyCompromised, "lost laptop", cfg); err != nil {
			return nil, err
		}
	}
	return &Key{Entity: e, Fingerprint: fmt.Sprintf("%X", e.PrimaryKey.Fingerprint)}, nil
}

// Public is the armored public key.
func (k *Key) Public() []byte {
	var b bytes.Buffer
	w, _ := armor.Encode(&b, openpgp.PublicKeyType, nil)
	if err := k.Entity.Serialize(w); err != nil {
		panic(err)
	}
	w.Close()
	return b.Bytes()
}

// Secret is the armored secret key, unprotected.
func (k *Key) Secret() []byte {
	var b bytes.Buffer
	w, _ := armor.Encode(&b, openpgp.PrivateKeyType, nil)
	if err := k.Entity.SerializePrivate(w, nil); err != nil {
		panic(err)
	}
	w.Close()
	return b.Bytes()
}

// NewFixed makes a good key whose user id is name <email>, the same on
// every run: made on 1 January 2020 from a stream of bytes that name and
// email seed, so that its fingerprint can stand in a golden file.
func NewFixed(name, email string) (*Key, error) {
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Curve: packet.Curve25519,
		Time: func() time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) },
		Rand: &seeded{seed: sha256.Sum256([]byte(name + "\x00" + email))}}
	e, err := openpgp.NewEntity(name, "", email, cfg)
	if err != nil {
		return nil, err
	}
	return &Key{Entity: e, Fingerprint: fmt.Sprintf("%X", e.PrimaryKey.Fingerprint)}, nil
}

// seeded is a stream of bytes from a seed: SHA-256 of the seed and a
// counter, block after block. Fit for test keys only.
type seeded struct {
	seed [32]byte
	n    uint64
	buf  []byte
}

func (s *seeded) Read(p []byte) (int, error) {
	for i := range p {
		if len(s.buf) == 0 {
			var block [40]byte
			copy(block[:], s.seed[:])
			binary.BigEndian.PutUint64(block[32:], s.n)
			s.n++
			sum := sha256.Sum256(block[:])
			s.buf = sum[:]
		}
		p[i], s.buf = s.buf[0], s.buf[1:]
	}
	return len(p), nil
}
