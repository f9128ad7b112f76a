package secrets

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/prodaccess/prodaccess/model"
)

// HiddenKeyID is the key id of a hidden recipient (gpg --throw-keyids).
const HiddenKeyID = "0000000000000000"

// PublicKey is a public key that secrets may be encrypted to: a person's
// (keys/<id>.asc) or a keep entry's (keys/keep/<FINGERPRINT>.asc).
type PublicKey struct {
	Holder      string // the person's id, or the keep entry's fingerprint
	Keep        bool
	Fingerprint string
	File        string
	Entity      *openpgp.Entity
}

// Name is how messages name the holder.
func (k *PublicKey) Name() string {
	if k.Keep {
		return "keep " + k.Fingerprint
	}
	return k.Holder
}

// ReadPublicKey reads an armored file that must hold exactly one public
// key, with the given fingerprint. It does not judge whether the key may
// still be used: an expired key can still open what was encrypted to it.
func ReadPublicKey(armored []byte, fingerprint string) (*openpgp.Entity, error) {
	if bytes.Contains(armored, []byte("PRIVATE KEY BLOCK")) {
		return nil, fmt.Errorf("holds a secret key, which must never be committed")
	}
	entities, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(armored))
	switch {
	case err != nil:
		return nil, fmt.Errorf("not an armored OpenPGP public key (%v)", err)
	case len(entities) != 1:
		return nil, fmt.Errorf("holds %d keys; it must hold exactly one", len(entities))
	}
	if got := fmt.Sprintf("%X", entities[0].PrimaryKey.Fingerprint); got != fingerprint {
		return nil, fmt.Errorf("its fingerprint is %s, not %s", got, fingerprint)
	}
	return entities[0], nil
}

// KeyRing maps the key ids and fingerprints of every key and subkey of the
// known public keys to their holders.
type KeyRing struct {
	Keys  []*PublicKey
	byID  map[string]*PublicKey
	byFP  map[string]*PublicKey
	clash map[string]bool // key ids that two holders' keys share
}

// NewKeyRing indexes the keys: the primary key and every subkey, since a
// message names the encryption subkey.
func NewKeyRing(keys []*PublicKey) *KeyRing {
	r := &KeyRing{Keys: keys, byID: map[string]*PublicKey{}, byFP: map[string]*PublicKey{}, clash: map[string]bool{}}
	for _, k := range keys {
		r.byFP[k.Fingerprint] = k
		if k.Entity == nil {
			continue
		}
		add := func(id uint64, fp []byte) {
			hex := fmt.Sprintf("%016X", id)
			if other := r.byID[hex]; other != nil && other.Fingerprint != k.Fingerprint {
				r.clash[hex] = true
			}
			r.byID[hex] = k
			r.byFP[fmt.Sprintf("%X", fp)] = k
		}
		add(k.Entity.PrimaryKey.KeyId, k.Entity.PrimaryKey.Fingerprint)
		for _, sk := range k.Entity.Subkeys {
			add(sk.PublicKey.KeyId, sk.PublicKey.Fingerprint)
		}
	}
	return r
}

// ByFingerprint returns the key with the given primary fingerprint.
func (r *KeyRing) ByFingerprint(fp string) *PublicKey {
	if k := r.byFP[fp]; k != nil && k.Fingerprint == fp {
		return k
	}
	return nil
}

// CheckSecrets compares who can read each secret with who should: the
// desired holders, each of whom needs a public key in the ring for their
// key ids to be recognised. A key id that no known key has, a hidden
// recipient and a passphrase are unknown, never guessed. It is a pure
// function of its input.
func CheckSecrets(target string, secrets []model.Secret, desired []model.Holder, ring *KeyRing) *model.SecretsReport {
	rep := &model.SecretsReport{Target: target, Desired: slices.Clone(desired), Secrets: []model.SecretCheck{}, Warnings: []string{}}
	slices.SortFunc(rep.Desired, func(a, b model.Holder) int { return cmp.Compare(a.Name, b.Name) })
	want := map[string]model.Holder{}
	for _, h := range rep.Desired {
		want[h.Fingerprint] = h
		if ring.ByFingerprint(h.Fingerprint) == nil {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s: no public key for %s (%s), so which secrets they can read is unknown and nothing can be encrypted to them", target, h.Name, h.Fingerprint))
		}
	}
	for id := range ring.clash {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s: key id %s belongs to more than one known key; a secret naming it is counted as the last key read", target, id))
	}
	slices.Sort(rep.Warnings)
	for _, s := range secrets {
		c := check(s, want, ring)
		rep.Counts.Total++
		if c.Current() {
			rep.Counts.Current++
			continue
		}
		for _, st := range c.Statuses() {
			switch st {
			case model.SecretStale:
				rep.Counts.Stale++
			case model.SecretMissing:
				rep.Counts.Missing++
			case model.SecretUnknown:
				rep.Counts.Unknown++
			case model.SecretUnreadable:
				rep.Counts.Unreadable++
			}
		}
		rep.Secrets = append(rep.Secrets, c)
	}
	return rep
}

func check(s model.Secret, want map[string]model.Holder, ring *KeyRing) model.SecretCheck {
	c := model.SecretCheck{Secret: s, Readers: []string{}, Stale: []string{}, Missing: []string{}, Unknown: []string{}}
	if s.Problem != "" {
		return c
	}
	reads := map[string]bool{} // fingerprints of known keys that can read it
	reader := func(k *PublicKey) {
		if reads[k.Fingerprint] {
			return
		}
		reads[k.Fingerprint] = true
		c.Readers = append(c.Readers, k.Name())
		if _, ok := want[k.Fingerprint]; !ok {
			c.Stale = append(c.Stale, k.Name())
		}
	}
	for _, id := range s.KeyIDs {
		switch k := ring.byID[id]; {
		case id == HiddenKeyID:
			c.Unknown = append(c.Unknown, "a hidden recipient")
		case k == nil:
			c.Unknown = append(c.Unknown, "key id "+id+" (no known public key has it)")
		default:
			reader(k)
		}
	}
	for _, fp := range s.Fingerprints {
		if k := ring.byFP[fp]; k != nil {
			reader(k)
		} else {
			c.Unknown = append(c.Unknown, "key "+fp+" (no known public key has it)")
		}
	}
	for range s.Hidden {
		c.Unknown = append(c.Unknown, "a hidden recipient")
	}
	if s.Symmetric > 0 {
		c.Unknown = append(c.Unknown, "a passphrase (symmetric session key)")
	}
	for fp, h := range want {
		switch {
		case reads[fp]:
		case ring.ByFingerprint(fp) == nil:
			c.Unknown = append(c.Unknown, "whether "+h.Name+" can read it (no public key)")
		default:
			c.Missing = append(c.Missing, h.Name)
		}
	}
	slices.Sort(c.Readers)
	slices.Sort(c.Stale)
	slices.Sort(c.Missing)
	slices.Sort(c.Unknown)
	c.Unknown = slices.Compact(c.Unknown)
	return c
}

// LoadKeyRing reads the public keys that secrets may be encrypted to from
// the keys folder fsys (label is how messages name it): <id>.asc for every
// person with a fingerprint, and keep/<FINGERPRINT>.asc for every keep
// entry. A missing file leaves the key out (its key ids read as unknown);
// a file that does not hold the right key is a warning and is left out
// too. Expired and revoked keys are read: they still open what was
// encrypted to them.
func LoadKeyRing(fsys fs.FS, label string, people []*model.Person, keep []string) (*KeyRing, []string, error) {
	var keys []*PublicKey
	var warnings []string
	read := func(name, holder, fp string, isKeep bool) error {
		data, err := fs.ReadFile(fsys, name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil
		case err != nil:
			return fmt.Errorf("read %s: %w", path.Join(label, name), err)
		case len(data) > MaxKeyFileSize:
			warnings = append(warnings, fmt.Sprintf("%s: larger than %d KiB, so it is not read", path.Join(label, name), MaxKeyFileSize>>10))
			return nil
		}
		e, err := ReadPublicKey(data, fp)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s: %v, so it is not used to tell who can read secrets", path.Join(label, name), err))
			return nil
		}
		keys = append(keys, &PublicKey{Holder: holder, Keep: isKeep, Fingerprint: fp, File: path.Join(label, name), Entity: e})
		return nil
	}
	for _, p := range people {
		if p.GPGFingerprint == "" {
			continue
		}
		if err := read(p.ID+".asc", p.ID, p.GPGFingerprint, false); err != nil {
			return nil, nil, err
		}
	}
	done := map[string]bool{}
	for _, fp := range keep {
		if done[fp] {
			continue
		}
		done[fp] = true
		if err := read("keep/"+fp+".asc", fp, fp, true); err != nil {
			return nil, nil, err
		}
	}
	return NewKeyRing(keys), warnings, nil
}
