package main

import (
	"os/exec"
	"syscall"
	"testing"

	"github.com/prodaccess/prodaccess/internal/peoplegen"
)

// BenchmarkWhoJSON10k runs the built binary as a user would:
// prodaccess who --format json over 10,000 person files. It reports the
// wall time per run and the process's peak resident memory.
func BenchmarkWhoJSON10k(b *testing.B) {
	dir := b.TempDir()
	if err := peoplegen.Write(dir, 10000); err != nil {
		b.Fatal(err)
	}
	var peak int64
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command(binary, "who", "--people", dir, "--at", "2021-11-01", "--format", "json")
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = max(peak, ru.Maxrss) // KiB on Linux
		}
	}
	b.ReportMetric(float64(peak)/1024, "peak-MiB")
}
