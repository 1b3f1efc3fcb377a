//go:build tools

// Package tools pins the Pulumi YAML language host (pulumi-language-yaml) that `make
// tools` builds into ./bin, so the real Pulumi CLI can run YAML programs that use the
// pachdeploy package (tests/yaml). It lives in a module of its own: pulumi-yaml v1.25.0
// compiles against github.com/pulumi/pulumi/pkg/v3 and sdk/v3 v3.206.0, not against the
// root module's v3.274.1.
package tools

import _ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
