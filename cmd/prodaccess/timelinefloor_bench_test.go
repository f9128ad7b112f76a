package main

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"
)

// timelineFloor is the least any tool must do to rebuild a timeline of
// the people folder: list what each first-parent commit changed
// (git log --raw), then read and parse each distinct person file written
// once, on every processor at once. It returns how many files it parsed.
func timelineFloor(b *testing.B, dir, branch, peopleDir string) int {
	log := exec.Command("git", "log", "--first-parent", "--raw", "--root", "--no-abbrev", "--format=%H", branch)
	log.Dir = dir
	out, err := log.Output()
	if err != nil {
		b.Fatalf("git log: %v", err)
	}
	seen := map[string]bool{}
	var ids []string
	for line := range strings.Lines(string(out)) {
		// :100644 100644 OLD NEW M\tpeople/jane.yaml
		meta, path, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 5 || !strings.HasPrefix(path, peopleDir+"/") || !strings.HasSuffix(path, ".yaml") || f[4] == "D" || seen[f[3]] {
			continue
		}
		seen[f[3]] = true
		ids = append(ids, f[3])
	}
	cat := exec.Command("git", "cat-file", "--batch")
	cat.Dir = dir
	cat.Stdin = strings.NewReader(strings.Join(ids, "\n") + "\n")
	stdout, err := cat.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cat.Start(); err != nil {
		b.Fatal(err)
	}
	work := make(chan []byte, 64)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for data := range work {
				var v map[string]any
				if err := yaml.Unmarshal(data, &v); err != nil {
					b.Error(err)
				}
			}
		})
	}
	rd := bufio.NewReaderSize(stdout, 1<<16)
	for range ids {
		// <id> blob <size>\n<content>\n
		head, err := rd.ReadString('\n')
		if err != nil {
			b.Fatal(err)
		}
		var id, kind string
		var size int
		if _, err := fmt.Sscan(head, &id, &kind, &size); err != nil {
			b.Fatalf("git cat-file: %q: %v", head, err)
		}
		data := make([]byte, size+1)
		if _, err := io.ReadFull(rd, data); err != nil {
			b.Fatal(err)
		}
		work <- data[:size]
	}
	close(work)
	wg.Wait()
	if err := cat.Wait(); err != nil {
		b.Fatal(err)
	}
	return len(ids)
}
