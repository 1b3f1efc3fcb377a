package gcp

import (
	"maps"
	"slices"
	"testing"

	"github.com/pachdeploy/pachdeploy/components/gcp/settings"
	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TestDeploy_PrivateNodesOnlyWithAWayOut: deployGCP's nodes are private on the network
// it makes (its Cloud NAT is their way to Docker Hub), public on a network the user
// names unless privateNodes says that network has one; the rules then find only what
// the stack chose, PD-GCP-PRIVATE-NODES naming privateNodes.
func TestDeploy_PrivateNodesOnlyWithAWayOut(t *testing.T) {
	restricted := map[string]string{"apiAllowedCidrs": "203.0.113.0/24"}
	with := func(extra map[string]string) map[string]string {
		m := maps.Clone(restricted)
		maps.Copy(m, extra)
		return m
	}
	ownNetwork := map[string]string{"network": "shared", "subnetwork": "shared-us-central1"}
	tests := []struct {
		name         string
		raw          map[string]string
		networks     int
		privateNodes any // privateClusterConfig.enablePrivateNodes; nil means no block (or no cluster)
		findings     []string
	}{
		{"pachdeploy's network: private nodes", restricted, 1, true, nil},
		{"an existing network: public nodes, and a finding", with(ownNetwork), 0, nil, []string{"PD-GCP-PRIVATE-NODES"}},
		{"an existing network with privateNodes", with(map[string]string{"network": "shared", "subnetwork": "shared-us-central1",
			"privateNodes": "true"}), 0, true, nil},
		{"pachdeploy's network kept public", with(map[string]string{"privateNodes": "false"}), 1, nil, []string{"PD-GCP-PRIVATE-NODES"}},
		{"an existing cluster: no cluster to judge", map[string]string{"existingCluster": "team"}, 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := map[string]string{"cloud": "gcp", "project": "acme-data"}
			maps.Copy(raw, tt.raw)
			cfg, err := config.Targets{settings.Target}.Resolve(raw, "pachdeploy", "dev")
			if err != nil {
				t.Fatal(err)
			}
			cloud := mocktest.Run(t, func(ctx *pulumi.Context) error {
				_, err := deployGCP(ctx, cfg)
				return err
			}, standIns)
			if n := len(cloud.OfType("gcp:compute/network:Network")); n != tt.networks {
				t.Errorf("%d networks made, want %d", n, tt.networks)
			}
			var got any
			for _, c := range cloud.OfType(tCluster) {
				if v, ok := mocktest.Input(t, c, "privateClusterConfig.enablePrivateNodes"); ok {
					got = v.V
				}
			}
			if got != tt.privateNodes {
				t.Errorf("privateClusterConfig.enablePrivateNodes = %v, want %v", got, tt.privateNodes)
			}
			report, err := policy.Evaluate(checks, "gcp", asPolicy(cloud), nil)
			if err != nil {
				t.Fatal(err)
			}
			var rules []string
			for _, f := range report.Findings {
				rules = append(rules, f.Rule)
			}
			if !slices.Equal(rules, tt.findings) {
				t.Errorf("findings = %v, want %v", report.Findings, tt.findings)
			}
		})
	}
}

// TestDeploy_ManagedDatabase_DefaultsPassAllButHA: database: managed adds a Cloud SQL
// instance on pachdeploy's network and hands it to the release; the rules then find only
// the single zone (PD-GCP-SQL-HA). The VPC is kept with the instance, and goes with it
// when destroy deletes the data.
func TestDeploy_ManagedDatabase_DefaultsPassAllButHA(t *testing.T) {
	for _, deleteData := range []bool{false, true} {
		raw := map[string]string{"cloud": "gcp", "project": "acme-data", "apiAllowedCidrs": "203.0.113.0/24",
			"database": "managed"}
		if deleteData {
			raw["deleteDataOnDestroy"] = "true"
		}
		cfg, err := config.Targets{settings.Target}.Resolve(raw, "pachdeploy", "dev")
		if err != nil {
			t.Fatal(err)
		}
		var external bool
		cloud := mocktest.Run(t, func(ctx *pulumi.Context) error {
			in, err := deployGCP(ctx, cfg)
			external = err == nil && in.Database != nil
			return err
		}, standIns)
		if !external {
			t.Errorf("deleteData=%v: no Database in target.Infra", deleteData)
		}
		instance := mocktest.One(t, cloud, tSQLInstance)
		vpc := mocktest.One(t, cloud, "gcp:compute/network:Network")
		if got := mocktest.MustString(t, instance, "settings.ipConfiguration.privateNetwork"); got != vpc.Outputs["selfLink"].StringValue() {
			t.Errorf("private network %q, want pachdeploy's VPC %q", got, vpc.Outputs["selfLink"].StringValue())
		}
		if vpc.RetainOnDelete != !deleteData {
			t.Errorf("deleteData=%v: VPC retainOnDelete = %v", deleteData, vpc.RetainOnDelete)
		}
		report, err := policy.Evaluate(checks, "gcp", asPolicy(cloud), nil)
		if err != nil {
			t.Fatal(err)
		}
		var rules []string
		for _, f := range report.Findings {
			rules = append(rules, f.Rule)
		}
		want := []string{"PD-GCP-SQL-HA"}
		if deleteData {
			want = []string{"PD-GCP-SQL-DELETION-PROTECTION", "PD-GCP-SQL-HA"}
		}
		if !slices.Equal(rules, want) {
			t.Errorf("deleteData=%v: findings = %v, want %v", deleteData, report.Findings, want)
		}
	}
}

// TestDeploy_InClusterDatabase_NoCloudSQL: the default database makes no instance and
// keeps no VPC.
func TestDeploy_InClusterDatabase_NoCloudSQL(t *testing.T) {
	cfg, err := config.Targets{settings.Target}.Resolve(map[string]string{"cloud": "gcp", "project": "acme-data"}, "pachdeploy", "dev")
	if err != nil {
		t.Fatal(err)
	}
	cloud := mocktest.Run(t, func(ctx *pulumi.Context) error {
		in, err := deployGCP(ctx, cfg)
		if err == nil && in.Database != nil {
			t.Error("Database set for the in-cluster database")
		}
		return err
	}, standIns)
	if n := len(cloud.OfType(tSQLInstance)) + len(cloud.OfType(tConnection)); n != 0 {
		t.Errorf("%d Cloud SQL resources for the in-cluster database", n)
	}
	if mocktest.One(t, cloud, "gcp:compute/network:Network").RetainOnDelete {
		t.Error("the VPC is retained without a managed database")
	}
}
