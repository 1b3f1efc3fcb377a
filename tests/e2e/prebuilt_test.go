package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrebuiltProgramThroughCLI: deploy/prebuilt/Pulumi.yaml has the Go language host
// run `make program`'s binary instead of compiling the program: through bin/pulumi, an
// AWS stack goes up, previews without changes, shows its outputs and is destroyed
// keeping its bucket, the binary found on PATH. The Go language host is the stand-in (bin/testprovider/
// pulumi-language-go): it runs runtime.options.binary with the environment the real
// host gives a program.
func TestPrebuiltProgramThroughCLI(t *testing.T) {
	h := newHarness(t)
	program := filepath.Join(h.root, "bin", "pachdeploy-program")
	if _, err := os.Stat(program); err != nil {
		t.Skip("bin/pachdeploy-program is missing: run `make program`")
	}
	// The harness puts bin/ on PATH, as the project's comment tells users to.
	project := yamlProject(t, mustRead(t, filepath.Join(h.root, "deploy", "prebuilt", "Pulumi.yaml")))
	h.mustCLI(project, "stack", "init", "dev", "--non-interactive")
	h.mustCLI(project, "config", "set", "pachdeploy:cloud", "aws")
	h.mustCLI(project, "config", "set", "pachdeploy:apiAllowedCidrs", "203.0.113.0/24")
	h.mustCLI(project, "config", "set", "--secret", "pachdeploy:enterpriseLicenseKey", licenseKey)
	h.mustCLI(project, "up", "--yes", "--skip-preview", "--non-interactive")
	h.mustCLI(project, "preview", "--expect-no-changes", "--non-interactive")

	var outputs map[string]any
	if err := json.Unmarshal([]byte(h.mustCLI(project, "stack", "output", "--json")), &outputs); err != nil {
		t.Fatal(err)
	}
	if outputs["cloud"] != "aws" || outputs["kubeconfig"] != "[secret]" || outputs["pachctlConnect"] == nil {
		t.Errorf("outputs = %v", outputs)
	}
	if h.count("create", releaseType) != 1 {
		t.Errorf("the release was created %d times, want once", h.count("create", releaseType))
	}
	if export := h.mustCLI(project, "stack", "export"); strings.Contains(export, licenseKey) {
		t.Error("the state holds the license in plaintext")
	}
	h.mustCLI(project, "destroy", "--yes", "--skip-preview", "--non-interactive")
	if len(h.records("aws:s3/bucketV2:BucketV2")) == 0 {
		t.Error("destroy deleted the data bucket")
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
