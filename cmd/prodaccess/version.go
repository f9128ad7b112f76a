package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/prodaccess/prodaccess/render"
	"github.com/spf13/cobra"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// What the release build passes with -ldflags "-X main.buildVersion=...":
// used only where Go's own build information has nothing better (see
// describeBuild). A plain go build or go install sets none of them.
var (
	buildVersion string // the release's version, such as v1.2.3 or v1.2.4-snapshot.5efc001
	buildCommit  string // the full commit hash
	buildDate    string // the commit's time, RFC 3339
)

// buildDescription is what prodaccess version says of the running binary.
type buildDescription struct {
	Version  string `json:"version"`
	Commit   string `json:"commit"`
	Date     string `json:"date"`
	Modified bool   `json:"modified"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
	Release  bool   `json:"release"`
}

// ldflagValues are the three values -X may set.
type ldflagValues struct{ version, commit, date string }

// describeBuild describes a binary from the build information Go embeds
// (the main module's version; vcs.revision, vcs.time and vcs.modified of
// a build in a git checkout) and from the -X values where that
// information has none. A go install of a tagged version has the tag as
// its version and no vcs settings; a build in a checkout has the vcs
// settings and a version Go makes up from the tags (a pseudo-version
// between tags, +dirty with uncommitted changes), which the release
// tooling's own name replaces. Release is true only when Go's build
// information itself names a tagged version with nothing changed: -X
// cannot make a build a release.
func describeBuild(info *debug.BuildInfo, ld ldflagValues) buildDescription {
	d := buildDescription{Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	var settings map[string]string
	if info != nil {
		d.Version = info.Main.Version
		if info.GoVersion != "" {
			d.Go = info.GoVersion
		}
		settings = map[string]string{}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
		if goos, arch := settings["GOOS"], settings["GOARCH"]; goos != "" && arch != "" {
			d.Platform = goos + "/" + arch
		}
	}
	d.Commit = cmpOr(settings["vcs.revision"], ld.commit)
	d.Date = cmpOr(settings["vcs.time"], ld.date)
	d.Modified = settings["vcs.modified"] == "true" || strings.HasSuffix(d.Version, "+dirty")
	tagged := isTag(d.Version)
	d.Release = tagged && !d.Modified
	if !tagged && ld.version != "" {
		d.Version = ld.version
	}
	if d.Version == "" {
		d.Version = "(devel)"
	}
	return d
}

// isTag reports whether v is a version as a tag names it: valid semantic
// versioning, not a pseudo-version Go made up, no build metadata.
func isTag(v string) bool {
	return semver.IsValid(v) && !module.IsPseudoVersion(v) && semver.Build(v) == ""
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// thisBuild describes the running binary.
func thisBuild() buildDescription {
	info, _ := debug.ReadBuildInfo()
	return describeBuild(info, ldflagValues{buildVersion, buildCommit, buildDate})
}

// version is the text of prodaccess --version after "prodaccess version ":
// the version on the first line, then the rest of the description.
func version() string {
	var b strings.Builder
	thisBuild().writeText(&b)
	return strings.TrimSuffix(b.String(), "\n")
}

func (d buildDescription) writeText(w io.Writer) {
	commit := cmpOr(d.Commit, "unknown")
	if d.Modified {
		commit += " (with uncommitted changes)"
	}
	release := "yes"
	if !d.Release {
		release = "no (built from a commit that is not a release tag, or changed)"
	}
	fmt.Fprintf(w, "%s\ncommit:   %s\ndate:     %s\ngo:       %s %s\nrelease:  %s\n",
		d.Version, commit, cmpOr(d.Date, "unknown"), d.Go, d.Platform, release)
}

func newVersion(o *options) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "The version, commit, date and Go version of this binary, and whether it is a release",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			d := thisBuild()
			if isData(format) {
				return render.WriteData(o.stdout, format, d)
			}
			fmt.Fprint(o.stdout, "prodaccess version ")
			d.writeText(o.stdout)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text, json or yaml")
	return cmd
}
