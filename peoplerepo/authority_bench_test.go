package peoplerepo

import (
	"testing"

	"github.com/prodaccess/prodaccess/internal/devstack"
)

// BenchmarkAuthority10k rebuilds who may approve along a history of
// 10,000 commits of 1,000 people, as every plan does.
func BenchmarkAuthority10k(b *testing.B) {
	dir := b.TempDir()
	if err := devstack.WriteHistory(dir, 1000, 10000); err != nil {
		b.Fatal(err)
	}
	// Packed, as a clone is.
	if _, err := devstack.Git(dir, "gc", "-q"); err != nil {
		b.Fatal(err)
	}
	r, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	head, err := r.Head()
	if err != nil {
		b.Fatal(err)
	}
	tip := head.Commit.Hash.String()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := r.Authority(tip, "people", "people", "prodaccess.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}
