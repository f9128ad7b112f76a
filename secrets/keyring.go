package secrets

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strconv"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
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
	Keys []*PublicKey
	// At is when the keys are judged: a key revoked or expired then is no
	// current reader.
	At    time.Time
	byID  map[string]*PublicKey
	byFP  map[string]*PublicKey
	clash map[string]bool // key ids that two holders' keys share
}

// NewKeyRing indexes the keys, judged at the time at: the primary key and
// every subkey, since a message names the encryption subkey.
func NewKeyRing(keys []*PublicKey, at time.Time) *KeyRing {
	r := &KeyRing{Keys: keys, At: at, byID: map[string]*PublicKey{}, byFP: map[string]*PublicKey{}, clash: map[string]bool{}}
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
// holders of its store (stores[""] for the target's own recipients,
// stores[dir] for the sub-store in folder dir), each of whom needs a
// public key in the ring for their key ids to be recognised. A secret is
// current only when its readers are exactly the holders' usable
// encryption keys: a key id that no known key has, a revoked or expired
// key, a hidden recipient that the ledger does not account for and a
// passphrase are never current; keys are judged at the ring's time. The
// ledger (nil for none) accounts for hidden recipients and gives the
// values still to rotate. It is a pure function of its input.
func CheckSecrets(target string, secrets []outcome.Secret, stores map[string][]outcome.Holder, ring *KeyRing, ledger *outcome.SecretsLedger) *outcome.SecretsReport {
	rep := &outcome.SecretsReport{Target: target, Desired: sortedHolders(stores[""]), Secrets: []outcome.SecretCheck{}, Warnings: []string{}}
	wants := map[string]map[string]outcome.Holder{}
	warned := map[string]bool{}
	for _, dir := range slices.Sorted(maps.Keys(stores)) {
		want := map[string]outcome.Holder{}
		for _, h := range stores[dir] {
			want[h.Fingerprint] = h
			if ring.ByFingerprint(h.Fingerprint) == nil && !warned[h.Fingerprint] {
				warned[h.Fingerprint] = true
				rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s: no public key for %s (%s), so which secrets they can read is unknown and nothing can be encrypted to them", target, h.Name, h.Fingerprint))
			}
		}
		wants[dir] = want
		if dir != "" {
			rep.Stores = append(rep.Stores, outcome.StoreHolders{Path: dir, Desired: sortedHolders(stores[dir])})
		}
	}
	for id := range ring.clash {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s: key id %s belongs to more than one known key; a secret naming it is counted as the last key read", target, id))
	}
	slices.Sort(rep.Warnings)
	for _, s := range secrets {
		want, ok := wants[s.Store]
		if !ok && s.Problem == "" {
			s.Problem = fmt.Sprintf("no recipients are known for its store %s", s.Store)
		}
		c := check(s, want, ring, ledger, ring.At)
		rep.Counts.Total++
		if c.Current() {
			rep.Counts.Current++
			continue
		}
		for _, st := range c.Statuses() {
			switch st {
			case outcome.SecretStale:
				rep.Counts.Stale++
			case outcome.SecretMissing:
				rep.Counts.Missing++
			case outcome.SecretUnknown:
				rep.Counts.Unknown++
			case outcome.SecretUnreadable:
				rep.Counts.Unreadable++
			}
		}
		rep.Secrets = append(rep.Secrets, c)
	}
	rep.Rotation = ledger.Open()
	rep.Counts.ToRotate = len(rep.Rotation)
	return rep
}

func sortedHolders(hs []outcome.Holder) []outcome.Holder {
	out := slices.Clone(hs)
	if out == nil {
		out = []outcome.Holder{}
	}
	slices.SortFunc(out, func(a, b outcome.Holder) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

func check(s outcome.Secret, want map[string]outcome.Holder, ring *KeyRing, ledger *outcome.SecretsLedger, now time.Time) outcome.SecretCheck {
	c := outcome.SecretCheck{Secret: s, Readers: []string{}, Stale: []string{}, Retired: []string{}, Missing: []string{}, Unknown: []string{}}
	if s.Problem != "" {
		return c
	}
	reads := map[string]bool{} // fingerprints of known keys that can read it
	reader := func(k *PublicKey, id uint64, hasID bool) {
		if !reads[k.Fingerprint] {
			reads[k.Fingerprint] = true
			c.Readers = append(c.Readers, k.Name())
		}
		h, entitled := want[k.Fingerprint]
		switch {
		case !entitled:
			if !slices.Contains(c.Stale, k.Name()) {
				c.Stale = append(c.Stale, k.Name())
			}
		case !hasID:
		default:
			switch why := keyUse(k.Entity, id, now); why {
			case "":
			case "revoked":
				c.Stale = append(c.Stale, fmt.Sprintf("%s's revoked key %016X", h.Name, id))
			default:
				c.Retired = append(c.Retired, fmt.Sprintf("%s's %s key %016X", h.Name, why, id))
			}
		}
	}
	named := func(id string) {
		switch k := ring.byID[id]; {
		case k == nil:
			c.Stale = append(c.Stale, "key id "+id+" (no known public key has it)")
		default:
			n, _ := strconv.ParseUint(id, 16, 64)
			reader(k, n, true)
		}
	}
	hidden := s.Hidden
	for _, id := range s.KeyIDs {
		if id == HiddenKeyID {
			hidden++
			continue
		}
		named(id)
	}
	for _, fp := range s.Fingerprints {
		if k := ring.byFP[fp]; k != nil {
			reader(k, 0, false)
		} else {
			c.Stale = append(c.Stale, "key "+fp+" (no known public key has it)")
		}
	}
	unaccounted := false
	if hidden > 0 {
		if rec := ledger.HiddenFor(s.File, s.Key, s.Digest); rec != nil && len(rec.KeyIDs) == hidden {
			for _, id := range rec.KeyIDs {
				named(id)
			}
		} else {
			unaccounted = true
			c.Stale = append(c.Stale, fmt.Sprintf("%d hidden recipient(s) not accounted for", hidden))
		}
	}
	if s.Symmetric > 0 {
		c.Stale = append(c.Stale, "a passphrase (symmetric session key)")
	}
	for fp, h := range want {
		switch {
		case reads[fp]:
		case ring.ByFingerprint(fp) == nil:
			c.Unknown = append(c.Unknown, "whether "+h.Name+" can read it (no public key)")
		case unaccounted:
			c.Unknown = append(c.Unknown, "whether "+h.Name+" can read it "+outcome.HiddenUnknownSuffix)
		default:
			c.Missing = append(c.Missing, h.Name)
		}
	}
	slices.Sort(c.Readers)
	slices.Sort(c.Stale)
	c.Stale = slices.Compact(c.Stale)
	slices.Sort(c.Retired)
	slices.Sort(c.Missing)
	slices.Sort(c.Unknown)
	c.Unknown = slices.Compact(c.Unknown)
	return c
}

// keyUse says why the key or subkey of e with key id id may not be
// encrypted to at now ("revoked", "expired", "not self-signed" or
// "sign-only"), or "" when it may.
func keyUse(e *openpgp.Entity, id uint64, now time.Time) string {
	if e == nil {
		return "unknown"
	}
	sig, _ := e.PrimarySelfSignature()
	switch {
	case e.Revoked(now):
		return "revoked"
	case sig == nil:
		return "not self-signed"
	case e.PrimaryKey.KeyExpired(sig, now) || sig.SigExpired(now):
		return "expired"
	}
	canEncrypt := func(s *packet.Signature, pk *packet.PublicKey) bool {
		return s != nil && s.FlagsValid && (s.FlagEncryptCommunications || s.FlagEncryptStorage) && pk.PubKeyAlgo.CanEncrypt()
	}
	if e.PrimaryKey.KeyId == id {
		if !canEncrypt(sig, e.PrimaryKey) {
			return "sign-only"
		}
		return ""
	}
	for _, sk := range e.Subkeys {
		if sk.PublicKey.KeyId != id {
			continue
		}
		switch {
		case sk.Revoked(now):
			return "revoked"
		case sk.Sig == nil:
			return "not self-signed"
		case sk.PublicKey.KeyExpired(sk.Sig, now) || sk.Sig.SigExpired(now):
			return "expired"
		case !canEncrypt(sk.Sig, sk.PublicKey):
			return "sign-only"
		}
		return ""
	}
	return "unknown"
}

// LoadKeyRing reads the public keys that secrets may be encrypted to from
// the keys folder fsys (label is how messages name it): <id>.asc for every
// person with a fingerprint, and keep/<FINGERPRINT>.asc for every keep
// entry. A missing file leaves the key out (its key ids read as unknown);
// a file that does not hold the right key is a warning and is left out
// too. Expired and revoked keys are read: they still open what was
// encrypted to them.
func LoadKeyRing(fsys fs.FS, label string, people []*model.Person, keep []string, at time.Time) (*KeyRing, []string, error) {
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
	return NewKeyRing(keys, at), warnings, nil
}
