package outcome

import (
	"fmt"
	"slices"
	"strings"

	"github.com/prodaccess/prodaccess/model"
)

// Secret is one encrypted value as read from a repository, without
// decrypting it: a whole file, an eyaml block, or a sops file's data key.
type Secret struct {
	File   string             `json:"file"`          // the path in the repository
	Key    string             `json:"key,omitempty"` // eyaml: the YAML key that holds the block
	Line   int                `json:"line"`
	Format model.SecretFormat `json:"format"`
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
	// Store is, for a secret of a password store below a gpg-id target's
	// own (a sub-store), the folder of the .gpg-id it is judged against,
	// as pass encrypts each file to the nearest .gpg-id above it; "" for
	// the target's own recipients.
	Store string `json:"store,omitempty"`
	// Digest is the SHA-256 of the encrypted message (never of its
	// plaintext), in hex: two secrets with the same one are copies.
	Digest string `json:"-"`
}

// Name is how messages name the secret: the file, and the key in it.
// File names are written with their control characters escaped when they
// are read, so a name is safe to print.
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
	// Ledger is the target's ledger as read; nil when it has none.
	Ledger *SecretsLedger `json:"ledger,omitempty"`
	// Problems are what is wrong with the ledger file, which is then not
	// used.
	Problems []string `json:"problems,omitempty"`
}

// Holder is someone who should be able to read a target's secrets: a
// person entitled to the target, or a keep entry.
type Holder struct {
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
}

// SecretCheck is one secret compared with who should read it: the
// holders of its store (the target's, or a sub-store's).
type SecretCheck struct {
	Secret
	Readers []string `json:"readers"` // who can read it now: person ids and keep entries
	// Stale are readers that must not read it: people and keep entries
	// not entitled, keys no known public key has, revoked keys, hidden
	// recipients not accounted for, passphrases. Each makes the value one
	// to rotate once it is re-encrypted.
	Stale []string `json:"stale"`
	// Retired are expired keys of holders that still open it: it must be
	// re-encrypted to their current key, and need not be rotated.
	Retired []string `json:"retired"`
	Missing []string `json:"missing"` // holders who cannot read it, with any key of theirs
	// Unknown is what cannot be told: whether a holder without a public
	// key can read it, or a holder not named when recipients are hidden.
	Unknown []string `json:"unknown"`
}

// Statuses of a secret.
const (
	SecretCurrent    = "current"
	SecretStale      = "stale"
	SecretMissing    = "missing"
	SecretUnknown    = "unknown"
	SecretUnreadable = "unreadable"
)

// Current reports whether the secret's readers are exactly the usable
// encryption keys of its store's holders, and nothing else.
func (c *SecretCheck) Current() bool {
	return c.Problem == "" && len(c.Stale)+len(c.Retired)+len(c.Missing)+len(c.Unknown) == 0
}

// NeedsReencryption reports whether re-encrypting to the store's holders
// would change who can read the secret: someone stale, a retired key, or
// someone missing.
func (c *SecretCheck) NeedsReencryption() bool {
	return c.Problem == "" && len(c.Stale)+len(c.Retired)+len(c.Missing) > 0
}

// Widens reports whether re-encrypting the secret to its store's holders
// could let someone read it who cannot now: a holder who cannot read it,
// or, when recipients are hidden, one who may not.
func (c *SecretCheck) Widens() bool {
	return len(c.Missing) > 0 || c.hiddenUnknown()
}

// hiddenUnknown reports whether hidden recipients leave it unknown whether
// some holder can read it.
func (c *SecretCheck) hiddenUnknown() bool {
	return slices.ContainsFunc(c.Unknown, func(s string) bool { return strings.HasSuffix(s, HiddenUnknownSuffix) })
}

// HiddenUnknownSuffix ends the unknown of a holder not named by a message
// whose recipients are hidden.
const HiddenUnknownSuffix = "(its recipients are hidden)"

// Statuses lists what is wrong with the secret, or "current".
func (c *SecretCheck) Statuses() []string {
	var out []string
	if c.Problem != "" {
		out = append(out, SecretUnreadable)
	}
	if len(c.Stale)+len(c.Retired) > 0 {
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
	// ToRotate counts the values in the target's rotation ledger not yet
	// recorded as rotated.
	ToRotate int `json:"to_rotate"`
}

// SecretsReport is who can read a target's secrets, compared with who
// should.
type SecretsReport struct {
	Target  string   `json:"target"`
	Desired []Holder `json:"desired"`
	// Stores are the sub-stores below a gpg-id target's own, each with
	// who should read its secrets.
	Stores   []StoreHolders `json:"stores,omitempty"`
	Counts   SecretCounts   `json:"counts"`
	Secrets  []SecretCheck  `json:"secrets"` // every secret that is not current, in file order
	Warnings []string       `json:"warnings"`
	// Rotation are the entries of the target's rotation ledger not yet
	// recorded as rotated.
	Rotation []RotationEntry `json:"rotation,omitempty"`
}

// StoreHolders is a sub-store and who should read its secrets.
type StoreHolders struct {
	Path    string   `json:"path"` // the folder of its .gpg-id
	Desired []Holder `json:"desired"`
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

// SecretsStatus is the output of secrets status: one report per target.
type SecretsStatus struct {
	Targets []*SecretsReport `json:"targets"`
}

// NeedsAttention reports whether any secret is not current, or any value
// is still to be rotated.
func (s *SecretsStatus) NeedsAttention() bool {
	for _, r := range s.Targets {
		if !r.Clean() || r.Counts.ToRotate > 0 {
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

// SecretsLedger is a target's ledger, a file in its repository
// (.prodaccess/secrets/<target>.yaml) that anyone can read without a key:
// the values people who lost access could read, until each has a new
// value, and the messages prodaccess wrote with hidden recipients, and to
// whom.
type SecretsLedger struct {
	Rotate []RotationEntry    `json:"rotate"`
	Hidden []HiddenRecipients `json:"hidden"`
}

// RotationEntry is a value that readers who may no longer read it could
// read, at the commit ReadableAt (the last version they could read), from
// the day Due.
type RotationEntry struct {
	File       string    `json:"file"`
	Key        string    `json:"key,omitempty"` // eyaml: the YAML key that holds the block
	Readers    []string  `json:"readers"`
	Due        model.Day `json:"due"`
	ReadableAt string    `json:"readable_at"`
	// Rotated is the day a current recipient found, by decrypting both,
	// that the value at RotatedAt differs from the value at ReadableAt;
	// nil while it does not.
	Rotated   *model.Day `json:"rotated,omitempty"`
	RotatedAt string     `json:"rotated_at,omitempty"`
}

// Name is how messages name the value: the file, and the key in it.
func (e *RotationEntry) Name() string {
	if e.Key != "" {
		return e.File + ": " + e.Key
	}
	return e.File
}

// ReadBy reports whether the person with the given id is among its readers.
func (e *RotationEntry) ReadBy(id string) bool {
	return slices.ContainsFunc(e.Readers, func(r string) bool { return r == id || strings.HasPrefix(r, id+"'s ") })
}

// HiddenRecipients records that prodaccess wrote the message whose SHA-256
// is SHA256 with hidden recipients, to the keys KeyIDs: the hidden
// recipients of exactly that message are accounted for.
type HiddenRecipients struct {
	File   string   `json:"file"`
	Key    string   `json:"key,omitempty"`
	SHA256 string   `json:"sha256"`
	KeyIDs []string `json:"key_ids"`
}

// Open lists the entries not yet recorded as rotated.
func (l *SecretsLedger) Open() []RotationEntry {
	var out []RotationEntry
	if l == nil {
		return out
	}
	for _, e := range l.Rotate {
		if e.Rotated == nil {
			out = append(out, e)
		}
	}
	return out
}

// HiddenFor returns the record of a message with hidden recipients, or nil.
func (l *SecretsLedger) HiddenFor(file, key, sha256 string) *HiddenRecipients {
	if l == nil {
		return nil
	}
	for i, h := range l.Hidden {
		if h.File == file && h.Key == key && h.SHA256 == sha256 {
			return &l.Hidden[i]
		}
	}
	return nil
}

// RotationReport is what secrets rotation found for one target: the
// values still to rotate, and those found rotated.
type RotationReport struct {
	Target    string           `json:"target"`
	Remaining []RotationStatus `json:"remaining"`
	Rotated   []RotationEntry  `json:"rotated"`
}

// RotationStatus is a value still to rotate, and why it could not be told
// whether it has changed, if so.
type RotationStatus struct {
	Entry   RotationEntry `json:"entry"`
	Problem string        `json:"problem,omitempty"`
}
