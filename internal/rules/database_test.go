package rules

import (
	"strings"
	"testing"
)

func TestRDSInstanceClass(t *testing.T) {
	for _, tc := range []struct {
		v, want string // want: "" for valid, else a part of the message
	}{
		{"db.t4g.medium", ""},
		{"db.m7g.2xlarge", ""},
		{"db.r6gd.xlarge", ""},
		{"db.x2iedn.metal", ""},
		{"db.t3.micro", ""},
		{"t4g.medium", "is an EC2 instance type: RDS classes start with db."},
		{"db.t4g", "RDS instance classes are db.FAMILY.SIZE"},
		{"db.T4G.medium", "RDS instance classes are db.FAMILY.SIZE"},
		{"n2-standard-4", "a GCP machine type"},
		{"Standard_D2ds_v5", "an Azure machine type"},
		{"", "RDS instance classes are db.FAMILY.SIZE"},
	} {
		t.Run(tc.v, func(t *testing.T) {
			err := RDSInstanceClass(tc.v, "db.t4g.medium")
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestRDSInstanceIdentifier(t *testing.T) {
	for _, tc := range []struct {
		v  string
		ok bool
	}{
		{"pachdeploy-dev-pachyderm", true},
		{"a", true},
		{strings.Repeat("a", 63), true},
		{strings.Repeat("a", 64), false},
		{"", false},
		{"1db", false},
		{"db--one", false},
		{"db-", false},
		{"Pachyderm", false},
		{"db_one", false},
	} {
		if err := RDSInstanceIdentifier(tc.v); (err == nil) != tc.ok {
			t.Errorf("RDSInstanceIdentifier(%q) = %v, want ok=%v", tc.v, err, tc.ok)
		}
	}
}
