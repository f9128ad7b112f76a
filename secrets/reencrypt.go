package secrets

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/armor"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
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

// Options say how to re-encrypt.
type Options struct {
	Decrypter Decrypter
	Now       time.Time
	// MaxPlaintext bounds what one message may decrypt to (0: the
	// default); it must be the decrypter's limit too.
	MaxPlaintext int
	// Jobs is how many messages are decrypted at once (gpg runs side by
	// side through one agent); 0: two.
	Jobs int
	// Recipients are the keys of each store's holders: "" for the
	// target's own, a folder for a sub-store.
	Recipients map[string]*Recipients
	// Widen names the files the runner allows to be re-encrypted though
	// that may let someone read them who cannot now, or though they hold
	// a copy of another secret.
	Widen map[string]bool
	// Copies maps the digest of every encrypted message scanned to the
	// files that hold it: two files with one message are copies.
	Copies map[string][]string
	// BatchFiles is how many files go into one batch (0: all in one).
	BatchFiles int
	// Progress, if set, is told each file as it is done (or refused).
	Progress func(done, total int, file string)
	// Commit, if set, is given each batch as it is done, so that what is
	// done is kept if the run is stopped; without it, Reencryption.Files
	// holds everything.
	Commit func(*Batch) error
}

// Batch is what one batch of files changed.
type Batch struct {
	Files  map[string][]byte
	Done   []outcome.SecretCheck
	Hidden []outcome.HiddenRecipients
}

// Reencryption is what re-encrypting a target's secrets produced.
type Reencryption struct {
	Files   map[string][]byte     // the new content of every file that changed, when no Commit is given
	Done    []outcome.SecretCheck // the secrets re-encrypted, with who could read them before
	Refused []Refusal             // files left as they were
	// Hidden records the messages written with hidden recipients.
	Hidden []outcome.HiddenRecipients
}

// unit is one message to re-encrypt.
type unit struct {
	file    string
	check   outcome.SecretCheck
	message []byte
	hidden  bool
	to      *Recipients
	// what came of it
	sealed []byte
	sum    [32]byte
	err    error
}

// fileWork is one file's messages, or why it is refused before any is
// decrypted.
type fileWork struct {
	name    string
	data    []byte
	checks  []outcome.SecretCheck
	units   []*unit
	armored bool
	refusal *Refusal
}

// Reencrypt decrypts each secret in todo once, with the decrypter, and
// encrypts it again to exactly the keys of its store's holders, then
// checks each result without a second decryption by gpg: its session key
// packets must name exactly those keys, and its data must decrypt with
// the session key just made to a plaintext with the same digest. It never
// widens who can read a secret: a file in which a holder cannot read a
// secret now (or may not, its recipients being hidden), or that holds a
// copy of another file's message or value, is refused unless Widen names
// it. A file in which any secret fails is left as it was and refused;
// other files go on. eyaml files change only inside their ENC[GPG,...]
// blocks, and only in the blocks listed in todo. sops files are refused:
// their data key must be replaced, which sops itself does (sops rotate).
// Hidden recipients stay hidden. Plaintext exists only in memory, one
// message's at a time in each job, never more than MaxPlaintext, and is
// cleared after use.
func Reencrypt(ctx context.Context, fsys fs.FS, todo []outcome.SecretCheck, o Options) (*Reencryption, error) {
	if o.MaxPlaintext <= 0 {
		o.MaxPlaintext = DefaultMaxPlaintext
	}
	if o.Jobs <= 0 {
		o.Jobs = 2
	}
	out := &Reencryption{Files: map[string][]byte{}}
	var files []string
	byFile := map[string][]outcome.SecretCheck{}
	for _, c := range todo {
		if byFile[c.File] == nil {
			files = append(files, c.File)
		}
		byFile[c.File] = append(byFile[c.File], c)
	}
	batch := o.BatchFiles
	if batch <= 0 {
		batch = len(files)
	}
	r := &run{o: o, fsys: fsys, total: len(files), plains: map[[32]byte]string{}}
	for start := 0; start < len(files); start += batch {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		var works []*fileWork
		for _, name := range files[start:min(start+batch, len(files))] {
			works = append(works, r.prepare(name, byFile[name]))
		}
		b, refused := r.batch(ctx, works)
		if err := ctx.Err(); err != nil {
			return out, err
		}
		out.Refused = append(out.Refused, refused...)
		out.Done = append(out.Done, b.Done...)
		out.Hidden = append(out.Hidden, b.Hidden...)
		if len(b.Files) == 0 {
			continue
		}
		if o.Commit != nil {
			if err := o.Commit(b); err != nil {
				return out, err
			}
			continue
		}
		maps.Copy(out.Files, b.Files)
	}
	return out, nil
}

// run is one re-encryption under way.
type run struct {
	o      Options
	fsys   fs.FS
	total  int
	mu     sync.Mutex
	done   int
	plains map[[32]byte]string // the digest of each value decrypted so far, and its file
}

func (r *run) refuse(w *fileWork, secret string, format string, args ...any) *fileWork {
	w.refusal = &Refusal{File: w.name, Secret: secret, Reason: fmt.Sprintf(format, args...)}
	return w
}

// prepare reads one file and lists its messages, or refuses it.
func (r *run) prepare(name string, checks []outcome.SecretCheck) *fileWork {
	w := &fileWork{name: name, checks: checks}
	if checks[0].Format == model.SOPS {
		return r.refuse(w, checks[0].Name(), "a sops file's data key must be replaced, not only re-encrypted, since anyone who could read it may have kept it: run sops rotate --in-place with the new recipients (--add-pgp, --rm-pgp)")
	}
	widen := r.o.Widen[name]
	for _, c := range checks {
		if widen {
			break
		}
		for _, other := range r.o.Copies[c.Digest] {
			if other != name {
				return r.refuse(w, c.Name(), "its encrypted message is the same as one in %s: it is a copy, perhaps from a store with other readers. Insert the value again on purpose where it belongs, or run again with --widen %s if the copy is meant", other, name)
			}
		}
		if c.Widens() {
			who := strings.Join(c.Missing, ", ")
			why := who + " cannot read it now"
			if len(c.Missing) == 0 {
				why = "its recipients are hidden, so whether re-encrypting it would let someone new read it cannot be told"
			}
			return r.refuse(w, c.Name(), "re-encrypting it to its store's recipients could widen who can read it: %s. prodaccess re-encrypts only to remove readers. If it was copied here from a narrower store, move it back; if they should read it, insert the value again on purpose, or run again with --widen %s", why, name)
		}
	}
	data, err := readSecretFile(r.fsys, name)
	if err != nil {
		return r.refuse(w, name, "%v", err)
	}
	w.data = data
	to := func(c outcome.SecretCheck) (*Recipients, bool) {
		rc := r.o.Recipients[c.Store]
		return rc, rc != nil
	}
	switch checks[0].Format {
	case model.OpenPGPFiles:
		h, err := readMessage(data)
		if err != nil {
			return r.refuse(w, name, "%v", err)
		}
		rc, ok := to(checks[0])
		if !ok {
			return r.refuse(w, name, "its store %s has nobody to encrypt to: say who may be there", storeName(checks[0].Store))
		}
		w.armored = h.armored
		w.units = []*unit{{file: name, check: checks[0], message: h.binary, hidden: isHidden(h), to: rc}}
	case model.EYAMLGPG:
		blocks, err := eyamlBlocks(data)
		if err != nil {
			return r.refuse(w, name, "%v", err)
		}
		for _, c := range checks {
			i := slices.IndexFunc(blocks, func(b eyamlBlock) bool { return b.line == c.Line && (b.key == c.Key || b.key == "") })
			if i < 0 {
				return r.refuse(w, c.Name(), "no ENC[GPG,...] block starts on line %d any more", c.Line)
			}
			msg, problem := blocks[i].message()
			if problem != "" {
				return r.refuse(w, c.Name(), "%s", problem)
			}
			h, err := readPackets(bytes.NewReader(msg))
			if err != nil {
				return r.refuse(w, c.Name(), "%v", err)
			}
			rc, ok := to(c)
			if !ok {
				return r.refuse(w, c.Name(), "its store %s has nobody to encrypt to: say who may be there", storeName(c.Store))
			}
			w.units = append(w.units, &unit{file: name, check: c, message: msg, hidden: isHidden(h), to: rc})
		}
	default:
		return r.refuse(w, name, "the %s format cannot be re-encrypted", checks[0].Format)
	}
	return w
}

// storeName names a store in messages.
func storeName(dir string) string {
	if dir == "" {
		return "(the target's own)"
	}
	return dir
}

func isHidden(h *header) bool { return h.hidden > 0 || slices.Contains(h.keyIDs, HiddenKeyID) }

// batch re-encrypts the messages of some files, Jobs at a time, and puts
// each file together.
func (r *run) batch(ctx context.Context, works []*fileWork) (*Batch, []Refusal) {
	var units []*unit
	left := map[string]int{}
	for _, w := range works {
		if w.refusal != nil {
			r.progress(w.name)
			continue
		}
		units = append(units, w.units...)
		left[w.name] = len(w.units)
	}
	next := make(chan *unit)
	var wg sync.WaitGroup
	for range min(r.o.Jobs, max(len(units), 1)) {
		wg.Go(func() {
			for u := range next {
				r.seal(ctx, u)
				r.mu.Lock()
				left[u.file]--
				last := left[u.file] == 0
				r.mu.Unlock()
				if last {
					r.progress(u.file)
				}
			}
		})
	}
	for _, u := range units {
		next <- u
	}
	close(next)
	wg.Wait()

	b := &Batch{Files: map[string][]byte{}}
	var refused []Refusal
	for _, w := range works {
		if w.refusal == nil {
			r.assemble(w)
		}
		if w.refusal == nil && !r.o.Widen[w.name] {
			for _, u := range w.units {
				if other, seen := r.plains[u.sum]; seen && other != w.name {
					r.refuse(w, u.check.Name(), "it holds the same value as %s: one may be a copy of the other, perhaps from a store with other readers. Insert the value again on purpose where it belongs, or run again with --widen %s if the two are meant to hold one value", other, w.name)
					break
				}
			}
		}
		if w.refusal != nil {
			refused = append(refused, *w.refusal)
			continue
		}
		for _, u := range w.units {
			if _, seen := r.plains[u.sum]; !seen {
				r.plains[u.sum] = w.name
			}
			if u.hidden {
				b.Hidden = append(b.Hidden, outcome.HiddenRecipients{File: w.name, Key: u.check.Key, SHA256: digest(u.sealed), KeyIDs: u.to.KeyIDs()})
			}
		}
		b.Done = append(b.Done, w.checks...)
	}
	for _, w := range works {
		if w.refusal == nil && w.data != nil {
			b.Files[w.name] = w.data
		}
	}
	return b, refused
}

func (r *run) progress(file string) {
	if r.o.Progress == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	r.o.Progress(r.done, r.total, file)
}

// seal decrypts one message, once, encrypts it again and checks the
// result in process.
func (r *run) seal(ctx context.Context, u *unit) {
	if ctx.Err() != nil {
		u.err = ctx.Err()
		return
	}
	plain, err := r.o.Decrypter.Decrypt(ctx, u.message)
	if err != nil {
		if isTooLarge(err) {
			u.err = err
		} else {
			u.err = fmt.Errorf("cannot decrypt it: %w", err)
		}
		return
	}
	if len(plain) > r.o.MaxPlaintext {
		clear(plain)
		u.err = &TooLargeError{Limit: r.o.MaxPlaintext}
		return
	}
	s, err := u.to.seal(plain, u.hidden, r.o.Now)
	clear(plain)
	if err != nil {
		u.err = err
		return
	}
	defer clear(s.key)
	if err := u.to.check(s, u.hidden, r.o.MaxPlaintext); err != nil {
		u.err = err
		return
	}
	u.sealed, u.sum = s.message, s.sum
}

// assemble puts a file together from its re-encrypted messages, or
// refuses it: openpgp files are replaced whole, armored if they were;
// eyaml files change only inside the blocks re-encrypted, and must read
// back as the same blocks under the same keys, the same byte for byte
// outside them.
func (r *run) assemble(w *fileWork) {
	for _, u := range w.units {
		if u.err != nil {
			r.refuse(w, u.check.Name(), "%v", u.err)
			return
		}
	}
	if w.checks[0].Format == model.OpenPGPFiles {
		out := w.units[0].sealed
		if w.armored {
			var a bytes.Buffer
			aw, err := armor.Encode(&a, "PGP MESSAGE", nil)
			if err != nil {
				r.refuse(w, w.name, "%v", err)
				return
			}
			aw.Write(out)
			if err := aw.Close(); err != nil {
				r.refuse(w, w.name, "%v", err)
				return
			}
			a.WriteByte('\n')
			out = a.Bytes()
		}
		w.data = out
		return
	}
	data := w.data
	blocks, err := eyamlBlocks(data)
	if err != nil {
		r.refuse(w, w.name, "%v", err)
		return
	}
	type change struct {
		block eyamlBlock
		text  []byte
	}
	var changes []change
	for _, u := range w.units {
		i := slices.IndexFunc(blocks, func(b eyamlBlock) bool { return b.line == u.check.Line && (b.key == u.check.Key || b.key == "") })
		changes = append(changes, change{blocks[i], blocks[i].layout(data, base64.StdEncoding.EncodeToString(u.sealed))})
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
		r.refuse(w, w.name, "the rewritten file does not read back as the same %d blocks (%v)", len(blocks), err)
		return
	}
	for i := range blocks {
		if after[i].key != blocks[i].key || after[i].problem != "" {
			r.refuse(w, w.name, "block %d of the rewritten file is under %q, not %q", i+1, after[i].key, blocks[i].key)
			return
		}
	}
	if !bytes.Equal(outside(data, blocks), outside(out, after)) {
		r.refuse(w, w.name, "the rewritten file differs outside its ENC[GPG,...] blocks")
		return
	}
	w.data = out
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
