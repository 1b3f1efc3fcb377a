//go:build bench

package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pachdeploy/pachdeploy/automation"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// settings are each cloud's stack settings: the defaults, with what the cloud requires.
var settings = map[config.Cloud]*config.Config{
	config.AWS:   {Cloud: config.AWS},
	config.GCP:   {Cloud: config.GCP, GCP: config.GCPConfig{Project: "pachdeploy-bench"}},
	config.Azure: {Cloud: config.Azure},
}

// engine is one isolated engine setup: its own PULUMI_HOME, file backend and state
// directory, and the stand-in providers with the given latencies. The driver runs the
// repository's bin/pulumi through a wrapper script that counts its runs.
type engine struct {
	root, count string
	env         map[string]string
	opts        []automation.Option
}

// newEngine sets up an engine in a temp directory; it skips the benchmark when bin/pulumi
// or the stand-ins are missing.
func newEngine(b *testing.B, latency map[string]time.Duration) *engine {
	b.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range []string{"bin/pulumi", "bin/testprovider/pulumi-resource-stand-in"} {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			b.Skipf("%s is missing: run `make tools` to build the Pulumi CLI and the stand-in providers", p)
		}
	}
	dir := b.TempDir()
	e := &engine{root: root, count: filepath.Join(dir, "pulumi-runs")}
	// automation takes the CLI as a .../bin/pulumi path.
	wrapper := filepath.Join(dir, "bin", "pulumi")
	script := fmt.Sprintf("#!/bin/sh\necho >>'%s'\nexec '%s' \"$@\"\n", e.count, filepath.Join(root, "bin", "pulumi"))
	if err := os.MkdirAll(filepath.Dir(wrapper), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		b.Fatal(err)
	}
	var lat []string
	for typ, d := range latency {
		lat = append(lat, typ+"="+d.String())
	}
	e.env = map[string]string{
		"PULUMI_HOME":                                 filepath.Join(dir, "home"),
		automation.EnvPassphrase:                      "bench-passphrase",
		"PULUMI_BACKEND_URL":                          "file://" + filepath.Join(dir, "backend"),
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"PACHDEPLOY_TESTPROVIDER_LATENCY":             strings.Join(lat, ","),
		"PATH": strings.Join([]string{filepath.Join(root, "bin", "testprovider"), filepath.Join(root, "bin"), os.Getenv("PATH")},
			string(os.PathListSeparator)),
	}
	e.opts = []automation.Option{automation.WithPulumiCommand(wrapper), automation.WithStateDir(filepath.Join(dir, "state")),
		automation.WithEnv(e.env)}
	return e
}

// runs is how many times the Pulumi CLI has run in this engine.
func (e *engine) runs(b *testing.B) int {
	b.Helper()
	out, err := os.ReadFile(e.count)
	if err != nil && !os.IsNotExist(err) {
		b.Fatal(err)
	}
	return strings.Count(string(out), "\n")
}

// export reads stack's state as `pulumi stack export` prints it (run directly, not
// through the counting wrapper).
func (e *engine) export(ctx context.Context, b *testing.B, stack string) *apitype.DeploymentV3 {
	b.Helper()
	cmd := exec.CommandContext(ctx, filepath.Join(e.root, "bin", "pulumi"), "stack", "export", "--non-interactive",
		"--stack", "organization/"+automation.Project+"/"+stack)
	cmd.Dir = b.TempDir()
	cmd.Env = os.Environ()
	for k, v := range e.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("stack export: %v\n%s", err, stderr.String())
	}
	var u apitype.UntypedDeployment
	d := &apitype.DeploymentV3{}
	if err := json.Unmarshal(out, &u); err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(u.Deployment, d); err != nil {
		b.Fatal(err)
	}
	return d
}
