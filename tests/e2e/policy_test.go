package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCLIUpFailOnHigh runs the acceptance through the engine: each example
// stack (apiAllowedCidrs set, the rest fixed or waived with a reason) passes
// `up --fail-on high` on the real program and its stand-in cloud, the preview's check
// seeing the engine's inputs (secrets there too); the bare defaults, whose API is open
// to every address, are refused with exit 4 before anything is created.
func TestCLIUpFailOnHigh(t *testing.T) {
	for _, cloud := range []string{"aws", "gcp", "azure"} {
		t.Run(cloud, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			h := newHarness(t)
			code, _, stderr := h.run(ctx, "up", "--stack", "open", "--cloud", cloud, "--fail-on", "high", "--yes")
			if code != 4 || !strings.Contains(stderr, "-API-OPEN") || !strings.Contains(stderr, "apiAllowedCidrs") {
				t.Errorf("bare defaults: exit %d, want 4 naming the open API and apiAllowedCidrs: %s", code, stderr)
			}
			for _, o := range h.ops() {
				if o.Op == "create" && !o.Preview {
					t.Fatalf("a refused up created %s", o.Type)
				}
			}
			example := filepath.Join(repoRoot(t), "stacks", "examples", "Pulumi."+cloud+"-example.yaml")
			code, out, stderr := h.run(ctx, "up", "--stack", "example", "--config", example, "--fail-on", "high", "--yes")
			if code != 0 {
				t.Fatalf("example stack: exit %d\n%s\n%s", code, out, stderr)
			}
			if h.count("create", releaseType) != 1 {
				t.Errorf("the example stack's up did not install Pachyderm")
			}
			assertNoSecret(t, "up output", out+stderr)
		})
	}
}
