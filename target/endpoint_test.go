package target

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/stacks/config"
)

// TestSecretEndpoint: endpoint: tls hands the release the cloud's default external
// load balancer (no annotations) with the TLS Secret the proxy serves and the client
// ranges; an ACM certificate is refused (AWS only); endpoint: none exposes nothing.
func TestSecretEndpoint(t *testing.T) {
	tls := func(c *config.Config) {
		c.Endpoint, c.EndpointHostname, c.EndpointTLSSecret = config.EndpointTLS, "pach.example.com", "pachyderm-tls"
		c.EndpointAllowedCIDRs = []string{"203.0.113.0/24"}
	}
	for _, tt := range []struct {
		name    string
		set     func(*config.Config)
		want    *pachyderm.Endpoint
		wantErr string
	}{
		{"none", func(c *config.Config) { c.Endpoint = config.EndpointNone }, nil, ""},
		{"TLS Secret", tls, &pachyderm.Endpoint{Hostname: "pach.example.com", TLSSecretName: "pachyderm-tls",
			AllowedCIDRs: []string{"203.0.113.0/24"}}, ""},
		{"ACM certificate", func(c *config.Config) {
			tls(c)
			c.EndpointTLSSecret, c.EndpointCertificateARN = "", "arn:aws:acm:us-west-2:111122223333:certificate/x"
		}, nil, "endpointCertificateArn"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &config.Config{Cloud: config.GCP}
			tt.set(cfg)
			got, err := SecretEndpoint(cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("endpoint = %+v, want %+v", got, tt.want)
			}
		})
	}
}
