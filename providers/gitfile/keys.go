package gitfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/prodaccess/prodaccess/secrets"
)

// A repository of secrets often keeps its recipients' public keys beside
// the recipients file, and a key's user ids say whose it is: what adopt
// needs to tell who holds a fingerprint.

// KeyFile is a file of a target repository that holds an armored OpenPGP
// public key.
type KeyFile struct {
	Path string // in the repository
	Data []byte
}

// keyFileSuffixes are the names of files that may hold an exported key.
var keyFileSuffixes = []string{".asc", ".pub", ".key", ".pgp"}

// armoredPublicKey begins an armored public key.
var armoredPublicKey = []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----")

// PublicKeyFiles lists, once Read has read the repository, the files of
// its base branch named as exported keys are (*.asc, *.pub, *.key,
// *.pgp) that hold an armored public key, and says which such files are
// too large to be read.
func (r *Repo) PublicKeyFiles() ([]KeyFile, []string, error) {
	if r.base == nil {
		return nil, nil, errors.New("the repository was not read")
	}
	tree, err := r.base.Tree()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: read the tree of %s: %w", r.display(), r.branch, err)
	}
	var out []KeyFile
	var skipped []string
	err = tree.Files().ForEach(func(f *object.File) error {
		name := strings.ToLower(path.Base(f.Name))
		keyish := false
		for _, s := range keyFileSuffixes {
			keyish = keyish || strings.HasSuffix(name, s)
		}
		if !keyish || !f.Mode.IsFile() {
			return nil
		}
		if f.Size > secrets.MaxKeyFileSize {
			skipped = append(skipped, fmt.Sprintf("%s in %s: larger than %d KiB, so it is not read for keys", f.Name, r.display(), secrets.MaxKeyFileSize>>10))
			return nil
		}
		rd, err := f.Reader()
		if err != nil {
			return fmt.Errorf("read %s: %w", f.Name, err)
		}
		data, err := io.ReadAll(io.LimitReader(rd, secrets.MaxKeyFileSize+1))
		rd.Close()
		if err != nil {
			return fmt.Errorf("read %s: %w", f.Name, err)
		}
		if bytes.Contains(data, armoredPublicKey) {
			out = append(out, KeyFile{Path: f.Name, Data: data})
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", r.display(), err)
	}
	return out, skipped, nil
}
