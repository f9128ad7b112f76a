package gitpack

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// git runs git in dir and returns what it printed.
func git(t testing.TB, dir string, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir, "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// history writes a repository of files much alike, changed over commits,
// so that git stores most versions as deltas, and packs it with the
// options given. It returns the repository's folder.
func history(t *testing.T, seed uint64, files, commits int, repack ...string) string {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, nil, "init", "-q")
	rnd := rand.New(rand.NewPCG(seed, 7))
	words := strings.Fields("name email github start_date shifts type shadow primary secondary end approved_by supervisor reason probation_passed absences")
	body := func() string {
		var b strings.Builder
		for range 5 + rnd.IntN(40) {
			fmt.Fprintf(&b, "%s: %s-%d\n", words[rnd.IntN(len(words))], words[rnd.IntN(len(words))], rnd.IntN(50))
		}
		return b.String()
	}
	content := make([]string, files)
	for i := range content {
		content[i] = body()
	}
	// One git fast-import writes every commit.
	var stream bytes.Buffer
	for c := range commits {
		for range 1 + files/4 {
			i := rnd.IntN(files)
			lines := strings.SplitAfter(content[i], "\n")
			at := rnd.IntN(len(lines))
			switch rnd.IntN(3) {
			case 0:
				lines = slices.Insert(lines, at, body())
			case 1:
				lines = slices.Delete(lines, at, min(len(lines), at+1+rnd.IntN(3)))
			default:
				lines[at] = strings.ToUpper(lines[at])
			}
			content[i] = strings.Join(lines, "")
		}
		fmt.Fprintf(&stream, "commit refs/heads/main\ncommitter t <t@example.com> %d +0000\ndata 1\n%d\n", 1700000000+c, c%10)
		for i, s := range content {
			fmt.Fprintf(&stream, "M 100644 inline f%03d.yaml\ndata %d\n%s\n", i, len(s), s)
		}
	}
	git(t, dir, stream.Bytes(), "fast-import", "--quiet")
	git(t, dir, nil, "symbolic-ref", "HEAD", "refs/heads/main")
	git(t, dir, nil, "checkout", "-q", "-f", "main")
	if repack != nil {
		git(t, dir, nil, repack...)
	}
	return dir
}

// blobsOf is every blob git holds in dir, by name, as git reads it.
func blobsOf(t *testing.T, dir string) map[Hash][]byte {
	t.Helper()
	var names []byte
	for _, line := range strings.Split(string(git(t, dir, nil, "cat-file", "--batch-all-objects", "--batch-check")), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[1] == "blob" {
			names = append(names, f[0]+"\n"...)
		}
	}
	out := bufio.NewReader(bytes.NewReader(git(t, dir, names, "cat-file", "--batch")))
	blobs := map[Hash][]byte{}
	for {
		line, err := out.ReadString('\n')
		if err != nil {
			break
		}
		f := strings.Fields(line)
		size, _ := strconv.Atoi(f[2])
		data := make([]byte, size+1) // and the newline after it
		if _, err := io.ReadFull(out, data); err != nil {
			t.Fatal(err)
		}
		var h Hash
		hex.Decode(h[:], []byte(f[0]))
		blobs[h] = data[:size]
	}
	if len(blobs) == 0 {
		t.Fatal("git holds no blobs")
	}
	return blobs
}

// read reads hs with Blobs and returns what it gave, and what it did not
// find.
func read(t *testing.T, p *Packs, hs []Hash, limit int64) (map[int][]byte, map[int]int64, []int, error) {
	t.Helper()
	got, large := map[int][]byte{}, map[int]int64{}
	missing, err := p.Blobs(hs, limit, func(i int, data []byte, size int64) error {
		if _, dup := got[i]; dup {
			t.Errorf("blob %d given twice", i)
		}
		if data == nil {
			large[i] = size
		} else if int64(len(data)) != size {
			t.Errorf("blob %d: %d bytes, size %d", i, len(data), size)
		}
		got[i] = bytes.Clone(data)
		return nil
	})
	return got, large, missing, err
}

func open(t *testing.T, dir string) *Packs {
	t.Helper()
	p, err := Open(filepath.Join(dir, ".git", "objects"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return p
}

// TestBlobsAsGitReadsThem: every blob of repositories packed the ways git
// packs (deltas by offset and by name, long chains, more than one pack),
// read all at once in a random order with some asked for twice, is what
// git reads; each blob is given once for each time it is asked for.
func TestBlobsAsGitReadsThem(t *testing.T) {
	for _, tc := range []struct {
		name   string
		repack []string
		kind   int // the kind of delta the pack must hold
	}{
		{"as fast-import writes", nil, typeOfsDelta},
		{"offset deltas", []string{"repack", "-q", "-a", "-d", "-f", "--depth=50", "--window=50"}, typeOfsDelta},
		{"long chains", []string{"repack", "-q", "-a", "-d", "-f", "--depth=4095", "--window=250"}, typeOfsDelta},
		{"deltas by name", []string{"-c", "repack.useDeltaBaseOffset=false", "repack", "-q", "-a", "-d", "-f", "--depth=50"}, typeRefDelta},
		{"pack version 3", []string{"-c", "pack.version=3", "repack", "-q", "-a", "-d", "-f"}, typeOfsDelta},
		{"gc", []string{"gc", "-q", "--aggressive"}, typeOfsDelta},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := history(t, 1, 40, 30, tc.repack...)
			want := blobsOf(t, dir)
			p := open(t, dir)
			deltas, chain := 0, 0
			for _, k := range p.packs {
				for i := range k.count {
					off, _ := k.offset(i)
					h, _ := k.header(off)
					if h.kind == tc.kind {
						deltas++
					}
					n := 0
					for r := (&reader{packs: p, objects: map[at]*object{}}); ; n++ {
						o, err := r.object(at{k, off}, 0)
						if err != nil {
							t.Fatal(err)
						}
						if o.base == nil {
							break
						}
						off = o.base.h.where.off
					}
					chain = max(chain, n)
				}
			}
			if deltas < len(want)/2 {
				t.Fatalf("only %d deltas of kind %d for %d blobs: the test reads too few", deltas, tc.kind, len(want))
			}
			t.Logf("%d blobs, %d deltas, longest chain %d", len(want), deltas, chain)
			var hs []Hash
			for h := range want {
				hs = append(hs, h)
			}
			rnd := rand.New(rand.NewPCG(2, 3))
			rnd.Shuffle(len(hs), func(i, j int) { hs[i], hs[j] = hs[j], hs[i] })
			hs = append(hs, hs[:len(hs)/5]...)
			got, large, missing, err := read(t, p, hs, 1<<20)
			if err != nil || len(missing) > 0 || len(large) > 0 {
				t.Fatalf("err %v, %d missing, %d too large", err, len(missing), len(large))
			}
			for i, h := range hs {
				if !bytes.Equal(got[i], want[h]) {
					t.Fatalf("blob %x: %q, git reads %q", h, got[i], want[h])
				}
			}
		})
	}
}

// TestBlobsLeftToGo: blobs in no pack (loose, or not in the repository)
// are returned, in the order asked, for the caller to read; the others
// are read.
func TestBlobsLeftToGo(t *testing.T) {
	dir := history(t, 4, 10, 5, "repack", "-q", "-a", "-d")
	if err := os.WriteFile(filepath.Join(dir, "loose.yaml"), []byte("loose: yes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, dir, nil, "add", "-A")
	git(t, dir, nil, "commit", "-q", "-m", "loose")
	want := blobsOf(t, dir)
	var loose Hash
	hex.Decode(loose[:], bytes.TrimSpace(git(t, dir, nil, "rev-parse", "HEAD:loose.yaml")))
	var hs []Hash
	for h := range want {
		if h != loose {
			hs = append(hs, h)
		}
	}
	none := Hash{1, 2, 3}
	hs = append([]Hash{loose}, hs...)
	hs = append(hs, none, loose)
	got, _, missing, err := read(t, open(t, dir), hs, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{0, len(hs) - 2, len(hs) - 1}, missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
	if len(got) != len(hs)-3 {
		t.Errorf("read %d blobs, want %d", len(got), len(hs)-3)
	}
	for i, data := range got {
		if !bytes.Equal(data, want[hs[i]]) {
			t.Errorf("blob %x: %q, git reads %q", hs[i], data, want[hs[i]])
		}
	}
	if p := open(t, t.TempDir()); len(p.packs) != 0 {
		t.Errorf("a folder with no packs: %d packs", len(p.packs))
	}
}

// TestBlobsTooLarge: a blob larger than the limit, stored whole or as a
// delta, is given as its size, not its content; the others as content.
func TestBlobsTooLarge(t *testing.T) {
	dir := history(t, 5, 30, 20, "repack", "-q", "-a", "-d", "-f", "--depth=50")
	want := blobsOf(t, dir)
	var hs []Hash
	for h := range want {
		hs = append(hs, h)
	}
	sizes := make([]int, 0, len(hs))
	for _, h := range hs {
		sizes = append(sizes, len(want[h]))
	}
	slices.Sort(sizes)
	limit := int64(sizes[len(sizes)/2])
	got, large, missing, err := read(t, open(t, dir), hs, limit)
	if err != nil || len(missing) > 0 {
		t.Fatalf("err %v, %d missing", err, len(missing))
	}
	for i, h := range hs {
		size := int64(len(want[h]))
		switch {
		case size > limit && large[i] != size:
			t.Errorf("blob %x of %d bytes, limit %d: given as %d bytes, too large %d", h, size, limit, len(got[i]), large[i])
		case size <= limit && !bytes.Equal(got[i], want[h]):
			t.Errorf("blob %x: %q, git reads %q", h, got[i], want[h])
		}
	}
	if len(large) == 0 || len(large) == len(hs) {
		t.Errorf("%d of %d too large: the test tells nothing", len(large), len(hs))
	}
}

// TestBasesLetGo: once every blob is read, no content is kept.
func TestBasesLetGo(t *testing.T) {
	dir := history(t, 6, 30, 20, "repack", "-q", "-a", "-d", "-f", "--depth=50")
	var hs []Hash
	for h := range blobsOf(t, dir) {
		hs = append(hs, h, h)
	}
	r := &reader{packs: open(t, dir), objects: map[at]*object{}}
	if _, err := r.read(hs, 1<<20, func(int, []byte, int64) error { return nil }); err != nil {
		t.Fatal(err)
	}
	bases := 0
	for a, o := range r.objects {
		if o.data != nil || o.uses != 0 {
			t.Errorf("object at %d: %d bytes kept, %d uses left", a.off, len(o.data), o.uses)
		}
		if o.base != nil {
			bases++
		}
	}
	if bases == 0 {
		t.Error("no deltas: the test tells nothing")
	}
}

// TestLargeOffsets: offsets an index keeps in its table of large offsets
// are read from there.
func TestLargeOffsets(t *testing.T) {
	dir := history(t, 7, 10, 10, "repack", "-q", "-a", "-d", "-f")
	want := blobsOf(t, dir)
	idxs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.idx"))
	if len(idxs) != 1 {
		t.Fatalf("%d pack indexes", len(idxs))
	}
	idx, err := os.ReadFile(idxs[0])
	if err != nil {
		t.Fatal(err)
	}
	// Move every other offset to the large table.
	n := int(binary.BigEndian.Uint32(idx[8+255*4:]))
	small := 8 + 1024 + 24*n
	tail := slices.Clone(idx[len(idx)-40:])
	var large []byte
	for i := 0; i < n; i += 2 {
		off := binary.BigEndian.Uint32(idx[small+4*i:])
		binary.BigEndian.PutUint32(idx[small+4*i:], 0x80000000|uint32(len(large)/8))
		large = binary.BigEndian.AppendUint64(large, uint64(off))
	}
	idx = append(append(idx[:small+4*n], large...), tail...)
	if err := os.WriteFile(idxs[0], idx, 0o644); err != nil {
		t.Fatal(err)
	}
	var hs []Hash
	for h := range want {
		hs = append(hs, h)
	}
	got, _, missing, err := read(t, open(t, dir), hs, 1<<20)
	if err != nil || len(missing) > 0 {
		t.Fatalf("err %v, %d missing", err, len(missing))
	}
	for i, h := range hs {
		if !bytes.Equal(got[i], want[h]) {
			t.Fatalf("blob %x: %q, git reads %q", h, got[i], want[h])
		}
	}
}

// TestCorruptPacks: a pack that does not match its index is not read (go-git
// reads it, and says what is wrong); a byte changed in a pack is an error
// that names the blob, never other content.
func TestCorruptPacks(t *testing.T) {
	dir := history(t, 8, 10, 10, "repack", "-q", "-a", "-d", "-f")
	want := blobsOf(t, dir)
	var hs []Hash
	for h := range want {
		hs = append(hs, h)
	}
	packs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.pack"))
	clean, err := os.ReadFile(packs[0])
	if err != nil {
		t.Fatal(err)
	}
	write := func(data []byte) {
		t.Helper()
		if err := os.WriteFile(packs[0], data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The checksum the index records no longer matches.
	spoilt := slices.Clone(clean)
	spoilt[len(spoilt)-1] ^= 1
	write(spoilt)
	if p := open(t, dir); len(p.packs) != 0 {
		t.Error("a pack whose checksum is not its index's was read")
	}

	// Each object's data spoilt in turn, the checksum kept: an error, or
	// (where zlib cannot tell, and the content would still be right) the
	// right blobs. Never wrong content.
	write(clean)
	p := open(t, dir)
	k := p.packs[0]
	offsets := make([]int64, k.count)
	for i := range k.count {
		offsets[i], _ = k.offset(i)
	}
	p.Close()
	errorsSeen := 0
	for _, off := range offsets {
		spoilt := slices.Clone(clean)
		spoilt[off+3] ^= 0x40
		write(spoilt)
		got, _, _, err := read(t, open(t, dir), hs, 1<<20)
		if err != nil {
			var e *Error
			if errors.As(err, &e) && (e.Index < 0 || e.Index >= len(hs)) {
				t.Errorf("error names blob %d of %d", e.Index, len(hs))
			}
			errorsSeen++
			continue
		}
		for i, h := range hs {
			if data, ok := got[i]; ok && !bytes.Equal(data, want[h]) {
				t.Fatalf("a spoilt pack gave blob %x as %q, git reads %q", h, data, want[h])
			}
		}
	}
	if errorsSeen == 0 {
		t.Error("no spoilt pack was an error")
	}
	write(clean)

	// An index that sends a name to another blob's place: an error, not
	// the other blob.
	idxs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.idx"))
	idx, err := os.ReadFile(idxs[0])
	if err != nil {
		t.Fatal(err)
	}
	p = open(t, dir)
	k = p.packs[0]
	var blobs []int // the blobs' places in the index
	for i := range k.count {
		var h Hash
		copy(h[:], k.names[20*i:])
		if _, ok := want[h]; ok {
			blobs = append(blobs, i)
		}
	}
	small := 8 + 1024 + 24*k.count
	a, b := small+4*blobs[0], small+4*blobs[1]
	for i := range 4 {
		idx[a+i], idx[b+i] = idx[b+i], idx[a+i]
	}
	if err := os.WriteFile(idxs[0], idx, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, _, err = read(t, open(t, dir), hs, 1<<20)
	if e, ok := errors.AsType[*Error](err); !ok || !strings.Contains(e.Error(), "its content has another name") {
		t.Errorf("an index that names the wrong blob: %v", err)
	}
}

// TestPatch: deltas that reach outside their base or past their end are
// refused.
func TestPatch(t *testing.T) {
	base := []byte("0123456789")
	for _, tc := range []struct {
		name  string
		delta []byte
		size  int64
		want  string // or an error
	}{
		{"copy and insert", []byte{0x91, 2, 3, 2, 'a', 'b'}, 5, "234ab"},
		{"copy of 0x10000", []byte{0x80}, 0, "error: delta copies from outside its base"},
		{"copy past the base", []byte{0x91, 8, 3}, 3, "error: delta copies from outside its base"},
		{"copy past the end", []byte{0x91, 0, 4}, 3, "error: delta copies from outside its base"},
		{"insert past the end", []byte{3, 'a', 'b', 'c'}, 2, "error: delta inserts past its end"},
		{"insert past the delta", []byte{3, 'a'}, 3, "error: delta inserts past its end"},
		{"zero", []byte{0}, 0, "error: delta has a zero instruction"},
		{"short", []byte{1, 'a'}, 2, "error: delta gives 1 bytes, not the 2 it says"},
		{"cut copy", []byte{0x91, 2}, 2, "error: delta ends inside a copy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := patch(base, tc.delta, tc.size)
			got := string(out)
			if err != nil {
				got = "error: " + err.Error()
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// writePack writes a pack of the objects given (each its header's bytes
// and then its data, deflated) and its index, naming object i names[i],
// into a new objects folder, and returns the folder.
func writePack(t *testing.T, names []Hash, headers [][]byte, data [][]byte) string {
	t.Helper()
	pack := binary.BigEndian.AppendUint32(append([]byte("PACK"), 0, 0, 0, 2), uint32(len(names)))
	offsets := make([]uint32, len(names))
	for i := range names {
		offsets[i] = uint32(len(pack))
		pack = append(pack, headers[i]...)
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write(data[i])
		w.Close()
		pack = append(pack, z.Bytes()...)
	}
	sum := sha1.Sum(pack)
	pack = append(pack, sum[:]...)
	order := make([]int, len(names))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return bytes.Compare(names[a][:], names[b][:]) })
	idx := []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2}
	for b := range 256 {
		n := 0
		for _, h := range names {
			if int(h[0]) <= b {
				n++
			}
		}
		idx = binary.BigEndian.AppendUint32(idx, uint32(n))
	}
	for _, i := range order {
		idx = append(idx, names[i][:]...)
	}
	for range order {
		idx = append(idx, 0, 0, 0, 0) // CRCs, which nothing here reads
	}
	for _, i := range order {
		idx = binary.BigEndian.AppendUint32(idx, offsets[i])
	}
	idx = append(idx, sum[:]...)
	isum := sha1.Sum(idx)
	idx = append(idx, isum[:]...)
	objects := t.TempDir()
	dir := filepath.Join(objects, "pack")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(dir, fmt.Sprintf("pack-%x", sum))
	if err := os.WriteFile(base+".pack", pack, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(base+".idx", idx, 0o644); err != nil {
		t.Fatal(err)
	}
	return objects
}

// TestHeadersNotTrusted: an object whose header claims more than its
// stream holds is an error, with no more memory taken than the stream
// gives; one whose header claims less is not its name.
func TestHeadersNotTrusted(t *testing.T) {
	content := []byte("name: x\n")
	name := sum(content)
	for _, tc := range []struct {
		name   string
		header []byte
		want   string
	}{
		// A blob of 2^53 bytes: type 3, size bits over eight bytes.
		{"claims 2^53 bytes", []byte{0xb0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, "unexpected EOF"},
		{"claims one byte more", []byte{0x30 | byte(len(content)+1)}, "unexpected EOF"},
		{"claims one byte less", []byte{0x30 | byte(len(content)-1)}, "its content has another name"},
		{"a delta to itself", append([]byte{0x60 | byte(len(content))}, 0), "names a base outside the pack"},
		{"of type 5", []byte{0x50 | byte(len(content))}, "unknown type 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Open(writePack(t, []Hash{name}, [][]byte{tc.header}, [][]byte{content}))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if p.Count() != 1 {
				t.Fatalf("%d packs", p.Count())
			}
			_, err = p.Blobs([]Hash{name}, 1<<60, func(int, []byte, int64) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
	// The same pack, honest, reads.
	p, err := Open(writePack(t, []Hash{name}, [][]byte{{0x30 | byte(len(content))}}, [][]byte{content}))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var got []byte
	if _, err := p.Blobs([]Hash{name}, 100, func(_ int, data []byte, _ int64) error { got = data; return nil }); err != nil || !bytes.Equal(got, content) {
		t.Errorf("got %q, %v", got, err)
	}
}
