package secrets

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/testkeys"
	"github.com/prodaccess/prodaccess/model"
)

func TestCheckKey(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	mk := func(kind testkeys.Kind) *testkeys.Key {
		k, err := testkeys.New("jane", kind, now)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	good, other := mk(testkeys.Good), mk(testkeys.Good)
	tests := []struct {
		name        string
		key         *testkeys.Key
		fingerprint string
		armored     []byte
		want        string // the start of Reason(); "" for a good key
		soon        bool
	}{
		{name: "good", key: good},
		{name: "expires within 30 days", key: mk(testkeys.ExpiresSoon), soon: true},
		{name: "expired", key: mk(testkeys.Expired), want: "expired on 2025-11-26"},
		{name: "revoked", key: mk(testkeys.Revoked), want: "is revoked"},
		{name: "sign-only", key: mk(testkeys.SignOnly), want: "has no usable encryption key"},
		{name: "RSA of 1024 bits", key: mk(testkeys.RSA1024), want: "its primary key is RSA of 1024 bits, fewer than 2048"},
		{name: "another person's key", key: other, fingerprint: good.Fingerprint, want: "its fingerprint is " + other.Fingerprint},
		{name: "two keys in one file", key: good, armored: append(good.Public(), other.Public()...), want: "holds 2 armored blocks"},
		{name: "a secret key", key: good, armored: good.Secret(), want: "is a secret key"},
		{name: "not a key", key: good, armored: []byte("hello\n"), want: "not an armored OpenPGP public key"},
		{name: "no fingerprint in the person file", key: good, fingerprint: "-", want: "the person file gives no gpg_fingerprint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fp, armored := tt.key.Fingerprint, tt.key.Public()
			if tt.fingerprint != "" {
				fp = strings.TrimPrefix(tt.fingerprint, "-")
			}
			if tt.armored != nil {
				armored = tt.armored
			}
			k := CheckKey("jane", "keys/jane.asc", armored, fp, now)
			if got := k.Reason(); (tt.want == "") != (got == "") || !strings.HasPrefix(got, tt.want) {
				t.Errorf("Reason() = %q, want it to start with %q", got, tt.want)
			}
			if got := k.ExpiresSoon(now); got != tt.soon {
				t.Errorf("ExpiresSoon() = %v, want %v (expires %v)", got, tt.soon, k.Expires)
			}
		})
	}
}

// TestKeyProblems: a bad key is an error of validate, located at the key
// file; a key about to expire is a warning.
func TestKeyProblems(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	exp := now.AddDate(0, 0, 10)
	got := KeyProblems(map[string]model.KeyCheck{
		"a": {ID: "a", File: "keys/a.asc", Fails: []string{"is revoked"}},
		"b": {ID: "b", File: "keys/b.asc", Expires: &exp},
		"c": {ID: "c", File: "keys/c.asc"},
	}, now)
	want := "keys/a.asc:1:1: the key of a is revoked, so nothing is encrypted to it\n" +
		"keys/b.asc:1:1: warning: the key of b expires on 2026-12-06, within 30 days"
	if diff := cmp.Diff(want, got.Error()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
