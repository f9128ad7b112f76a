package secrets

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/internal/testkeys"
	"github.com/prodaccess/prodaccess/outcome"
)

// TestReadKeyIdentities: every key of a file, with the name and email of
// its user id; a secret key and text that is no key are refused.
func TestReadKeyIdentities(t *testing.T) {
	now := time.Now()
	jane, err := testkeys.NewFor("Jane Doe", "Jane.Doe@example.gov.uk", testkeys.Good, now)
	if err != nil {
		t.Fatal(err)
	}
	puppet, err := testkeys.NewFor("puppet master", "", testkeys.Good, now)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadKeyIdentities("keys/both.asc", append(jane.Public(), puppet.Public()...))
	if err != nil {
		t.Fatal(err)
	}
	want := []outcome.KeyIdentity{
		{Fingerprint: jane.Fingerprint, Names: []string{"Jane Doe"}, Emails: []string{"jane.doe@example.gov.uk"}, File: "keys/both.asc"},
		{Fingerprint: puppet.Fingerprint, Names: []string{"puppet master"}, File: "keys/both.asc"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("identities (-want +got):\n%s", diff)
	}
	if _, err := ReadKeyIdentities("keys/jane.asc", jane.Secret()); err == nil {
		t.Error("a secret key was read")
	}
	if _, err := ReadKeyIdentities("keys/x.asc", []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n")); err == nil {
		t.Error("text that is no key was read")
	}
}
