// Command pulumi-resource-pachdeploy is pachdeploy's Pulumi component provider: the
// plugin the engine starts for the pachdeploy package (package provider), so the
// components can be used from TypeScript, Python, C#, Java, YAML and Go programs.
//
//	pulumi package get-schema ./bin/pulumi-resource-pachdeploy
//	pulumi package add github.com/pachdeploy/pachdeploy/cmd/pulumi-resource-pachdeploy@v0.1.0
package main

import (
	"context"
	"fmt"
	"os"

	p "github.com/pulumi/pulumi-go-provider"

	"github.com/pachdeploy/pachdeploy/provider"
)

func main() {
	prov, err := provider.New()
	if err == nil {
		err = p.RunProvider(context.Background(), provider.Name, provider.Version, prov)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-pachdeploy: %v\n", err)
		os.Exit(1)
	}
}
