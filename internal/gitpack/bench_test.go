package gitpack

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-billy/v5/osfs"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// BenchmarkBlobs2600 reads the 2,600 files of one commit of a packed
// repository (deltas against earlier versions, as a clone has them): with
// Blobs, and, for comparison, one after another through go-git, as the
// people repository read them before.
// go test ./internal/gitpack -run '^$' -bench Blobs2600 -benchmem
func BenchmarkBlobs2600(b *testing.B) {
	dir := benchHistory(b)
	var hs []Hash
	for _, line := range strings.Split(string(git(b, dir, nil, "ls-tree", "HEAD")), "\n") {
		if f := strings.Fields(line); len(f) == 4 {
			var h Hash
			hex.Decode(h[:], []byte(f[2]))
			hs = append(hs, h)
		}
	}
	if len(hs) != 2600 {
		b.Fatalf("%d files", len(hs))
	}
	b.Run("gitpack", func(b *testing.B) {
		p, err := Open(filepath.Join(dir, ".git", "objects"))
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		for b.Loop() {
			missing, err := p.Blobs(hs, 1<<20, func(int, []byte, int64) error { return nil })
			if err != nil || len(missing) > 0 {
				b.Fatal(err, len(missing))
			}
		}
	})
	b.Run("go-git", func(b *testing.B) {
		for b.Loop() {
			// Opened as the people repository opens it (pack files kept
			// open, go-git's object cache), afresh each time: a plan reads
			// each blob once.
			st := filesystem.NewStorageWithOptions(osfs.New(filepath.Join(dir, ".git")), cache.NewObjectLRUDefault(), filesystem.Options{MaxOpenDescriptors: 8})
			repo, err := gogit.Open(st, nil)
			if err != nil {
				b.Fatal(err)
			}
			for _, h := range hs {
				o, err := repo.Storer.EncodedObject(plumbing.BlobObject, plumbing.Hash(h))
				if err != nil {
					b.Fatal(err)
				}
				r, err := o.Reader()
				if err != nil {
					b.Fatal(err)
				}
				data := make([]byte, o.Size())
				if _, err := io.ReadFull(r, data); err != nil {
					b.Fatal(err)
				}
				r.Close()
			}
			st.Close()
		}
	})
}

// benchHistory is a packed repository of 2,600 person-like files, each
// changed a few times over 20 commits.
func benchHistory(b *testing.B) string {
	dir := b.TempDir()
	git(b, dir, nil, "init", "-q")
	var stream bytes.Buffer
	for c := range 20 {
		stream.WriteString("commit refs/heads/main\ncommitter t <t@example.com> 1700000000 +0000\ndata 0\n")
		for i := range 2600 {
			if c > 0 && (i+c)%7 != 0 {
				continue
			}
			body := fmt.Sprintf("name: Person %05d\nemail: person.%05d@example.gov.uk\ngithub: person-%05d\ngithub_id: %d\nrole: developer\nstart_date: 2015-01-01\nshifts:\n", i, i, i, 100000+i)
			for s := range c/7 + 1 {
				body += fmt.Sprintf("  - type: shadow\n    start: 20%02d-03-01\n    end: 20%02d-03-05\n", 15+s, 15+s)
			}
			fmt.Fprintf(&stream, "M 100644 inline person-%05d.yaml\ndata %d\n%s\n", i, len(body), body)
		}
	}
	git(b, dir, stream.Bytes(), "fast-import", "--quiet")
	git(b, dir, nil, "symbolic-ref", "HEAD", "refs/heads/main")
	git(b, dir, nil, "repack", "-q", "-a", "-d", "-f")
	return dir
}
