//go:build nogcp

package stacks

import "github.com/pachdeploy/pachdeploy/target"

// gcpTargets is empty: this build leaves Google Cloud (GKE) out (-tags nogcp).
var gcpTargets target.List
