# tools/tools.mk — make fragment included by the root Makefile (`include tools/tools.mk`).
# Paths are relative to the repository root. Everything lands in ./bin (git-ignored).
#
#   make tools               bin/pulumi and bin/helm (each rebuilt only if missing or its pinned
#                            version changed) and the stand-in providers bin/testprovider/pulumi-resource-{aws,eks,...}
#   make tools-pulumi        just bin/pulumi
#   make tools-helm          just bin/helm
#   make tools-testprovider  just the stand-in providers
#   make tools-actionlint    just bin/actionlint (the workflow linter `make test` runs)
#   make tools-yaml          just bin/pulumi-language-yaml (the YAML language host tests/yaml runs)
#   make tools-clean         remove what `make tools` built
#   make tools-bump          re-pin tools/go.mod to PULUMI_VERSION (after go.mod's sdk bump)
#
# bin/pulumi is the real Pulumi CLI built from the Go module proxy (tools/go.mod pins it).
# bin/helm is the real Helm CLI, used only by the render test (tests/render: `helm template`
# of the Pachyderm chart with the plan's values). Its own module tools/helm/go.mod pins an exact,
# approved helm.sh/helm/v3 version, so Helm's Kubernetes libraries never touch the root go.mod.
# To re-pin: cd tools/helm && GOWORK=off GOFLAGS=-mod=mod go get helm.sh/helm/v3@vX.Y.Z &&
# GOWORK=off go mod tidy (exact versions only: the module proxy here refuses version lists).
# The stand-in providers are one binary (tests/testprovider, root module) linked under
# each plugin name; it plays the package named by its file name.

# Including this file must not change the includer's default goal.
tools_saved_default_goal := $(.DEFAULT_GOAL)

BIN := $(CURDIR)/bin

GO   ?= go
NICE ?= nice

# The version of a module as required by the root go.mod (no network, no module graph).
# $(call gomod_version,<module path>)
gomod_version = $(shell awk '{for (i = 1; i < NF; i++) if ($$i == "$(1)") { print $$(i+1); exit }}' go.mod)

# Pulumi CLI version = the root module's github.com/pulumi/pulumi/sdk/v3.
PULUMI_VERSION ?= $(call gomod_version,github.com/pulumi/pulumi/sdk/v3)
# What tools/go.mod pins; must equal PULUMI_VERSION (checked before building).
PULUMI_TOOLS_VERSION := $(shell awk '$$1 == "github.com/pulumi/pulumi/pkg/v3" { print $$2; exit }' tools/go.mod)

PULUMI_BIN         := $(BIN)/pulumi
PULUMI_STAMP       := $(BIN)/.pulumi-version
PULUMI_BUILD_FLAGS ?= -trimpath
PULUMI_LDFLAGS     ?= -s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$(PULUMI_VERSION)

# $(call gomod_version_in,<go.mod file>,<module path>): like gomod_version, for another go.mod.
gomod_version_in = $(shell awk '{for (i = 1; i < NF; i++) if ($$i == "$(2)") { print $$(i+1); exit }}' $(1) 2>/dev/null)

# Helm CLI version = what tools/helm/go.mod pins (helm.sh/helm/v3). The Kubernetes version that
# `helm template` assumes (.Capabilities.KubeVersion) follows the client-go that Helm is built
# with, as in Helm's own Makefile: client-go v0.X.Y -> Kubernetes 1.X.
HELM_VERSION       := $(call gomod_version_in,tools/helm/go.mod,helm.sh/helm/v3)
HELM_K8S_MINOR     := $(word 2,$(subst ., ,$(call gomod_version_in,tools/helm/go.mod,k8s.io/client-go)))
HELM_BIN           := $(BIN)/helm
HELM_STAMP         := $(BIN)/.helm-version
HELM_BUILD_FLAGS   ?= -trimpath
HELM_LDFLAGS       ?= -s -w -X helm.sh/helm/v3/internal/version.version=$(HELM_VERSION) \
	-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$(HELM_K8S_MINOR) \
	-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$(HELM_K8S_MINOR)

# actionlint version = what tools/actionlint/go.mod pins (its own module, like Helm's).
ACTIONLINT_VERSION := $(call gomod_version_in,tools/actionlint/go.mod,github.com/rhysd/actionlint)
ACTIONLINT_BIN     := $(BIN)/actionlint
ACTIONLINT_STAMP   := $(BIN)/.actionlint-version

# pulumi-language-yaml version = what tools/yaml/go.mod pins (its own module: pulumi-yaml
# v1.25.0 compiles only against pulumi pkg/sdk v3.206.0). bin/pulumi v3.274.1 runs YAML
# programs with it: the CLI finds language hosts beside itself.
YAML_VERSION := $(call gomod_version_in,tools/yaml/go.mod,github.com/pulumi/pulumi-yaml)
YAML_BIN     := $(BIN)/pulumi-language-yaml
YAML_STAMP   := $(BIN)/.yaml-version

# Stand-in providers: plugin name -> Go module whose version it reports (GetPluginInfo).
TESTPROVIDER_PKGS ?= aws eks gcp azure-native kubernetes random
TESTPROVIDER_MOD_aws          := github.com/pulumi/pulumi-aws/sdk/v6
TESTPROVIDER_MOD_eks          := github.com/pulumi/pulumi-eks/sdk/v3
TESTPROVIDER_MOD_gcp          := github.com/pulumi/pulumi-gcp/sdk/v9
TESTPROVIDER_MOD_azure-native := github.com/pulumi/pulumi-azure-native-sdk/v2
TESTPROVIDER_MOD_kubernetes   := github.com/pulumi/pulumi-kubernetes/sdk/v4
TESTPROVIDER_MOD_random       := github.com/pulumi/pulumi-random/sdk/v4
# "aws=6.83.4,eks=3.9.1,..." (leading "v" dropped), read from the root go.mod at build time.
tools_comma := ,
tools_empty :=
tools_space := $(tools_empty) $(tools_empty)
TESTPROVIDER_VERSIONS = $(subst $(tools_space),$(tools_comma),$(strip $(foreach p,$(TESTPROVIDER_PKGS),\
	$(p)=$(patsubst v%,%,$(call gomod_version,$(TESTPROVIDER_MOD_$(p)))))))

# The stand-ins live apart from bin/pulumi: a real deploy that puts bin/ on PATH (or runs
# bin/pulumi, which finds plugins beside itself) must never pick up a fake cloud. Tests put
# TESTPROVIDER_DIR on PATH themselves.
TESTPROVIDER_DIR     := $(BIN)/testprovider
TESTPROVIDER_BIN     := $(TESTPROVIDER_DIR)/pulumi-resource-stand-in
TESTPROVIDER_SRCS    := $(filter-out %_test.go,$(wildcard tests/testprovider/*.go))
TESTPROVIDER_LDFLAGS ?= -X main.pinnedVersions=$(TESTPROVIDER_VERSIONS)
# ... and once as the Go language host, which runs a prebuilt program (runtime.options.binary).
TESTPROVIDER_LINKS   := $(addprefix $(TESTPROVIDER_DIR)/pulumi-resource-,$(TESTPROVIDER_PKGS)) $(TESTPROVIDER_DIR)/pulumi-language-go

.PHONY: tools tools-pulumi tools-helm tools-testprovider tools-actionlint tools-yaml tools-clean tools-bump
tools: tools-pulumi tools-helm tools-testprovider tools-actionlint tools-yaml
tools-actionlint: $(ACTIONLINT_BIN) $(BIN)/.gitignore
tools-yaml: $(YAML_BIN) $(BIN)/.gitignore
tools-pulumi: $(PULUMI_BIN) $(BIN)/.gitignore
tools-helm: $(HELM_BIN) $(BIN)/.gitignore
tools-testprovider: $(TESTPROVIDER_LINKS) $(BIN)/.gitignore

# bin/ ignores itself, so the root .gitignore needs no entry for it.
$(BIN)/.gitignore:
	@mkdir -p $(BIN)
	@echo '*' > $@

# The stamp is rewritten (and so bin/pulumi rebuilt) only when the pinned version differs
# from what was last built: force it only in that case.
ifneq ($(strip $(shell cat $(PULUMI_STAMP) 2>/dev/null)),$(PULUMI_VERSION))
.PHONY: $(PULUMI_STAMP)
endif
$(PULUMI_STAMP):
	@test -n '$(PULUMI_VERSION)' || { echo 'tools.mk: no github.com/pulumi/pulumi/sdk/v3 in go.mod' >&2; exit 1; }
	@test '$(PULUMI_TOOLS_VERSION)' = '$(PULUMI_VERSION)' || { \
		echo 'tools.mk: tools/go.mod pins pulumi $(PULUMI_TOOLS_VERSION) but go.mod wants $(PULUMI_VERSION); run: make tools-bump' >&2; exit 1; }
	@mkdir -p $(BIN)
	@echo '$(PULUMI_VERSION)' > $@

$(PULUMI_BIN): $(PULUMI_STAMP) tools/go.mod tools/go.sum
	cd tools && GOWORK=off $(NICE) $(GO) build $(PULUMI_BUILD_FLAGS) -ldflags '$(PULUMI_LDFLAGS)' -o $@ github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

# Same scheme as bin/pulumi: the stamp changes (and bin/helm is rebuilt) only when the
# version pinned in tools/helm/go.mod differs from the one last built.
ifneq ($(strip $(shell cat $(HELM_STAMP) 2>/dev/null)),$(HELM_VERSION))
.PHONY: $(HELM_STAMP)
endif
$(HELM_STAMP):
	@test -n '$(HELM_VERSION)' || { echo 'tools.mk: no helm.sh/helm/v3 in tools/helm/go.mod' >&2; exit 1; }
	@test -n '$(HELM_K8S_MINOR)' || { echo 'tools.mk: no k8s.io/client-go in tools/helm/go.mod' >&2; exit 1; }
	@mkdir -p $(BIN)
	@echo '$(HELM_VERSION)' > $@

$(HELM_BIN): $(HELM_STAMP) tools/helm/go.mod tools/helm/go.sum
	cd tools/helm && GOWORK=off $(NICE) $(GO) build $(HELM_BUILD_FLAGS) -ldflags '$(HELM_LDFLAGS)' -o $@ helm.sh/helm/v3/cmd/helm

ifneq ($(strip $(shell cat $(ACTIONLINT_STAMP) 2>/dev/null)),$(ACTIONLINT_VERSION))
.PHONY: $(ACTIONLINT_STAMP)
endif
$(ACTIONLINT_STAMP):
	@test -n '$(ACTIONLINT_VERSION)' || { echo 'tools.mk: no github.com/rhysd/actionlint in tools/actionlint/go.mod' >&2; exit 1; }
	@mkdir -p $(BIN)
	@echo '$(ACTIONLINT_VERSION)' > $@

$(ACTIONLINT_BIN): $(ACTIONLINT_STAMP) tools/actionlint/go.mod tools/actionlint/go.sum
	cd tools/actionlint && GOWORK=off $(NICE) $(GO) build -trimpath -ldflags '-s -w' -o $@ github.com/rhysd/actionlint/cmd/actionlint

ifneq ($(strip $(shell cat $(YAML_STAMP) 2>/dev/null)),$(YAML_VERSION))
.PHONY: $(YAML_STAMP)
endif
$(YAML_STAMP):
	@test -n '$(YAML_VERSION)' || { echo 'tools.mk: no github.com/pulumi/pulumi-yaml in tools/yaml/go.mod' >&2; exit 1; }
	@mkdir -p $(BIN)
	@echo '$(YAML_VERSION)' > $@

$(YAML_BIN): $(YAML_STAMP) tools/yaml/go.mod tools/yaml/go.sum
	cd tools/yaml && GOWORK=off $(NICE) $(GO) build -trimpath -ldflags '-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$(YAML_VERSION)' -o $@ github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml

$(TESTPROVIDER_BIN): $(TESTPROVIDER_SRCS) go.mod go.sum
	@case ',$(TESTPROVIDER_VERSIONS),' in *=,*) \
		echo 'tools.mk: a provider SDK is missing from go.mod: $(TESTPROVIDER_VERSIONS)' >&2; exit 1;; esac
	@mkdir -p $(TESTPROVIDER_DIR)
	$(NICE) $(GO) build -ldflags '$(TESTPROVIDER_LDFLAGS)' -o $@ ./tests/testprovider

$(TESTPROVIDER_LINKS): $(TESTPROVIDER_BIN)
	ln -sf $(notdir $(TESTPROVIDER_BIN)) $@

tools-clean:
	rm -f $(PULUMI_BIN) $(PULUMI_STAMP) $(HELM_BIN) $(HELM_STAMP) $(ACTIONLINT_BIN) $(ACTIONLINT_STAMP) $(YAML_BIN) $(YAML_STAMP) $(TESTPROVIDER_BIN) $(TESTPROVIDER_LINKS)

tools-bump:
	cd tools && GOWORK=off $(GO) get github.com/pulumi/pulumi/pkg/v3@$(PULUMI_VERSION) github.com/pulumi/pulumi/sdk/v3@$(PULUMI_VERSION) && GOWORK=off $(GO) mod tidy
	@echo 'tools/go.mod now pins $(PULUMI_VERSION); commit tools/go.mod and tools/go.sum'

.DEFAULT_GOAL := $(tools_saved_default_goal)
