package main

import (
	"bytes"
	"io"
	"sync"
)

// redactor passes writes on with every occurrence of a secret replaced by
// "***", even one split across two writes: the end of a write that could
// be the start of a secret is held back until the next write or Flush.
// It is the last guard: the providers scrub their own messages, and this
// catches whatever an answer from a server smuggles into any output.
// Secrets learnt during the run (a password of git_credentials) are added
// with hide.
type redactor struct {
	mu      sync.Mutex
	w       io.Writer
	secrets [][]byte
	pending []byte
}

var mask = []byte("***")

func newRedactor(w io.Writer, secret string) *redactor {
	r := &redactor{w: w}
	r.hide(secret)
	return r
}

// hide adds a secret to mask from now on.
func (r *redactor) hide(secret string) {
	if secret == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.secrets {
		if string(s) == secret {
			return
		}
	}
	r.secrets = append(r.secrets, []byte(secret))
}

func (r *redactor) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.secrets) == 0 && len(r.pending) == 0 {
		// Nothing to hide: no copy of what may be megabytes.
		if _, err := r.w.Write(p); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	buf := append(r.pending, p...)
	hold := 0
	for _, s := range r.secrets {
		buf = bytes.ReplaceAll(buf, s, mask)
	}
	for _, s := range r.secrets {
		hold = max(hold, partialSuffix(buf, s))
	}
	r.pending = append(r.pending[:0:0], buf[len(buf)-hold:]...)
	if _, err := r.w.Write(buf[:len(buf)-hold]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what is held back.
func (r *redactor) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pending) == 0 {
		return nil
	}
	_, err := r.w.Write(r.pending)
	r.pending = nil
	return err
}

// partialSuffix is the length of the longest end of buf that is the start
// of secret, but not all of it.
func partialSuffix(buf, secret []byte) int {
	for n := min(len(buf), len(secret)-1); n > 0; n-- {
		if bytes.HasSuffix(buf, secret[:n]) {
			return n
		}
	}
	return 0
}
