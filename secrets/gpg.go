package secrets

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// GPG decrypts with the gpg program of the person running prodaccess,
// through their gpg-agent, so that smartcards, passphrases and pinentry
// work as they always do. prodaccess never asks for, reads or holds a
// private key: gpg gets the message on standard input and writes the
// plaintext to standard output, which is read into memory and never
// written to disk.
type GPG struct {
	Program string // the gpg program; "gpg" when empty
	Home    string // GNUPGHOME to use; gpg's own default when empty
}

var _ Decrypter = GPG{}

// Decrypt runs gpg --batch --decrypt on message.
func (g GPG) Decrypt(ctx context.Context, message []byte) ([]byte, error) {
	prog := g.Program
	if prog == "" {
		prog = "gpg"
	}
	var args []string
	if g.Home != "" {
		args = append(args, "--homedir", g.Home)
	}
	args = append(args, "--batch", "--quiet", "--no-verbose", "--decrypt")
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Stdin = bytes.NewReader(message)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		clear(stdout.Bytes())
		return nil, fmt.Errorf("%s --decrypt: %v: %s", prog, err, lastLine(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// lastLine is gpg's last line of complaint, which says why.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
