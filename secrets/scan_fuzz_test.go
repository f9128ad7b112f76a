package secrets

import (
	"testing"

	"github.com/prodaccess/prodaccess/model"
)

// FuzzScanSecrets feeds any bytes to the openpgp, eyaml and sops readers:
// each must return a secret or a located problem, never panic, and never
// call something with a problem current.
func FuzzScanSecrets(f *testing.F) {
	f.Add([]byte("-----BEGIN PGP MESSAGE-----\n\nhQEMA\n-----END PGP MESSAGE-----\n"))
	f.Add([]byte{0x85, 0x01, 0x0c, 0x03})
	f.Add([]byte("a: ENC[GPG,hQEMA]\nb: >\n  ENC[GPG,\n  AAAA]\n"))
	f.Add([]byte(`{"sops": {"pgp": [{"fp": "X", "enc": "-----BEGIN PGP MESSAGE-----\n\n-----END PGP MESSAGE-----"}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []model.SecretFormat{model.OpenPGPFiles, model.EYAMLGPG, model.SOPS} {
			for _, s := range scanFile("f", format, data) {
				if s.Problem == "" && len(s.KeyIDs)+len(s.Fingerprints)+s.Hidden+s.Symmetric == 0 {
					t.Errorf("%s: a secret with no reader and no problem: %+v", format, s)
				}
			}
		}
	})
}
