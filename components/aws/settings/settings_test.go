package settings

import (
	"errors"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/stacks/config"
)

// resolve resolves raw AWS settings with this target alone.
func resolve(raw map[string]string) (*config.Config, error) {
	all := map[string]string{"cloud": "aws"}
	for k, v := range raw {
		all[k] = v
	}
	return config.Targets{Target}.Resolve(all, "pachdeploy", "dev")
}

func TestDatabaseInstanceType(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  map[string]string
		want string // the problem's message, "" when valid
	}{
		{"the default", map[string]string{"database": "managed"}, ""},
		{"a larger class", map[string]string{"database": "managed", "databaseInstanceType": "db.r7g.2xlarge"}, ""},
		{"an EC2 type", map[string]string{"database": "managed", "databaseInstanceType": "m5.large"}, "RDS classes start with db."},
		{"a Cloud SQL tier", map[string]string{"database": "managed", "databaseInstanceType": "db-custom-2-7680"}, "db.FAMILY.SIZE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := resolve(tc.raw)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.DatabaseInstanceType == "" {
					t.Error("databaseInstanceType left empty")
				}
				return
			}
			var re *rules.Error
			if !errors.As(err, &re) || len(re.Problems) != 1 || re.Problems[0].Field != "databaseInstanceType" ||
				!strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one databaseInstanceType problem saying %q", err, tc.want)
			}
		})
	}
}

func TestGPUNodeSettings(t *testing.T) {
	for _, tc := range []struct {
		name    string
		raw     map[string]string
		wantMax int
		// field and want name the one problem expected, "" for none.
		field, want string
	}{
		{"no GPU pool", map[string]string{}, 0, "", ""},
		{"a GPU type: at most 2 nodes", map[string]string{"gpuNodeInstanceType": "g6.xlarge"}, 2, "", ""},
		{"a GPU type and a maximum", map[string]string{"gpuNodeInstanceType": "p4d.24xlarge", "gpuNodeMaxCount": "8"}, 8, "", ""},
		{"a CPU type", map[string]string{"gpuNodeInstanceType": "m5.large"}, 0, "gpuNodeInstanceType", "like g6.xlarge"},
		{"a GCP GPU type", map[string]string{"gpuNodeInstanceType": "g2-standard-8"}, 0, "gpuNodeInstanceType", "is a GCP machine type"},
		{"more than 100 nodes", map[string]string{"gpuNodeInstanceType": "g6.xlarge", "gpuNodeMaxCount": "101"}, 0, "gpuNodeMaxCount", "at most 100"},
		{"a maximum without a type", map[string]string{"gpuNodeMaxCount": "3"}, 0, "gpuNodeMaxCount", "set gpuNodeInstanceType"},
		{"on an existing cluster", map[string]string{"existingCluster": "team", "gpuNodeInstanceType": "g6.xlarge"}, 0,
			"gpuNodeInstanceType", `with existingCluster "team" the cluster is used as it is`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := resolve(tc.raw)
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.GPUNodeMaxCount != tc.wantMax {
					t.Errorf("gpuNodeMaxCount = %d, want %d", c.GPUNodeMaxCount, tc.wantMax)
				}
				return
			}
			var re *rules.Error
			if !errors.As(err, &re) || len(re.Problems) != 1 || re.Problems[0].Field != tc.field || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one %s problem saying %q", err, tc.field, tc.want)
			}
		})
	}
}
