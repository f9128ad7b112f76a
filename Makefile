# prodaccess: build, test, lint, demo.
# Everything runs with only Go installed; linters come through the module proxy.

GO          ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
ACTIONLINT  := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
BIN         := bin/prodaccess

FUZZTIME    ?= 60s

.PHONY: all build test lint demo bench fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/prodaccess

test:
	$(GO) test ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@$(GO) mod tidy -diff >/dev/null 2>&1 || { echo "go.mod or go.sum is not tidy; run go mod tidy:"; $(GO) mod tidy -diff; exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	$(GO) test ./internal/layout
	@if [ -d .github/workflows ]; then $(GO) run $(ACTIONLINT); fi

demo: build
	$(GO) run ./internal/demo -bin $(BIN)

# Each fuzz target for FUZZTIME (not part of make test).
fuzz:
	$(GO) test ./personfile -run '^$$' -fuzz '^FuzzLoadPerson$$' -fuzztime $(FUZZTIME)
	$(GO) test ./reconciler -run '^$$' -fuzz '^FuzzDiffAndSafety$$' -fuzztime $(FUZZTIME)
	$(GO) test ./model -run '^$$' -fuzz '^FuzzDecodeSavedPlan$$' -fuzztime $(FUZZTIME)
	$(GO) test ./providers/gitfile -run '^$$' -fuzz '^FuzzEditCorpus$$' -fuzztime $(FUZZTIME)
	$(GO) test ./providers/github -run '^$$' -fuzz '^FuzzDecodeList$$' -fuzztime $(FUZZTIME)
	$(GO) test ./providers/github -run '^$$' -fuzz '^FuzzParseLinks$$' -fuzztime $(FUZZTIME)
	$(GO) test ./providers/github -run '^$$' -fuzz '^FuzzTransport$$' -fuzztime $(FUZZTIME)
	$(GO) test ./personfile -run '^$$' -fuzz '^FuzzEditApply$$' -fuzztime $(FUZZTIME)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
