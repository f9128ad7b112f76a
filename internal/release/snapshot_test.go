package release

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const repoRoot = "../.."

// The platforms every release has an archive for.
var platforms = []string{"darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64"}

// snapshotDist is the folder goreleaser wrote the snapshot to: the one
// PRODACCESS_DIST names (make release-check sets it, and then it must be
// there), or dist/ at the top of the repository when it has been built.
func snapshotDist(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("PRODACCESS_DIST"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "metadata.json")); err != nil {
			t.Fatalf("PRODACCESS_DIST=%s: no snapshot there: %v", dir, err)
		}
		return dir
	}
	dir := filepath.Join(repoRoot, "dist")
	if _, err := os.Stat(filepath.Join(dir, "metadata.json")); errors.Is(err, fs.ErrNotExist) {
		t.Skip("no snapshot in dist/: make release-check builds it")
	}
	return dir
}

// metadata is what goreleaser says of the release in metadata.json.
type metadata struct {
	ProjectName string `json:"project_name"`
	Version     string `json:"version"`
	Commit      string `json:"commit"`
}

func readMetadata(t *testing.T, dist string) metadata {
	t.Helper()
	var m metadata
	readJSON(t, filepath.Join(dist, "metadata.json"), &m)
	if m.Version == "" || m.Commit == "" {
		t.Fatalf("metadata.json: no version or commit: %+v", m)
	}
	return m
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestSnapshot checks what make release-check built: an archive for each
// platform with the binary and the README (and a licence file when the
// repository has one), a checksums.txt that holds for every file it
// names, a CycloneDX SBOM for each archive that describes that archive's
// platform, and a binary for this machine whose version names the
// snapshot and its commit.
func TestSnapshot(t *testing.T) {
	dist := snapshotDist(t)
	m := readMetadata(t, dist)

	// checksums.txt: every line holds, and it names every archive and SBOM.
	sums := map[string]string{}
	f, err := os.Open(filepath.Join(dist, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("checksums.txt:%d: not \"sha256  name\": %q", n, sc.Text())
		}
		sums[name] = sum
		data, err := os.ReadFile(filepath.Join(dist, name))
		if err != nil {
			t.Errorf("checksums.txt:%d: %v", n, err)
			continue
		}
		got := sha256.Sum256(data)
		if hex.EncodeToString(got[:]) != sum {
			t.Errorf("checksums.txt:%d: %s has sha256 %x, not %s", n, name, got, sum)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}

	wantFiles := []string{"README.md", "prodaccess"}
	licences, err := filepath.Glob(filepath.Join(repoRoot, "LICENSE*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range licences {
		wantFiles = append(wantFiles, filepath.Base(l))
	}
	slices.Sort(wantFiles)

	for _, p := range platforms {
		goos, goarch, _ := strings.Cut(p, "/")
		archive := "prodaccess_" + m.Version + "_" + goos + "_" + goarch + ".tar.gz"
		t.Run(p, func(t *testing.T) {
			if sums[archive] == "" {
				t.Errorf("checksums.txt has no %s", archive)
			}
			if diff := cmp.Diff(archiveFiles(t, filepath.Join(dist, archive)), wantFiles); diff != "" {
				t.Errorf("%s (-got +want):\n%s", archive, diff)
			}
			sbom := archive + ".sbom.json"
			if sums[sbom] == "" {
				t.Errorf("checksums.txt has no %s", sbom)
			}
			checkSBOM(t, filepath.Join(dist, sbom), goos, goarch)
		})
	}

	// The binary for this machine says which snapshot and commit it is.
	if !slices.Contains(platforms, runtime.GOOS+"/"+runtime.GOARCH) {
		t.Skipf("no release binary runs on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	bins, err := filepath.Glob(filepath.Join(dist, "prodaccess_"+runtime.GOOS+"_"+runtime.GOARCH+"*", "prodaccess"))
	if err != nil || len(bins) != 1 {
		t.Fatalf("the binary for %s/%s in %s: %v %v", runtime.GOOS, runtime.GOARCH, dist, bins, err)
	}
	want := versionInfo{Version: "v" + m.Version, Commit: m.Commit, Release: false}
	if diff := cmp.Diff(binaryVersion(t, bins[0]), want); diff != "" {
		t.Errorf("%s version (-got +want):\n%s", bins[0], diff)
	}
}

// versionInfo is what prodaccess version --format json says that these
// tests check.
type versionInfo struct {
	Version, Commit string
	Release         bool
}

// binaryVersion runs a prodaccess binary's version --format json.
func binaryVersion(t *testing.T, bin string) versionInfo {
	t.Helper()
	out, err := exec.Command(bin, "version", "--format", "json").Output()
	if err != nil {
		t.Fatalf("%s version: %v", bin, err)
	}
	var v versionInfo
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version --format json: %v\n%s", bin, err, out)
	}
	return v
}

// archiveFiles lists a tar.gz archive's files, and fails the test for
// anything in it that is not a regular file at the top.
func archiveFiles(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if h.Typeflag != tar.TypeReg || strings.Contains(h.Name, "/") {
			t.Errorf("%s: %s is not a regular file at the top", path, h.Name)
		}
		if h.Name == "prodaccess" && h.Mode&0o111 == 0 {
			t.Errorf("%s: prodaccess is not executable (mode %o)", path, h.Mode)
		}
		names = append(names, h.Name)
	}
	slices.Sort(names)
	return names
}

// checkSBOM checks that an SBOM is CycloneDX, is of prodaccess built for
// goos/goarch, and names the modules prodaccess is built from, the Go
// standard library among them.
func checkSBOM(t *testing.T, path, goos, goarch string) {
	t.Helper()
	type property struct{ Name, Value string }
	type component struct {
		Name       string
		Properties []property
	}
	var bom struct {
		BOMFormat  string `json:"bomFormat"`
		Metadata   struct{ Component component }
		Components []component
	}
	readJSON(t, path, &bom)
	if bom.BOMFormat != "CycloneDX" {
		t.Errorf("%s: bomFormat %q, want CycloneDX", path, bom.BOMFormat)
	}
	app := bom.Metadata.Component
	if app.Name != "github.com/prodaccess/prodaccess" {
		t.Errorf("%s: describes %q, want github.com/prodaccess/prodaccess", path, app.Name)
	}
	env := map[string]string{}
	for _, p := range app.Properties {
		env[p.Name] = p.Value
	}
	for k, v := range map[string]string{"cdx:gomod:build:env:GOOS": goos, "cdx:gomod:build:env:GOARCH": goarch, "cdx:gomod:build:env:CGO_ENABLED": "0"} {
		if env[k] != v {
			t.Errorf("%s: %s is %q, want %q", path, k, env[k], v)
		}
	}
	var names []string
	for _, c := range bom.Components {
		names = append(names, c.Name)
	}
	for _, want := range []string{"std", "github.com/go-git/go-git/v5", "github.com/google/go-github/v60", "github.com/ProtonMail/go-crypto"} {
		if !slices.Contains(names, want) {
			t.Errorf("%s: no component %s among %d", path, want, len(names))
		}
	}
}
