package target

import (
	"fmt"

	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/stacks/config"
)

// SecretEndpoint is the TLS endpoint of `endpoint: tls` on a cloud whose Service load
// balancer works at layer 4 and cannot terminate TLS (GKE's passthrough Network Load
// Balancer, Azure Load Balancer; only their layer-7 Ingress, Gateway or Application
// Gateway can): the proxy terminates TLS with the Kubernetes Secret endpointTlsSecret
// behind the cloud's default external load balancer, whose firewall admits the allowed
// client ranges. Nil for `endpoint: none`. An ACM certificate exists only on AWS.
func SecretEndpoint(cfg *config.Config) (*pachyderm.Endpoint, error) {
	if cfg.Endpoint != config.EndpointTLS {
		return nil, nil
	}
	if cfg.EndpointCertificateARN != "" {
		return nil, fmt.Errorf("endpointCertificateArn is an AWS (ACM) certificate: on %s use endpointTlsSecret", cfg.Cloud)
	}
	return &pachyderm.Endpoint{
		Hostname:      cfg.EndpointHostname,
		TLSSecretName: cfg.EndpointTLSSecret,
		AllowedCIDRs:  cfg.EndpointAllowedCIDRs,
	}, nil
}
