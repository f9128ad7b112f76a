package model

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"

	"github.com/ProtonMail/go-crypto/openpgp"
)

// SecretFormat is how a target's encrypted secrets are stored.
type SecretFormat string

// Secret formats.
const (
	OpenPGPFiles SecretFormat = "openpgp"   // whole files that are OpenPGP messages (pass's *.gpg)
	EYAMLGPG     SecretFormat = "eyaml-gpg" // YAML values holding ENC[GPG,<base64>] blocks
	SOPS         SecretFormat = "sops"      // sops files, whose data key is encrypted once per recipient
)

// Secret is one encrypted value as read from a repository, without
// decrypting it: a whole file, an eyaml block, or a sops file's data key.
type Secret struct {
	File   string       `json:"file"`          // the path in the repository
	Key    string       `json:"key,omitempty"` // eyaml: the YAML key that holds the block
	Line   int          `json:"line"`
	Format SecretFormat `json:"format"`
	// KeyIDs are the 16-hex-digit key ids that the public-key encrypted
	// session key packets name; 0000000000000000 is a hidden recipient.
	KeyIDs []string `json:"key_ids"`
	// Fingerprints are the key fingerprints that version 6 packets name.
	Fingerprints []string `json:"fingerprints,omitempty"`
	// Hidden counts recipients that the message does not name.
	Hidden int `json:"hidden,omitempty"`
	// Symmetric counts symmetric-key encrypted session key packets: a
	// passphrase opens the secret too.
	Symmetric int `json:"symmetric,omitempty"`
	// Problem says why the secret could not be read; such a secret is
	// never counted as current.
	Problem string   `json:"problem,omitempty"`
	Notes   []string `json:"notes,omitempty"`
}

// Name is how messages name the secret: the file, and the key in it.
func (s *Secret) Name() string {
	if s.Key != "" {
		return s.File + ": " + s.Key
	}
	return s.File
}

// Place is the file and line, as problems give them.
func (s *Secret) Place() string { return fmt.Sprintf("%s:%d", s.File, s.Line) }

// SecretScan is every secret of a target as read, and what the reading
// warns of (a glob that matches nothing).
type SecretScan struct {
	Secrets  []Secret `json:"secrets"`
	Warnings []string `json:"warnings"`
}

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

// Holder is someone who should be able to read a target's secrets: a
// person entitled to the target, or a keep entry.
type Holder struct {
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
}

// SecretCheck is one secret compared with who should read it.
type SecretCheck struct {
	Secret
	Readers []string `json:"readers"` // who can read it now: person ids and keep entries
	Stale   []string `json:"stale"`   // readers not entitled to it
	Missing []string `json:"missing"` // entitled holders who cannot read it
	Unknown []string `json:"unknown"` // readers that map to no known key, hidden ones, passphrases
}

// Statuses of a secret.
const (
	SecretCurrent    = "current"
	SecretStale      = "stale"
	SecretMissing    = "missing"
	SecretUnknown    = "unknown"
	SecretUnreadable = "unreadable"
)

// Current reports whether exactly the desired holders, and nobody else,
// can read the secret.
func (c *SecretCheck) Current() bool {
	return c.Problem == "" && len(c.Stale)+len(c.Missing)+len(c.Unknown) == 0
}

// NeedsReencryption reports whether re-encrypting to the desired holders
// would change who can read the secret: someone stale, or someone missing.
func (c *SecretCheck) NeedsReencryption() bool {
	return c.Problem == "" && len(c.Stale)+len(c.Missing) > 0
}

// Statuses lists what is wrong with the secret, or "current".
func (c *SecretCheck) Statuses() []string {
	var out []string
	if c.Problem != "" {
		out = append(out, SecretUnreadable)
	}
	if len(c.Stale) > 0 {
		out = append(out, SecretStale)
	}
	if len(c.Missing) > 0 {
		out = append(out, SecretMissing)
	}
	if len(c.Unknown) > 0 {
		out = append(out, SecretUnknown)
	}
	if len(out) == 0 {
		out = append(out, SecretCurrent)
	}
	return out
}

// SecretCounts counts secrets by status; a secret may count under several.
type SecretCounts struct {
	Total      int `json:"total"`
	Current    int `json:"current"`
	Stale      int `json:"stale"`
	Missing    int `json:"missing"`
	Unknown    int `json:"unknown"`
	Unreadable int `json:"unreadable"`
}

// SecretsReport is who can read a target's secrets, compared with who
// should.
type SecretsReport struct {
	Target   string        `json:"target"`
	Desired  []Holder      `json:"desired"`
	Counts   SecretCounts  `json:"counts"`
	Secrets  []SecretCheck `json:"secrets"` // every secret that is not current, in file order
	Warnings []string      `json:"warnings"`
}

// Clean reports whether every secret is current.
func (r *SecretsReport) Clean() bool { return r.Counts.Current == r.Counts.Total }

// Reencrypt lists the secrets that re-encryption would change.
func (r *SecretsReport) Reencrypt() []SecretCheck {
	return SelectSecrets(r.Secrets, (*SecretCheck).NeedsReencryption)
}

// StaleFor lists the secrets that someone in who (anyone, when who is nil)
// can read though not entitled: the values to rotate once re-encrypted.
func (r *SecretsReport) StaleFor(who map[string]bool) []SecretCheck {
	return SelectSecrets(r.Secrets, func(c *SecretCheck) bool { return anyOf(c.Stale, who) })
}

// MissingFor lists the secrets that someone in who (anyone, when who is
// nil) is entitled to and cannot read yet.
func (r *SecretsReport) MissingFor(who map[string]bool) []SecretCheck {
	return SelectSecrets(r.Secrets, func(c *SecretCheck) bool { return anyOf(c.Missing, who) })
}

func anyOf(names []string, who map[string]bool) bool {
	return slices.ContainsFunc(names, func(s string) bool { return who == nil || who[s] })
}

// SelectSecrets lists the checks for which keep is true.
func SelectSecrets(cs []SecretCheck, keep func(*SecretCheck) bool) []SecretCheck {
	var out []SecretCheck
	for i := range cs {
		if keep(&cs[i]) {
			out = append(out, cs[i])
		}
	}
	return out
}

// Rotate reports whether someone not entitled could read the secret, so
// that its value must be changed once it is re-encrypted.
func (c *SecretCheck) Rotate() bool { return len(c.Stale) > 0 }

// CheckSecrets compares who can read each secret with who should: the
// desired holders, each of whom needs a public key in the ring for their
// key ids to be recognised. A key id that no known key has, a hidden
// recipient and a passphrase are unknown, never guessed. It is a pure
// function of its input.
func CheckSecrets(target string, secrets []Secret, desired []Holder, ring *KeyRing) *SecretsReport {
	rep := &SecretsReport{Target: target, Desired: slices.Clone(desired), Secrets: []SecretCheck{}, Warnings: []string{}}
	slices.SortFunc(rep.Desired, func(a, b Holder) int { return cmp.Compare(a.Name, b.Name) })
	want := map[string]Holder{}
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
			case SecretStale:
				rep.Counts.Stale++
			case SecretMissing:
				rep.Counts.Missing++
			case SecretUnknown:
				rep.Counts.Unknown++
			case SecretUnreadable:
				rep.Counts.Unreadable++
			}
		}
		rep.Secrets = append(rep.Secrets, c)
	}
	return rep
}

func check(s Secret, want map[string]Holder, ring *KeyRing) SecretCheck {
	c := SecretCheck{Secret: s, Readers: []string{}, Stale: []string{}, Missing: []string{}, Unknown: []string{}}
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
func LoadKeyRing(fsys fs.FS, label string, people []*Person, keep []string) (*KeyRing, []string, error) {
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

// SecretsStatus is the output of secrets status: one report per target.
type SecretsStatus struct {
	Targets []*SecretsReport `json:"targets"`
}

// NeedsAttention reports whether any secret is not current.
func (s *SecretsStatus) NeedsAttention() bool {
	for _, r := range s.Targets {
		if !r.Clean() {
			return true
		}
	}
	return false
}

// Unreadable counts the secrets that could not be read at all.
func (s *SecretsStatus) Unreadable() int {
	n := 0
	for _, r := range s.Targets {
		n += r.Counts.Unreadable
	}
	return n
}
