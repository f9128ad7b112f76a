//go:build !unix

package gitpack

import "os"

// mapFile reads a file whole where files are not mapped.
func mapFile(name string) ([]byte, func() error, error) {
	data, err := os.ReadFile(name)
	return data, func() error { return nil }, err
}
