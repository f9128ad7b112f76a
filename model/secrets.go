package model

import (
	"fmt"
	"slices"
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
