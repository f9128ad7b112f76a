package secrets

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// ErrGone is a secret that is no longer in a version of the repository.
var ErrGone = errors.New("it is not in the repository at that commit")

// messageIn finds the encrypted message of a ledger entry in a tree: the
// whole file, or the eyaml block under its key.
func messageIn(fsys fs.FS, e *outcome.RotationEntry) ([]byte, error) {
	data, err := readSecretFile(fsys, e.File)
	if err != nil {
		if _, statErr := fs.Stat(fsys, e.File); errors.Is(statErr, fs.ErrNotExist) {
			return nil, ErrGone
		}
		return nil, err
	}
	if e.Key == "" {
		h, err := readMessage(data)
		if err != nil {
			return nil, err
		}
		return h.binary, nil
	}
	blocks, err := eyamlBlocks(data)
	if err != nil {
		return nil, err
	}
	for _, b := range blocks {
		if b.key == e.Key {
			msg, problem := b.message()
			if problem != "" {
				return nil, errors.New(problem)
			}
			return msg, nil
		}
	}
	return nil, ErrGone
}

// RotationCheck is what checking one ledger entry found.
type RotationCheck struct {
	Entry   outcome.RotationEntry
	Changed bool  // the value now differs from the one its readers could read
	Err     error // why it could not be told
}

// CheckRotation tells, for each entry, whether the value has changed
// since the version its readers could last read: it decrypts, with the
// decrypter of the person running it, that version (in the tree then) and
// the current one (in now), and compares the SHA-256 digests of the two
// plaintexts in memory. Nothing about either value is kept or written;
// each plaintext is cleared as soon as it is hashed. then gives the tree
// at a commit.
func CheckRotation(ctx context.Context, entries []outcome.RotationEntry, now fs.FS, then func(commit string) (fs.FS, error), dec Decrypter) []RotationCheck {
	out := make([]RotationCheck, len(entries))
	for i, e := range entries {
		out[i] = RotationCheck{Entry: e}
		out[i].Changed, out[i].Err = changed(ctx, &e, now, then, dec)
	}
	return out
}

func changed(ctx context.Context, e *outcome.RotationEntry, now fs.FS, then func(string) (fs.FS, error), dec Decrypter) (bool, error) {
	old, err := then(e.ReadableAt)
	if err != nil {
		return false, fmt.Errorf("the version its readers could read (commit %s) cannot be read: %w", model.ShortSHA(e.ReadableAt), err)
	}
	was, err := messageIn(old, e)
	if err != nil {
		return false, fmt.Errorf("the version its readers could read (commit %s): %w", model.ShortSHA(e.ReadableAt), err)
	}
	is, err := messageIn(now, e)
	if errors.Is(err, ErrGone) {
		return false, errors.New("it is no longer in the repository: change the value where it is used, then take its entry out of the ledger in a reviewed pull request")
	}
	if err != nil {
		return false, err
	}
	sum := func(msg []byte) ([32]byte, error) {
		plain, err := dec.Decrypt(ctx, msg)
		if err != nil {
			return [32]byte{}, err
		}
		defer clear(plain)
		return sha256.Sum256(plain), nil
	}
	a, err := sum(was)
	if err != nil {
		return false, fmt.Errorf("cannot decrypt the version its readers could read (commit %s): %w", model.ShortSHA(e.ReadableAt), err)
	}
	b, err := sum(is)
	if err != nil {
		return false, fmt.Errorf("cannot decrypt the current version: %w", err)
	}
	return a != b, nil
}
