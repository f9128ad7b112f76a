#!/usr/bin/env bash
# make test RACE=1: the whole suite, once, with the packages that run code
# concurrently under the race detector and the others without it. The
# detector finds races only in code that runs concurrently, and it makes a
# package's tests several times slower, so it runs where it can find
# something: in a package whose non-test Go files import sync,
# sync/atomic or golang.org/x/sync/errgroup, or any of whose Go files (its
# tests' too) holds a go statement. Most tests of cmd/prodaccess run the
# built binary, which the detector does not see into: that package runs
# without it, but for its tests that run commands in the test's own
# process, which run under it instead. The ci workflow runs
# `go test -race ./...` on every package. See docs/testing.md, "The race
# detector".
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
# A bound on a hung package only (see the Makefile).
timeout=${TESTTIMEOUT:-30m}

concurrent_packages() {
  "$GO" list -f '{{.ImportPath}}{{range .Imports}} {{.}}{{end}}' ./... |
    awk '/ (sync|sync\/atomic|golang\.org\/x\/sync\/errgroup)( |$)/ { print $1 }'
  # shellcheck disable=SC2016 # a template for go list, not for the shell
  local each='{{$d := .Dir}}{{.ImportPath}}{{range .GoFiles}} {{$d}}/{{.}}{{end}}{{range .TestGoFiles}} {{$d}}/{{.}}{{end}}{{range .XTestGoFiles}} {{$d}}/{{.}}{{end}}'
  local pkg files
  while read -r pkg files; do
    # shellcheck disable=SC2086 # one word a file
    if [ -n "$files" ] && grep -q -E '^[[:space:]]*go ([[:alnum:]_.]+|func)[[:space:]]*\(' $files; then
      echo "$pkg"
    fi
  done < <("$GO" list -f "$each" ./...)
}

# The race detector needs cgo, and cgo a C compiler.
if [ "$("$GO" env CGO_ENABLED)" != 1 ] || ! command -v "$("$GO" env CC | cut -d' ' -f1)" >/dev/null 2>&1; then
  echo "warning: no C compiler for cgo, so no race detector: the suite runs without it" >&2
  exec "$GO" test -timeout "$timeout" -parallel 4 ./...
fi

mapfile -t race < <(concurrent_packages | sort -u | grep -v '/cmd/prodaccess$')
mapfile -t plain < <("$GO" list ./... | grep -v -x -F -f <(printf '%s\n' "${race[@]}") | grep -v '/cmd/prodaccess$')
echo "race detector on: ${race[*]#github.com/prodaccess/prodaccess/}"

# Three streams at once: cmd/prodaccess, whose tests are the most and run
# four at a time; the other packages, one at a time; and the raced
# packages, two at a time, then cmd/prodaccess's in-process tests raced.
# The suite is bound by the two processors, not by waiting: the raced
# packages are mostly bound to one processor each, and run one at a time
# they were left running alone at the end for nearly two minutes at 65%
# of the machine; two at a time keep both busy nearly to the end. Each
# stream prints a package's results together, as go test does.
#
# cmd/prodaccess's tests that run commands in the test's own process, which
# the race detector sees into, run once, raced, not also without it.
inprocess='TestFaults|TestPushRejected|TestCrashConvergence|TestRetryAfterZero|TestTricklingAnswer|TestPanicExitsOne|TestRedactor|TestRunTimeout'
"$GO" test -timeout "$timeout" -p 1 -parallel 4 -skip "$inprocess" ./cmd/prodaccess &
commands=$!
"$GO" test -timeout "$timeout" -p 1 -parallel 4 "${plain[@]}" &
others=$!
status=0
{
  "$GO" test -timeout "$timeout" -p 2 -race -parallel 4 "${race[@]}" &&
    "$GO" test -timeout "$timeout" -race -parallel 4 -run "$inprocess" ./cmd/prodaccess
} || status=1
wait "$commands" || status=1
wait "$others" || status=1
exit "$status"
