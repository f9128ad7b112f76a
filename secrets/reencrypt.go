package secrets

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/prodaccess/prodaccess/model"
)

// Decrypter opens an OpenPGP message with the private keys of the person
// running prodaccess, and returns the plaintext in memory. GPG is the real
// one; it is the only thing that ever sees a private key.
type Decrypter interface {
	Decrypt(ctx context.Context, message []byte) ([]byte, error)
}

// Refusal is a file that was left exactly as it was, and why.
type Refusal struct {
	File   string `json:"file"`
	Secret string `json:"secret"`
	Reason string `json:"reason"`
}

func (r Refusal) String() string { return fmt.Sprintf("%s: %s", r.Secret, r.Reason) }

// Reencryption is what re-encrypting a target's secrets produced.
type Reencryption struct {
	Files   map[string][]byte   // the new content of every file that changed
	Done    []model.SecretCheck // the secrets re-encrypted
	Refused []Refusal           // files left as they were
}

// Reencrypt decrypts every secret in todo with dec and encrypts it again
// to exactly the keys to, then reads each result back: its recipients
// must be exactly those keys, and dec must open it to the same plaintext.
// A file in which any secret fails is left as it was and refused; other
// files go on. eyaml files change only inside their ENC[GPG,...] blocks,
// and only in the blocks listed in todo. sops files are refused: their
// data key must be replaced, which sops itself does (sops rotate).
// Plaintext exists only in memory and is cleared after use.
func Reencrypt(ctx context.Context, fsys fs.FS, todo []model.SecretCheck, to []*PublicKey, dec Decrypter, now time.Time) (*Reencryption, error) {
	enc, err := newEncrypter(to, now)
	if err != nil {
		return nil, err
	}
	out := &Reencryption{Files: map[string][]byte{}}
	var files []string
	byFile := map[string][]model.SecretCheck{}
	for _, c := range todo {
		if byFile[c.File] == nil {
			files = append(files, c.File)
		}
		byFile[c.File] = append(byFile[c.File], c)
	}
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		checks := byFile[name]
		data, err := readSecretFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var content []byte
		var refusal *Refusal
		switch checks[0].Format {
		case model.OpenPGPFiles:
			content, refusal = enc.file(ctx, dec, name, data)
		case model.EYAMLGPG:
			content, refusal = enc.eyaml(ctx, dec, name, data, checks)
		default:
			refusal = &Refusal{File: name, Secret: checks[0].Name(), Reason: "a sops file's data key must be replaced, not only re-encrypted, since anyone who could read it may have kept it: run sops rotate --in-place with the new recipients (--add-pgp, --rm-pgp)"}
		}
		if refusal != nil {
			out.Refused = append(out.Refused, *refusal)
			continue
		}
		out.Files[name] = content
		out.Done = append(out.Done, checks...)
	}
	return out, nil
}

// encrypter encrypts to a fixed set of keys and knows which key ids the
// result must name.
type encrypter struct {
	entities []*openpgp.Entity
	want     []string // the key ids of the encryption keys, sorted
	config   *packet.Config
}

func newEncrypter(to []*PublicKey, now time.Time) (*encrypter, error) {
	if len(to) == 0 {
		return nil, errors.New("nobody to encrypt to: the target would have no recipients")
	}
	e := &encrypter{config: &packet.Config{DefaultCipher: packet.CipherAES256, Time: func() time.Time { return now }}}
	for _, k := range to {
		key, ok := k.Entity.EncryptionKey(now)
		if !ok {
			return nil, fmt.Errorf("the key of %s (%s) has no usable encryption key: it is expired, revoked or sign-only; nothing was re-encrypted", k.Name(), k.File)
		}
		e.entities = append(e.entities, k.Entity)
		e.want = append(e.want, fmt.Sprintf("%016X", key.PublicKey.KeyId))
	}
	slices.Sort(e.want)
	return e, nil
}

// seal re-encrypts one binary or armored message: decrypt, encrypt, read
// back. It returns the new message in the old one's encoding.
func (e *encrypter) seal(ctx context.Context, dec Decrypter, message []byte, armored bool) ([]byte, error) {
	plain, err := dec.Decrypt(ctx, message)
	if err != nil {
		return nil, fmt.Errorf("cannot decrypt it: %w", err)
	}
	defer clear(plain)
	var ct bytes.Buffer
	w, err := openpgp.Encrypt(&ct, e.entities, nil, &openpgp.FileHints{IsBinary: true}, e.config)
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if _, err := w.Write(plain); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	result := ct.Bytes()
	if armored {
		var a bytes.Buffer
		aw, err := armor.Encode(&a, "PGP MESSAGE", nil)
		if err != nil {
			return nil, err
		}
		aw.Write(result)
		if err := aw.Close(); err != nil {
			return nil, err
		}
		a.WriteByte('\n')
		result = a.Bytes()
	}
	if err := e.verify(ctx, dec, result, plain); err != nil {
		return nil, err
	}
	return result, nil
}

// verify reads a new message back: exactly the wanted key ids, nothing
// hidden, no passphrase, and the same plaintext.
func (e *encrypter) verify(ctx context.Context, dec Decrypter, message, plain []byte) error {
	h, err := readMessage(message)
	if err != nil {
		return fmt.Errorf("the re-encrypted message does not read back: %w", err)
	}
	if !slices.Equal(h.keyIDs, e.want) || len(h.fingerprints)+h.hidden+h.symmetric > 0 {
		return fmt.Errorf("the re-encrypted message names key ids %v, not exactly %v", h.keyIDs, e.want)
	}
	again, err := dec.Decrypt(ctx, message)
	if err != nil {
		return fmt.Errorf("the re-encrypted message cannot be decrypted again by the person running this (%w); are they a recipient?", err)
	}
	defer clear(again)
	if !bytes.Equal(again, plain) {
		return errors.New("the re-encrypted message decrypts to something else")
	}
	return nil
}

func (e *encrypter) file(ctx context.Context, dec Decrypter, name string, data []byte) ([]byte, *Refusal) {
	h, err := readMessage(data)
	if err == nil {
		var out []byte
		if out, err = e.seal(ctx, dec, data, h.armored); err == nil {
			return out, nil
		}
	}
	return nil, &Refusal{File: name, Secret: name, Reason: err.Error()}
}

// eyaml re-encrypts the listed blocks of an eyaml file and leaves every
// other byte as it was.
func (e *encrypter) eyaml(ctx context.Context, dec Decrypter, name string, data []byte, checks []model.SecretCheck) ([]byte, *Refusal) {
	refuse := func(secret string, err error) ([]byte, *Refusal) {
		return nil, &Refusal{File: name, Secret: secret, Reason: err.Error()}
	}
	blocks, err := eyamlBlocks(data)
	if err != nil {
		return refuse(name, err)
	}
	type change struct {
		block eyamlBlock
		text  []byte
	}
	var changes []change
	for _, c := range checks {
		i := slices.IndexFunc(blocks, func(b eyamlBlock) bool { return b.line == c.Line && (b.key == c.Key || b.key == "") })
		if i < 0 {
			return refuse(c.Name(), fmt.Errorf("no ENC[GPG,...] block starts on line %d any more", c.Line))
		}
		msg, problem := blocks[i].message()
		if problem != "" {
			return refuse(c.Name(), errors.New(problem))
		}
		sealed, err := e.seal(ctx, dec, msg, false)
		if err != nil {
			return refuse(c.Name(), err)
		}
		changes = append(changes, change{blocks[i], blocks[i].layout(data, base64.StdEncoding.EncodeToString(sealed))})
	}
	slices.SortFunc(changes, func(a, b change) int { return a.block.start - b.block.start })
	var out []byte
	last := 0
	for _, c := range changes {
		out = append(out, data[last:c.block.start]...)
		out = append(out, c.text...)
		last = c.block.end
	}
	out = append(out, data[last:]...)

	// Read it back: the same blocks under the same keys, the same bytes
	// outside the changed blocks.
	after, err := eyamlBlocks(out)
	if err != nil || len(after) != len(blocks) {
		return refuse(name, fmt.Errorf("the rewritten file does not read back as the same %d blocks (%v)", len(blocks), err))
	}
	for i := range blocks {
		if after[i].key != blocks[i].key || after[i].problem != "" {
			return refuse(name, fmt.Errorf("block %d of the rewritten file is under %q, not %q", i+1, after[i].key, blocks[i].key))
		}
	}
	if !bytes.Equal(outside(data, blocks), outside(out, after)) {
		return refuse(name, errors.New("the rewritten file differs outside its ENC[GPG,...] blocks"))
	}
	return out, nil
}

// outside is a file without the insides of its blocks.
func outside(data []byte, blocks []eyamlBlock) []byte {
	var out []byte
	last := 0
	for _, b := range blocks {
		out = append(out, data[last:b.start]...)
		last = b.end
	}
	return append(out, data[last:]...)
}
