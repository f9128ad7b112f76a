package secrets

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/internal/testkeys"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// BenchmarkSecretsStatus reads who can open 10,000 pass files and an eyaml
// file of 2,000 blocks, each encrypted to three people, and compares them
// with who should; read-only reads the same files and does nothing else,
// for comparison.
func BenchmarkSecretsStatus(b *testing.B) {
	dir := b.TempDir()
	var keys []*PublicKey
	var to []*openpgp.Entity
	for _, name := range []string{"alice", "bob", "carol"} {
		k, err := testkeys.New(name, testkeys.Good, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		keys = append(keys, &PublicKey{Holder: name, Fingerprint: k.Fingerprint, Entity: k.Entity})
		to = append(to, k.Entity)
	}
	encrypt := func(value string) []byte {
		var buf bytes.Buffer
		w, err := openpgp.Encrypt(&buf, to, nil, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		w.Write([]byte(value))
		w.Close()
		return buf.Bytes()
	}
	// A few distinct messages, written many times: how they were made does
	// not change what is read.
	var messages [][]byte
	for i := range 16 {
		messages = append(messages, encrypt(fmt.Sprintf("secret value %d", i)))
	}
	for i := range 10000 {
		p := filepath.Join(dir, "pass", fmt.Sprintf("team%02d", i%50), fmt.Sprintf("secret%05d.gpg", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, messages[i%len(messages)], 0o644); err != nil {
			b.Fatal(err)
		}
	}
	var yaml strings.Builder
	for i := range 2000 {
		b64 := base64.StdEncoding.EncodeToString(messages[i%len(messages)])
		var lines []string
		for ; len(b64) > 64; b64 = b64[64:] {
			lines = append(lines, b64[:64])
		}
		fmt.Fprintf(&yaml, "govuk::secret_%d: >\n    ENC[GPG,%s]\n", i, strings.Join(append(lines, b64), "\n    "))
	}
	if err := os.MkdirAll(filepath.Join(dir, "hieradata"), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hieradata", "production.yaml"), []byte(yaml.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	target := &config.Target{Name: "secrets", Type: model.FileTarget, Format: config.GPGRecipients, Secrets: []config.SecretGlob{
		{Glob: "pass/**/*.gpg", Format: model.OpenPGPFiles},
		{Glob: "hieradata/*.yaml", Format: model.EYAMLGPG},
	}}
	ring := NewKeyRing(keys, time.Now())
	desired := map[string][]outcome.Holder{"": {{Name: "alice", Fingerprint: keys[0].Fingerprint}, {Name: "bob", Fingerprint: keys[1].Fingerprint}}}
	fsys := os.DirFS(dir)

	b.Run("status", func(b *testing.B) {
		for b.Loop() {
			scan, err := ScanSecrets(fsys, target)
			if err != nil {
				b.Fatal(err)
			}
			rep := CheckSecrets("secrets", scan.Secrets, desired, ring, scan.Ledger)
			if rep.Counts.Total != 12000 || rep.Counts.Stale != 12000 {
				b.Fatalf("counts %+v", rep.Counts)
			}
		}
	})
	b.Run("read-only", func(b *testing.B) {
		for b.Loop() {
			n := 0
			err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				data, err := fs.ReadFile(fsys, name)
				n += len(data)
				return err
			})
			if err != nil || n == 0 {
				b.Fatal(err)
			}
		}
	})
}
