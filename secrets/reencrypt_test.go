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
	"github.com/prodaccess/prodaccess/outcome"
)

// worldTarget is the world's pass store and hieradata as one gpg-id
// target: pass/team, with bob alone in its .gpg-id, is a sub-store.
var worldTarget = &config.Target{Name: "secrets", Type: model.FileTarget, Format: config.GPGID, Path: "pass/.gpg-id", Secrets: []config.SecretGlob{
	{Glob: "pass/**/*.gpg", Format: model.OpenPGPFiles},
	{Glob: "hieradata/*.yaml", Format: model.EYAMLGPG},
}}

// worldKeys are the public keys of alice, bob and carol.
func (w *secretsWorld) publicKeys(names ...string) []*PublicKey {
	var keys []*PublicKey
	for _, name := range names {
		k := w.keys[name]
		keys = append(keys, &PublicKey{Holder: name, Fingerprint: k.Fingerprint, File: name + ".asc", Entity: k.Entity})
	}
	return keys
}

// holders are the named people as holders.
func (w *secretsWorld) holders(names ...string) []outcome.Holder {
	var out []outcome.Holder
	for _, n := range names {
		out = append(out, outcome.Holder{Name: n, Fingerprint: w.keys[n].Fingerprint})
	}
	return out
}

// reencryptCase scans the world, compares it with alice and bob as the
// desired recipients of the target's own store (carol has left) and bob
// of pass/team, and re-encrypts with dec, widening the files named.
func reencryptCase(t *testing.T, w *secretsWorld, dec Decrypter, widen ...string) (*Reencryption, *outcome.SecretsReport) {
	t.Helper()
	res, report, err := reencryptWith(w, dec, Options{Widen: setOf(widen...)})
	if err != nil {
		t.Fatal(err)
	}
	return res, report
}

func reencryptWith(w *secretsWorld, dec Decrypter, o Options) (*Reencryption, *outcome.SecretsReport, error) {
	now := time.Now()
	ring := NewKeyRing(w.publicKeys("alice", "bob", "carol"), now)
	scan, err := ScanSecrets(os.DirFS(w.dir), worldTarget)
	if err != nil {
		return nil, nil, err
	}
	stores := map[string][]outcome.Holder{"": w.holders("alice", "bob"), "pass/team": w.holders("bob")}
	report := CheckSecrets(worldTarget.Name, scan.Secrets, stores, ring, scan.Ledger)
	o.Decrypter, o.Now = dec, now
	o.Recipients = map[string]*Recipients{}
	for dir, names := range map[string][]string{"": {"alice", "bob"}, "pass/team": {"bob"}} {
		if o.Recipients[dir], err = NewRecipients(w.publicKeys(names...), now); err != nil {
			return nil, nil, err
		}
	}
	if o.Copies == nil {
		o.Copies = map[string][]string{}
		for _, s := range scan.Secrets {
			if s.Digest != "" && !slices.Contains(o.Copies[s.Digest], s.File) {
				o.Copies[s.Digest] = append(o.Copies[s.Digest], s.File)
			}
		}
	}
	res, err := Reencrypt(context.Background(), os.DirFS(w.dir), report.Reencrypt(), o)
	return res, report, err
}

func setOf(names ...string) map[string]bool {
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out
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

	// Bob joined: giving him the secrets is widening, asked for by name.
	widen := []string{"pass/armored.gpg", "pass/carol-only.gpg", "pass/production/api.gpg", "pass/production/db.gpg", "hieradata/production.yaml"}
	res, report := reencryptCase(t, w, GPG{Home: homes["alice"].Home}, widen...)

	if got, want := report.Counts, (outcome.SecretCounts{Total: 9, Current: 1, Stale: 7, Missing: 7}); got != want {
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
	_, again := reencryptCase(t, w, GPG{Home: homes["alice"].Home}, widen...)
	if got, want := again.Counts, (outcome.SecretCounts{Total: 9, Current: 8, Stale: 1, Missing: 1}); got != want {
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
	res, _ := reencryptCase(t, w, dec, "pass/armored.gpg", "pass/production/api.gpg", "pass/production/db.gpg", "hieradata/production.yaml")
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
	// Three pass files and the two blocks, each decrypted once: each
	// result is checked without decrypting it again.
	if dec.calls != 3+2 {
		t.Errorf("%d decryptions", dec.calls)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	slices.Sort(out)
	return out
}
