// Command openapisubset writes the part of an OpenAPI description that a
// stand-in serves: the operations a list names, with every component they
// use. The description comes from one of two places:
//
//   - GitHub's, in the npm package @octokit/openapi at the version given,
//     fetched with npm pack (or read from a tarball already fetched):
//
//     go run ../openapisubset/cmd/openapisubset -version 23.0.2 -list openapi-operations.txt -out testdata/openapi-subset.json
//
//   - a file, such as PagerDuty's, which must have the sha256 given; -name
//     says where it comes from, for the subset's record:
//
//     go run ../openapisubset/cmd/openapisubset -file rest-openapiv3.json -sha256 HEX -name NAME -list openapi-operations.txt -out testdata/openapi-subset.json
//
// go generate ./internal/fakegithub and ./internal/fakepagerduty run it.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/prodaccess/prodaccess/internal/openapisubset"
)

// options are the command's flags.
type options struct {
	version, tarball   string // the npm package
	file, sha256, name string // or a file
	list, out          string
}

func main() {
	var o options
	flag.StringVar(&o.version, "version", "", "the version of "+openapisubset.Package+" to fetch with npm pack")
	flag.StringVar(&o.tarball, "tarball", "", "a tarball of "+openapisubset.Package+" already fetched, instead of npm pack (it must be -version)")
	flag.StringVar(&o.file, "file", "", "a description in a file, instead of "+openapisubset.Package)
	flag.StringVar(&o.sha256, "sha256", "", "with -file: the sha256 the file must have, in hex")
	flag.StringVar(&o.name, "name", "", "with -file: where the file comes from, recorded in the subset")
	flag.StringVar(&o.list, "list", "", "the list of operations")
	flag.StringVar(&o.out, "out", "", "the file to write")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "openapisubset:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.list == "" || o.out == "" {
		return fmt.Errorf("-list and -out are required")
	}
	lf, err := os.Open(o.list)
	if err != nil {
		return err
	}
	l, err := openapisubset.ParseList(o.list, lf)
	lf.Close()
	if err != nil {
		return err
	}
	spec, src, err := read(o)
	if err != nil {
		return err
	}
	subset, err := openapisubset.Extract(spec, l, src)
	if err != nil {
		return err
	}
	b, err := openapisubset.Marshal(subset)
	if err != nil {
		return err
	}
	if err := os.WriteFile(o.out, b, 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %d operations from %s, %d bytes\n", o.out, len(l.Operations), src, len(b))
	return nil
}

// read reads the description the flags name.
func read(o options) (map[string]any, openapisubset.Source, error) {
	var none openapisubset.Source
	switch {
	case o.file != "" && (o.version != "" || o.tarball != ""):
		return nil, none, fmt.Errorf("-file is instead of -version and -tarball, not with them")
	case o.file != "":
		if o.sha256 == "" || o.name == "" {
			return nil, none, fmt.Errorf("-file needs -sha256 and -name")
		}
		data, err := os.ReadFile(o.file)
		if err != nil {
			return nil, none, err
		}
		spec, src, err := openapisubset.ReadFile(data, o.name, o.sha256)
		if err != nil {
			return nil, none, fmt.Errorf("%s: %w", o.file, err)
		}
		return spec, src, nil
	case o.sha256 != "" || o.name != "":
		return nil, none, fmt.Errorf("-file is empty, and -sha256 and -name say which file is needed: %s; if go generate ran this, set the environment variable its -file names to the file's path", o.name)
	case o.version == "":
		return nil, none, fmt.Errorf("-version or -file is required")
	}
	tarball := o.tarball
	if tarball == "" {
		var err error
		if tarball, err = pack(o.version); err != nil {
			return nil, none, err
		}
		defer os.RemoveAll(filepath.Dir(tarball))
	}
	tgz, err := os.ReadFile(tarball)
	if err != nil {
		return nil, none, err
	}
	spec, src, err := openapisubset.ReadPackage(tgz)
	if err != nil {
		return nil, none, fmt.Errorf("%s: %w", tarball, err)
	}
	if src.Version != o.version {
		return nil, none, fmt.Errorf("%s holds %s %s, not %s", tarball, src.Package, src.Version, o.version)
	}
	return spec, src, nil
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
