// Command pachdeploy installs Pachyderm on EKS, GKE or AKS: an offline plan, preview,
// up, refresh, destroy, outputs, graph, doctor and cancel over Pulumi stacks.
package main

import "os"

func main() { os.Exit(run(os.Args[1:])) }
