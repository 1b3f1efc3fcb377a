package pachyderm

import (
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	testHost = "pachyderm.example.com"
	testARN  = "arn:aws:acm:us-west-2:111122223333:certificate/0b5e7c1a-1111-2222-3333-444455556666"
)

// secretEndpoint is a TLS endpoint served by the proxy with a Kubernetes TLS Secret.
func secretEndpoint() *Endpoint {
	return &Endpoint{Hostname: testHost, TLSSecretName: "pachyderm-tls"}
}

// loadBalancerEndpoint is a TLS endpoint whose load balancer terminates TLS, with the
// annotations AWS gives it.
func loadBalancerEndpoint() *Endpoint {
	return &Endpoint{Hostname: testHost, LoadBalancerTLS: true, ServiceAnnotations: map[string]string{
		"service.beta.kubernetes.io/aws-load-balancer-type":     "nlb",
		"service.beta.kubernetes.io/aws-load-balancer-ssl-cert": testARN,
	}}
}

// releaseValues are the plain release values for args changed by mutate.
func releaseValues(t *testing.T, mutate func(*PachydermArgs)) map[string]any {
	t.Helper()
	r := mocktest.One(t, deploy(t, mutate), releaseType)
	return mocktest.Plain(r.Inputs["values"]).(map[string]any)
}

// at is the value at the keys in nested values, or nil.
func at(values map[string]any, keys ...string) any {
	var cur any = values
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

// TestRelease_EndpointValues: each endpoint mode gives the proxy the Service and TLS
// values it needs; without an endpoint the proxy values are the chart's (a ClusterIP
// Service: nothing exposed).
func TestRelease_EndpointValues(t *testing.T) {
	for _, tt := range []struct {
		name     string
		endpoint *Endpoint
		want     map[string]any // path (keys joined by "/") -> value; nil: absent
	}{
		{"no endpoint", nil, map[string]any{
			"proxy": nil, "ingress": nil,
		}},
		{"proxy terminates TLS with a Secret", secretEndpoint(), map[string]any{
			"proxy/enabled": true, "proxy/host": testHost,
			"proxy/service/type": "LoadBalancer", "proxy/service/httpPort": float64(80), "proxy/service/httpsPort": float64(443),
			"proxy/service/annotations": map[string]any{},
			"proxy/tls/enabled":         true, "proxy/tls/secretName": "pachyderm-tls",
			"ingress": nil,
		}},
		{"load balancer terminates TLS", loadBalancerEndpoint(), map[string]any{
			"proxy/enabled": true, "proxy/host": testHost,
			"proxy/service/type": "LoadBalancer", "proxy/service/httpPort": float64(443), "proxy/service/httpsPort": nil,
			"proxy/service/annotations": map[string]any{
				"service.beta.kubernetes.io/aws-load-balancer-type":     "nlb",
				"service.beta.kubernetes.io/aws-load-balancer-ssl-cert": testARN,
			},
			"proxy/tls/enabled": false, "proxy/tls/secretName": nil,
			"ingress/uriHttpsProtoOverride": true,
		}},
		{"allowed client ranges", &Endpoint{Hostname: testHost, TLSSecretName: "pachyderm-tls",
			AllowedCIDRs: []string{"203.0.113.0/24", "2001:db8::/32"}}, map[string]any{
			"proxy/service/annotations": map[string]any{
				rules.LoadBalancerSourceRangesAnnotation: "203.0.113.0/24,2001:db8::/32",
			},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			values := releaseValues(t, func(a *PachydermArgs) { a.Endpoint = tt.endpoint })
			for path, want := range tt.want {
				if got := at(values, strings.Split(path, "/")...); !reflect.DeepEqual(got, want) {
					t.Errorf("values %s = %#v, want %#v", path, got, want)
				}
			}
		})
	}
}

// TestRelease_EndpointOutputs: with an endpoint pachctl connects to the hostname over
// TLS on 443, the console is at https://hostname/, and endpointDns names the proxy's
// load balancer (read once the release is deployed); without one the outputs are the
// port-forward ones.
func TestRelease_EndpointOutputs(t *testing.T) {
	lbHost := offline.Later("load balancer host")
	for _, tt := range []struct {
		name     string
		endpoint *Endpoint
		console  bool
		want     map[string]string
	}{
		{"no endpoint", nil, true, map[string]string{
			"pachdAddress":   "grpc://pachd.pachyderm.svc.cluster.local:30650",
			"pachctlConnect": "kubectl port-forward -n pachyderm svc/pachyderm-proxy 8080:80 & pachctl connect http://localhost:8080",
			"consoleHint":    "kubectl port-forward -n pachyderm svc/pachyderm-proxy 8080:80, then open http://localhost:8080",
			"consoleUrl":     "", "endpointDns": "",
		}},
		{"TLS endpoint", secretEndpoint(), true, map[string]string{
			"pachdAddress":   "grpcs://" + testHost + ":443",
			"pachctlConnect": "pachctl connect grpcs://" + testHost + ":443",
			"consoleHint":    "open https://" + testHost + "/ once " + testHost + " resolves to the load balancer (see endpointDns)",
			"consoleUrl":     "https://" + testHost + "/",
			"endpointDns": "pachdeploy manages no DNS: point " + testHost + " at " + lbHost +
				" (a CNAME to a hostname, an A record to an IP); kubectl -n pachyderm get svc pachyderm-proxy shows the load balancer's address",
		}},
		{"TLS endpoint without the console", loadBalancerEndpoint(), false, map[string]string{
			"pachdAddress": "grpcs://" + testHost + ":443",
			"consoleHint":  "console disabled (disableConsole)",
			"consoleUrl":   "",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			got := map[string]string{}
			cloud := mocktest.Run(t, program(func(ctx *pulumi.Context, a *PachydermArgs) error {
				a.Endpoint, a.DisableConsole = tt.endpoint, !tt.console
				return nil
			}, func(p *Pachyderm) {
				for k, o := range map[string]pulumi.StringOutput{
					"pachdAddress": p.PachdAddress, "pachctlConnect": p.PachctlConnect, "consoleHint": p.ConsoleHint,
					"consoleUrl": p.ConsoleURL, "endpointDns": p.EndpointDNS,
				} {
					v := mocktest.AwaitString(t, o)
					mu.Lock()
					got[k] = v
					mu.Unlock()
				}
			}))
			for k, want := range tt.want {
				if got[k] != want {
					t.Errorf("%s = %q, want %q", k, got[k], want)
				}
			}
			services := cloud.OfType("kubernetes:core/v1:Service")
			if tt.endpoint == nil {
				if len(services) != 0 {
					t.Errorf("Services read without an endpoint: %+v", services)
				}
				return
			}
			if len(services) != 1 || !services[0].Read || services[0].ID != "pachyderm/pachyderm-proxy" {
				t.Fatalf("want one read of the proxy Service, got %+v", services)
			}
			release := mocktest.One(t, cloud, releaseType)
			if !mocktest.DependsOn(services[0], release.URN) {
				t.Errorf("the proxy Service is read before the release: depends on %v", services[0].DependsOn)
			}
		})
	}
}

// TestNewPachyderm_InvalidEndpoint: an endpoint without a hostname or a way to
// terminate TLS, with both, with bad ranges, with the source-ranges annotation set by
// hand, or beside the plaintext pachd load balancer, is refused before anything is
// registered.
func TestNewPachyderm_InvalidEndpoint(t *testing.T) {
	for _, tt := range []struct {
		name            string
		endpoint        *Endpoint
		externalService bool
		want            []string // problem fields
	}{
		{"empty", &Endpoint{}, false, []string{"Endpoint.Hostname", "Endpoint.TLSSecretName"}},
		{"two ways to terminate TLS", &Endpoint{Hostname: testHost, TLSSecretName: "s", LoadBalancerTLS: true}, false,
			[]string{"Endpoint.TLSSecretName"}},
		{"bad names and ranges", &Endpoint{Hostname: "Pachyderm.Example.com", TLSSecretName: "TLS_Secret",
			AllowedCIDRs: []string{"203.0.113.7/24", "everyone"}}, false,
			[]string{"Endpoint.Hostname", "Endpoint.TLSSecretName", "Endpoint.AllowedCIDRs[0]", "Endpoint.AllowedCIDRs[1]"}},
		{"source ranges by annotation", &Endpoint{Hostname: testHost, TLSSecretName: "s",
			ServiceAnnotations: map[string]string{rules.LoadBalancerSourceRangesAnnotation: "0.0.0.0/0"}}, false,
			[]string{"Endpoint.ServiceAnnotations"}},
		{"beside externalService", secretEndpoint(), true, []string{"ExternalService"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cloud := offline.New(mocktest.Project, mocktest.Stack)
			err := cloud.Run(func(ctx *pulumi.Context) error {
				k8s, err := kubernetes.NewProvider(ctx, "cluster", &kubernetes.ProviderArgs{})
				if err != nil {
					return err
				}
				_, err = NewPachyderm(ctx, "pachyderm", &PachydermArgs{KubernetesProvider: k8s, Storage: storages[Amazon],
					Endpoint: tt.endpoint, ExternalService: tt.externalService})
				return err
			})
			mocktest.WantProblems(t, err, tt.want...)
			if n := len(cloud.Resources()); n != 1 {
				t.Errorf("%d resources registered despite an invalid endpoint, want only the provider", n)
			}
		})
	}
}
