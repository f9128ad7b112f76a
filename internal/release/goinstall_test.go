package release

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// TestGoInstallReportsTheTag installs prodaccess as a user does with
// go install github.com/prodaccess/prodaccess/cmd/prodaccess@v1.2.3, from
// a module proxy on disk that serves the committed HEAD as v1.2.3 (and
// every dependency from this machine's module cache, so that nothing
// goes over the network), and checks that the binary says v1.2.3 and is
// a release: no -ldflags, only Go's build information. It compiles
// prodaccess once more, so make release-check runs it (PRODACCESS_DIST),
// not every go test.
func TestGoInstallReportsTheTag(t *testing.T) {
	if os.Getenv("PRODACCESS_DIST") == "" {
		t.Skip("run by make release-check (PRODACCESS_DIST set): it builds prodaccess as go install does")
	}
	const path, version = "github.com/prodaccess/prodaccess", "v1.2.3"
	modCache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}

	proxy := t.TempDir()
	dir := filepath.Join(proxy, path, "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, version+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	// The committed files, as git archive gives them (zip.CreateFromVCS
	// finds no repository in a linked worktree).
	src := t.TempDir()
	tarball := filepath.Join(t.TempDir(), "src.tar")
	git(t, repoRoot, "archive", "--format=tar", "-o", tarball, "HEAD")
	if out, err := exec.Command("tar", "-xf", tarball, "-C", src).CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	if err := zip.CreateFromDir(f, module.Version{Path: path, Version: version}, src); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	goMod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{
		"list":            version + "\n",
		version + ".info": `{"Version":"` + version + `","Time":"2026-11-27T10:00:00Z"}`,
		version + ".mod":  string(goMod),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	bin := t.TempDir()
	cmd := exec.Command("go", "install", path+"/cmd/prodaccess@"+version)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(),
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(filepath.Join(strings.TrimSpace(string(modCache)), "cache", "download")),
		"GOSUMDB=off", "GOMODCACHE="+t.TempDir(), "GOBIN="+bin, "GOTOOLCHAIN=local",
		// As the release builds it, so that the build cache serves
		// the dependencies.
		"CGO_ENABLED=0", "GOFLAGS=-trimpath -modcacherw",
	)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}
	got := binaryVersion(t, filepath.Join(bin, "prodaccess"))
	want := versionInfo{Version: version, Release: true}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("prodaccess version of go install @%s (-got +want):\n%s", version, diff)
	}
}
