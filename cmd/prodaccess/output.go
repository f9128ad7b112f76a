package main

import (
	"io"
	"unicode/utf8"

	"github.com/prodaccess/prodaccess/model"
)

// printable is a writer that shows every character which could act on a
// terminal (escape sequences, carriage returns, direction overrides) as a
// \uXXXX escape instead, whatever the command writes: text read from
// target files, git history or an API reaches the output through many
// paths, and none of them may move the cursor or reorder a line. In JSON
// the escape is the same string, so JSON output stays exactly equivalent.
type printable struct {
	w       io.Writer
	pending []byte // the start of a character split across writes
}

func (p *printable) Write(b []byte) (int, error) {
	n := len(b)
	if len(p.pending) > 0 {
		b = append(p.pending, b...)
		p.pending = nil
	}
	// Keep back an incomplete character at the end for the next write.
	if cut := incompleteTail(b); cut > 0 {
		p.pending = append([]byte(nil), b[len(b)-cut:]...)
		b = b[:len(b)-cut]
	}
	if model.PrintableASCII(b) { // as Printable leaves it, without a copy
		if _, err := p.w.Write(b); err != nil {
			return 0, err
		}
		return n, nil
	}
	if _, err := io.WriteString(p.w, model.Printable(string(b))); err != nil {
		return 0, err
	}
	return n, nil
}

// Flush writes what is kept back, as it is.
func (p *printable) Flush() error {
	if len(p.pending) == 0 {
		return nil
	}
	_, err := io.WriteString(p.w, model.Printable(string(p.pending)))
	p.pending = nil
	return err
}

// incompleteTail returns how many bytes at the end of b are the start of
// a UTF-8 character that is not complete yet.
func incompleteTail(b []byte) int {
	for i := 1; i <= utf8.UTFMax-1 && i <= len(b); i++ {
		c := b[len(b)-i]
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return i
			}
			return 0
		}
	}
	return 0
}
