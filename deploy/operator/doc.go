// Package operator holds example manifests that run a pachdeploy stack with the Pulumi
// Kubernetes Operator v2 (see README.md). It has no Go code of its own: its test checks
// the manifests against the operator's published Stack CRD in testdata, and the prebuilt
// project they run (deploy/prebuilt) against what they expect of it.
package operator
