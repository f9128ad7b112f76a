package main

import (
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDescribeBuild(t *testing.T) {
	t.Parallel()
	platform := runtime.GOOS + "/" + runtime.GOARCH
	vcs := func(rev, time, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{
			{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "arm64"},
			{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: time}, {Key: "vcs.modified", Value: modified},
		}
	}
	info := func(version string, settings []debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/prodaccess/prodaccess", Version: version}, Settings: settings}
	}
	const rev, when = "5efc0019cca4e2b9d7a1c6f0b4e8d2a7c9b1f3e5", "2026-11-27T10:00:00Z"
	release := ldflagValues{"v1.2.3", rev, when}
	tests := []struct {
		name string
		info *debug.BuildInfo
		ld   ldflagValues
		want buildDescription
	}{
		{
			"go install of a tag: the module's version, nothing from git",
			info("v1.2.3", nil), ldflagValues{},
			buildDescription{Version: "v1.2.3", Go: "go1.26.8", Platform: platform, Release: true},
		},
		{
			"go install of a pre-release tag",
			info("v1.3.0-rc.1", nil), ldflagValues{},
			buildDescription{Version: "v1.3.0-rc.1", Go: "go1.26.8", Platform: platform, Release: true},
		},
		{
			"go install of a commit: Go's pseudo-version, not a release",
			info("v1.2.4-0.20261127100000-5efc0019cca4", nil), ldflagValues{},
			buildDescription{Version: "v1.2.4-0.20261127100000-5efc0019cca4", Go: "go1.26.8", Platform: platform},
		},
		{
			"the release build at its tag: build information and -X agree",
			info("v1.2.3", vcs(rev, when, "false")), release,
			buildDescription{Version: "v1.2.3", Commit: rev, Date: when, Go: "go1.26.8", Platform: "linux/arm64", Release: true},
		},
		{
			"a snapshot: -X names it, in place of Go's pseudo-version",
			info("v0.0.0-20261127100000-5efc0019cca4", vcs(rev, when, "false")), ldflagValues{"v0.0.1-snapshot.5efc001", rev, when},
			buildDescription{Version: "v0.0.1-snapshot.5efc001", Commit: rev, Date: when, Go: "go1.26.8", Platform: "linux/arm64"},
		},
		{
			"a snapshot with changes not committed",
			info("v1.2.3+dirty", vcs(rev, when, "true")), ldflagValues{"v1.2.4-snapshot.5efc001", rev, when},
			buildDescription{Version: "v1.2.4-snapshot.5efc001", Commit: rev, Date: when, Modified: true, Go: "go1.26.8", Platform: "linux/arm64"},
		},
		{
			"a tag's build with changes not committed is no release",
			info("v1.2.3+dirty", vcs(rev, when, "true")), ldflagValues{},
			buildDescription{Version: "v1.2.3+dirty", Commit: rev, Date: when, Modified: true, Go: "go1.26.8", Platform: "linux/arm64"},
		},
		{
			"no build information from git (a worktree, -buildvcs=false): -X fills it in",
			info("(devel)", nil), release,
			buildDescription{Version: "v1.2.3", Commit: rev, Date: when, Go: "go1.26.8", Platform: platform},
		},
		{
			"-X cannot make a release, nor change what git says",
			info("v0.0.0-20261127100000-5efc0019cca4", vcs(rev, when, "false")), ldflagValues{"v9.9.9", "0000000000000000000000000000000000000000", "1970-01-01T00:00:00Z"},
			buildDescription{Version: "v9.9.9", Commit: rev, Date: when, Go: "go1.26.8", Platform: "linux/arm64"},
		},
		{
			"a plain go build in a checkout without git information",
			info("(devel)", nil), ldflagValues{},
			buildDescription{Version: "(devel)", Go: "go1.26.8", Platform: platform},
		},
		{
			"no build information at all",
			nil, ldflagValues{},
			buildDescription{Version: "(devel)", Go: runtime.Version(), Platform: platform},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := describeBuild(tt.info, tt.ld)
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
		})
	}
}

func TestVersionText(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	buildDescription{Version: "v1.2.3", Commit: "5efc0019cca4", Date: "2026-11-27T10:00:00Z", Modified: true, Go: "go1.26.8", Platform: "linux/arm64"}.writeText(&b)
	want := `v1.2.3
commit:   5efc0019cca4 (with uncommitted changes)
date:     2026-11-27T10:00:00Z
go:       go1.26.8 linux/arm64
release:  no (built from a commit that is not a release tag, or changed)
`
	if diff := cmp.Diff(b.String(), want); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
}

// TestVersionCommand runs the built binary: prodaccess version and
// prodaccess --version say the same, and --format json carries the same
// description as data.
func TestVersionCommand(t *testing.T) {
	t.Parallel()
	text := prodaccess(t, repoRoot, "version")
	flag := prodaccess(t, repoRoot, "--version")
	if text.code != 0 || flag.code != 0 {
		t.Fatalf("version: %+v\n--version: %+v", text, flag)
	}
	if diff := cmp.Diff(flag.stdout, text.stdout); diff != "" {
		t.Errorf("--version (-got +want version):\n%s", diff)
	}
	first, _, _ := strings.Cut(text.stdout, "\n")
	if !strings.HasPrefix(first, "prodaccess version ") {
		t.Errorf("first line: got %q, want prodaccess version VERSION", first)
	}

	r := prodaccess(t, repoRoot, "version", "--format", "json")
	if r.code != 0 {
		t.Fatalf("version --format json: %+v", r)
	}
	var got buildDescription
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	var b strings.Builder
	b.WriteString("prodaccess version ")
	got.writeText(&b)
	if diff := cmp.Diff(b.String(), text.stdout); diff != "" {
		t.Errorf("the JSON written as text (-got +want the text):\n%s", diff)
	}
	if got.Go != runtime.Version() || got.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("go %q on %q, want %q on %s/%s", got.Go, got.Platform, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	}

	if r := prodaccess(t, repoRoot, "version", "--format", "xml"); r.code != 1 || !strings.Contains(r.stderr, `unknown format "xml"`) {
		t.Errorf("--format xml: %+v", r)
	}
}
