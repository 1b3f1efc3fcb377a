# pachdeploy — see README.md. `make demo` runs the offline plan; `make test` runs every test.
GO ?= go

include tools/tools.mk

.DEFAULT_GOAL := build
TEST_FLAGS ?= -timeout 45m

.PHONY: build test unit demo lint lint-workflows bench fuzz

## build: compile everything, including the root Pulumi program and the CLI
build:
	$(GO) build ./...

## test: lint, build the toolchain (Pulumi CLI + stand-in providers), lint the GitHub
## workflows and run every test, unit and engine-level
test: lint tools lint-workflows
	$(GO) test $(TEST_FLAGS) ./...

## unit: the tests that need no Pulumi CLI (engine-level tests skip without bin/pulumi)
unit:
	$(GO) test $(TEST_FLAGS) -short ./...

## demo: the main job on an embedded default: plan an AWS deployment offline
demo:
	$(GO) run ./cmd/pachdeploy plan --cloud aws

## lint: go vet and a gofmt check
lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## lint-workflows: actionlint over the GitHub workflows users copy (.github/workflows)
lint-workflows: tools-actionlint
	$(ACTIONLINT_BIN) -color=false .github/workflows/*.yml

## bench: benchmarks (speed and memory are measured here, never asserted in tests)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## fuzz: run the config parser fuzz target for a while
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s ./stacks/config/
