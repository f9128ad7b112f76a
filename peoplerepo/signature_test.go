package peoplerepo

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// newSigningKey makes an ed25519 key and returns its OpenSSH private key
// text, as PRODACCESS_SIGNING_KEY holds it.
func newSigningKey(t *testing.T) []byte {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "reconcile@example")
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block)
}

func newSigner(t *testing.T) *NoteSigner {
	t.Helper()
	s, err := ParseSigningKey(newSigningKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const payload = "{\n  \"version\": 2,\n  \"commit\": \"0123456789abcdef0123456789abcdef01234567\"\n}\n"

// TestVerifyNote: a note is evidence only when a listed key signed
// exactly its payload, for notes.
func TestVerifyNote(t *testing.T) {
	s, other := newSigner(t), newSigner(t)
	note, err := s.Sign([]byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	got, key, err := VerifyNote(note, []ssh.PublicKey{other.PublicKey(), s.PublicKey()})
	if err != nil || string(got) != payload || ssh.FingerprintSHA256(key) != ssh.FingerprintSHA256(s.PublicKey()) {
		t.Fatalf("VerifyNote of a good note: %q, %v", got, err)
	}

	byOther, err := other.Sign([]byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	// The same key's signature made for another use (a git commit) is not
	// a note's.
	sig, err := sshsig.Sign(strings.NewReader(payload), s.key, sshsig.HashSHA512, "git")
	if err != nil {
		t.Fatal(err)
	}
	forGit := append([]byte(payload), sshsig.Armor(sig)...)
	listed := []ssh.PublicKey{s.PublicKey()}
	tests := []struct {
		name    string
		note    []byte
		signers []ssh.PublicKey
		want    string
	}{
		{"unsigned", []byte(payload), listed, NoteUnsigned},
		{"signed by a key not listed", byOther, listed, NoteUnknownSigner},
		{"no signers configured", note, nil, NoteUnknownSigner},
		{"payload changed after signing", bytes.Replace(note, []byte(`"version": 2`), []byte(`"version": 3`), 1), listed, NoteBadSignature},
		{"a line added to the payload", append([]byte("{}\n"), note...), listed, NoteBadSignature},
		{"armor damaged", bytes.Replace(note, []byte("\n-----END"), []byte("!!\n-----END"), 1), listed, NoteBadSignature},
		{"signed for git, not for notes", forGit, listed, NoteBadSignature},
		{"empty", nil, listed, NoteUnsigned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := VerifyNote(tt.note, tt.signers)
			var np *NoteProblem
			if !errors.As(err, &np) || np.Kind != tt.want {
				t.Errorf("VerifyNote: %v, want a %q problem", err, tt.want)
			}
		})
	}
}

func TestSignRefusesAmbiguousPayloads(t *testing.T) {
	s := newSigner(t)
	for _, p := range []string{"{}", "{}\n-----BEGIN SSH SIGNATURE-----\n"} {
		if _, err := s.Sign([]byte(p)); err == nil {
			t.Errorf("Sign(%q) signed", p)
		}
	}
}

func TestParseSigningKeyKeepsTheKeySecret(t *testing.T) {
	key := newSigningKey(t)
	broken := bytes.Replace(key, []byte("\n"), []byte("\nX"), 3)
	for _, text := range [][]byte{broken, []byte("ssh-ed25519 AAAA not a private key"), bytes.Repeat([]byte("a"), 70<<10)} {
		_, err := ParseSigningKey(text)
		if err == nil {
			t.Fatalf("ParseSigningKey(%.20q) accepted it", text)
		}
		for _, line := range strings.Split(string(key), "\n")[1:3] {
			if line != "" && strings.Contains(err.Error(), line) {
				t.Errorf("the error shows the key: %v", err)
			}
		}
	}
}

// TestSshKeygenVerifiesANote: an auditor with ssh-keygen and the
// allowed-signers file, and no prodaccess, verifies a note as the docs
// say: split at the armor, verify the JSON.
func TestSshKeygenVerifiesANote(t *testing.T) {
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("ssh-keygen is not installed")
	}
	s := newSigner(t)
	note, err := s.Sign([]byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	allowed := filepath.Join(dir, "allowed_signers")
	if err := os.WriteFile(allowed, []byte(AllowedSigners([]ssh.PublicKey{s.PublicKey()}, []string{"reconcile@example"})), 0o644); err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(note, []byte("\n-----BEGIN SSH SIGNATURE-----"))
	sigFile := filepath.Join(dir, "note.sig")
	if err := os.WriteFile(sigFile, note[i+1:], 0o644); err != nil {
		t.Fatal(err)
	}
	verify := func(message []byte) (string, error) {
		cmd := exec.Command(keygen, "-Y", "verify", "-f", allowed, "-I", SignerPrincipal, "-n", SignatureNamespace, "-s", sigFile)
		cmd.Stdin = bytes.NewReader(message)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := verify(note[:i+1]); err != nil || !strings.Contains(out, `Good "prodaccess-evidence" signature for prodaccess`) {
		t.Errorf("ssh-keygen -Y verify: %v\n%s", err, out)
	}
	if out, err := verify(bytes.Replace(note[:i+1], []byte("2"), []byte("3"), 1)); err == nil {
		t.Errorf("ssh-keygen verified a changed note:\n%s", out)
	}
}
