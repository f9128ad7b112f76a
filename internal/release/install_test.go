package release

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// script is the install step of action.yml.
var script = filepath.Join(repoRoot, "scripts", "install-release.sh")

// The programs install-release.sh may run; tests run it with nothing
// else on PATH, so that a new dependency shows here. gh is optional.
var scriptPrograms = []string{
	"bash", "awk", "curl", "cut", "git", "grep", "gzip", "head", "install",
	"mkdir", "mktemp", "rm", "sha256sum", "sort", "tail", "tar", "uname", "wc",
}

// toolPath makes a folder with only the programs the script may run, and
// a fake gh when gh is "pass" or "fail"; it returns the folder, and the
// file where gh writes its arguments.
func toolPath(t *testing.T, gh string) (dir, ghArgs string) {
	t.Helper()
	dir = t.TempDir()
	for _, p := range scriptPrograms {
		path, err := exec.LookPath(p)
		if err != nil {
			t.Skipf("%s is not installed: %v", p, err)
		}
		if err := os.Symlink(path, filepath.Join(dir, p)); err != nil {
			t.Fatal(err)
		}
	}
	ghArgs = filepath.Join(t.TempDir(), "gh-args")
	if gh != "" {
		status := map[string]int{"pass": 0, "fail": 1}[gh]
		fake := fmt.Sprintf("#!/bin/sh\necho \"$@\" > %q\necho 'gh: verification %s' >&2\nexit %d\n", ghArgs, gh, status)
		if err := os.WriteFile(filepath.Join(dir, "gh"), []byte(fake), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir, ghArgs
}

// runnerPlatform is how GitHub names this machine's platform in RUNNER_OS
// and RUNNER_ARCH.
func runnerPlatform(t *testing.T) (string, string) {
	t.Helper()
	goos := map[string]string{"linux": "Linux", "darwin": "macOS"}[runtime.GOOS]
	arch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	if goos == "" || arch == "" {
		t.Skipf("prodaccess is released for linux and darwin on amd64 and arm64, not %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	return goos, arch
}

// buildProdaccess builds prodaccess for this machine with the version a
// release passes to the linker, and without the symbol table and debug
// information as a release is (.goreleaser.yaml's ldflags), which makes
// the binary a third smaller and its archive quicker to write. The
// compiler's flags are the other tests' builds', so that the build cache
// serves every package.
func buildProdaccess(t *testing.T, version string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "prodaccess")
	cmd := exec.Command("go", "build", "-buildvcs=false", "-o", bin,
		"-ldflags", "-s -w -X main.buildVersion="+version, "./cmd/prodaccess")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build prodaccess: %v\n%s", err, out)
	}
	return bin
}

// writeArchive writes a release archive as goreleaser makes it: the
// binary and the README at the top.
func writeArchive(t *testing.T, path, binary string) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, src := range map[string]string{"prodaccess": binary, "README.md": filepath.Join(repoRoot, "README.md")} {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeChecksums writes checksums.txt in dir for the named files of dir,
// as sha256sum writes it.
func writeChecksums(t *testing.T, dir string, names ...string) {
	t.Helper()
	var b strings.Builder
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(sum[:]), n)
	}
	if err := os.WriteFile(filepath.Join(dir, "checksums.txt"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// flipLastByte changes a file the way a corrupted or tampered download
// differs: same name and size, other bytes.
func flipLastByte(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-1] ^= 0xff
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// git runs git in dir and returns its output without the newline.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Release Test", "GIT_AUTHOR_EMAIL=release@example.org",
		"GIT_COMMITTER_NAME=Release Test", "GIT_COMMITTER_EMAIL=release@example.org")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// installRun is one run of the script.
type installRun struct {
	code    int
	log     string            // standard output and error
	outputs map[string]string // what it wrote to GITHUB_OUTPUT
	dest    string            // the folder it was to install into
}

// runInstall runs install-release.sh with the settings in env and only
// the programs of toolPath on PATH.
func runInstall(t *testing.T, path string, env map[string]string) installRun {
	t.Helper()
	goos, goarch := runnerPlatform(t)
	r := installRun{dest: filepath.Join(t.TempDir(), "bin"), outputs: map[string]string{}}
	outFile := filepath.Join(t.TempDir(), "github-output")
	cmd := exec.Command(filepath.Join(path, "bash"), script)
	cmd.Env = []string{
		"PATH=" + path, "HOME=" + t.TempDir(), "TMPDIR=" + t.TempDir(),
		"RUNNER_OS=" + goos, "RUNNER_ARCH=" + goarch,
		"GITHUB_OUTPUT=" + outFile, "PRODACCESS_DEST=" + r.dest,
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	r.log = string(out)
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(outFile)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			r.outputs[k] = v
		}
	}
	return r
}

// installedVersion runs the installed binary's version command, or says
// that there is none.
func (r installRun) installedVersion(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(r.dest, "prodaccess")
	if _, err := os.Stat(bin); os.IsNotExist(err) {
		return "(nothing installed)"
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("%s version: %v", bin, err)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return first
}

// TestInstallRelease runs the action's install step against releases
// served from this machine: a good one, a tampered one, one whose
// checksums.txt does not list the archive, one whose binary is another
// version, one with no files yet, and refs that are no release.
func TestInstallRelease(t *testing.T) {
	goos, goarch := runtime.GOOS, runtime.GOARCH
	archive := func(version string) string {
		return fmt.Sprintf("prodaccess_%s_%s_%s.tar.gz", version, goos, goarch)
	}
	binary := buildProdaccess(t, "v1.2.3")

	// The people who publish releases: v1.2.3 as it should be; v1.2.4
	// whose archive was changed after its checksums were written; v1.2.5
	// whose checksums.txt names only another platform; v1.2.6 whose
	// archive holds v1.2.3's binary; v1.2.7 tagged but not released.
	// The four archives hold the same files: written once, copied.
	releases := t.TempDir()
	first := filepath.Join(releases, "v1.2.3", archive("1.2.3"))
	writeArchive(t, first, binary)
	data, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"1.2.3", "1.2.4", "1.2.5", "1.2.6"} {
		dir := filepath.Join(releases, "v"+v)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, archive(v)), data, 0o644); err != nil {
			t.Fatal(err)
		}
		writeChecksums(t, dir, archive(v))
	}
	flipLastByte(t, filepath.Join(releases, "v1.2.4", archive("1.2.4")))
	other := "prodaccess_1.2.5_plan9_amd64.tar.gz"
	if err := os.Rename(filepath.Join(releases, "v1.2.5", archive("1.2.5")), filepath.Join(releases, "v1.2.5", other)); err != nil {
		t.Fatal(err)
	}
	writeChecksums(t, filepath.Join(releases, "v1.2.5"), other)
	srv := httptest.NewServer(http.FileServer(http.Dir(releases)))
	defer srv.Close()

	// The action's own repository: v1.2.3 (an annotated tag) points at
	// the second commit; the third commit has no tag.
	repo := t.TempDir()
	git(t, repo, "init", "-q")
	git(t, repo, "commit", "-q", "--allow-empty", "-m", "first")
	git(t, repo, "commit", "-q", "--allow-empty", "-m", "released")
	released := git(t, repo, "rev-parse", "HEAD")
	git(t, repo, "tag", "-a", "-m", "v1.2.3", "v1.2.3")
	git(t, repo, "tag", "not-a-version")
	git(t, repo, "commit", "-q", "--allow-empty", "-m", "after the release")
	untagged := git(t, repo, "rev-parse", "HEAD")

	tests := []struct {
		name          string
		ref           string
		gh            string // "": no gh; "pass" or "fail": a gh that says so
		attest        bool
		wantCode      int
		wantInstalled string
		wantVersion   string // what the installed binary says
		wantLog       string
	}{
		{"a release tag", "v1.2.3", "", false, 0, "true", "prodaccess version v1.2.3", "has sha256"},
		{"the commit of a release tag", released, "", false, 0, "true", "prodaccess version v1.2.3", "as checksums.txt of v1.2.3 says"},
		{"a commit with no tag", untagged, "", false, 0, "false", "(nothing installed)", "commit " + untagged + " is no release"},
		{"a branch", "main", "", false, 0, "false", "(nothing installed)", "the action is used at main, not at a release tag"},
		{"a local path", "", "", false, 0, "false", "(nothing installed)", "used at a local path"},
		{"a tag with no release files", "v1.2.7", "", false, 0, "false", "(nothing installed)", "release v1.2.7 has no checksums.txt"},
		{"a tampered archive", "v1.2.4", "", false, 1, "", "(nothing installed)", "but checksums.txt of v1.2.4 says"},
		{"an archive checksums.txt does not list", "v1.2.5", "", false, 1, "", "(nothing installed)", "lists no " + archive("1.2.5")},
		{"an archive of another version", "v1.2.6", "", false, 1, "", "(nothing installed)", `says "prodaccess version v1.2.3", not "prodaccess version v1.2.6"`},
		{"attestation verified", "v1.2.3", "pass", true, 0, "true", "prodaccess version v1.2.3", "verification pass"},
		{"attestation refused", "v1.2.3", "fail", true, 1, "", "(nothing installed)", "has no valid build provenance"},
		{"attestation asked for without gh", "v1.2.3", "", true, 1, "", "(nothing installed)", "gh is not installed"},
		{"gh present but not asked", "v1.2.3", "fail", false, 0, "true", "prodaccess version v1.2.3", "has sha256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, ghArgs := toolPath(t, tt.gh)
			r := runInstall(t, path, map[string]string{
				"PRODACCESS_REF":                tt.ref,
				"PRODACCESS_REPOSITORY":         "prodaccess/prodaccess",
				"PRODACCESS_GIT_URL":            repo,
				"PRODACCESS_DOWNLOAD_URL":       srv.URL,
				"PRODACCESS_VERIFY_ATTESTATION": fmt.Sprint(tt.attest),
			})
			if r.code != tt.wantCode {
				t.Errorf("exit status: got %d, want %d\n%s", r.code, tt.wantCode, r.log)
			}
			if got := r.outputs["installed"]; got != tt.wantInstalled {
				t.Errorf("installed=: got %q, want %q\n%s", got, tt.wantInstalled, r.log)
			}
			if got := r.installedVersion(t); got != tt.wantVersion {
				t.Errorf("installed binary: got %q, want %q\n%s", got, tt.wantVersion, r.log)
			}
			if !strings.Contains(r.log, tt.wantLog) {
				t.Errorf("log: got\n%s\nwant it to contain %q", r.log, tt.wantLog)
			}
			if tt.attest && tt.gh != "" {
				got, err := os.ReadFile(ghArgs)
				if err != nil {
					t.Fatal(err)
				}
				want := regexp.MustCompile(`^attestation verify /\S+/` + regexp.QuoteMeta(archive("1.2.3")) +
					` --repo prodaccess/prodaccess --signer-workflow prodaccess/prodaccess/\.github/workflows/release\.yml\n$`)
				if !want.Match(got) {
					t.Errorf("gh arguments: got %q, want them to match %s", got, want)
				}
			}
		})
	}
}

// TestInstallSnapshot runs the install step against the snapshot that
// make release-check built with goreleaser, served as a release would
// be, and against the same snapshot with its archive tampered with.
func TestInstallSnapshot(t *testing.T) {
	dist := snapshotDist(t)
	m := readMetadata(t, dist)
	archive := fmt.Sprintf("prodaccess_%s_%s_%s.tar.gz", m.Version, runtime.GOOS, runtime.GOARCH)
	for _, tt := range []struct {
		name     string
		tamper   bool
		wantCode int
		wantLog  string
	}{
		{"as built", false, 0, "as checksums.txt of v" + m.Version + " says"},
		{"tampered with", true, 1, "refusing to run it"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			releases := t.TempDir()
			dir := filepath.Join(releases, "v"+m.Version)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{archive, "checksums.txt"} {
				data, err := os.ReadFile(filepath.Join(dist, name))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tt.tamper {
				flipLastByte(t, filepath.Join(dir, archive))
			}
			srv := httptest.NewServer(http.FileServer(http.Dir(releases)))
			defer srv.Close()
			path, _ := toolPath(t, "")
			r := runInstall(t, path, map[string]string{
				"PRODACCESS_REF":          "v" + m.Version,
				"PRODACCESS_DOWNLOAD_URL": srv.URL,
			})
			if r.code != tt.wantCode || !strings.Contains(r.log, tt.wantLog) {
				t.Errorf("exit status %d, log:\n%s\nwant status %d and a log with %q", r.code, r.log, tt.wantCode, tt.wantLog)
			}
			want := "prodaccess version v" + m.Version
			if tt.tamper {
				want = "(nothing installed)"
			}
			if diff := cmp.Diff(r.installedVersion(t), want); diff != "" {
				t.Errorf("installed binary (-got +want):\n%s", diff)
			}
		})
	}
}
