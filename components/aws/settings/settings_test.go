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
