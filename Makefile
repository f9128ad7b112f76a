# prodaccess: build, test, lint, demo.
# Everything runs with only Go installed; linters come through the module proxy.

GO          ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
ACTIONLINT  := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
BIN         := bin/prodaccess
# goreleaser and cyclonedx-gomod, pinned in tools/go.mod (a module of their
# own, so that their dependencies stay out of prodaccess's go.mod and SBOM).
TOOLS       := $(CURDIR)/bin/tools

FUZZTIME    ?= 60s

.PHONY: all build test lint demo demo-adopt bench fuzz clean tools release-check

all: build

build:
	$(GO) build -o $(BIN) ./cmd/prodaccess

# RACE=1, as .ci/run sets it: the same suite, with the packages that run
# code concurrently under the race detector (scripts/test-race.sh).
# TESTTIMEOUT bounds a hung package only: go test's own 10 minutes is
# too little for cmd/prodaccess on a machine loaded several times over.
TESTTIMEOUT ?= 30m
test:
ifeq ($(RACE),1)
	GO="$(GO)" TESTTIMEOUT=$(TESTTIMEOUT) scripts/test-race.sh
else
	$(GO) test -timeout $(TESTTIMEOUT) -parallel 4 ./...
endif

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@$(GO) mod tidy -diff >/dev/null 2>&1 || { echo "go.mod or go.sum is not tidy; run go mod tidy:"; $(GO) mod tidy -diff; exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	$(GO) test ./internal/layout
	@# actionlint runs shellcheck on every run: script when it finds it.
	@command -v shellcheck >/dev/null 2>&1 || echo "warning: shellcheck is not installed (apt-get install shellcheck): actionlint checks no scripts" >&2
	@if [ -d .github/workflows ]; then $(GO) run $(ACTIONLINT) -shellcheck="$$(command -v shellcheck || true)"; fi
	@if command -v shellcheck >/dev/null 2>&1; then shellcheck scripts/*.sh; fi

demo: build
	$(GO) run ./internal/demo -bin $(BIN) $(if $(V),-v)

# Adopting prodaccess: the example people found in the targets as they are
# (docs/adopting.md shows its output).
demo-adopt: build
	$(GO) run ./internal/demo -bin $(BIN) -adopt

# Each fuzz target for FUZZTIME (not part of make test).
fuzz:
	$(GO) test ./personfile -run '^$$' -fuzz '^FuzzLoadPerson$$' -fuzztime $(FUZZTIME)
	$(GO) test ./reconciler -run '^$$' -fuzz '^FuzzDiffAndSafety$$' -fuzztime $(FUZZTIME)
	$(GO) test ./outcome -run '^$$' -fuzz '^FuzzDecodeSavedPlan$$' -fuzztime $(FUZZTIME)
	$(GO) test ./providers/gitfile -run '^$$' -fuzz '^FuzzEditCorpus$$' -fuzztime $(FUZZTIME)
	$(GO) test ./providers/github -run '^$$' -fuzz '^FuzzDecodeList$$' -fuzztime $(FUZZTIME)
	$(GO) test ./providers/github -run '^$$' -fuzz '^FuzzParseLinks$$' -fuzztime $(FUZZTIME)
	$(GO) test ./providers/github -run '^$$' -fuzz '^FuzzTransport$$' -fuzztime $(FUZZTIME)
	$(GO) test ./personfile -run '^$$' -fuzz '^FuzzEditApply$$' -fuzztime $(FUZZTIME)
	$(GO) test ./cmd/prodaccess -run '^$$' -fuzz '^FuzzRequestFlags$$' -fuzztime $(FUZZTIME)

tools: $(TOOLS)/.built

$(TOOLS)/.built: tools/go.mod tools/go.sum
	$(GO) build -C tools -o $(TOOLS)/ tool
	@touch $@

# The release as the release workflow makes it for a tag, published
# nowhere: goreleaser checks .goreleaser.yaml, then builds a snapshot of
# the committed HEAD in a fresh clone (as the workflow's checkout is: go
# and go-git read a linked worktree's commit wrongly) into dist/; then
# sha256sum checks checksums.txt, and the tests of internal/release check
# the archives, SBOMs and the binary's version, and install the snapshot
# with the action's script. The container image needs docker: skipped.
release-check: tools
	PATH="$(TOOLS):$$PATH" goreleaser check
	@rm -rf dist && src=$$(mktemp -d) && trap 'rm -rf "$$src"' EXIT && \
	  git clone --quiet . "$$src" && git -C "$$src" checkout --quiet --detach "$$(git rev-parse HEAD)" && \
	  (cd "$$src" && PATH="$(TOOLS):$$PATH" goreleaser release --snapshot --clean --skip=publish,docker) && \
	  mv "$$src/dist" dist
	cd dist && sha256sum --strict -c checksums.txt
	PRODACCESS_DIST=$(CURDIR)/dist $(GO) test -count=1 -run '^(TestSnapshot|TestInstallSnapshot|TestGoInstallReportsTheTag)$$' ./internal/release

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin dist
