package main

import (
	"bytes"
	"io"
)

// redactor passes writes on with every occurrence of a secret replaced by
// "***", even one split across two writes: the end of a write that could
// be the start of the secret is held back until the next write or Flush.
// It is the last guard: the providers scrub their own messages, and this
// catches whatever an answer from a server smuggles into any output.
type redactor struct {
	w       io.Writer
	secret  []byte
	pending []byte
}

var mask = []byte("***")

func newRedactor(w io.Writer, secret string) *redactor {
	return &redactor{w: w, secret: []byte(secret)}
}

func (r *redactor) Write(p []byte) (int, error) {
	buf := bytes.ReplaceAll(append(r.pending, p...), r.secret, mask)
	hold := partialSuffix(buf, r.secret)
	r.pending = append(r.pending[:0:0], buf[len(buf)-hold:]...)
	if _, err := r.w.Write(buf[:len(buf)-hold]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what is held back.
func (r *redactor) Flush() error {
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
