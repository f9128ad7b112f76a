package model

import (
	"strings"
	"time"
)

// KeyWarningDays is how close to its expiry a key is when it is flagged.
const KeyWarningDays = 30

// KeyCheck is what a person's public key says about whether secrets may be
// encrypted to them.
type KeyCheck struct {
	ID      string
	File    string
	Fails   []string   // why nothing may be encrypted to the key; empty when it is good
	Expires *time.Time // when the key or its encryption subkey expires, if ever
}

// OK reports whether the key may be used.
func (k KeyCheck) OK() bool { return len(k.Fails) == 0 }

// Reason says in one line why the key may not be used.
func (k KeyCheck) Reason() string { return strings.Join(k.Fails, "; ") }

// ExpiresSoon reports whether a good key expires within KeyWarningDays of
// now.
func (k KeyCheck) ExpiresSoon(now time.Time) bool {
	return k.OK() && k.Expires != nil && k.Expires.Sub(now) < KeyWarningDays*24*time.Hour
}
