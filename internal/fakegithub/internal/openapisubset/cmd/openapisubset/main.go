// Command openapisubset writes the part of GitHub's REST description that
// the GitHub stand-in serves. It fetches the npm package @octokit/openapi
// at the version given (with npm pack), or reads a tarball already
// fetched, and copies the operations the list names with every component
// they use:
//
//	go run ./internal/openapisubset -version 23.0.2 -list openapi-operations.txt -out testdata/openapi-subset.json
//
// go generate ./internal/fakegithub runs it so.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/prodaccess/prodaccess/internal/fakegithub/internal/openapisubset"
)

func main() {
	version := flag.String("version", "", "the version of "+openapisubset.Package+" to fetch with npm pack")
	tarball := flag.String("tarball", "", "a tarball of "+openapisubset.Package+" already fetched, instead of npm pack (it must be -version)")
	list := flag.String("list", "", "the list of operations")
	out := flag.String("out", "", "the file to write")
	flag.Parse()
	if err := run(*version, *tarball, *list, *out); err != nil {
		fmt.Fprintln(os.Stderr, "openapisubset:", err)
		os.Exit(1)
	}
}

func run(version, tarball, list, out string) error {
	if version == "" || list == "" || out == "" {
		return fmt.Errorf("-version, -list and -out are required")
	}
	lf, err := os.Open(list)
	if err != nil {
		return err
	}
	l, err := openapisubset.ParseList(list, lf)
	lf.Close()
	if err != nil {
		return err
	}
	if tarball == "" {
		if tarball, err = pack(version); err != nil {
			return err
		}
		defer os.RemoveAll(filepath.Dir(tarball))
	}
	tgz, err := os.ReadFile(tarball)
	if err != nil {
		return err
	}
	spec, src, err := openapisubset.ReadPackage(tgz)
	if err != nil {
		return fmt.Errorf("%s: %w", tarball, err)
	}
	if src.Version != version {
		return fmt.Errorf("%s holds %s %s, not %s", tarball, src.Package, src.Version, version)
	}
	subset, err := openapisubset.Extract(spec, l, src)
	if err != nil {
		return err
	}
	b, err := openapisubset.Marshal(subset)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %d operations from %s %s (%s), %d bytes\n", out, len(l.Operations), src.Package, src.Version, src.Integrity, len(b))
	return nil
}

// pack fetches the package into a new temporary folder with npm and
// returns the tarball's path.
func pack(version string) (string, error) {
	dir, err := os.MkdirTemp("", "openapisubset")
	if err != nil {
		return "", err
	}
	cmd := exec.Command("npm", "pack", "--json", "--pack-destination", dir, openapisubset.Package+"@"+version)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.Output()
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("npm pack %s@%s: %w", openapisubset.Package, version, err)
	}
	var packed []struct {
		Filename  string `json:"filename"`
		Integrity string `json:"integrity"`
	}
	if err := json.Unmarshal(stdout, &packed); err != nil || len(packed) != 1 || packed[0].Filename == "" {
		os.RemoveAll(dir)
		return "", fmt.Errorf("npm pack said %q, not one package", strings.TrimSpace(string(stdout)))
	}
	return filepath.Join(dir, filepath.Base(packed[0].Filename)), nil
}
