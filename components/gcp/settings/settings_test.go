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
