package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"sigs.k8s.io/yaml"

	"github.com/pachdeploy/pachdeploy/stacks"
)

// The pachdeploy package through the real CLI: bin/pulumi runs the YAML programs of
// tests/yaml with bin/pulumi-language-yaml, which reaches the components through
// bin/pulumi-resource-pachdeploy; the stand-in providers play the clouds.

// packageTools skips the test unless make built what the package tests need.
func packageTools(t *testing.T, h *harness) {
	t.Helper()
	for _, name := range []string{"pulumi-language-yaml", "pulumi-resource-pachdeploy"} {
		if _, err := os.Stat(filepath.Join(h.root, "bin", name)); err != nil {
			t.Skipf("bin/%s is missing: run `make tools provider`", name)
		}
	}
}

// cli runs bin/pulumi in dir with the harness's environment and returns its combined
// output and error.
func (h *harness) cli(dir string, args ...string) (string, error) {
	h.t.Helper()
	cmd := exec.Command(filepath.Join(h.root, "bin", "pulumi"), args...)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	for k, v := range h.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// mustCLI is cli that fails the test on an error.
func (h *harness) mustCLI(dir string, args ...string) string {
	h.t.Helper()
	out, err := h.cli(dir, args...)
	if err != nil {
		h.t.Fatalf("pulumi %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// yamlProject copies tests/yaml/<cloud>/Pulumi.yaml (or the given program) into a
// fresh directory, so the run writes no stack file into the repository.
func yamlProject(t *testing.T, program []byte) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), program, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// yamlProgram is a YAML program's one deployment resource.
type yamlProgram struct {
	Resources map[string]struct {
		Type       string         `json:"type"`
		Properties map[string]any `json:"properties"`
	} `json:"resources"`
}

// settingsOf reads the settings a YAML program gives its deployment, as stack config
// holds them (text; lists and maps as JSON), with cloud.
func settingsOf(t *testing.T, program []byte, cloud string) map[string]string {
	t.Helper()
	var p yamlProgram
	if err := yaml.Unmarshal(program, &p); err != nil {
		t.Fatal(err)
	}
	r, ok := p.Resources["pachyderm"]
	if !ok {
		t.Fatal("the program has no resource named pachyderm")
	}
	settings := map[string]string{"cloud": cloud}
	for k, v := range r.Properties {
		switch v := v.(type) {
		case string:
			settings[k] = v
		case float64:
			settings[k] = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			settings[k] = strconv.FormatBool(v)
		default:
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			settings[k] = string(b)
		}
	}
	return settings
}

// exported lists "type name" of every resource in a stack export, without the stack,
// the providers' defaults and the skipped types.
func exported(t *testing.T, export []byte, skip ...string) []string {
	t.Helper()
	var state struct {
		Deployment struct {
			Resources []struct {
				URN  string `json:"urn"`
				Type string `json:"type"`
			} `json:"resources"`
		} `json:"deployment"`
	}
	if err := json.Unmarshal(export, &state); err != nil {
		t.Fatalf("stack export: %v", err)
	}
	var out []string
	for _, r := range state.Deployment.Resources {
		name := r.URN[strings.LastIndex(r.URN, "::")+2:]
		if r.Type == "pulumi:pulumi:Stack" || strings.HasPrefix(name, "default") && strings.HasPrefix(r.Type, "pulumi:providers:") ||
			slices.Contains(skip, r.Type) {
			continue
		}
		out = append(out, r.Type+" "+name)
	}
	slices.Sort(out)
	return out
}

// TestPackageSchemaThroughCLI: `pulumi package get-schema` on the built provider prints
// the schema the provider's golden test holds.
func TestPackageSchemaThroughCLI(t *testing.T) {
	h := newHarness(t)
	packageTools(t, h)
	out := h.mustCLI(t.TempDir(), "package", "get-schema", filepath.Join(h.root, "bin", "pulumi-resource-pachdeploy"))
	want, err := os.ReadFile(filepath.Join(h.root, "provider", "testdata", "schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got, golden any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("get-schema printed no JSON: %v\n%.2000s", err, out)
	}
	if err := json.Unmarshal(want, &golden); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, golden) {
		t.Error("the built provider's schema differs from provider/testdata/schema.json: rebuild it (make provider) or update the golden")
	}
}

// TestPackageYAMLLifecycle: each cloud's YAML program goes through preview, up, a
// second preview with no changes and destroy on the real CLI; the deployment registers
// the same resources as the Go program with the same settings; destroy keeps the bucket.
func TestPackageYAMLLifecycle(t *testing.T) {
	cases := []struct {
		cloud, component, bucket string
	}{
		{"aws", "pachdeploy:index:AwsDeployment", "aws:s3/bucketV2:BucketV2"},
		{"gcp", "pachdeploy:index:GcpDeployment", "gcp:storage/bucket:Bucket"},
		{"azure", "pachdeploy:index:AzureDeployment", "azure-native:storage:BlobContainer"},
	}
	for _, tt := range cases {
		t.Run(tt.cloud, func(t *testing.T) {
			h := newHarness(t)
			packageTools(t, h)
			program, err := os.ReadFile(filepath.Join(h.root, "tests", "yaml", tt.cloud, "Pulumi.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			dir := yamlProject(t, program)
			h.mustCLI(dir, "stack", "init", "dev", "--non-interactive")

			preview := h.mustCLI(dir, "preview", "--non-interactive")
			if !strings.Contains(preview, tt.component) {
				t.Errorf("preview does not show %s:\n%s", tt.component, preview)
			}
			h.mustCLI(dir, "up", "--yes", "--skip-preview", "--non-interactive")
			h.mustCLI(dir, "preview", "--expect-no-changes", "--non-interactive")

			var outputs map[string]any
			if err := json.Unmarshal([]byte(h.mustCLI(dir, "stack", "output", "--json")), &outputs); err != nil {
				t.Fatal(err)
			}
			if outputs["kubeconfig"] != "[secret]" || outputs["bucket"] == "" || outputs["pachdAddress"] == "" {
				t.Errorf("outputs: %v (want kubeconfig secret, bucket and pachdAddress set)", outputs)
			}
			yamlState := exported(t, []byte(h.mustCLI(dir, "stack", "export")), tt.component)

			// The same settings through the Go program, in a stack of the same name.
			g := newHarness(t)
			ctx := context.Background()
			s := g.stack(ctx, "dev", settingsOf(t, program, tt.cloud))
			if _, err := s.Up(ctx, optup.SuppressProgress()); err != nil {
				t.Fatalf("Go program up: %v", err)
			}
			export, err := s.Export(ctx)
			if err != nil {
				t.Fatal(err)
			}
			goState := exported(t, []byte(fmt.Sprintf(`{"deployment":%s}`, export.Deployment)))
			if len(goState) < 20 {
				t.Fatalf("the Go program's state holds %d resources: %v", len(goState), goState)
			}
			if !slices.Equal(yamlState, goState) {
				t.Errorf("the YAML deployment registers\n%s\nthe Go program\n%s",
					strings.Join(yamlState, "\n"), strings.Join(goState, "\n"))
			}

			h.mustCLI(dir, "destroy", "--yes", "--skip-preview", "--non-interactive")
			if n := len(h.records(tt.bucket)); n == 0 {
				t.Errorf("destroy deleted the %s: the data bucket must be kept", tt.bucket)
			}
		})
	}
}

// TestPackageBadInput: a deployment with bad settings fails the preview with the stack
// config's own error, every problem named, and nothing is created.
func TestPackageBadInput(t *testing.T) {
	h := newHarness(t)
	packageTools(t, h)
	program := []byte(`name: pachdeploy
runtime: yaml
resources:
  pachyderm:
    type: pachdeploy:index:AwsDeployment
    properties:
      region: us-west-2
      nodeCount: 0
      clusterName: -bad
      apiAllowedCidrs: ["not-a-cidr"]
      enterpriseLicenseKey:
        fn::secret: LICENSE-must-not-show
`)
	dir := yamlProject(t, program)
	h.mustCLI(dir, "stack", "init", "dev", "--non-interactive")
	out, err := h.cli(dir, "preview", "--non-interactive")
	if err == nil {
		t.Fatalf("preview accepted bad settings:\n%s", out)
	}
	settings := map[string]string{"cloud": "aws", "region": "us-west-2", "nodeCount": "0", "clusterName": "-bad",
		"apiAllowedCidrs": `["not-a-cidr"]`, "enterpriseLicenseKey": "LICENSE-must-not-show"}
	_, want := stacks.Settings.Resolve(settings, "pachdeploy", "dev")
	if want == nil {
		t.Fatal("the stack config accepts the bad settings")
	}
	for _, line := range strings.Split(want.Error(), "\n") {
		if !strings.Contains(out, strings.TrimSpace(line)) {
			t.Errorf("the CLI output lacks %q:\n%s", strings.TrimSpace(line), out)
		}
	}
	if strings.Contains(out, "LICENSE-must-not-show") {
		t.Errorf("the output shows the secret:\n%s", out)
	}
	if ops := h.ops(); slices.ContainsFunc(ops, func(o op) bool { return o.Op == "create" }) {
		t.Errorf("resources were created: %v", ops)
	}
}

// TestPackageYAMLBuildingBlocks: the AWS building blocks wired by hand in YAML
// (tests/yaml/aws-blocks) deploy, stay unchanged on a second preview and destroy,
// keeping the bucket.
func TestPackageYAMLBuildingBlocks(t *testing.T) {
	h := newHarness(t)
	packageTools(t, h)
	program, err := os.ReadFile(filepath.Join(h.root, "tests", "yaml", "aws-blocks", "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := yamlProject(t, program)
	h.mustCLI(dir, "stack", "init", "dev", "--non-interactive")
	h.mustCLI(dir, "config", "set", "aws:region", "us-west-2")
	h.mustCLI(dir, "up", "--yes", "--skip-preview", "--non-interactive")
	h.mustCLI(dir, "preview", "--expect-no-changes", "--non-interactive")
	for _, typ := range []string{"aws:eks/cluster:Cluster", "aws:s3/bucketV2:BucketV2", "aws:iam/role:Role", releaseType} {
		if h.count("create", typ) == 0 {
			t.Errorf("no %s was created", typ)
		}
	}
	state := exported(t, []byte(h.mustCLI(dir, "stack", "export")))
	for _, want := range []string{"pachdeploy:aws:Network network", "pachdeploy:pachyderm:Pachyderm pachyderm",
		"pulumi:providers:kubernetes pachyderm"} {
		if !slices.Contains(state, want) {
			t.Errorf("state lacks %q:\n%s", want, strings.Join(state, "\n"))
		}
	}
	h.mustCLI(dir, "destroy", "--yes", "--skip-preview", "--non-interactive")
	if len(h.records("aws:s3/bucketV2:BucketV2")) == 0 {
		t.Error("destroy deleted the data bucket")
	}
}
