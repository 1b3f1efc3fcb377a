//go:build tools

// Package actionlint pins the workflow linter that `make tools` builds into
// ./bin/actionlint; `make test` runs it over .github/workflows. Its own module keeps
// actionlint's dependencies out of the root go.mod.
package actionlint

import (
	_ "github.com/rhysd/actionlint/cmd/actionlint"
)
