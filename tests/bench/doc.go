// Package bench measures pachdeploy's speed and memory; nothing here asserts a time.
// Deploys of the root program run on the real Pulumi engine (bin/pulumi) with the
// stand-in providers taking the time a cloud takes (testdata/latency.json, one minute
// played as one second), and are compared with the critical path and the sequential sum
// of the deployed dependency graph. `make bench` runs these benchmarks (build tag bench, which
// keeps them out of `go test ./...`) with stacks/plan's and prints one table
// (cmd/benchtable); README.md says what each row means. The time model (model_test.go)
// is tested by `go test ./...`.
package bench
