package gitpack

import (
	"bytes"
	"cmp"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Hash is an object's name: the SHA-1 of its type, size and content.
type Hash = [20]byte

// Object types as pack files number them.
const (
	typeCommit   = 1
	typeTree     = 2
	typeBlob     = 3
	typeTag      = 4
	typeOfsDelta = 6
	typeRefDelta = 7
)

// maxChain is the longest chain of deltas followed to a base. git's
// default limit when it packs is 50 (pack.depth; 4095 at most); a longer
// chain means a corrupt pack (or two REF_DELTA objects that name each
// other), not a repository.
const maxChain = 4096

// Packs is the pack files of one repository, mapped for reading.
type Packs struct {
	packs []*pack
}

// pack is one pack file and its index.
type pack struct {
	name   string // the pack file, for messages
	data   []byte // the pack file
	idx    []byte // the index file
	count  int
	names  []byte // count names of 20 bytes, sorted
	small  []byte // count 4-byte offsets, or indexes into large
	large  []byte // 8-byte offsets
	unmaps []func() error
}

// Open maps the pack files in objects (a repository's objects folder, as
// .git/objects) whose index this package reads. A pack it cannot read is
// left out, for go-git to read; an objects folder with no pack folder has
// no packs. Close unmaps them.
func Open(objects string) (*Packs, error) {
	dir := filepath.Join(objects, "pack")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return &Packs{}, nil
	}
	if err != nil {
		return nil, err
	}
	p := &Packs{}
	for _, e := range entries {
		base, ok := strings.CutSuffix(e.Name(), ".idx")
		if !ok || !strings.HasPrefix(base, "pack-") || !e.Type().IsRegular() {
			continue
		}
		k, err := openPack(filepath.Join(dir, base))
		if err != nil {
			continue // go-git reads it, or says what is wrong with it
		}
		p.packs = append(p.packs, k)
	}
	return p, nil
}

// Count is how many pack files are read here.
func (p *Packs) Count() int { return len(p.packs) }

// Close unmaps the pack files. No data given out refers to them.
func (p *Packs) Close() error {
	var errs []error
	for _, k := range p.packs {
		for _, unmap := range k.unmaps {
			errs = append(errs, unmap())
		}
	}
	p.packs = nil
	return errors.Join(errs...)
}

// openPack maps base.idx and base.pack and checks that they belong
// together.
func openPack(base string) (*pack, error) {
	k := &pack{name: filepath.Base(base) + ".pack"}
	var err error
	var unmap func() error
	if k.idx, unmap, err = mapFile(base + ".idx"); err != nil {
		return nil, err
	}
	k.unmaps = append(k.unmaps, unmap)
	if k.data, unmap, err = mapFile(base + ".pack"); err == nil {
		k.unmaps = append(k.unmaps, unmap)
		err = k.check()
	}
	if err != nil {
		for _, unmap := range k.unmaps {
			_ = unmap()
		}
		return nil, err
	}
	return k, nil
}

// check reads the index's layout and checks it against the pack: the
// version, the fan-out, the sizes, the count, and the pack's checksum that
// the index records.
func (k *pack) check() error {
	idx := k.idx
	const head = 8 + 256*4
	if len(idx) < head+40 || !bytes.Equal(idx[:4], []byte{0xff, 't', 'O', 'c'}) || binary.BigEndian.Uint32(idx[4:]) != 2 {
		return fmt.Errorf("%s: not a version 2 pack index", k.name)
	}
	var prev uint32
	for i := range 256 {
		n := binary.BigEndian.Uint32(idx[8+4*i:])
		if n < prev {
			return fmt.Errorf("%s: index fan-out out of order", k.name)
		}
		prev = n
	}
	n := int(prev)
	rest := len(idx) - head - 40
	if n > rest/(20+4+4) {
		return fmt.Errorf("%s: index too short for %d objects", k.name, n)
	}
	k.count = n
	k.names = idx[head : head+20*n]
	k.small = idx[head+24*n : head+28*n]
	k.large = idx[head+28*n : len(idx)-40]
	if len(k.large)%8 != 0 {
		return fmt.Errorf("%s: index has a broken large-offset table", k.name)
	}
	data := k.data
	if len(data) < 12+20 || string(data[:4]) != "PACK" {
		return fmt.Errorf("%s: not a pack file", k.name)
	}
	if v := binary.BigEndian.Uint32(data[4:]); v != 2 && v != 3 {
		return fmt.Errorf("%s: pack version %d", k.name, v)
	}
	if c := binary.BigEndian.Uint32(data[8:]); int(c) != n {
		return fmt.Errorf("%s: the pack holds %d objects, its index %d", k.name, c, n)
	}
	if !bytes.Equal(data[len(data)-20:], idx[len(idx)-40:len(idx)-20]) {
		return fmt.Errorf("%s: the pack's checksum is not the one its index records", k.name)
	}
	return nil
}

// find returns where h is stored in the pack.
func (k *pack) find(h Hash) (int64, bool) {
	lo := 0
	if h[0] > 0 {
		lo = int(binary.BigEndian.Uint32(k.idx[8+4*(int(h[0])-1):]))
	}
	hi := int(binary.BigEndian.Uint32(k.idx[8+4*int(h[0]):]))
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch c := bytes.Compare(k.names[20*m:20*m+20], h[:]); {
		case c == 0:
			off, err := k.offset(m)
			return off, err == nil
		case c < 0:
			lo = m + 1
		default:
			hi = m
		}
	}
	return 0, false
}

// offset is where the i-th object in name order starts.
func (k *pack) offset(i int) (int64, error) {
	o := binary.BigEndian.Uint32(k.small[4*i:])
	if o&0x80000000 == 0 {
		return int64(o), nil
	}
	j := int(o &^ 0x80000000)
	if 8*j+8 > len(k.large) {
		return 0, fmt.Errorf("%s: index names a large offset it does not hold", k.name)
	}
	off := binary.BigEndian.Uint64(k.large[8*j:])
	if off > uint64(len(k.data)-20) {
		return 0, fmt.Errorf("%s: index gives an offset past the end of the pack", k.name)
	}
	return int64(off), nil
}

// at is an object's place: a pack and an offset in it.
type at struct {
	pack *pack
	off  int64
}

// header is what an object's header says: its type, its size (for a
// delta, the size of the delta), where its data starts, and, for a delta,
// its base.
type header struct {
	kind  int
	size  int64
	data  int64
	base  int64 // OFS_DELTA: the base's offset; REF_DELTA: -1 until found
	ref   Hash  // REF_DELTA: the base's name
	where at
}

// header reads the header of the object at off.
func (k *pack) header(off int64) (header, error) {
	h := header{where: at{k, off}, base: -1}
	end := int64(len(k.data) - 20)
	if off < 12 || off >= end {
		return h, fmt.Errorf("%s: no object at offset %d", k.name, off)
	}
	p := off
	b := k.data[p]
	p++
	h.kind = int(b>>4) & 7
	h.size = int64(b & 15)
	for shift := 4; b&0x80 != 0; shift += 7 {
		if p >= end || shift > 56 {
			return h, fmt.Errorf("%s: broken object header at offset %d", k.name, off)
		}
		b = k.data[p]
		p++
		h.size |= int64(b&0x7f) << shift
	}
	switch h.kind {
	case typeCommit, typeTree, typeBlob, typeTag:
	case typeOfsDelta:
		if p >= end {
			return h, fmt.Errorf("%s: broken delta at offset %d", k.name, off)
		}
		b = k.data[p]
		p++
		back := int64(b & 0x7f)
		for b&0x80 != 0 {
			if p >= end || back > (1<<55) {
				return h, fmt.Errorf("%s: broken delta at offset %d", k.name, off)
			}
			b = k.data[p]
			p++
			back = (back+1)<<7 | int64(b&0x7f)
		}
		if back <= 0 || back > off-12 {
			return h, fmt.Errorf("%s: the delta at offset %d names a base outside the pack", k.name, off)
		}
		h.base = off - back
	case typeRefDelta:
		if p+20 > end {
			return h, fmt.Errorf("%s: broken delta at offset %d", k.name, off)
		}
		copy(h.ref[:], k.data[p:p+20])
		p += 20
	default:
		return h, fmt.Errorf("%s: object of unknown type %d at offset %d", k.name, h.kind, off)
	}
	h.data = p
	return h, nil
}

// locate finds h in the packs.
func (p *Packs) locate(h Hash) (at, bool) {
	for _, k := range p.packs {
		if off, ok := k.find(h); ok {
			return at{k, off}, true
		}
	}
	return at{}, false
}

// inflater inflates objects' data, reusing one zlib reader.
type inflater struct {
	z   io.ReadCloser
	src bytes.Reader
}

// inflate reads the size bytes that the zlib stream at off in k inflates to.
func (f *inflater) inflate(k *pack, off, size int64) ([]byte, error) {
	f.src.Reset(k.data[off : len(k.data)-20])
	var err error
	if f.z == nil {
		f.z, err = zlib.NewReader(&f.src)
	} else {
		err = f.z.(zlib.Resetter).Reset(&f.src, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: object at offset %d: %w", k.name, off, err)
	}
	// The header's size is not trusted for an allocation: the buffer
	// grows as the stream gives bytes, to no more than size.
	out := make([]byte, 0, min(size, 1<<20))
	for int64(len(out)) < size {
		if len(out) == cap(out) {
			out = slices.Grow(out, int(min(size-int64(len(out)), int64(cap(out)))))
		}
		n, err := f.z.Read(out[len(out):int(min(int64(cap(out)), size))])
		out = out[:len(out)+n]
		if err != nil && int64(len(out)) < size {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("%s: object at offset %d: %w", k.name, off, err)
		}
	}
	return out, nil
}

// deltaSizes reads the base and result sizes at the start of a delta.
func deltaSizes(d []byte) (base, result int64, rest []byte, err error) {
	base, d, err = deltaVarint(d)
	if err == nil {
		result, d, err = deltaVarint(d)
	}
	return base, result, d, err
}

func deltaVarint(d []byte) (int64, []byte, error) {
	var v int64
	for shift := 0; ; shift += 7 {
		if len(d) == 0 || shift > 56 {
			return 0, nil, errors.New("broken delta header")
		}
		b := d[0]
		d = d[1:]
		v |= int64(b&0x7f) << shift
		if b&0x80 == 0 {
			return v, d, nil
		}
	}
}

// patch applies the delta d (past its sizes) to base, giving size bytes.
func patch(base, d []byte, size int64) ([]byte, error) {
	// A delta's header is not trusted for an allocation: room for the
	// base and the delta is room enough for most, and the output grows
	// from there, never past size.
	out := make([]byte, 0, min(size, int64(len(base)+len(d))))
	for len(d) > 0 {
		c := d[0]
		d = d[1:]
		switch {
		case c&0x80 != 0:
			off, d1, ok1 := copyArg(c, 0, 4, d)
			n, d2, ok2 := copyArg(c, 4, 3, d1)
			if !ok1 || !ok2 {
				return nil, errors.New("delta ends inside a copy")
			}
			d = d2
			if n == 0 {
				n = 0x10000
			}
			if off+n > uint64(len(base)) || uint64(len(out))+n > uint64(size) {
				return nil, errors.New("delta copies from outside its base")
			}
			out = append(out, base[off:off+n]...)
		case c != 0:
			n := int(c)
			if n > len(d) || int64(len(out)+n) > size {
				return nil, errors.New("delta inserts past its end")
			}
			out = append(out, d[:n]...)
			d = d[n:]
		default:
			return nil, errors.New("delta has a zero instruction")
		}
	}
	if int64(len(out)) != size {
		return nil, fmt.Errorf("delta gives %d bytes, not the %d it says", len(out), size)
	}
	return out, nil
}

// copyArg reads a copy instruction's offset (bits 0 to 3 of c say which
// of its 4 bytes follow) or size (bits 4 to 6, 3 bytes), least
// significant first; the bytes not named are zero.
func copyArg(c byte, first, count int, d []byte) (uint64, []byte, bool) {
	var v uint64
	for i := range count {
		if c&(1<<(first+i)) != 0 {
			if len(d) == 0 {
				return 0, nil, false
			}
			v |= uint64(d[0]) << (8 * i)
			d = d[1:]
		}
	}
	return v, d, true
}

// sum is a blob's name.
func sum(data []byte) Hash {
	s := sha1.New()
	s.Write([]byte("blob " + strconv.Itoa(len(data)) + "\x00"))
	s.Write(data)
	var h Hash
	s.Sum(h[:0])
	return h
}

// sortByPlace orders indexes into places by pack and offset.
func sortByPlace(order []int, places []at) {
	slices.SortFunc(order, func(a, b int) int {
		pa, pb := places[a], places[b]
		if pa.pack != pb.pack {
			return strings.Compare(pa.pack.name, pb.pack.name)
		}
		return cmp.Compare(pa.off, pb.off)
	})
}
