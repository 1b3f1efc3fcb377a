# pachdeploy — see README.md. `make demo` runs the offline plan; `make test` runs every test.
GO ?= go

include tools/tools.mk

.DEFAULT_GOAL := build
# Test binaries link without symbol table and DWARF (-s -w): each link of the cloud SDKs
# takes about 40% less time (README, "Smaller and faster builds").
TEST_FLAGS ?= -timeout 45m -ldflags='-s -w'
# RELEASE_LDFLAGS strip the binaries pachdeploy ships; TAGS may leave clouds out of
# bin/pachdeploy (noaws, nogcp, noazure).
RELEASE_LDFLAGS ?= -s -w
TAGS ?=

.PHONY: build test unit demo lint lint-workflows bench fuzz provider program cli generate

## build: compile everything, including the root Pulumi program and the CLI
build:
	$(GO) build ./...

## test: lint, build the toolchain (Pulumi CLI, YAML language host, stand-in providers)
## and the pachdeploy provider, lint the GitHub workflows and run every test, unit and
## engine-level
test: lint tools provider program lint-workflows
	$(GO) test $(TEST_FLAGS) ./...

## provider: the Pulumi package's plugin, bin/pulumi-resource-pachdeploy (the components
## for every Pulumi language; bin/pulumi finds it beside itself)
provider:
	$(NICE) $(GO) build -trimpath -ldflags '$(RELEASE_LDFLAGS)' -o bin/pulumi-resource-pachdeploy ./cmd/pulumi-resource-pachdeploy

## program: the root Pulumi program prebuilt, bin/pachdeploy-program, for Pulumi.yaml's
## runtime.options.binary (CI, the Pulumi Kubernetes Operator): no SDK compile per run
program:
	$(NICE) $(GO) build -trimpath -tags '$(TAGS)' -ldflags '$(RELEASE_LDFLAGS)' -o bin/pachdeploy-program .

## cli: the pachdeploy CLI, bin/pachdeploy, stripped; `make cli TAGS=nogcp,noazure` keeps
## AWS only (a third smaller, and about half the link time of every cloud)
cli:
	$(NICE) $(GO) build -trimpath -tags '$(TAGS)' -ldflags '$(RELEASE_LDFLAGS)' -o bin/pachdeploy ./cmd/pachdeploy

## generate: rewrite the generated files (the package's deployment inputs and schema
## descriptions, from stacks/config, README.md and the components' doc comments)
generate:
	$(GO) generate ./provider

## unit: the tests that need no Pulumi CLI (engine-level tests skip without bin/pulumi)
unit:
	$(GO) test $(TEST_FLAGS) -short ./...

## demo: the main job on an embedded default: plan an AWS deployment offline
demo:
	$(GO) run ./cmd/pachdeploy plan --cloud aws

## lint: go vet and a gofmt check
lint:
	$(GO) vet ./...
	$(GO) vet -tags bench ./tests/bench/
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## lint-workflows: actionlint over the GitHub workflows users copy (.github/workflows)
lint-workflows: tools-actionlint
	$(ACTIONLINT_BIN) -color=false .github/workflows/*.yml

## bench: the benchmarks, as one markdown table (speed and memory are measured here, never
## asserted in tests; see tests/bench/README.md); BUILD=0 leaves out the CLI's incremental
## build (a link: about 40 s and 7 GB)
bench:
	$(GO) run ./tests/bench/cmd/benchtable -go $(GO) $(if $(filter 0,$(BUILD)),,-build)

## fuzz: run the config parser fuzz target for a while
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s ./stacks/config/
