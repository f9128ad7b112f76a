package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/testgpg"
	"github.com/prodaccess/prodaccess/internal/testkeys"
)

// benchSecrets is how many secrets the re-encryption benchmark's store
// holds (PRODACCESS_BENCH_SECRETS changes it, to try the benchmark small).
func benchSecrets(b *testing.B) int {
	if s := os.Getenv("PRODACCESS_BENCH_SECRETS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("PRODACCESS_BENCH_SECRETS=%q", s)
		}
		return n
	}
	return 2000
}

// BenchmarkReencryptBesidePassInit re-encrypts the same password store of
// 2,000 secrets, each readable by alice, bob and carol, once carol has
// left: with pass init (as alice, naming alice and bob), and with
// prodaccess secrets reencrypt (the whole command: reading the people and
// the secrets repository, decrypting each secret once through alice's
// gpg-agent, encrypting and checking in process, committing in batches
// and pushing to the local repository). Both use the real gpg with the
// same keys (ed25519/cv25519), made once for the run and kept in the
// temporary folder; each iteration starts again from the same store.
// Run it with -benchtime=1x: one iteration takes minutes.
func BenchmarkReencryptBesidePassInit(b *testing.B) {
	if _, err := exec.LookPath("pass"); err != nil {
		b.Skip("pass is not installed (Debian package pass)")
	}
	n := benchSecrets(b)
	dir := b.TempDir()
	keys := map[string]*testkeys.Key{}
	for _, name := range []string{"alice", "bob", "carol"} {
		k, err := testkeys.New(name, testkeys.Good, time.Now().Add(-72*time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		keys[name] = k
	}
	alice := testgpg.New(b)
	alice.Import(keys["alice"])
	alice.ImportPublic(keys["bob"], keys["carol"])

	// The store, written once: what gpg would write for pass insert.
	store := filepath.Join(dir, "store")
	to := []*openpgp.Entity{keys["alice"].Entity, keys["bob"].Entity, keys["carol"].Entity}
	for i := range n {
		var msg bytes.Buffer
		w, err := openpgp.Encrypt(&msg, to, nil, &openpgp.FileHints{IsBinary: true}, nil)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(w, "secret value %d\n", i)
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		p := filepath.Join(store, fmt.Sprintf("team%02d", i%40), fmt.Sprintf("secret%04d.gpg", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, msg.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	gpgID := keys["alice"].Fingerprint + "\n" + keys["bob"].Fingerprint + "\n"
	if err := os.WriteFile(filepath.Join(store, ".gpg-id"), []byte(gpgID), 0o644); err != nil {
		b.Fatal(err)
	}
	copyStore := func(to string) {
		b.Helper()
		if out, err := exec.Command("cp", "-a", store, to).CombinedOutput(); err != nil {
			b.Fatalf("cp: %v\n%s", err, out)
		}
	}

	b.Run("pass-init", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			run := filepath.Join(dir, fmt.Sprintf("pass-%d", i))
			copyStore(run)
			cmd := exec.Command("pass", "init", keys["alice"].Fingerprint, keys["bob"].Fingerprint)
			cmd.Env = append(os.Environ(), "GNUPGHOME="+alice.Home, "PASSWORD_STORE_DIR="+run, "PASSWORD_STORE_GPG_OPTS=--trust-model=always")
			b.StartTimer()
			out, err := cmd.CombinedOutput()
			b.StopTimer()
			if err != nil {
				b.Fatalf("pass init: %v\n%s", err, out)
			}
			if got := strings.Count(string(out), ": reencrypting to "); got != n {
				b.Fatalf("pass init re-encrypted %d files, want %d", got, n)
			}
			os.RemoveAll(run)
			b.StartTimer()
		}
	})

	// The secrets repository and the people repository, once.
	secrets := filepath.Join(dir, "secrets")
	if err := os.MkdirAll(secrets, 0o755); err != nil {
		b.Fatal(err)
	}
	copyStore(filepath.Join(secrets, "pass"))
	if _, err := devstack.Git(secrets, "init", "-q", "-b", "main"); err != nil {
		b.Fatal(err)
	}
	if err := devstack.Commit(secrets, nil, "The store"); err != nil {
		b.Fatal(err)
	}
	people := filepath.Join(dir, "people")
	files := map[string]string{
		"prodaccess.yaml":   fmt.Sprintf("people: people\ntargets:\n  - {name: pass-store, type: file, repo: %s, path: pass/.gpg-id, format: gpg-id}\n", secrets),
		"people/alice.yaml": permanentFile("Alice Able", "alice-gh", 0, keys["alice"].Fingerprint, "alice", ""),
		"people/bob.yaml":   permanentFile("Bob Brown", "bob-gh", 0, keys["bob"].Fingerprint, "bob", ""),
		"people/carol.yaml": permanentFile("Carol Gone", "carol-gh", 0, keys["carol"].Fingerprint, "carol", "last_day: 2020-12-31\n"),
	}
	for name, k := range keys {
		files["keys/"+name+".asc"] = string(k.Public())
	}
	if err := devstack.NewRepo(people, files); err != nil {
		b.Fatal(err)
	}

	b.Run("prodaccess", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			devstack.Git(secrets, "branch", "-q", "-D", "prodaccess/reencrypt-pass-store")
			b.StartTimer()
			r := prodaccessEnv(b, people, []string{"GNUPGHOME=" + alice.Home}, "secrets", "reencrypt", "--target", "pass-store", "--quiet")
			b.StopTimer()
			if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("Re-encrypted %d secret(s) of pass-store", n)) {
				b.Fatalf("reencrypt: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			b.StartTimer()
		}
	})
}
