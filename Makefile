# prodaccess: build, test, lint, demo.
# Everything runs with only Go installed; linters come through the module proxy.

GO          ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
ACTIONLINT  := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
BIN         := bin/prodaccess
# The demo shows the example people on a fixed day, so its output does not
# drift as the calendar moves on.
DEMO_DAY    ?= 2026-12-01

.PHONY: all build test lint demo bench clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/prodaccess

test:
	$(GO) test ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	@if [ -d .github/workflows ]; then $(GO) run $(ACTIONLINT); fi

demo: build
	@echo '$$ prodaccess validate'
	@$(BIN) validate
	@echo
	@echo '$$ prodaccess who --at $(DEMO_DAY)'
	@$(BIN) who --at $(DEMO_DAY)
	@echo
	@echo '$$ prodaccess explain chris-contractor --at $(DEMO_DAY)'
	@$(BIN) explain chris-contractor --at $(DEMO_DAY)
	@echo
	@echo '$$ prodaccess explain nadia-notreinstated --at $(DEMO_DAY)'
	@$(BIN) explain nadia-notreinstated --at $(DEMO_DAY)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
