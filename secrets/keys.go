package secrets

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/prodaccess/prodaccess/model"
)

// MaxKeyFileSize is the largest public key file read.
const MaxKeyFileSize = 256 << 10

// CheckKey checks an armored public key against the person's fingerprint:
// one v4 key with that fingerprint, not revoked or expired, with a usable
// encryption key, and strong enough (RSA of at least 2048 bits or an
// elliptic curve; never DSA or ElGamal).
func CheckKey(id, file string, armored []byte, fingerprint string, now time.Time) model.KeyCheck {
	k := model.KeyCheck{ID: id, File: file}
	fail := func(format string, args ...any) model.KeyCheck {
		k.Fails = append(k.Fails, fmt.Sprintf(format, args...))
		return k
	}
	if bytes.Contains(armored, []byte("PRIVATE KEY BLOCK")) {
		return fail("is a secret key: a secret key must never be committed; delete it from the repository and its history, and make a new key")
	}
	if n := bytes.Count(armored, []byte("-----BEGIN PGP")); n > 1 {
		return fail("holds %d armored blocks; it must hold exactly one public key", n)
	}
	entities, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(armored))
	switch {
	case err != nil:
		return fail("not an armored OpenPGP public key (%v)", err)
	case len(entities) != 1:
		return fail("holds %d keys; it must hold exactly one", len(entities))
	}
	e := entities[0]
	if v := e.PrimaryKey.Version; v != 4 {
		return fail("is a version %d key; only v4 keys are used", v)
	}
	got := fmt.Sprintf("%X", e.PrimaryKey.Fingerprint)
	if fingerprint == "" {
		return fail("the person file gives no gpg_fingerprint for it")
	}
	if got != fingerprint {
		return fail("its fingerprint is %s, not %s as the person file says", got, fingerprint)
	}
	if e.Revoked(now) {
		fail("is revoked")
	}
	sig, _ := e.PrimarySelfSignature()
	if sig == nil {
		return fail("has no valid self-signature")
	}
	if exp := expiry(e.PrimaryKey, sig); exp != nil {
		k.Expires = exp
		if !now.Before(*exp) {
			fail("expired on %s", exp.Format("2006-01-02"))
		}
	}
	if weak := weakness(e.PrimaryKey); weak != "" {
		fail("its primary key is %s", weak)
	}
	enc, ok := e.EncryptionKey(now)
	if !ok {
		if k.OK() {
			fail("has no usable encryption key (it can only sign, or its encryption subkey expired or was revoked)")
		}
		return k
	}
	if weak := weakness(enc.PublicKey); weak != "" {
		fail("its encryption key is %s", weak)
	}
	if exp := expiry(enc.PublicKey, enc.SelfSignature); exp != nil && (k.Expires == nil || exp.Before(*k.Expires)) {
		k.Expires = exp
	}
	return k
}

func expiry(pk *packet.PublicKey, sig *packet.Signature) *time.Time {
	if sig == nil || sig.KeyLifetimeSecs == nil || *sig.KeyLifetimeSecs == 0 {
		return nil
	}
	t := pk.CreationTime.Add(time.Duration(*sig.KeyLifetimeSecs) * time.Second)
	return &t
}

// weakness says why a key is too weak, or "" when it is strong enough.
func weakness(pk *packet.PublicKey) string {
	switch pk.PubKeyAlgo {
	case packet.PubKeyAlgoDSA:
		return "DSA, which is too weak"
	case packet.PubKeyAlgoElGamal:
		return "ElGamal, which is too weak"
	case packet.PubKeyAlgoRSA, packet.PubKeyAlgoRSAEncryptOnly, packet.PubKeyAlgoRSASignOnly:
		if bits, err := pk.BitLength(); err != nil || bits < 2048 {
			return fmt.Sprintf("RSA of %d bits, fewer than 2048", bits)
		}
	}
	return ""
}

// LoadKeys checks the public key of every person with a fingerprint:
// <id>.asc in the root of fsys (label is how messages name the folder).
// Without the folder, no key is checked. A person with a fingerprint and
// no key file is not checked either; the warnings say so.
func LoadKeys(fsys fs.FS, label string, people []*model.Person, now time.Time) (map[string]model.KeyCheck, []string, error) {
	checks := map[string]model.KeyCheck{}
	if _, err := fs.Stat(fsys, "."); errors.Is(err, fs.ErrNotExist) {
		return checks, nil, nil
	}
	var warnings []string
	for _, p := range people {
		if p.GPGFingerprint == "" {
			continue
		}
		name := p.ID + ".asc"
		f, err := fsys.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			warnings = append(warnings, fmt.Sprintf("%s: no public key for %s, so the fingerprint in %s is not checked", path.Join(label, name), p.ID, p.File))
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", path.Join(label, name), err)
		}
		data, err := io.ReadAll(io.LimitReader(f, MaxKeyFileSize+1))
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", path.Join(label, name), err)
		}
		file := path.Join(label, name)
		if len(data) > MaxKeyFileSize {
			checks[p.ID] = model.KeyCheck{ID: p.ID, File: file, Fails: []string{fmt.Sprintf("the file is larger than %d KiB", MaxKeyFileSize>>10)}}
			continue
		}
		checks[p.ID] = CheckKey(p.ID, file, data, p.GPGFingerprint, now)
	}
	return checks, warnings, nil
}

// KeyProblems turns key checks into problems for validate: a key that may
// not be used is an error; one that expires within KeyWarningDays is a
// warning.
func KeyProblems(checks map[string]model.KeyCheck, now time.Time) model.Problems {
	var out model.Problems
	for _, k := range checks {
		switch {
		case !k.OK():
			out = append(out, model.Problem{File: k.File, Line: 1, Col: 1, Message: fmt.Sprintf("the key of %s %s, so nothing is encrypted to it", k.ID, k.Reason())})
		case k.ExpiresSoon(now):
			out = append(out, model.Problem{File: k.File, Line: 1, Col: 1, Warning: true, Message: fmt.Sprintf("the key of %s expires on %s, within %d days", k.ID, k.Expires.Format("2006-01-02"), model.KeyWarningDays)})
		}
	}
	out.Sort()
	return out
}

// Fingerprint is the fingerprint of the one key an armored public key
// file holds, or "" when it holds anything else (CheckKey says what).
func Fingerprint(armored []byte) string {
	entities, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(armored))
	if err != nil || len(entities) != 1 {
		return ""
	}
	return fmt.Sprintf("%X", entities[0].PrimaryKey.Fingerprint)
}
