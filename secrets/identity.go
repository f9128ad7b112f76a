package secrets

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// ReadKeyIdentities reads every public key in an armored file (file names
// it in messages): each key's fingerprint, and the names and emails of
// its user ids. A user id's text is what its owner chose; it says who the
// key claims to be, and prodaccess uses it only to tell whose a
// fingerprint is when adopting. A name or email that would hide what it
// says is left out.
func ReadKeyIdentities(file string, armored []byte) ([]outcome.KeyIdentity, error) {
	if bytes.Contains(armored, []byte("PRIVATE KEY BLOCK")) {
		return nil, fmt.Errorf("%s holds a secret key, which must never be committed", file)
	}
	// A file may hold several armored blocks, one key each, as gpg
	// --export --armor of several keys writes one block for all of them.
	const begin = "-----BEGIN PGP PUBLIC KEY BLOCK-----"
	blocks := strings.Split(string(armored), begin)[1:]
	if len(blocks) == 0 {
		return nil, fmt.Errorf("%s holds no armored public key", file)
	}
	var entities openpgp.EntityList
	for _, b := range blocks {
		es, err := openpgp.ReadArmoredKeyRing(strings.NewReader(begin + b))
		if err != nil {
			return nil, fmt.Errorf("%s: not an armored OpenPGP public key (%v)", file, err)
		}
		entities = append(entities, es...)
	}
	var out []outcome.KeyIdentity
	for _, e := range entities {
		k := outcome.KeyIdentity{Fingerprint: fmt.Sprintf("%X", e.PrimaryKey.Fingerprint), File: file}
		for _, id := range e.Identities {
			if id.UserId == nil {
				continue
			}
			if n := strings.TrimSpace(id.UserId.Name); n != "" && model.CheckFreeText(n) == "" && !slices.Contains(k.Names, n) {
				k.Names = append(k.Names, n)
			}
			if m := strings.ToLower(strings.TrimSpace(id.UserId.Email)); m != "" && model.CheckFreeText(m) == "" && !slices.Contains(k.Emails, m) {
				k.Emails = append(k.Emails, m)
			}
		}
		slices.Sort(k.Names)
		slices.Sort(k.Emails)
		out = append(out, k)
	}
	return out, nil
}
