package provider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	pschema "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pachdeploy/pachdeploy/provider"
	"github.com/pachdeploy/pachdeploy/provider/internal/gen"
	"github.com/pachdeploy/pachdeploy/stacks"
	"github.com/pachdeploy/pachdeploy/stacks/config"
)

var update = flag.Bool("update", false, "rewrite testdata/schema.json")

// SchemaGolden is the package schema the provider serves, as `pulumi package
// get-schema` prints it (tests/e2e compares the CLI's output with the same file).
const schemaGolden = "testdata/schema.json"

// schema asks the provider for its schema, in process.
func schema(t *testing.T) (string, pschema.PackageSpec) {
	t.Helper()
	prov, err := provider.New()
	if err != nil {
		t.Fatal(err)
	}
	s, err := integration.NewServer(context.Background(), provider.Name, semver.MustParse(provider.Version),
		integration.WithProvider(prov))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.GetSchema(p.GetSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var spec pschema.PackageSpec
	if err := json.Unmarshal([]byte(resp.Schema), &spec); err != nil {
		t.Fatal(err)
	}
	return resp.Schema, spec
}

// TestSchemaGolden holds the schema to testdata/schema.json (`go test ./provider
// -update` rewrites it): a change to the package's types shows in review.
func TestSchemaGolden(t *testing.T) {
	raw, _ := schema(t)
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, []byte(raw), "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	if *update {
		if err := os.WriteFile(schemaGolden, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(schemaGolden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("schema differs from %s: run `go test ./provider -update` and review the diff", schemaGolden)
	}
}

// TestSchemaIsValid binds the schema as Pulumi's code generators do: every type
// reference resolves and every token is well formed.
func TestSchemaIsValid(t *testing.T) {
	_, spec := schema(t)
	if _, diags, err := pschema.BindSpec(spec, pschema.NewPluginLoader(nil), pschema.ValidationOptions{}); err != nil || diags.HasErrors() {
		t.Fatalf("schema does not bind: %v %v", err, diags)
	}
}

// TestSchemaTokens: the package's types keep the Go components' type tokens.
func TestSchemaTokens(t *testing.T) {
	_, spec := schema(t)
	want := []string{
		"pachdeploy:index:AwsDeployment", "pachdeploy:index:GcpDeployment", "pachdeploy:index:AzureDeployment",
		"pachdeploy:aws:Network", "pachdeploy:aws:Cluster", "pachdeploy:aws:Bucket", "pachdeploy:aws:Identity",
		"pachdeploy:gcp:Network", "pachdeploy:gcp:Cluster", "pachdeploy:gcp:Bucket", "pachdeploy:gcp:Identity",
		"pachdeploy:azure:Network", "pachdeploy:azure:Cluster", "pachdeploy:azure:Bucket", "pachdeploy:azure:Identity",
		"pachdeploy:pachyderm:Pachyderm",
	}
	var got []string
	for tok, r := range spec.Resources {
		got = append(got, tok)
		if !r.IsComponent {
			t.Errorf("%s is not a component", tok)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("resources = %v\nwant %v", got, want)
	}
}

// TestSchemaDescribesEverything: every resource, input, output and object type has a
// description, read from the Go doc comments and the settings table.
func TestSchemaDescribesEverything(t *testing.T) {
	_, spec := schema(t)
	props := func(where string, m map[string]pschema.PropertySpec) {
		for name, prop := range m {
			if strings.TrimSpace(prop.Description) == "" {
				t.Errorf("%s.%s has no description", where, name)
			}
		}
	}
	for tok, r := range spec.Resources {
		if r.Description == "" {
			t.Errorf("%s has no description", tok)
		}
		props(tok+" input", r.InputProperties)
		props(tok+" output", r.Properties)
	}
	for tok, ty := range spec.Types {
		if ty.Description == "" {
			t.Errorf("type %s has no description", tok)
		}
		props(tok, ty.Properties)
	}
}

// TestDeploymentInputsAreTheSettings: each cloud's deployment takes exactly that
// cloud's stack settings, secrets marked secret, and outputs the stack outputs.
func TestDeploymentInputsAreTheSettings(t *testing.T) {
	_, spec := schema(t)
	for _, c := range gen.Clouds {
		tok := "pachdeploy:index:" + c.Prefix + "Deployment"
		r := spec.Resources[tok]
		var want, got []string
		for _, k := range gen.CloudKeys(c.Cloud) {
			want = append(want, k.Name)
			if in := r.InputProperties[k.Name]; in.Secret != k.Secret {
				t.Errorf("%s input %s: secret = %v, want %v", tok, k.Name, in.Secret, k.Secret)
			}
		}
		for name := range r.InputProperties {
			got = append(got, name)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s inputs = %v\nwant %v", tok, got, want)
		}
		for _, o := range gen.Outputs {
			if out, ok := r.Properties[o.Name]; !ok || out.Secret != o.Secret {
				t.Errorf("%s output %s: present %v, secret %v; want secret %v", tok, o.Name, ok, out.Secret, o.Secret)
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }

// deploymentCases are one deployment per cloud with settings off the defaults.
var deploymentCases = []struct {
	cloud config.Cloud
	args  any
	new   func(ctx *pulumi.Context, args any) (any, error)
}{
	{config.AWS, &provider.AwsDeploymentArgs{
		Region: ptr("eu-west-1"), Identity: ptr("static-keys"), NodeCount: ptr(3),
		ApiAllowedCidrs: []string{"203.0.113.0/24"}, Tags: map[string]string{"team": "data"},
		EnterpriseLicenseKey: pulumi.ToSecret(pulumi.String("LICENSE-unit")).(pulumi.StringOutput),
	}, func(ctx *pulumi.Context, args any) (any, error) {
		return provider.NewAwsDeployment(ctx, "pachyderm", args.(*provider.AwsDeploymentArgs))
	}},
	{config.GCP, &provider.GcpDeploymentArgs{
		Project: ptr("pachdeploy-unit"), Database: ptr("managed"), PrivateNodes: ptr(true),
	}, func(ctx *pulumi.Context, args any) (any, error) {
		return provider.NewGcpDeployment(ctx, "pachyderm", args.(*provider.GcpDeploymentArgs))
	}},
	{config.Azure, &provider.AzureDeploymentArgs{
		Location: ptr("westeurope"), ContainerName: ptr("pachyderm-data"), EntraIdAuth: ptr(true),
	}, func(ctx *pulumi.Context, args any) (any, error) {
		return provider.NewAzureDeployment(ctx, "pachyderm", args.(*provider.AzureDeploymentArgs))
	}},
}

// kinds are the type and name of every resource in cloud but skipped.
func kinds(cloud *offline.Cloud, skip string) []string {
	var out []string
	for _, r := range cloud.Resources() {
		if r.Type != skip {
			out = append(out, r.Type+" "+r.Name)
		}
	}
	slices.Sort(out)
	return out
}

// TestDeploymentIsTheRootProgram: a deployment component registers the same resources
// (types and names) as the root program for the same settings, all of them under the
// component, and the same outputs.
func TestDeploymentIsTheRootProgram(t *testing.T) {
	for _, tt := range deploymentCases {
		t.Run(string(tt.cloud), func(t *testing.T) {
			raw, err := provider.Settings(context.Background(), tt.args)
			if err != nil {
				t.Fatal(err)
			}
			raw["cloud"] = string(tt.cloud)
			cfg, err := stacks.Settings.Resolve(raw, mocktest.Project, mocktest.Stack)
			if err != nil {
				t.Fatal(err)
			}
			target, _ := stacks.Targets.Lookup(tt.cloud)
			root := mocktest.Run(t, func(ctx *pulumi.Context) error {
				_, err := stacks.Deploy(ctx, cfg)
				return err
			}, target.StandIns)
			var cloudOutput string
			var kubeconfigSecret bool
			component := mocktest.Run(t, func(ctx *pulumi.Context) error {
				d, err := tt.new(ctx, tt.args)
				if err != nil {
					return err
				}
				v := reflect.ValueOf(d).Elem()
				kubeconfigSecret = pulumi.IsSecret(v.FieldByName("Kubeconfig").Interface().(pulumi.StringOutput))
				r, err := internals.UnsafeAwaitOutput(ctx.Context(), v.FieldByName("Cloud").Interface().(pulumi.StringOutput))
				cloudOutput, _ = r.Value.(string)
				return err
			}, target.StandIns)

			typ := "pachdeploy:index:" + strings.ToUpper(string(tt.cloud[0])) + string(tt.cloud[1:]) + "Deployment"
			got, want := kinds(component, typ), kinds(root, "")
			if !slices.Equal(got, want) {
				t.Errorf("the component registers\n%v\nthe root program\n%v", got, want)
			}
			d := mocktest.One(t, component, typ)
			urns := map[string]bool{}
			for _, r := range component.Resources() {
				urns[r.URN] = true
			}
			for _, r := range component.Resources() {
				if r.URN != d.URN && !urns[r.Parent] {
					t.Errorf("%s %s is not under the component (parent %q)", r.Type, r.Name, r.Parent)
				}
			}
			if cloudOutput != string(tt.cloud) || !kubeconfigSecret {
				t.Errorf("outputs: cloud = %q, kubeconfig secret = %v; want %q, true", cloudOutput, kubeconfigSecret, tt.cloud)
			}
		})
	}
}

// TestDeploymentRefusesBadSettings: bad inputs get the stack config's own error, every
// problem at once, and nothing is registered.
func TestDeploymentRefusesBadSettings(t *testing.T) {
	args := &provider.AwsDeploymentArgs{
		NodeCount: ptr(0), ClusterName: ptr("-bad"), ApiAllowedCidrs: []string{"not-a-cidr"},
		EnterpriseLicenseKey: pulumi.ToSecret(pulumi.String("LICENSE-must-not-show")).(pulumi.StringOutput),
	}
	raw, _ := provider.Settings(context.Background(), args)
	raw["cloud"] = "aws"
	_, want := stacks.Settings.Resolve(raw, mocktest.Project, mocktest.Stack)
	if want == nil {
		t.Fatal("the stack config accepts the bad settings")
	}
	cloud := offline.New(mocktest.Project, mocktest.Stack)
	err := cloud.Run(func(ctx *pulumi.Context) error {
		_, err := provider.NewAwsDeployment(ctx, "pachyderm", args)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), want.Error()) {
		t.Fatalf("got %v\nwant the stack config's error:\n%v", err, want)
	}
	for _, field := range []string{"nodeCount = ", "clusterName = ", "apiAllowedCidrs[0] = "} {
		if !strings.Contains(err.Error(), "  - "+field) {
			t.Errorf("error does not name %s:\n%v", field, err)
		}
	}
	if strings.Contains(err.Error(), "LICENSE-must-not-show") {
		t.Errorf("error shows a secret:\n%v", err)
	}
	if n := len(cloud.Resources()); n != 0 {
		t.Errorf("%d resources registered before validation failed", n)
	}
	var nilArgs *provider.AwsDeploymentArgs
	if err := offline.New(mocktest.Project, mocktest.Stack).Run(func(ctx *pulumi.Context) error {
		_, err := provider.NewAwsDeployment(ctx, "pachyderm", nilArgs)
		return err
	}); err == nil {
		t.Error("nil args accepted")
	}
}

// TestDeploymentRefusesUnknownSecrets: a secret input must be known when the deployment
// is built; it is reported with the other problems, at once.
func TestDeploymentRefusesUnknownSecrets(t *testing.T) {
	err := offline.New(mocktest.Project, mocktest.Stack).Run(func(ctx *pulumi.Context) error {
		_, err := provider.NewAwsDeployment(ctx, "pachyderm", &provider.AwsDeploymentArgs{
			NodeCount:            ptr(0),
			EnterpriseLicenseKey: pulumi.UnsafeUnknownOutput(nil).(pulumi.AnyOutput).AsStringOutput(),
		})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "(2 problems)") ||
		!strings.Contains(err.Error(), "  - enterpriseLicenseKey = \"(unknown)\": must be known") ||
		!strings.Contains(err.Error(), "  - nodeCount = \"0\"") {
		t.Fatalf("got %v, want the unknown license and the node count reported together", err)
	}
}

func TestSettings(t *testing.T) {
	got, err := provider.Settings(context.Background(), &provider.GcpDeploymentArgs{
		Region: ptr("europe-west1"), NodeCount: ptr(0), PrivateNodes: ptr(false),
		ApiAllowedCidrs: []string{"10.0.0.0/8", "192.0.2.0/24"}, Tags: map[string]string{"a": "b"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"region": "europe-west1", "nodeCount": "0", "privateNodes": "false",
		"apiAllowedCidrs": `["10.0.0.0/8","192.0.2.0/24"]`, "tags": `{"a":"b"}`,
	}
	if len(got) != len(want) {
		t.Errorf("settings = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

// TestDeploymentOutputsAreTheStackOutputs: the deployments' outputs (gen.Outputs) are
// exactly what the root program exports, with a TLS endpoint (every output set).
func TestDeploymentOutputsAreTheStackOutputs(t *testing.T) {
	cfg, err := stacks.Settings.Resolve(map[string]string{
		"cloud": "aws", "endpoint": "tls", "endpointHostname": "pachyderm.example.com", "endpointTlsSecret": "pachyderm-tls",
	}, mocktest.Project, mocktest.Stack)
	if err != nil {
		t.Fatal(err)
	}
	target, _ := stacks.Targets.Lookup(cfg.Cloud)
	var exported []string
	mocktest.Run(t, func(ctx *pulumi.Context) error {
		outputs, err := stacks.Deploy(ctx, cfg)
		for k := range outputs {
			exported = append(exported, k)
		}
		return err
	}, target.StandIns)
	if len(exported) < 9 {
		t.Fatalf("the root program exported only %v", exported)
	}
	var outputs []string
	for _, o := range gen.Outputs {
		outputs = append(outputs, o.Name)
	}
	slices.Sort(exported)
	slices.Sort(outputs)
	if !slices.Equal(exported, outputs) {
		t.Errorf("the root program exports %v, the deployments output %v", exported, outputs)
	}
}
