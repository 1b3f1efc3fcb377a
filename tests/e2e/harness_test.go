// Package e2e drives the real Pulumi engine (bin/pulumi, built by `make tools`) over
// pachdeploy's program with the stand-in providers in bin/: diffs, replacements,
// secrets in state, retained resources, failed and repeated updates.
package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/stacks"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

const passphrase = "e2e-passphrase"

// repoRoot is the module root (two levels up from tests/e2e).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// harness is one isolated engine setup: its own PULUMI_HOME, file backend, stand-in
// cloud state and provider log.
type harness struct {
	t                          *testing.T
	root, backend, state, logf string
	env                        map[string]string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	if testing.Short() {
		t.Skip("engine-level test: skipped with -short")
	}
	root := repoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "bin", "pulumi")); err != nil {
		t.Skip("bin/pulumi is missing: run `make tools` to build the Pulumi CLI and the stand-in providers")
	}
	dir := t.TempDir()
	h := &harness{t: t, root: root,
		backend: "file://" + filepath.Join(dir, "backend"),
		state:   filepath.Join(dir, "cloud"),
		logf:    filepath.Join(dir, "provider.log"),
	}
	os.MkdirAll(filepath.Join(dir, "backend"), 0o755)
	h.env = map[string]string{
		"PULUMI_HOME":                                 filepath.Join(dir, "home"),
		"PULUMI_CONFIG_PASSPHRASE":                    passphrase,
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"PULUMI_BACKEND_URL":                          h.backend,
		"PACHDEPLOY_TESTPROVIDER_STATE":               h.state,
		"PACHDEPLOY_TESTPROVIDER_LOG":                 h.logf,
		// The stand-ins live in bin/testprovider, apart from bin/pulumi, so only tests find them.
		"PATH": strings.Join([]string{filepath.Join(root, "bin", "testprovider"), filepath.Join(root, "bin"), os.Getenv("PATH")},
			string(os.PathListSeparator)),
	}
	return h
}

// stack creates or selects stack name running pachdeploy's program inline, with the
// given pachdeploy settings (secret when the key is in secrets).
func (h *harness) stack(ctx context.Context, name string, settings map[string]string, secrets ...string) auto.Stack {
	h.t.Helper()
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: h.root})
	if err != nil {
		h.t.Fatal(err)
	}
	s, err := auto.UpsertStackInlineSource(ctx, name, "pachdeploy", stacks.Run,
		auto.Project(workspace.Project{
			Name:    "pachdeploy",
			Runtime: workspace.NewProjectRuntimeInfo("go", nil),
			Backend: &workspace.ProjectBackend{URL: h.backend},
		}),
		auto.Pulumi(cmd),
		auto.EnvVars(h.env),
		auto.SecretsProvider("passphrase"),
		auto.WorkDir(h.t.TempDir()),
	)
	if err != nil {
		h.t.Fatalf("stack %s: %v", name, err)
	}
	h.configure(ctx, s, settings, secrets...)
	return s
}

func (h *harness) configure(ctx context.Context, s auto.Stack, settings map[string]string, secrets ...string) {
	h.t.Helper()
	cm := auto.ConfigMap{}
	for k, v := range settings {
		secret := false
		for _, sk := range secrets {
			secret = secret || sk == k
		}
		cm["pachdeploy:"+k] = auto.ConfigValue{Value: v, Secret: secret}
	}
	if err := s.SetAllConfig(ctx, cm); err != nil {
		h.t.Fatal(err)
	}
}

// op is one line of the stand-in providers' log.
type op struct {
	Pkg, Op, Type, URN string
	Preview            bool
}

// ops reads the provider log.
func (h *harness) ops() []op {
	h.t.Helper()
	f, err := os.Open(h.logf)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		h.t.Fatal(err)
	}
	defer f.Close()
	var out []op
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var o op
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			h.t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		out = append(out, o)
	}
	return out
}

// count counts logged operations of kind opName on type typ.
func (h *harness) count(opName, typ string) int {
	n := 0
	for _, o := range h.ops() {
		if o.Op == opName && o.Type == typ && !o.Preview {
			n++
		}
	}
	return n
}

// cloudRecord is a stand-in provider's stored resource.
type cloudRecord struct {
	Type    string          `json:"type"`
	ID      string          `json:"id"`
	Outputs json.RawMessage `json:"outputs"`
}

// records returns the stand-in cloud's live resources of type typ.
func (h *harness) records(typ string) []cloudRecord {
	h.t.Helper()
	files, _ := filepath.Glob(filepath.Join(h.state, "*.json"))
	var out []cloudRecord
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			h.t.Fatal(err)
		}
		var r cloudRecord
		if err := json.Unmarshal(b, &r); err != nil {
			h.t.Fatalf("%s: %v", f, err)
		}
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// strings collects every string in the stand-in cloud's outputs of type typ under key.
func (h *harness) outputStrings(typ, key string) []string {
	var out []string
	for _, r := range h.records(typ) {
		var m map[string]any
		if err := json.Unmarshal(r.Outputs, &m); err != nil {
			h.t.Fatal(err)
		}
		collect(m[key], &out)
	}
	return out
}

func collect(v any, out *[]string) {
	switch t := v.(type) {
	case string:
		if len(t) >= 8 && !strings.HasPrefix(t, "1b47061264138c4ac30d75fd1eb44270") {
			*out = append(*out, t)
		}
	case map[string]any:
		for _, e := range t {
			collect(e, out)
		}
	case []any:
		for _, e := range t {
			collect(e, out)
		}
	}
}

// export runs `pulumi stack export` as a user would (without --show-secrets).
func (h *harness) export(ctx context.Context, s auto.Stack) string {
	h.t.Helper()
	cmd := exec.CommandContext(ctx, filepath.Join(h.root, "bin", "pulumi"), "stack", "export", "--stack", s.Name())
	cmd.Dir = s.Workspace().WorkDir()
	cmd.Env = os.Environ()
	for k, v := range h.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		h.t.Fatalf("stack export: %v\n%s", err, out)
	}
	return string(out)
}

// previewOps runs a preview and returns the operations per resource URN.
func previewOps(ctx context.Context, t *testing.T, s auto.Stack) (map[string][]apitype.OpType, map[string]string, auto.PreviewResult) {
	t.Helper()
	ch := make(chan events.EngineEvent)
	ops := map[string][]apitype.OpType{}
	types := map[string]string{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range ch {
			if e.ResourcePreEvent != nil {
				m := e.ResourcePreEvent.Metadata
				ops[m.URN] = append(ops[m.URN], m.Op)
				types[m.URN] = m.Type
			}
		}
	}()
	res, err := s.Preview(ctx, optpreview.EventStreams(ch))
	<-done
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
	return ops, types, res
}
