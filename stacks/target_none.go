//go:build noaws && nogcp && noazure

package stacks

// A build must keep at least one cloud: this line stops one with none, naming the fix.
var _ = "pachdeploy needs at least one cloud: drop one of the build tags noaws, nogcp, noazure" + 1
