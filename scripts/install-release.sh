#!/usr/bin/env bash
# Installs the released prodaccess binary that belongs to the action's own
# version, for action.yml: downloads the release archive for this runner,
# checks its sha256 against the release's checksums.txt and, when asked,
# its build provenance with gh attestation verify, and puts the binary in
# PRODACCESS_DEST. When the action is used at a commit that is no release,
# it installs nothing and says so: action.yml then builds that commit from
# source, which is the same code, only slower.
#
# Settings, all from the environment:
#   PRODACCESS_REF                the action's ref: a tag such as v1.2.3, a
#                                 full commit hash, a branch, or empty
#   PRODACCESS_REPOSITORY         owner/name of the action (prodaccess/prodaccess)
#   PRODACCESS_SERVER_URL         https://github.com unless set
#   PRODACCESS_GIT_URL            where the tags are listed (SERVER_URL/REPOSITORY)
#   PRODACCESS_DOWNLOAD_URL       where each tag's files are
#                                 (SERVER_URL/REPOSITORY/releases/download)
#   PRODACCESS_VERIFY_ATTESTATION true to check the archive's attestation too
#   PRODACCESS_DEST               the folder to put the prodaccess binary in
#   RUNNER_OS, RUNNER_ARCH        the runner's platform (as GitHub names it)
#   GITHUB_OUTPUT                 gets installed=true or false, and version
#
# Exit status: 0 when installed or when there is no release to install (see
# installed=); 1 when a release was found but is not what checksums.txt or
# the attestation says, or cannot be unpacked: never a binary that failed.
set -euo pipefail

ref=${PRODACCESS_REF:-}
repo=${PRODACCESS_REPOSITORY:-prodaccess/prodaccess}
server=${PRODACCESS_SERVER_URL:-https://github.com}
git_url=${PRODACCESS_GIT_URL:-$server/$repo}
download_url=${PRODACCESS_DOWNLOAD_URL:-$server/$repo/releases/download}
verify_attestation=${PRODACCESS_VERIFY_ATTESTATION:-false}
dest=${PRODACCESS_DEST:?PRODACCESS_DEST must name the folder to install into}
output=${GITHUB_OUTPUT:-/dev/null}

tag_pattern='^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'

# not_installed says why there is no release to install, and lets
# action.yml build from source.
not_installed() {
  echo "::notice::prodaccess: $1; building prodaccess from source at the action's commit instead."
  echo "installed=false" >> "$output"
  exit 0
}

fail() {
  echo "::error::prodaccess: $1"
  exit 1
}

# The release tag: the ref itself, or the version tag that points at the
# commit the action is pinned to.
tag=
if [[ $ref =~ $tag_pattern ]]; then
  tag=$ref
elif [[ $ref =~ ^[0-9a-f]{40}$ ]]; then
  if ! tags=$(git ls-remote --tags "$git_url" 2>&1); then
    not_installed "cannot list the tags of $git_url to find the release of commit $ref: $(tail -n 1 <<< "$tags")"
  fi
  # An annotated tag's commit is on its peeled line (refs/tags/v1.2.3^{}).
  tag=$(awk -v sha="$ref" '$1 == sha { name = $2; sub(/^refs\/tags\//, "", name); sub(/\^\{\}$/, "", name); print name }' <<< "$tags" |
    grep -E "$tag_pattern" | sort -u -V | tail -n 1 || true)
  if [ -z "$tag" ]; then
    not_installed "commit $ref is no release (no version tag points at it)"
  fi
else
  not_installed "the action is used at ${ref:-a local path}, not at a release tag or a commit"
fi

case "${RUNNER_OS:-$(uname -s)}" in
  Linux) os=linux ;;
  macOS | Darwin) os=darwin ;;
  *) not_installed "release $tag has no build for ${RUNNER_OS:-$(uname -s)}" ;;
esac
case "${RUNNER_ARCH:-$(uname -m)}" in
  X64 | x86_64 | amd64) arch=amd64 ;;
  ARM64 | aarch64 | arm64) arch=arm64 ;;
  *) not_installed "release $tag has no build for ${RUNNER_ARCH:-$(uname -m)}" ;;
esac

archive="prodaccess_${tag#v}_${os}_${arch}.tar.gz"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() {
  curl --fail --silent --show-error --location --proto-redir '=https' --retry 3 \
    --output "$work/$1" "$download_url/$tag/$1"
}

# A tag with no release files (made before releases were published, or
# while its release is still being built) leaves the source.
if ! fetch checksums.txt; then
  not_installed "release $tag has no checksums.txt at $download_url/$tag"
fi
# From here on the release exists: whatever does not match is an error.
fetch "$archive" || fail "release $tag lists no $archive at $download_url/$tag"

want=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$work/checksums.txt")
if [ "$(wc -l <<< "$want")" -ne 1 ] || ! [[ $want =~ ^[0-9a-f]{64}$ ]]; then
  fail "checksums.txt of $tag has no single sha256 for $archive"
fi
if command -v sha256sum > /dev/null; then
  got=$(sha256sum "$work/$archive" | cut -d ' ' -f 1)
else
  got=$(shasum -a 256 "$work/$archive" | cut -d ' ' -f 1)
fi
if [ "$got" != "$want" ]; then
  fail "$archive has sha256 $got, but checksums.txt of $tag says $want: refusing to run it"
fi
echo "prodaccess: $archive has sha256 $got, as checksums.txt of $tag says"

if [ "$verify_attestation" = true ]; then
  command -v gh > /dev/null || fail "verify-attestation is true, but gh is not installed on this runner"
  if ! gh attestation verify "$work/$archive" --repo "$repo" \
    --signer-workflow "$repo/.github/workflows/release.yml"; then
    fail "$archive has no valid build provenance from $repo's release workflow: refusing to run it"
  fi
fi

mkdir "$work/unpacked"
tar -xzf "$work/$archive" -C "$work/unpacked" prodaccess || fail "$archive has no prodaccess binary"
if [ ! -f "$work/unpacked/prodaccess" ] || [ -L "$work/unpacked/prodaccess" ]; then
  fail "prodaccess in $archive is not a regular file"
fi
mkdir -p "$dest"
install -m 0755 "$work/unpacked/prodaccess" "$dest/prodaccess"

# The binary must say it is the release it came from.
said=$("$dest/prodaccess" version | head -n 1)
if [ "$said" != "prodaccess version $tag" ]; then
  rm -f "$dest/prodaccess"
  fail "the binary in $archive says \"$said\", not \"prodaccess version $tag\""
fi
echo "prodaccess: installed $tag ($os/$arch) from the release in $dest"
{
  echo "installed=true"
  echo "version=$tag"
} >> "$output"
