package gen

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/stacks/config"
)

const root = "../../.."

// TestGeneratedFilesCurrent fails when a committed generated file differs from what
// the sources make now: run `make generate` and commit the result.
func TestGeneratedFilesCurrent(t *testing.T) {
	files, err := Files(root)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range files {
		got, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s is stale: run `make generate` and commit it", path)
		}
	}
}

func TestCloudKeys(t *testing.T) {
	names := func(c config.Cloud) []string {
		var out []string
		for _, k := range CloudKeys(c) {
			out = append(out, k.Name)
		}
		return out
	}
	tests := []struct {
		cloud    config.Cloud
		has, not []string
	}{
		{config.AWS, []string{"region", "bucketName", "vpcId", "subnetIds", "endpointCertificateArn", "nodeCount"},
			[]string{"cloud", "location", "containerName", "project", "resourceGroupName"}},
		{config.GCP, []string{"region", "bucketName", "project", "privateNodes", "database"},
			[]string{"cloud", "location", "vpcId", "endpointCertificateArn", "entraIdAuth"}},
		{config.Azure, []string{"location", "containerName", "resourceGroupName", "entraIdAuth", "tags"},
			[]string{"cloud", "region", "bucketName", "vpcId", "project"}},
	}
	for _, tt := range tests {
		got := names(tt.cloud)
		for _, k := range tt.has {
			if !slices.Contains(got, k) {
				t.Errorf("%s: %q missing from %v", tt.cloud, k, got)
			}
		}
		for _, k := range tt.not {
			if slices.Contains(got, k) {
				t.Errorf("%s: %q must not be an input", tt.cloud, k)
			}
		}
	}
}

// Every setting but cloud is an input of some deployment: the package takes the same
// settings as the stack config.
func TestEverySettingIsAnInput(t *testing.T) {
	inputs := map[string]bool{}
	for _, c := range Clouds {
		for _, k := range CloudKeys(c.Cloud) {
			inputs[k.Name] = true
		}
	}
	for _, k := range config.KeySpecs() {
		if k.Name != "cloud" && !inputs[k.Name] {
			t.Errorf("setting %q is no deployment's input", k.Name)
		}
	}
}

func TestSettingDocsNeedsEveryRow(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "| `zone` |") {
			kept = append(kept, line)
		}
	}
	readme := filepath.Join(t.TempDir(), "README.md")
	if err := os.WriteFile(readme, []byte(strings.Join(kept, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := SettingDocs(readme); err == nil || !strings.Contains(err.Error(), `"zone"`) {
		t.Fatalf("a README without the zone row: got %v, want an error naming zone", err)
	}
	docs, err := SettingDocs(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if got := docs["nodeMinCount"]; !strings.Contains(got, "Default: ") || strings.Contains(got, "](") {
		t.Errorf("nodeMinCount doc %q: want a default and no Markdown link", got)
	}
}

func TestClean(t *testing.T) {
	consts := map[string]string{"DefaultPodsCIDR": "10.4.0.0/14"}
	tests := []struct{ text, goName, prop, want string }{
		{"PodsCIDR is the pods'\nrange. Default DefaultPodsCIDR.\n", "PodsCIDR", "podsCidr",
			"podsCidr is the pods' range. Default DefaultPodsCIDR (10.4.0.0/14)."},
		{"Region: A region.\n", "Region", "region", "A region."},
		{"One.\n\nTwo\nlines.\n", "", "", "One.\n\nTwo lines."},
		{"Names DefaultUnknown.", "X", "x", "Names DefaultUnknown."},
	}
	for _, tt := range tests {
		if got := clean(tt.text, tt.goName, tt.prop, consts); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestReadmeShowsTheTestedYAML: the README's YAML example is the program tests/e2e runs.
func TestReadmeShowsTheTestedYAML(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	program, err := os.ReadFile(filepath.Join(root, "tests", "yaml", "aws", "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```yaml\n"+string(program)+"```") {
		t.Error("README.md does not show tests/yaml/aws/Pulumi.yaml as it is")
	}
}
