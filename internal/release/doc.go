// Package release holds only tests: of scripts/install-release.sh, which
// the reusable action runs to install a released binary, and of the
// snapshot that make release-check builds with goreleaser (dist/).
package release
