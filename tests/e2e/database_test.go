package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// managedDatabase is each cloud's managed PostgreSQL server type.
var managedDatabase = map[string]string{
	"aws":   "aws:rds/instance:Instance",
	"gcp":   "gcp:sql/databaseInstance:DatabaseInstance",
	"azure": "azure-native:dbforpostgresql/v20240801:Server",
}

// TestCLIManagedDatabaseKeptUnlessDeleteData: per cloud, `up` of the production example
// (`database: managed`, `endpoint: tls`) makes the managed server, installs Pachyderm
// without the in-cluster database and outputs the TLS endpoint; `destroy` deletes the cluster but keeps the server and
// the bucket; on a second stack `destroy --delete-data` deletes both.
func TestCLIManagedDatabaseKeptUnlessDeleteData(t *testing.T) {
	for _, c := range cloudCases {
		t.Run(c.cloud, func(t *testing.T) {
			example := filepath.Join(repoRoot(t), "stacks", "examples", "Pulumi."+c.cloud+"-production.yaml")
			db := managedDatabase[c.cloud]
			for _, deleteData := range []bool{false, true} {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
				defer cancel()
				h := newHarness(t)
				if code, out, stderr := h.run(ctx, "up", "--stack", "prod", "--config", example, "--fail-on", "high", "--yes"); code != 0 {
					t.Fatalf("up: exit %d\n%s\n%s", code, out, stderr)
				}
				// The production example's TLS endpoint: the outputs use it, and its DNS name
				// is the load balancer's address.
				if code, out, stderr := h.run(ctx, "outputs", "--stack", "prod"); code != 0 ||
					!strings.Contains(out, "grpcs://pachyderm.example.com:443") || !strings.Contains(out, ".lb.example.com") {
					t.Errorf("outputs: exit %d\n%s\n%s", code, out, stderr)
				}
				if n := len(h.records(db)); n != 1 {
					t.Fatalf("%d %s after up, want 1", n, db)
				}
				release := h.records(releaseType)
				var values struct {
					Values struct {
						Postgresql struct {
							Enabled *bool `json:"enabled"`
						} `json:"postgresql"`
					} `json:"values"`
				}
				if len(release) != 1 || json.Unmarshal(release[0].Outputs, &values) != nil ||
					values.Values.Postgresql.Enabled == nil || *values.Values.Postgresql.Enabled {
					t.Fatalf("the release does not turn the in-cluster database off: %d releases", len(release))
				}
				args := []string{"destroy", "--stack", "prod", "--yes"}
				if deleteData {
					args = append(args, "--delete-data")
				}
				if code, out, stderr := h.run(ctx, args...); code != 0 {
					t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, stderr)
				}
				if h.count("delete", c.cluster) == 0 {
					t.Errorf("%v did not delete the cluster", args)
				}
				for _, typ := range []string{db, c.data[0]} {
					left := len(h.records(typ))
					if deleteData && left != 0 {
						t.Errorf("destroy --delete-data left %d %s", left, typ)
					}
					if !deleteData && left == 0 {
						t.Errorf("destroy deleted the %s: the data must be kept", typ)
					}
				}
			}
		})
	}
}
