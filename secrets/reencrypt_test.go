package secrets

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/internal/testgpg"
	"github.com/prodaccess/prodaccess/model"
)

// reencryptCase scans the world, compares it with alice and bob as the
// desired recipients (carol has left), and re-encrypts with dec.
func reencryptCase(t *testing.T, w *secretsWorld, dec Decrypter) (*Reencryption, *model.SecretsReport) {
	t.Helper()
	target := &config.Target{Name: "secrets", Type: model.FileTarget, Format: config.GPGRecipients, Path: "recipients.rcp", Secrets: []config.SecretGlob{
		{Glob: "pass/**/*.gpg", Format: model.OpenPGPFiles, Store: "pass"},
		{Glob: "hieradata/*.yaml", Format: model.EYAMLGPG},
	}}
	var keys []*PublicKey
	for _, name := range []string{"alice", "bob", "carol"} {
		k := w.keys[name]
		keys = append(keys, &PublicKey{Holder: name, Fingerprint: k.Fingerprint, File: name + ".asc", Entity: k.Entity})
	}
	ring := NewKeyRing(keys)
	secrets, _, err := ScanSecrets(os.DirFS(w.dir), target)
	if err != nil {
		t.Fatal(err)
	}
	desired := []model.Holder{{Name: "alice", Fingerprint: w.keys["alice"].Fingerprint}, {Name: "bob", Fingerprint: w.keys["bob"].Fingerprint}}
	report := CheckSecrets(target.Name, secrets, desired, ring)
	res, err := Reencrypt(context.Background(), os.DirFS(w.dir), report.Reencrypt(), keys[:2], dec, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return res, report
}

// TestReencryptWithGPG re-encrypts with the real gpg, as alice, the secrets
// that carol (who left) can read and bob (who joined) cannot; then proves
// with gpg under each person's own GnuPG home that carol can decrypt none
// of them and alice and bob all, and that eyaml files changed only inside
// the blocks re-encrypted.
func TestReencryptWithGPG(t *testing.T) {
	w := newSecretsWorld(t)
	w.write("pass/carol-only.gpg", string(w.sender.Encrypt("carol's\n", w.keysOf("carol"))))
	homes := map[string]*testgpg.GnuPG{}
	for name, k := range w.keys {
		homes[name] = testgpg.New(t)
		homes[name].Import(k)
	}
	before, err := os.ReadFile(filepath.Join(w.dir, "hieradata/production.yaml"))
	if err != nil {
		t.Fatal(err)
	}

	res, report := reencryptCase(t, w, GPG{Home: homes["alice"].Home})

	if got, want := report.Counts, (model.SecretCounts{Total: 8, Stale: 7, Missing: 7}); got != want {
		t.Errorf("before: %+v, want %+v", got, want)
	}
	want := []Refusal{{File: "pass/carol-only.gpg", Secret: "pass/carol-only.gpg", Reason: "cannot decrypt it"}}
	for i := range res.Refused {
		res.Refused[i].Reason, _, _ = strings.Cut(res.Refused[i].Reason, ":")
	}
	if diff := cmp.Diff(want, res.Refused); diff != "" {
		t.Errorf("refused (-want +got):\n%s", diff)
	}
	var names []string
	for name, content := range res.Files {
		names = append(names, name)
		w.write(name, string(content))
	}
	if diff := cmp.Diff([]string{"hieradata/production.yaml", "pass/armored.gpg", "pass/production/api.gpg", "pass/production/db.gpg"}, sortedCopy(names)); diff != "" {
		t.Errorf("files changed (-want +got):\n%s", diff)
	}

	// Every changed secret opens for alice and bob, and not for carol.
	values := map[string]string{
		"pass/armored.gpg": "armored\n", "pass/production/api.gpg": "api-token\n", "pass/production/db.gpg": "db-password\n",
	}
	after := res.Files["hieradata/production.yaml"]
	blocks, err := eyamlBlocks(after)
	if err != nil {
		t.Fatal(err)
	}
	messages := map[string][]byte{}
	for name := range values {
		messages[name] = res.Files[name]
	}
	eyamlValues := []string{"folded-value", "inline-value", "listed-value", "nested-value"}
	for i, b := range blocks {
		msg, problem := b.message()
		if problem != "" {
			t.Fatal(problem)
		}
		messages[b.key] = msg
		values[b.key] = eyamlValues[i]
	}
	for name, msg := range messages {
		for person, ok := range map[string]bool{"alice": true, "bob": true, "carol": false} {
			if opened := homes[person].Decrypts(msg, values[name]); opened != ok {
				t.Errorf("%s: %s decrypts it: %v, want %v", name, person, opened, ok)
			}
		}
	}

	// Only the insides of the blocks changed; each kept its layout.
	old, err := eyamlBlocks(before)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(outside(before, old), outside(after, blocks)) {
		t.Errorf("the eyaml file changed outside its blocks:\n%s", after)
	}
	for i, b := range blocks {
		was := strings.Split(string(before[old[i].start:old[i].end]), "\n")
		lines := strings.Split(string(after[b.start:b.end]), "\n")
		if len(was) == 1 && len(lines) != 1 {
			t.Errorf("block %s was on one line and now is on %d", b.key, len(lines))
		}
		for _, l := range lines[1:] {
			if !strings.HasPrefix(l, "    ") || len(l) > 4+60 {
				t.Errorf("block %s: line %q is not folded as before", b.key, l)
			}
		}
	}

	// The status is clean but for the secret alice cannot read.
	_, again := reencryptCase(t, w, GPG{Home: homes["alice"].Home})
	if got, want := again.Counts, (model.SecretCounts{Total: 8, Current: 7, Stale: 1, Missing: 1}); got != want {
		t.Errorf("after: %+v, want %+v", got, want)
	}
}

// TestReencryptRefusesWholeFile leaves an eyaml file exactly as it was when
// the runner cannot decrypt one of its blocks, and decrypts nothing twice.
func TestReencryptRefusesWholeFile(t *testing.T) {
	w := newSecretsWorld(t)
	hidden := w.sender.Encrypt("bob's", w.keysOf("bob", "carol"))
	w.write("hieradata/production.yaml", "a: "+eyamlFolded(w.sender.Encrypt("a", w.keysOf("alice", "carol")), "  ")+"\nb: >\n"+eyamlFolded(hidden, "  ")+"\n")
	dec := &fakeDecrypter{keys: openpgp.EntityList{w.keys["alice"].Entity}}
	res, _ := reencryptCase(t, w, dec)
	if _, changed := res.Files["hieradata/production.yaml"]; changed {
		t.Errorf("the file changed though a block could not be decrypted")
	}
	var refused []string
	for _, r := range res.Refused {
		refused = append(refused, r.Secret)
	}
	if diff := cmp.Diff([]string{"hieradata/production.yaml: b"}, refused); diff != "" {
		t.Errorf("refused (-want +got):\n%s", diff)
	}
	// Three pass files, each decrypted once and once more to check; the
	// eyaml file's first block too, before its second failed.
	if dec.calls != 3*2+2+1 {
		t.Errorf("%d decryptions", dec.calls)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	slices.Sort(out)
	return out
}
