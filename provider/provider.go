// Package provider is pachdeploy as a Pulumi package: a component provider that serves
// the same components the Go API has, to every Pulumi language (TypeScript, Python, C#,
// Java, YAML and Go through generated SDKs). cmd/pulumi-resource-pachdeploy runs it.
//
// It serves a whole deployment per cloud (AwsDeployment, GcpDeployment,
// AzureDeployment: the stack settings in, the stack outputs out, through the same
// validation and program as `pulumi up` on this repository) and the building blocks:
// each cloud's Network, Cluster, Bucket and Identity and the cloud-neutral Pachyderm
// release. Schema descriptions come from the components' doc comments and the README's
// settings table (package internal/gen writes them; `go generate ./provider`).
package provider

//go:generate go run ./internal/gen/write ..

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	pschema "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"

	"github.com/pachdeploy/pachdeploy/components/aws"
	"github.com/pachdeploy/pachdeploy/components/azure"
	"github.com/pachdeploy/pachdeploy/components/gcp"
	"github.com/pachdeploy/pachdeploy/components/pachyderm"
)

// Name is the package's name: the first segment of every type token.
const Name = "pachdeploy"

// Version is the package's version, reported to the engine and written into the
// schema. Release builds set it: -ldflags '-X
// github.com/pachdeploy/pachdeploy/provider.Version=1.2.3'.
var Version = "0.1.0"

// descriptionsJSON are the schema descriptions: "<package>.<Type>" -> TypeDoc.
//
//go:embed descriptions.json
var descriptionsJSON []byte

// New returns the provider.
func New() (p.Provider, error) {
	prov, err := infer.NewProviderBuilder().
		WithDisplayName("pachdeploy").
		WithDescription("Pachyderm on EKS, GKE or AKS: cluster, bucket, least-privilege identity and the pinned Pachyderm chart.").
		WithKeywords("pachyderm", "kubernetes", "aws", "eks", "gcp", "gke", "azure", "aks", "category/infrastructure", "kind/component").
		WithHomepage("https://github.com/pachdeploy/pachdeploy").
		WithRepository("https://github.com/pachdeploy/pachdeploy").
		WithPublisher("pachdeploy").
		WithNamespace("pachdeploy").
		// Where `pulumi package add` puts the generated Go SDK's import path.
		WithGoImportPath("github.com/pachdeploy/pachdeploy/sdk/go/pachdeploy").
		// Types of this package are the package's top level: pachdeploy:index:AwsDeployment.
		WithModuleMap(map[tokens.ModuleName]tokens.ModuleName{"provider": "index"}).
		WithComponents(
			infer.ComponentF(NewAwsDeployment),
			infer.ComponentF(NewGcpDeployment),
			infer.ComponentF(NewAzureDeployment),
			infer.ComponentF(aws.NewNetwork),
			infer.ComponentF(aws.NewCluster),
			infer.ComponentF(aws.NewBucket),
			infer.ComponentF(aws.NewIdentity),
			infer.ComponentF(gcp.NewNetwork),
			infer.ComponentF(gcp.NewCluster),
			infer.ComponentF(gcp.NewBucket),
			infer.ComponentF(gcp.NewIdentity),
			infer.ComponentF(azure.NewNetwork),
			infer.ComponentF(azure.NewCluster),
			infer.ComponentF(azure.NewBucket),
			infer.ComponentF(azure.NewIdentity),
			infer.ComponentF(pachyderm.NewPachyderm),
		).
		Build()
	if err != nil {
		return p.Provider{}, err
	}
	var docs map[string]typeDoc
	if err := json.Unmarshal(descriptionsJSON, &docs); err != nil {
		return p.Provider{}, fmt.Errorf("descriptions.json: %w", err)
	}
	schema := prov.GetSchema
	prov.GetSchema = func(ctx context.Context, req p.GetSchemaRequest) (p.GetSchemaResponse, error) {
		resp, err := schema(ctx, req)
		if err != nil {
			return resp, err
		}
		var spec pschema.PackageSpec
		if err := json.Unmarshal([]byte(resp.Schema), &spec); err != nil {
			return resp, err
		}
		describe(&spec, docs)
		b, err := json.Marshal(spec)
		if err != nil {
			return resp, err
		}
		resp.Schema = string(b)
		return resp, nil
	}
	return prov, nil
}

// typeDoc is one entry of descriptions.json (package internal/gen writes it).
type typeDoc struct {
	Description string            `json:"description"`
	Properties  map[string]string `json:"properties"`
}

// describe fills the schema's empty descriptions from docs: a resource from its Go
// type (outputs) and its Args type (inputs), an object type from its Go type.
func describe(spec *pschema.PackageSpec, docs map[string]typeDoc) {
	for tok, r := range spec.Resources {
		out, in := docs[goType(tok)], docs[goType(tok)+"Args"]
		if r.Description == "" {
			r.Description = out.Description
		}
		fill(r.Properties, out.Properties)
		fill(r.InputProperties, in.Properties)
		spec.Resources[tok] = r
	}
	for tok, t := range spec.Types {
		d := docs[goType(tok)]
		if t.Description == "" {
			t.Description = d.Description
		}
		fill(t.Properties, d.Properties)
		spec.Types[tok] = t
	}
}

// fill sets each property's description where the schema has none.
func fill(props map[string]pschema.PropertySpec, docs map[string]string) {
	for name, prop := range props {
		if prop.Description == "" {
			prop.Description = docs[name]
			props[name] = prop
		}
	}
}

// goType is the "<package>.<Type>" key of a type token: pachdeploy:aws:Bucket ->
// aws.Bucket; the index module is this package.
func goType(tok string) string {
	parts := strings.Split(tok, ":")
	if len(parts) != 3 {
		return tok
	}
	mod := parts[1]
	if mod == "index" {
		mod = "provider"
	}
	return mod + "." + parts[2]
}
