package cli

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/rules"
)

func TestReadSettingsFile_ConvertsValues(t *testing.T) {
	for _, tt := range []struct {
		name, yaml string
	}{
		{"bare keys", "cloud: aws\nnodeCount: 3\nexternalService: true\napiAllowedCidrs: [10.0.0.0/8]\ntags: {team: data}\n"},
		{"pulumi keys", "pachdeploy:cloud: aws\npachdeploy:nodeCount: 3\npachdeploy:externalService: true\npachdeploy:apiAllowedCidrs:\n  - 10.0.0.0/8\npachdeploy:tags:\n  team: data\n"},
		{"stack file", "config:\n  pachdeploy:cloud: aws\n  pachdeploy:nodeCount: 3\n  pachdeploy:externalService: true\n  pachdeploy:apiAllowedCidrs: [10.0.0.0/8]\n  pachdeploy:tags: {team: data}\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := readSettingsFile(writeTemp(t, tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"cloud": "aws", "nodeCount": "3", "externalService": "true",
				"apiAllowedCidrs": `["10.0.0.0/8"]`, "tags": `{"team":"data"}`}
			if !reflect.DeepEqual(raw, want) {
				t.Errorf("raw = %v, want %v", raw, want)
			}
		})
	}
}

func TestReadSettingsFile_ReportsEveryProblem(t *testing.T) {
	_, err := readSettingsFile(writeTemp(t, "aws:region: us-east-1\nenterpriseLicenseKey:\n  secure: AAAB\nregion:\n"))
	var perr *rules.Error
	if !errors.As(err, &perr) || len(perr.Problems) != 3 {
		t.Fatalf("err = %v, want 3 problems", err)
	}
	if !strings.Contains(err.Error(), "cannot decrypt") {
		t.Errorf("err does not explain the encrypted value: %v", err)
	}
}
