package gitpack

import (
	"fmt"
	"math"
)

// Error is a blob that could not be read: Index is its place in the list
// Blobs was given.
type Error struct {
	Index int
	Err   error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// object is a blob Blobs reads, or an object one of them is stored
// against, with its uses: how many times its content is still to be read
// (once for each object stored against it, once for each time it was
// asked for). Its content is kept while it has uses left and no longer.
type object struct {
	h         header
	base      *object
	uses      int
	visiting  bool
	elsewhere bool   // stored against an object in no pack read here
	data      []byte // kept while uses is above zero
	kind      int    // the type of the object once its deltas are applied
}

// reader is one call of Blobs.
type reader struct {
	packs   *Packs
	objects map[at]*object
	z       inflater
}

// Blobs reads the blobs named hs from the packs, in the order the packs
// store them (so that the bases of deltas are read once and kept only
// while a later blob needs them), and calls got with each blob's index in
// hs and its content, which got must not change. For a blob larger than
// limit bytes, got is given nil and the blob's size, and the blob is not
// inflated.
//
// It returns, in the order of hs, the indexes of the blobs it did not
// read because no pack it reads holds them (they are loose, or stored
// against an object that is) for the caller to read another way. It
// stops at the first error got returns, or at a blob it cannot read: a
// corrupt pack, an object that is not a blob, or content whose SHA-1 is
// not its name. An error about one blob is an *Error.
func (p *Packs) Blobs(hs []Hash, limit int64, got func(i int, data []byte, size int64) error) (missing []int, err error) {
	r := &reader{packs: p, objects: make(map[at]*object, len(hs))}
	return r.read(hs, limit, got)
}

// read is Blobs.
func (r *reader) read(hs []Hash, limit int64, got func(i int, data []byte, size int64) error) (missing []int, err error) {
	places := make([]at, len(hs))
	want := make([]*object, len(hs))
	order := make([]int, 0, len(hs))
	for i, h := range hs {
		a, ok := r.packs.locate(h)
		if !ok {
			missing = append(missing, i)
			continue
		}
		o, err := r.object(a, 0)
		if err != nil {
			return nil, &Error{i, err}
		}
		if o.elsewhere {
			missing = append(missing, i)
			continue
		}
		o.uses++
		places[i], want[i] = a, o
		order = append(order, i)
	}
	sortByPlace(order, places)
	for _, i := range order {
		data, size, err := r.blob(want[i], limit)
		if err == nil && data != nil && sum(data) != hs[i] {
			err = fmt.Errorf("%s: the object at offset %d is not blob %x: its content has another name", want[i].h.where.pack.name, want[i].h.where.off, hs[i])
		}
		if err != nil {
			return nil, &Error{i, err}
		}
		if err := got(i, data, size); err != nil {
			return nil, err
		}
	}
	return missing, nil
}

// object reads the header of the object at a, and of each base it is
// stored against, counting each base's use once per object.
func (r *reader) object(a at, depth int) (*object, error) {
	if o := r.objects[a]; o != nil {
		if o.visiting {
			return nil, fmt.Errorf("%s: the delta at offset %d is stored against itself", a.pack.name, a.off)
		}
		return o, nil
	}
	if depth > maxChain {
		return nil, fmt.Errorf("%s: a chain of more than %d deltas at offset %d", a.pack.name, maxChain, a.off)
	}
	h, err := a.pack.header(a.off)
	if err != nil {
		return nil, err
	}
	o := &object{h: h, kind: h.kind, visiting: true}
	r.objects[a] = o
	defer func() { o.visiting = false }()
	var base at
	switch h.kind {
	case typeOfsDelta:
		base = at{a.pack, h.base}
	case typeRefDelta:
		var ok bool
		if base, ok = r.packs.locate(h.ref); !ok {
			o.elsewhere = true
			return o, nil
		}
	default:
		return o, nil
	}
	b, err := r.object(base, depth+1)
	if err != nil {
		return nil, err
	}
	o.base, o.elsewhere = b, b.elsewhere
	b.uses++
	return o, nil
}

// blob reads a blob Blobs was asked for, using one of its uses: its
// content, or, if it is larger than limit, nil and its size.
func (r *reader) blob(o *object, limit int64) ([]byte, int64, error) {
	if o.data == nil {
		size := o.h.size // for a delta, the delta's size
		if o.base != nil && size > limit {
			// A delta larger than limit may make something that is not
			// (it may copy its base whole): its first bytes say.
			var err error
			if size, err = r.resultSize(o); err != nil {
				return nil, 0, err
			}
		}
		if size > limit {
			r.release(o)
			return nil, size, nil
		}
	}
	data, size, err := r.take(o, limit)
	if err == nil && data != nil && o.kind != typeBlob {
		err = fmt.Errorf("%s: the object at offset %d is not a blob", o.h.where.pack.name, o.h.where.off)
	}
	if size > limit {
		data = nil // kept whole as a base, and too large all the same
	}
	return data, size, err
}

// resultSize reads the size a delta gives, from the first bytes of the
// delta.
func (r *reader) resultSize(o *object) (int64, error) {
	k := o.h.where.pack
	head, err := r.z.inflate(k, o.h.data, min(o.h.size, 20))
	if err != nil {
		return 0, err
	}
	_, size, _, err := deltaSizes(head)
	if err != nil {
		return 0, fmt.Errorf("%s: the delta at offset %d: %w", k.name, o.h.where.off, err)
	}
	return size, nil
}

// take is one use of an object's content, or, if it is larger than
// limit, nil and its size. The content is kept while the object has uses
// left, and let go at its last.
func (r *reader) take(o *object, limit int64) ([]byte, int64, error) {
	data, size, err := r.content(o, limit)
	if err != nil {
		return nil, 0, err
	}
	r.release(o)
	if o.uses > 0 {
		o.data = data
	}
	return data, size, nil
}

// release counts one use of o as done.
func (r *reader) release(o *object) {
	if o.uses--; o.uses <= 0 {
		o.data = nil
	}
}

// content is an object's content: kept, or inflated and, for a delta,
// applied to its base's content; or, if it is larger than limit, nil and
// its size.
func (r *reader) content(o *object, limit int64) ([]byte, int64, error) {
	if o.data != nil {
		return o.data, int64(len(o.data)), nil
	}
	k, off := o.h.where.pack, o.h.where.off
	if o.base == nil && o.h.size > limit {
		return nil, o.h.size, nil
	}
	raw, err := r.z.inflate(k, o.h.data, o.h.size)
	if err != nil || o.base == nil {
		return raw, int64(len(raw)), err
	}
	baseSize, size, d, err := deltaSizes(raw)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: the delta at offset %d: %w", k.name, off, err)
	}
	if size > limit {
		return nil, size, nil
	}
	base, _, err := r.take(o.base, math.MaxInt64)
	if err != nil {
		return nil, 0, err
	}
	o.kind = o.base.kind
	if baseSize != int64(len(base)) {
		err = fmt.Errorf("the delta is for a base of %d bytes, not %d", baseSize, len(base))
	}
	var data []byte
	if err == nil {
		data, err = patch(base, d, size)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%s: the delta at offset %d: %w", k.name, off, err)
	}
	return data, size, nil
}
