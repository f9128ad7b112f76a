package gitfile

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/internal/testkeys"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// gnupg is a throwaway GnuPG home.
type gnupg struct {
	t    *testing.T
	home string
}

func newGnuPG(t *testing.T) *gnupg {
	t.Helper()
	// A short path: gpg-agent's socket lives in it.
	home, err := os.MkdirTemp("/tmp", "gpg")
	if err != nil {
		t.Fatal(err)
	}
	g := &gnupg{t: t, home: home}
	t.Cleanup(func() {
		exec.Command("gpgconf", "--homedir", home, "--kill", "all").Run()
		os.RemoveAll(home)
	})
	return g
}

func (g *gnupg) run(stdin []byte, args ...string) (string, error) {
	g.t.Helper()
	cmd := exec.Command("gpg", append([]string{"--homedir", g.home, "--batch", "--yes", "--no-tty", "--trust-model", "always"}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (g *gnupg) importKey(data []byte) {
	g.t.Helper()
	if out, err := g.run(data, "--import"); err != nil {
		g.t.Fatalf("gpg --import: %v\n%s", err, out)
	}
}

// threeKeys makes good keys for alice, bob and carol.
func threeKeys(t *testing.T) map[string]*testkeys.Key {
	t.Helper()
	keys := map[string]*testkeys.Key{}
	for _, name := range []string{"alice", "bob", "carol"} {
		k, err := testkeys.New(name, testkeys.Good, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		keys[name] = k
	}
	return keys
}

// TestRecipientsWithGPG proves with the real gpg that a recipients file
// written by prodaccess encrypts to exactly the people in it, and that a
// person it removed cannot decrypt what is encrypted afterwards.
func TestRecipientsWithGPG(t *testing.T) {
	if _, err := exec.LookPath("gpg"); err != nil {
		t.Skip("gpg is not installed (Debian package gnupg)")
	}
	keys := threeKeys(t)
	target := &config.Target{Name: "hieradata", Type: model.FileTarget, Format: config.GPGRecipients, Path: "hiera.rcp"}
	before := fmt.Sprintf("# production\n%s # Alice\n%s # Carol\n", keys["alice"].Fingerprint, keys["carol"].Fingerprint)
	after, err := rewrite(target, []byte(before), []outcome.Change{
		{Action: outcome.Remove, Subject: keys["carol"].Fingerprint},
		{Action: outcome.Add, Subject: keys["bob"].Fingerprint, Name: "Bob"},
	})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := readEntries(recipients{}, after)
	if err != nil {
		t.Fatal(err)
	}

	// Encrypt a secret to whoever the file names, as a re-encryption does.
	sender := newGnuPG(t)
	for _, k := range keys {
		sender.importKey(k.Public())
	}
	cipher := filepath.Join(sender.home, "secret.gpg")
	args := []string{"--encrypt", "--output", cipher}
	for _, e := range entries {
		args = append(args, "--recipient", e.Subject)
	}
	if out, err := sender.run([]byte("the database password"), args...); err != nil {
		t.Fatalf("gpg --encrypt: %v\n%s", err, out)
	}

	// Exactly Alice's and Bob's encryption subkeys can open it.
	packets, err := sender.run(nil, "--list-packets", cipher)
	if err != nil && !strings.Contains(packets, "pubkey enc packet") {
		t.Fatalf("gpg --list-packets: %v\n%s", err, packets)
	}
	var got []string
	for _, m := range regexp.MustCompile(`pubkey enc packet: version \d+, algo \d+, keyid ([0-9A-F]{16})`).FindAllStringSubmatch(packets, -1) {
		got = append(got, m[1])
	}
	var want []string
	for _, name := range []string{"alice", "bob"} {
		want = append(want, fmt.Sprintf("%016X", keys[name].Entity.Subkeys[0].PublicKey.KeyId))
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recipients of the encrypted secret (-want +got):\n%s\n%s", diff, packets)
	}

	// Bob can decrypt it; Carol, who was removed, cannot.
	for name, wantOK := range map[string]bool{"bob": true, "carol": false} {
		g := newGnuPG(t)
		g.importKey(keys[name].Secret())
		out, err := g.run(nil, "--decrypt", cipher)
		switch {
		case wantOK && (err != nil || !strings.Contains(out, "the database password")):
			t.Errorf("%s could not decrypt: %v\n%s", name, err, out)
		case !wantOK && (err == nil || strings.Contains(out, "the database password")):
			t.Errorf("%s, removed, could still decrypt:\n%s", name, out)
		}
	}
}

// TestGPGIDWithPass proves with the real pass that a .gpg-id written by
// prodaccess makes pass encrypt new secrets to exactly its people, and not
// to the person removed. The file has comment lines, a blank line and
// "FINGERPRINT # Name" lines, which pass reads by cutting at the #; they
// stay as they were.
func TestGPGIDWithPass(t *testing.T) {
	for _, tool := range []string{"gpg", "pass"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (Debian packages gnupg and pass)", tool)
		}
	}
	keys := threeKeys(t)
	target := &config.Target{Name: "pass-store", Type: model.FileTarget, Format: config.GPGID, Path: ".gpg-id"}
	before := fmt.Sprintf("# 2nd line password store\n\n%s # Alice\n# leavers go below\n%s # Carol\n", keys["alice"].Fingerprint, keys["carol"].Fingerprint)
	gpgID, err := rewrite(target, []byte(before), []outcome.Change{
		{Action: outcome.Remove, Subject: keys["carol"].Fingerprint},
		{Action: outcome.Add, Subject: keys["bob"].Fingerprint, Name: "Bob"},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantFile := fmt.Sprintf("# 2nd line password store\n\n%s # Alice\n# leavers go below\n%s # Bob\n", keys["alice"].Fingerprint, keys["bob"].Fingerprint)
	if diff := cmp.Diff(wantFile, string(gpgID)); diff != "" {
		t.Errorf(".gpg-id (-want +got):\n%s", diff)
	}
	g := newGnuPG(t)
	for _, k := range keys {
		g.importKey(k.Public())
	}
	store := t.TempDir()
	if err := os.WriteFile(filepath.Join(store, ".gpg-id"), gpgID, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pass", "insert", "--multiline", "--force", "production/db")
	cmd.Env = append(os.Environ(), "GNUPGHOME="+g.home, "PASSWORD_STORE_DIR="+store, "PASSWORD_STORE_GPG_OPTS=--trust-model=always")
	cmd.Stdin = strings.NewReader("the database password\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pass insert: %v\n%s", err, out)
	}
	packets, _ := g.run(nil, "--list-packets", filepath.Join(store, "production", "db.gpg"))
	var got, want []string
	for _, m := range regexp.MustCompile(`keyid ([0-9A-F]{16})`).FindAllStringSubmatch(packets, -1) {
		got = append(got, m[1])
	}
	for _, name := range []string{"alice", "bob"} {
		want = append(want, fmt.Sprintf("%016X", keys[name].Entity.Subkeys[0].PublicKey.KeyId))
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pass encrypted to (-want +got):\n%s\n%s", diff, packets)
	}
	carol := newGnuPG(t)
	carol.importKey(keys["carol"].Secret())
	if out, err := carol.run(nil, "--decrypt", filepath.Join(store, "production", "db.gpg")); err == nil || strings.Contains(out, "the database password") {
		t.Errorf("carol, removed, could decrypt:\n%s", out)
	}
}
