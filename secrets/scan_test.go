package secrets

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/internal/testgpg"
	"github.com/prodaccess/prodaccess/internal/testkeys"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (Debian packages gnupg and pass)", tool)
		}
	}
}

var (
	secretKeysOnce sync.Once
	secretKeySet   map[string]*testkeys.Key
	secretKeysErr  error
)

// secretKeys makes alice (ed25519/cv25519), bob (RSA 2048) and carol
// (ed25519/cv25519), once for all the tests: an RSA key is slow to make.
func secretKeys(t *testing.T) map[string]*testkeys.Key {
	t.Helper()
	secretKeysOnce.Do(func() {
		secretKeySet = map[string]*testkeys.Key{}
		for _, name := range []string{"alice", "carol"} {
			k, err := testkeys.New(name, testkeys.Good, time.Now())
			if err != nil {
				secretKeysErr = err
				return
			}
			secretKeySet[name] = k
		}
		e, err := openpgp.NewEntity("bob", "", "bob@example.gov.uk", &packet.Config{Algorithm: packet.PubKeyAlgoRSA, RSABits: 2048})
		if err != nil {
			secretKeysErr = err
			return
		}
		secretKeySet["bob"] = &testkeys.Key{Entity: e, Fingerprint: fmt.Sprintf("%X", e.PrimaryKey.Fingerprint)}
	})
	if secretKeysErr != nil {
		t.Fatal(secretKeysErr)
	}
	return secretKeySet
}

// subkeyID is the key id a message encrypted to k names.
func subkeyID(k *testkeys.Key) string {
	return fmt.Sprintf("%016X", k.Entity.Subkeys[0].PublicKey.KeyId)
}

// keysOf lists the keys of the people named.
func (w *secretsWorld) keysOf(names ...string) []*testkeys.Key {
	var out []*testkeys.Key
	for _, n := range names {
		out = append(out, w.keys[n])
	}
	return out
}

// eyamlFolded is a block as hiera-eyaml-gpg writes it in a > block scalar:
// the base64 folded at 60 characters, indented under the key.
func eyamlFolded(msg []byte, indent string) string {
	b64 := base64.StdEncoding.EncodeToString(msg)
	var lines []string
	for len(b64) > 60 {
		lines = append(lines, b64[:60])
		b64 = b64[60:]
	}
	lines = append(lines, b64)
	return indent + "ENC[GPG," + strings.Join(lines, "\n"+indent) + "]"
}

// secretsWorld is a folder of secrets in every format and every kind of
// trouble, written by the real gpg and pass, encrypted to alice and carol
// unless said otherwise.
type secretsWorld struct {
	dir    string
	keys   map[string]*testkeys.Key
	sender *testgpg.GnuPG
}

func newSecretsWorld(t *testing.T) *secretsWorld {
	t.Helper()
	needTools(t, "gpg", "pass")
	w := &secretsWorld{dir: t.TempDir(), keys: secretKeys(t), sender: testgpg.New(t)}
	w.sender.ImportPublic(w.keysOf("alice", "bob", "carol")...)
	ac := w.keysOf("alice", "carol")
	gpgID := w.keys["alice"].Fingerprint + "\n" + w.keys["carol"].Fingerprint + "\n"
	w.write("pass/.gpg-id", gpgID)
	for name, value := range map[string]string{"production/db": "db-password\n", "production/api": "api-token\n"} {
		cmd := exec.Command("pass", "insert", "--multiline", "--force", name)
		cmd.Env = append(os.Environ(), "GNUPGHOME="+w.sender.Home, "PASSWORD_STORE_DIR="+filepath.Join(w.dir, "pass"), "PASSWORD_STORE_GPG_OPTS=--trust-model=always")
		cmd.Stdin = strings.NewReader(value)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pass insert: %v\n%s", err, out)
		}
	}
	w.write("pass/armored.gpg", string(w.sender.Encrypt("armored\n", ac, "--armor")))
	// A sub-store with its own recipients: not part of this store.
	w.write("pass/team/.gpg-id", w.keys["bob"].Fingerprint+"\n")
	w.write("pass/team/other.gpg", string(w.sender.Encrypt("other\n", w.keysOf("bob"))))

	folded := w.sender.Encrypt("folded-value", ac)
	inline := w.sender.Encrypt("inline-value", ac)
	listed := w.sender.Encrypt("listed-value", w.keysOf("alice", "bob", "carol"))
	nested := w.sender.Encrypt("nested-value", w.keysOf("alice"))
	w.write("hieradata/production.yaml", "---\n# Production secrets\ngovuk::db::password: >\n"+eyamlFolded(folded, "    ")+"\n"+
		"govuk::api::token: ENC[GPG,"+base64.StdEncoding.EncodeToString(inline)+"]\n"+
		"govuk::keys:\n  - plain\n  - >\n"+eyamlFolded(listed, "    ")+"\n"+
		"govuk::nested:\n  inner:\n    secret: 'ENC[GPG,"+base64.StdEncoding.EncodeToString(nested)+"]'\n"+
		"govuk::plain: not a secret\n")
	return w
}

func (w *secretsWorld) write(name, content string) {
	p := filepath.Join(w.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		panic(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		panic(err)
	}
}

func (w *secretsWorld) ids(names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, subkeyID(w.keys[n]))
	}
	slices.Sort(out)
	return out
}

// brief is what a test compares of a secret.
type brief struct {
	Name      string
	Line      int
	KeyIDs    []string
	Hidden    int
	Symmetric int
	Problem   string
}

func briefs(secrets []outcome.Secret) []brief {
	var out []brief
	for _, s := range secrets {
		b := brief{Name: s.Name(), Line: s.Line, KeyIDs: s.KeyIDs, Hidden: s.Hidden, Symmetric: s.Symmetric}
		if s.Problem != "" {
			b.Problem, _, _ = strings.Cut(s.Problem, " (")
		}
		out = append(out, b)
	}
	return out
}

// TestScanSecrets reads the recipients of secrets written by the real gpg
// and pass, in every format, and of broken ones, without any private key.
func TestScanSecrets(t *testing.T) {
	w := newSecretsWorld(t)
	ac := w.keysOf("alice", "carol")
	w.write("pass/hidden.gpg", string(w.sender.Encrypt("hidden\n", ac, "--throw-keyids")))
	w.write("pass/passphrase.gpg", string(w.sender.Encrypt("pass\n", ac, "--symmetric", "--passphrase", "open sesame")))
	good := w.sender.Encrypt("corrupt\n", ac)
	w.write("pass/truncated.gpg", string(good[:20]))
	corrupt := append([]byte(nil), good...)
	corrupt[0] = 0xff // a reserved packet tag
	w.write("pass/corrupt.gpg", string(corrupt))
	w.write("pass/notes.gpg", "just a note, not OpenPGP at all\n")
	signed := w.sender.Encrypt("x", nil, "--store")
	w.write("pass/plain.gpg", string(signed))
	truncated := base64.StdEncoding.EncodeToString(w.sender.Encrypt("cut", ac))
	w.write("hieradata/broken.yaml", "cut: ENC[GPG,"+truncated[:len(truncated)-7]+"]\nopen: ENC[GPG,abc\n")
	dataKey := func(names ...string) string {
		return strings.ReplaceAll(string(w.sender.Encrypt("data key", w.keysOf(names...), "--armor")), "\n", "\\n")
	}
	w.write("sops/app.json", fmt.Sprintf(`{"password": "ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]",
 "sops": {"kms": [], "pgp": [
  {"created_at": "2026-01-01T00:00:00Z", "enc": "%s", "fp": "%s"},
  {"created_at": "2026-01-01T00:00:00Z", "enc": "%s", "fp": "%s"}],
  "mac": "ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]", "version": "3.8.1"}}
`, dataKey("alice"), w.keys["alice"].Fingerprint, dataKey("bob"), w.keys["bob"].Fingerprint))
	w.write("sops/plain.yaml", "password: hunter2\n")

	target := &config.Target{Name: "secrets", Type: model.FileTarget, Format: config.GPGRecipients, Path: "recipients.rcp", Secrets: []config.SecretGlob{
		{Glob: "pass/**/*.gpg", Format: model.OpenPGPFiles, Store: "pass"},
		{Glob: "hieradata/*.yaml", Format: model.EYAMLGPG},
		{Glob: "sops/*", Format: model.SOPS},
		{Glob: "nowhere/**", Format: model.OpenPGPFiles},
	}}
	scan, err := ScanSecrets(os.DirFS(w.dir), target)
	if err != nil {
		t.Fatal(err)
	}
	got, warnings := scan.Secrets, scan.Warnings
	ac2, all := w.ids("alice", "carol"), w.ids("alice", "bob", "carol")
	want := []brief{
		{Name: "pass/armored.gpg", Line: 1, KeyIDs: ac2},
		{Name: "pass/corrupt.gpg", Line: 1, Problem: "not an OpenPGP message"},
		{Name: "pass/hidden.gpg", Line: 1, KeyIDs: []string{HiddenKeyID, HiddenKeyID}},
		{Name: "pass/notes.gpg", Line: 1, Problem: "not an OpenPGP message"},
		{Name: "pass/passphrase.gpg", Line: 1, KeyIDs: ac2, Symmetric: 1},
		{Name: "pass/plain.gpg", Line: 1, Problem: "not an encrypted message: it starts with a compressed data"},
		{Name: "pass/production/api.gpg", Line: 1, KeyIDs: ac2},
		{Name: "pass/production/db.gpg", Line: 1, KeyIDs: ac2},
		{Name: "pass/team/other.gpg", Line: 1, KeyIDs: w.ids("bob")},
		{Name: "pass/truncated.gpg", Line: 1, Problem: "truncated: the message ends before its encrypted data"},
		{Name: "hieradata/broken.yaml: cut", Line: 1, Problem: "the base64 is not valid, perhaps cut short"},
		{Name: "hieradata/broken.yaml: open", Line: 2, Problem: "the block is not closed by ]"},
		{Name: "hieradata/production.yaml: govuk::db::password", Line: 4, KeyIDs: ac2},
		{Name: "hieradata/production.yaml: govuk::api::token", Line: 9, KeyIDs: ac2},
		{Name: "hieradata/production.yaml: govuk::keys[1]", Line: 13, KeyIDs: all},
		{Name: "hieradata/production.yaml: govuk::nested.inner.secret", Line: 26, KeyIDs: w.ids("alice")},
		{Name: "sops/app.json: (sops data key)", Line: 2, KeyIDs: w.ids("alice", "bob")},
		{Name: "sops/plain.yaml: (sops data key)", Line: 1, Problem: "no sops metadata: the file has no top-level sops mapping"},
	}
	if diff := cmp.Diff(want, briefs(got)); diff != "" {
		t.Errorf("secrets (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{`secrets: secrets glob "nowhere/**" matches no file`}, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// fakeDecrypter opens messages with in-memory private keys, as gpg would
// with the runner's keys; the logic tests use it, the end-to-end tests the
// real gpg.
type fakeDecrypter struct {
	keys  openpgp.EntityList
	mu    sync.Mutex
	calls int
}

func (f *fakeDecrypter) Decrypt(_ context.Context, message []byte) ([]byte, error) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	var r io.Reader = bytes.NewReader(message)
	if bytes.HasPrefix(message, []byte("-----BEGIN PGP MESSAGE")) {
		block, err := armor.Decode(r)
		if err != nil {
			return nil, err
		}
		r = block.Body
	}
	md, err := openpgp.ReadMessage(r, f.keys, nil, nil)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(md.UnverifiedBody)
}
