package peoplerepo

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/hiddeco/sshsig"
	"github.com/prodaccess/prodaccess/model"
	"golang.org/x/crypto/ssh"
)

// Evidence notes are signed with an SSH key that only the reconcile
// workflow holds, in the format git uses for SSH-signed commits and tags
// (OpenSSH's "sshsig"): the note is its JSON, then the armored signature
// of that JSON. Anyone with push access can write refs/notes/*, which no
// branch rule protects; only a signature by a listed key makes a note
// evidence. An auditor checks one with ssh-keygen alone:
//
//	git notes --ref prodaccess show SHA > note
//	sed '/^-----BEGIN SSH SIGNATURE-----$/,$d' note > note.json
//	sed -n '/^-----BEGIN SSH SIGNATURE-----$/,$p' note > note.sig
//	ssh-keygen -Y verify -f allowed_signers -I prodaccess -n prodaccess-evidence -s note.sig < note.json

// SignatureNamespace is the sshsig namespace of evidence notes, so that a
// signature made for anything else (a commit, a file) is never one of a
// note.
const SignatureNamespace = "prodaccess-evidence"

// SignerPrincipal is the principal an allowed-signers file names for the
// keys that sign notes.
const SignerPrincipal = "prodaccess"

// signatureHash is the hash the signature covers, as git uses.
const signatureHash = sshsig.HashSHA512

const armorBegin = "-----BEGIN SSH SIGNATURE-----"

// maxSigningKey bounds the private key read from the environment.
const maxSigningKey = 64 << 10

// NoteSigner signs notes.
type NoteSigner struct {
	key ssh.Signer
}

// ParseSigningKey reads an OpenSSH private key (the text of the file) with
// no passphrase. Its errors never hold any of the key.
func ParseSigningKey(text []byte) (*NoteSigner, error) {
	if len(text) > maxSigningKey {
		return nil, fmt.Errorf("the signing key is %d bytes, more than an OpenSSH private key is", len(text))
	}
	key, err := ssh.ParsePrivateKey(bytes.TrimSpace(text))
	var missing *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &missing):
		return nil, errors.New("the signing key is protected by a passphrase; give a key without one, kept as a secret")
	case err != nil:
		return nil, errors.New("the signing key is not an OpenSSH private key")
	}
	return &NoteSigner{key: key}, nil
}

// PublicKey is the key that verifies what s signs.
func (s *NoteSigner) PublicKey() ssh.PublicKey { return s.key.PublicKey() }

// Sign returns the note: the payload, then its armored signature on lines
// of its own. The payload must end with a newline and hold no line that
// begins the armor.
func (s *NoteSigner) Sign(payload []byte) ([]byte, error) {
	if !bytes.HasSuffix(payload, []byte("\n")) {
		return nil, errors.New("a note to sign must end with a newline")
	}
	if hasArmorLine(payload) {
		return nil, errors.New("a note to sign holds a line that begins a signature")
	}
	sig, err := sshsig.Sign(bytes.NewReader(payload), s.key, signatureHash, SignatureNamespace)
	if err != nil {
		return nil, fmt.Errorf("sign the note: %w", err)
	}
	out := append([]byte{}, payload...)
	return append(out, sshsig.Armor(sig)...), nil
}

func hasArmorLine(b []byte) bool {
	return bytes.HasPrefix(b, []byte(armorBegin)) || bytes.Contains(b, []byte("\n"+armorBegin))
}

// NoteProblem says why a note is not evidence.
type NoteProblem struct {
	// Kind is "unsigned", "bad signature" or "unknown signer".
	Kind string
	// Detail says more, in words; for an unknown signer, its key's
	// SHA256 fingerprint.
	Detail string
}

func (p *NoteProblem) Error() string {
	if p.Detail == "" {
		return p.Kind
	}
	return p.Kind + ": " + p.Detail
}

// Note problems.
const (
	NoteUnsigned      = "unsigned"
	NoteBadSignature  = "bad signature"
	NoteUnknownSigner = "unknown signer"
)

// VerifyNote checks a note's signature against the keys allowed to sign
// notes and returns the payload it covers and the key that signed it. A
// note that is unsigned, whose signature does not verify, or that a key
// not listed signed, is a *NoteProblem. With no keys listed, no note is
// evidence.
func VerifyNote(note []byte, signers []ssh.PublicKey) ([]byte, ssh.PublicKey, error) {
	i := bytes.Index(note, []byte("\n"+armorBegin))
	if i < 0 {
		return nil, nil, &NoteProblem{Kind: NoteUnsigned, Detail: "it carries no SSH signature"}
	}
	payload, armored := note[:i+1], note[i+1:]
	sig, err := sshsig.Unarmor(armored)
	if err != nil {
		return nil, nil, &NoteProblem{Kind: NoteBadSignature, Detail: "the signature cannot be read"}
	}
	if sig.Namespace != SignatureNamespace {
		return nil, nil, &NoteProblem{Kind: NoteBadSignature, Detail: fmt.Sprintf("signed for %q, not for %q", printable(sig.Namespace), SignatureNamespace)}
	}
	fp := ssh.FingerprintSHA256(sig.PublicKey)
	var key ssh.PublicKey
	for _, k := range signers {
		if ssh.FingerprintSHA256(k) == fp {
			key = k
		}
	}
	if key == nil {
		return nil, nil, &NoteProblem{Kind: NoteUnknownSigner, Detail: "signed by " + fp + ", which policy.evidence_signers does not list"}
	}
	if err := sshsig.Verify(bytes.NewReader(payload), sig, key, sig.HashAlgorithm, SignatureNamespace); err != nil {
		return nil, nil, &NoteProblem{Kind: NoteBadSignature, Detail: "the signature by " + fp + " does not match the note"}
	}
	return payload, key, nil
}

// AllowedSigners writes an allowed-signers file (as ssh-keygen -Y verify
// reads it) for the keys, limited to the namespace of notes.
func AllowedSigners(signers []ssh.PublicKey, comments []string) string {
	var b strings.Builder
	for i, k := range signers {
		line := fmt.Sprintf("%s namespaces=%q %s", SignerPrincipal, SignatureNamespace, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))))
		if i < len(comments) && comments[i] != "" {
			line += " " + comments[i]
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// printable keeps what a hostile note names from reaching a terminal raw,
// and short.
func printable(s string) string {
	if r := []rune(s); len(r) > 64 {
		s = string(r[:64]) + "…"
	}
	return model.Printable(s)
}
