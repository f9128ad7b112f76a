package secrets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// GPG decrypts with the gpg program of the person running prodaccess,
// through their gpg-agent, so that smartcards, passphrases and pinentry
// work as they always do. prodaccess never asks for, reads or holds a
// private key: gpg gets the message on standard input and writes the
// plaintext to standard output, which is read into memory, at most
// MaxPlaintext bytes of it, and never written to disk.
type GPG struct {
	Program string // the gpg program; "gpg" when empty
	Home    string // GNUPGHOME to use; gpg's own default when empty
	// MaxPlaintext is the most plaintext read from one message; a
	// message that decrypts to more is refused and gpg stopped. Zero
	// means config.DefaultMaxPlaintextBytes.
	MaxPlaintext int
}

var _ Decrypter = GPG{}

// DefaultMaxPlaintext is the most plaintext read when nothing else is
// said (config.DefaultMaxPlaintextBytes).
const DefaultMaxPlaintext = 4 << 20

// TooLargeError is a message whose plaintext is larger than allowed: a
// decompression bomb, or a file that is not a secret.
type TooLargeError struct{ Limit int }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("it decrypts to more than %s, the most secrets.max_plaintext_bytes allows; gpg was stopped and nothing of it kept", sizeText(e.Limit))
}

// sizeText writes a size in bytes for people.
func sizeText(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Decrypt runs gpg --batch --decrypt on message and reads its plaintext
// as it comes, up to the limit: past it, gpg is killed (it is also told
// the limit with --max-output), so that a message that expands to
// gigabytes costs no more than the limit in memory and stops at once.
func (g GPG) Decrypt(ctx context.Context, message []byte) ([]byte, error) {
	prog := g.Program
	if prog == "" {
		prog = "gpg"
	}
	limit := g.MaxPlaintext
	if limit <= 0 {
		limit = DefaultMaxPlaintext
	}
	var args []string
	if g.Home != "" {
		args = append(args, "--homedir", g.Home)
	}
	args = append(args, "--batch", "--quiet", "--no-verbose", "--status-fd", "3", "--max-output", strconv.Itoa(limit+1), "--decrypt")
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Stdin = bytes.NewReader(message)
	stderr := &capped{max: 64 << 10}
	cmd.Stderr = stderr
	statusR, statusW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer statusR.Close()
	cmd.ExtraFiles = []*os.File{statusW}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		statusW.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		statusW.Close()
		return nil, fmt.Errorf("%s --decrypt: %w", prog, err)
	}
	statusW.Close()
	status := &capped{max: 64 << 10}
	statusDone := make(chan struct{})
	go func() {
		io.Copy(status, statusR)
		close(statusDone)
	}()
	plain, readErr := io.ReadAll(io.LimitReader(stdout, int64(limit)+1))
	if len(plain) > limit {
		clear(plain)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		<-statusDone
		return nil, &TooLargeError{Limit: limit}
	}
	err = cmd.Wait()
	<-statusDone
	if strings.Contains(stderr.String(), "exceeded --max-output") {
		clear(plain)
		return nil, &TooLargeError{Limit: limit}
	}
	if readErr != nil || (err != nil && !decryptedAnyway(err, status.String(), len(plain))) {
		clear(plain)
		if err == nil {
			err = readErr
		}
		return nil, fmt.Errorf("%s --decrypt: %v: %s", prog, err, lastLine(stderr.String()))
	}
	return plain, nil
}

// decryptedAnyway reports whether gpg, though it exited with an error,
// says it decrypted the message whole and intact, and wrote all of it:
// with hidden recipients gpg tries its keys on each session key packet,
// and fails (exit status 2) for those that are another's, before the one
// that is its own opens the message. gpg says DECRYPTION_OKAY after other
// failures too (a plaintext it stopped writing), so the plaintext read
// must be as long as gpg says the message's is.
func decryptedAnyway(err error, status string, read int) bool {
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		return false
	}
	has := func(word string) bool { return strings.Contains(status, "[GNUPG:] "+word) }
	if !has("DECRYPTION_OKAY") || !has("GOODMDC") || !has("END_DECRYPTION") || has("DECRYPTION_FAILED") || has("BADMDC") || has("ERROR") {
		return false
	}
	lengths := 0
	for _, line := range strings.Split(status, "\n") {
		if n, ok := strings.CutPrefix(line, "[GNUPG:] PLAINTEXT_LENGTH "); ok {
			lengths++
			if v, err := strconv.Atoi(strings.TrimSpace(n)); err != nil || v != read {
				return false
			}
		}
	}
	return lengths == 1
}

// capped keeps at most max bytes of what is written to it.
type capped struct {
	bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.Len(); room > 0 {
		c.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// lastLine is gpg's last line of complaint, which says why.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// isTooLarge reports whether err says a plaintext was over the limit.
func isTooLarge(err error) bool {
	var t *TooLargeError
	return errors.As(err, &t)
}

// SecretKeys lists the fingerprints of the keys and subkeys that gpg holds
// a secret for (or a stub of one on a smartcard), from gpg
// --list-secret-keys: nothing is decrypted and no card is touched.
func (g GPG) SecretKeys(ctx context.Context) ([]string, error) {
	prog := g.Program
	if prog == "" {
		prog = "gpg"
	}
	var args []string
	if g.Home != "" {
		args = append(args, "--homedir", g.Home)
	}
	args = append(args, "--batch", "--with-colons", "--list-secret-keys")
	cmd := exec.CommandContext(ctx, prog, args...)
	stdout, stderr := &capped{max: 4 << 20}, &capped{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s --list-secret-keys: %v: %s", prog, err, lastLine(stderr.String()))
	}
	var out []string
	for _, line := range strings.Split(stdout.String(), "\n") {
		if f := strings.Split(line, ":"); len(f) > 9 && f[0] == "fpr" {
			out = append(out, strings.ToUpper(f[9]))
		}
	}
	return out, nil
}

// HoldsAny reports whether any of the fingerprints is that of a key, or a
// subkey of a key, among keys.
func HoldsAny(keys []*PublicKey, fingerprints []string) bool {
	for _, k := range keys {
		if k.Entity == nil {
			continue
		}
		fps := []string{fmt.Sprintf("%X", k.Entity.PrimaryKey.Fingerprint)}
		for _, sk := range k.Entity.Subkeys {
			fps = append(fps, fmt.Sprintf("%X", sk.PublicKey.Fingerprint))
		}
		for _, fp := range fps {
			for _, have := range fingerprints {
				if fp == have {
					return true
				}
			}
		}
	}
	return false
}
