// Package testgpg runs the real gpg in throwaway homes for tests: to write
// secrets as people do, and to prove who can decrypt them.
package testgpg

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/prodaccess/prodaccess/internal/testkeys"
)

// GnuPG is a throwaway GnuPG home for a test, used through the real gpg.
type GnuPG struct {
	t    testing.TB
	Home string
}

// New makes an empty GnuPG home that is removed, with its agent, when
// the test ends. It skips the test when gpg is not installed.
func New(t testing.TB) *GnuPG {
	t.Helper()
	if _, err := exec.LookPath("gpg"); err != nil {
		t.Skip("gpg is not installed (Debian package gnupg)")
	}
	// A short path: gpg-agent's socket lives in it.
	home, err := os.MkdirTemp("/tmp", "gpg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		exec.Command("gpgconf", "--homedir", home, "--kill", "all").Run()
		os.RemoveAll(home)
	})
	return &GnuPG{t: t, Home: home}
}

// Run runs gpg in the home with stdin, trusting every key, and returns
// what it wrote to standard output and standard error.
func (g *GnuPG) Run(stdin []byte, args ...string) (stdout, stderr string, err error) {
	cmd := exec.Command("gpg", append([]string{"--homedir", g.Home, "--batch", "--yes", "--no-tty", "--trust-model", "always", "--pinentry-mode", "loopback"}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// Import imports keys, public or secret.
func (g *GnuPG) Import(keys ...*testkeys.Key) {
	g.t.Helper()
	for _, k := range keys {
		for _, data := range [][]byte{k.Public(), k.Secret()} {
			if _, stderr, err := g.Run(data, "--import"); err != nil {
				g.t.Fatalf("gpg --import: %v\n%s", err, stderr)
			}
		}
	}
}

// ImportPublic imports only the public keys.
func (g *GnuPG) ImportPublic(keys ...*testkeys.Key) {
	g.t.Helper()
	for _, k := range keys {
		if _, stderr, err := g.Run(k.Public(), "--import"); err != nil {
			g.t.Fatalf("gpg --import: %v\n%s", err, stderr)
		}
	}
}

// Encrypt encrypts plaintext to the keys with gpg --encrypt, with more
// arguments such as --armor or --throw-keyids; with no keys, the arguments
// alone say what to do (--store, --symmetric).
func (g *GnuPG) Encrypt(plaintext string, to []*testkeys.Key, args ...string) []byte {
	g.t.Helper()
	all := append([]string{"--output", "-"}, args...)
	if len(to) > 0 {
		all = append(all, "--encrypt")
	}
	for _, k := range to {
		all = append(all, "--recipient", k.Fingerprint)
	}
	out, stderr, err := g.Run([]byte(plaintext), all...)
	if err != nil {
		g.t.Fatalf("gpg %v: %v\n%s", all, err, stderr)
	}
	return []byte(out)
}

// Decrypts reports whether gpg in this home decrypts message to want.
func (g *GnuPG) Decrypts(message []byte, want string) bool {
	out, ok := g.Open(message)
	return ok && strings.Contains(out, want)
}

// Open decrypts message, and reports whether gpg says it did so whole
// and intact (DECRYPTION_OKAY): with hidden recipients, gpg exits with
// status 2 for the session key packets that are not its own even when
// one is, and opens the message.
func (g *GnuPG) Open(message []byte) (string, bool) {
	out, status, err := g.Run(message, "--status-fd", "2", "--decrypt")
	ok := strings.Contains(status, "[GNUPG:] DECRYPTION_OKAY") && !strings.Contains(status, "[GNUPG:] DECRYPTION_FAILED") && !strings.Contains(status, "[GNUPG:] BADMDC")
	return out, ok && (err == nil || strings.Contains(status, "[GNUPG:] END_DECRYPTION"))
}
