package settings

import (
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/stacks/config"
)

// resolve resolves raw GCP settings with this target alone.
func resolve(raw map[string]string) (*config.Config, error) {
	all := map[string]string{"cloud": "gcp", "project": "acme-data"}
	for k, v := range raw {
		all[k] = v
	}
	return config.Targets{Target}.Resolve(all, "pachdeploy", "dev")
}

func TestPrivateNodes_DefaultFollowsWhoMakesTheNetwork(t *testing.T) {
	own := map[string]string{"network": "default", "subnetwork": "default"}
	tests := []struct {
		name string
		raw  map[string]string
		want bool
	}{
		{"pachdeploy's network, with Cloud NAT: private", nil, true},
		{"an existing network, egress unknown: public", own, false},
		{"an existing network with its own NAT, asked for", map[string]string{"network": "default", "subnetwork": "default", "privateNodes": "true"}, true},
		{"pachdeploy's network, kept public (a cluster made before private nodes)", map[string]string{"privateNodes": "false"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := resolve(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if got := PrivateNodes(c); got != tt.want {
				t.Errorf("PrivateNodes = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPrivateNodes_RefusedWithExistingCluster(t *testing.T) {
	_, err := resolve(map[string]string{"existingCluster": "team", "privateNodes": "true"})
	if err == nil || !strings.Contains(err.Error(), "privateNodes") || !strings.Contains(err.Error(), "existingCluster") {
		t.Fatalf("err = %v, want privateNodes refused with existingCluster", err)
	}
	if _, err := resolve(map[string]string{"existingCluster": "team"}); err != nil {
		t.Errorf("existingCluster alone: %v", err)
	}
}

func TestDatabaseTier(t *testing.T) {
	tests := []struct {
		tier string
		ok   bool
	}{
		{DefaultDatabaseInstanceType, true},
		{"db-custom-1-3840", true},
		{"db-custom-4-26624", true},      // 6.5 GB per vCPU
		{"db-custom-96-368640", true},    // 3.75 GB per vCPU
		{"db-perf-optimized-N-8", true},  // Enterprise Plus
		{"db-f1-micro", false},           // shared core, no SLA
		{"db-g1-small", false},           // shared core, no SLA
		{"db-n1-standard-2", false},      // MySQL only
		{"db-custom-3-11520", false},     // odd vCPUs above 1
		{"db-custom-98-368640", false},   // more than 96 vCPUs
		{"db-custom-2-7000", false},      // not a multiple of 256 MB
		{"db-custom-1-7168", false},      // more than 6.5 GB per vCPU
		{"db-custom-2-3584", false},      // less than 3840 MB
		{"db-custom-32-26624", false},    // less than 0.9 GB per vCPU
		{"db-perf-optimized-N-6", false}, // no such size
		{"n2-standard-4", false},         // a GCE machine type
	}
	for _, tt := range tests {
		if err := DatabaseTier(tt.tier); (err == nil) != tt.ok {
			t.Errorf("DatabaseTier(%q) = %v, want ok=%v", tt.tier, err, tt.ok)
		}
	}
	for tier, want := range map[string]string{DefaultDatabaseInstanceType: EditionEnterprise, "db-perf-optimized-N-2": EditionEnterprisePlus} {
		if got := DatabaseEdition(tier); got != want {
			t.Errorf("DatabaseEdition(%q) = %s, want %s", tier, got, want)
		}
	}
}

func TestManagedDatabase_Settings(t *testing.T) {
	tests := []struct {
		name  string
		raw   map[string]string
		wrong []string // settings the error must name; none means valid
	}{
		{"defaults on pachdeploy's network", map[string]string{"database": "managed"}, nil},
		{"a network of yours", map[string]string{"database": "managed", "network": "shared", "subnetwork": "shared-us-central1"},
			[]string{"database"}},
		{"a shared-core tier", map[string]string{"database": "managed", "databaseInstanceType": "db-f1-micro"},
			[]string{"databaseInstanceType"}},
		{"in-cluster on a network of yours", map[string]string{"network": "shared", "subnetwork": "shared-us-central1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := resolve(tt.raw)
			if len(tt.wrong) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if tt.raw["database"] == "managed" && c.DatabaseInstanceType != DefaultDatabaseInstanceType {
					t.Errorf("databaseInstanceType %q, want %q", c.DatabaseInstanceType, DefaultDatabaseInstanceType)
				}
				return
			}
			for _, w := range tt.wrong {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want it to name %s", err, w)
				}
			}
		})
	}
}

func TestGPUNodeSettings(t *testing.T) {
	for _, tc := range []struct {
		name    string
		raw     map[string]string
		wantMax int
		// want is "" for no problem, else text the problem with key must hold.
		key, want string
	}{
		{"no GPU pool", map[string]string{}, 0, "", ""},
		{"a G2 type: at most 2 nodes", map[string]string{"gpuNodeInstanceType": "g2-standard-8"}, 2, "", ""},
		{"an A2 type and a maximum", map[string]string{"gpuNodeInstanceType": "a2-highgpu-1g", "gpuNodeMaxCount": "4"}, 4, "", ""},
		{"N1 with an attached T4", map[string]string{"gpuNodeInstanceType": "n1-standard-8"}, 0, "gpuNodeInstanceType", "N1 machines"},
		{"a CPU type", map[string]string{"gpuNodeInstanceType": "n2-standard-4"}, 0, "gpuNodeInstanceType", "like g2-standard-8"},
		{"more than 100 nodes", map[string]string{"gpuNodeInstanceType": "g2-standard-8", "gpuNodeMaxCount": "101"}, 0,
			"gpuNodeMaxCount", "at most 100"},
		{"on an existing cluster", map[string]string{"existingCluster": "team", "gpuNodeInstanceType": "g2-standard-8"}, 0,
			"gpuNodeInstanceType", `with existingCluster "team" the cluster is used as it is`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := resolve(tc.raw)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.GPUNodeMaxCount != tc.wantMax {
					t.Errorf("gpuNodeMaxCount = %d, want %d", c.GPUNodeMaxCount, tc.wantMax)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.key+" = ") || !strings.Contains(err.Error(), tc.want) ||
				strings.Count(err.Error(), "\n  - ") != 1 {
				t.Errorf("err = %v, want one %s problem saying %q", err, tc.key, tc.want)
			}
		})
	}
}

func TestGPUAccelerator(t *testing.T) {
	for _, tc := range []struct {
		machine string
		want    Accelerator
	}{
		{"g2-standard-4", Accelerator{"nvidia-l4", 1}},
		{"g2-standard-24", Accelerator{"nvidia-l4", 2}},
		{"g2-standard-96", Accelerator{"nvidia-l4", 8}},
		{"a2-highgpu-4g", Accelerator{"nvidia-tesla-a100", 4}},
		{"a2-megagpu-16g", Accelerator{"nvidia-tesla-a100", 16}},
		{"a2-ultragpu-8g", Accelerator{"nvidia-a100-80gb", 8}},
		{"a3-highgpu-1g", Accelerator{"nvidia-h100-80gb", 1}},
		{"a3-edgegpu-8g", Accelerator{"nvidia-h100-80gb", 8}},
		{"a3-megagpu-8g", Accelerator{"nvidia-h100-mega-80gb", 8}},
		{"a3-ultragpu-8g", Accelerator{"nvidia-h200-141gb", 8}},
		{"g2-standard-6", Accelerator{}},
		{"a2-highgpu", Accelerator{}},
		{"n1-standard-4", Accelerator{}},
	} {
		t.Run(tc.machine, func(t *testing.T) {
			got, err := GPUAccelerator(tc.machine)
			if got != tc.want || (err == nil) != (tc.want != Accelerator{}) {
				t.Errorf("GPUAccelerator = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}
