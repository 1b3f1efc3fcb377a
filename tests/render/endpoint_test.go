package render

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/stacks/plan"
)

// The TLS endpoint the endpoint cases ask for.
const (
	endpointHost   = "pachyderm.example.com"
	endpointSecret = "pachyderm-tls"
	endpointARN    = "arn:aws:acm:us-west-2:111122223333:certificate/0b5e7c1a-1111-2222-3333-444455556666"
	endpointCIDR   = "203.0.113.0/24"
)

// servicePort is one port of a rendered Service, as the test compares it.
type servicePort struct {
	name       string
	port       string
	targetPort string
}

// TestHelmRenderEndpoint plans stacks with endpoint: tls, renders the chart with the
// release's values and checks that the proxy Service is a LoadBalancer serving TLS on
// 443 only (or a cleartext redirect on 80 beside it when the proxy terminates TLS),
// that the proxy mounts the TLS Secret when it serves one, that the chart's external
// URLs are https://<hostname>, and that the policy rules for the endpoint agree.
func TestHelmRenderEndpoint(t *testing.T) {
	helm, chart := renderTools(t)
	for _, tc := range []struct {
		name        string
		raw         map[string]string
		ports       []servicePort
		annotations map[string]string // expected on the proxy Service
		tlsSecret   string            // the Secret the proxy mounts; "" for none
		open        bool              // PD-K8S-ENDPOINT-OPEN reports it
	}{
		{
			name: "aws-acm",
			raw: map[string]string{"cloud": "aws", "endpoint": "tls", "endpointHostname": endpointHost,
				"endpointCertificateArn": endpointARN, "endpointAllowedCidrs": `["` + endpointCIDR + `"]`},
			ports: []servicePort{{"http-port", "443", "http-port"}},
			annotations: map[string]string{
				"service.beta.kubernetes.io/aws-load-balancer-type":                   "nlb",
				"service.beta.kubernetes.io/aws-load-balancer-scheme":                 "internet-facing",
				"service.beta.kubernetes.io/aws-load-balancer-ssl-cert":               endpointARN,
				"service.beta.kubernetes.io/aws-load-balancer-ssl-ports":              "443",
				"service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
				"service.beta.kubernetes.io/aws-load-balancer-backend-protocol":       "tcp",
				"service.beta.kubernetes.io/load-balancer-source-ranges":              endpointCIDR,
			},
		},
		{
			name: "aws-tls-secret",
			raw: map[string]string{"cloud": "aws", "endpoint": "tls", "endpointHostname": endpointHost,
				"endpointTlsSecret": endpointSecret},
			ports: []servicePort{{"http-port", "80", "http-port"}, {"https-port", "443", "https-port"}},
			annotations: map[string]string{
				"service.beta.kubernetes.io/aws-load-balancer-type":   "nlb",
				"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
			},
			tlsSecret: endpointSecret, open: true,
		},
		{
			name: "gcp-tls-secret",
			raw: map[string]string{"cloud": "gcp", "endpoint": "tls", "endpointHostname": endpointHost,
				"endpointTlsSecret": endpointSecret, "endpointAllowedCidrs": `["` + endpointCIDR + `"]`},
			ports:       []servicePort{{"http-port", "80", "http-port"}, {"https-port", "443", "https-port"}},
			annotations: map[string]string{"service.beta.kubernetes.io/load-balancer-source-ranges": endpointCIDR},
			tlsSecret:   endpointSecret,
		},
		{
			name: "azure-tls-secret",
			raw: map[string]string{"cloud": "azure", "endpoint": "tls", "endpointHostname": endpointHost,
				"endpointTlsSecret": endpointSecret, "endpointAllowedCidrs": `["` + endpointCIDR + `"]`},
			ports:       []servicePort{{"http-port", "80", "http-port"}, {"https-port", "443", "https-port"}},
			annotations: map[string]string{"service.beta.kubernetes.io/load-balancer-source-ranges": endpointCIDR},
			tlsSecret:   endpointSecret,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := plan.Build(tc.raw, "dev")
			if err != nil {
				t.Fatalf("plan.Build(%v): %v", tc.raw, err)
			}
			for k, want := range map[string]string{
				"pachdAddress":   "grpcs://" + endpointHost + ":443",
				"pachctlConnect": "pachctl connect grpcs://" + endpointHost + ":443",
				"consoleUrl":     "https://" + endpointHost + "/",
			} {
				if got := p.Outputs[k]; got != want {
					t.Errorf("output %s = %v, want %q", k, got, want)
				}
			}
			if dns, _ := p.Outputs["endpointDns"].(string); !strings.Contains(dns, endpointHost) || !strings.Contains(dns, "get svc pachyderm-proxy") {
				t.Errorf("output endpointDns = %q, want where to point %s", dns, endpointHost)
			}

			rel := onlyResource(t, p, typeRelease)
			values := rel.Inputs["values"].(map[string]any)
			ns := rel.Inputs["namespace"].(string)
			objs := render(t, helm, chart, ns, renderable(values))

			svc := onlyObject(t, objs, "Service", "pachyderm-proxy")
			if got, _ := str(svc.m, "spec", "type"); got != "LoadBalancer" {
				t.Errorf("%s type = %q, want LoadBalancer", svc, got)
			}
			if got := ports(svc.m); !reflect.DeepEqual(got, tc.ports) {
				t.Errorf("%s ports = %+v, want %+v", svc, got, tc.ports)
			}
			annotations, _ := get(svc.m, "metadata", "annotations").(map[string]any)
			if got := stringMap(annotations); !reflect.DeepEqual(got, tc.annotations) {
				t.Errorf("%s annotations = %v, want %v", svc, got, tc.annotations)
			}

			checkProxyTLS(t, objs, tc.tlsSecret)
			for _, tt := range []struct{ kind, name, container, env, want string }{
				{"Deployment", "pachd", "pachd", "PACHYDERM_PUBLIC_HOST", endpointHost},
				{"Deployment", "console", "console", "ISSUER_URI", "https://" + endpointHost + "/dex"},
				{"Deployment", "console", "console", "OAUTH_REDIRECT_URI", "https://" + endpointHost + "/oauth/callback/?inline=true"},
			} {
				env, err := containerEnv(objs, tt.kind, tt.name, tt.container)
				if err != nil {
					t.Error(err)
					continue
				}
				if got := fmt.Sprint(env[tt.env]); got != tt.want {
					t.Errorf("%s %s env %s = %q, want %q", tt.kind, tt.name, tt.env, got, tt.want)
				}
			}

			// The user's TLS Secret is theirs (cert-manager's, say): it exists beside the plan.
			secrets := planSecrets(p)
			if tc.tlsSecret != "" {
				secrets = append(secrets, secretObj{namespace: ns, name: tc.tlsSecret, origin: "endpointTlsSecret (the user's)"})
			}
			for _, msg := range checkSecretRefs(objs, ns, secrets) {
				t.Errorf("%s", msg)
			}

			rep, err := p.Check()
			if err != nil {
				t.Fatal(err)
			}
			found := map[string]bool{}
			for _, f := range rep.Findings {
				found[f.Rule] = true
			}
			if found["PD-K8S-ENDPOINT-PLAINTEXT"] {
				t.Error("PD-K8S-ENDPOINT-PLAINTEXT reports the endpoint, which serves TLS only")
			}
			if found["PD-K8S-ENDPOINT-OPEN"] != tc.open {
				t.Errorf("PD-K8S-ENDPOINT-OPEN finding = %v, want %v", found["PD-K8S-ENDPOINT-OPEN"], tc.open)
			}
		})
	}
}

// checkProxyTLS checks that the proxy Deployment mounts secret at /tls in its envoy
// container (and its config has the TLS listener's certificate source), or, with
// secret "", mounts no TLS Secret.
func checkProxyTLS(t *testing.T, objs []object, secret string) {
	t.Helper()
	dep := onlyObject(t, objs, "Deployment", "pachyderm-proxy")
	spec := podSpec(dep.m)
	var tlsVolume string
	vols, _ := spec["volumes"].([]any)
	for _, v := range vols {
		if name, _ := str(v, "name"); name == "tls" {
			tlsVolume, _ = str(v, "secret", "secretName")
		}
	}
	if tlsVolume != secret {
		t.Errorf("%s tls volume is Secret %q, want %q", dep, tlsVolume, secret)
	}
	mounted := false
	containers, _ := spec["containers"].([]any)
	for _, c := range containers {
		mounts, _ := get(c, "volumeMounts").([]any)
		for _, m := range mounts {
			name, _ := str(m, "name")
			path, _ := str(m, "mountPath")
			mounted = mounted || name == "tls" && path == "/tls"
		}
	}
	if mounted != (secret != "") {
		t.Errorf("%s mounts the tls volume at /tls: %v, want %v", dep, mounted, secret != "")
	}
	cm := onlyObject(t, objs, "ConfigMap", "pachyderm-proxy-config")
	if _, sds := get(cm.m, "data").(map[string]any)["sds.yaml"]; sds != (secret != "") {
		t.Errorf("%s has the TLS certificate source sds.yaml: %v, want %v", cm, sds, secret != "")
	}
}

// onlyObject is the one rendered object of kind and name.
func onlyObject(t *testing.T, objs []object, kind, name string) object {
	t.Helper()
	var found []object
	for _, o := range objs {
		if kindOf(o.m) == kind && metaName(o.m) == name {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("the render has %d %s %s, want one", len(found), kind, name)
	}
	return found[0]
}

// ports are a rendered Service's ports.
func ports(svc map[string]any) []servicePort {
	var out []servicePort
	list, _ := get(svc, "spec", "ports").([]any)
	for _, p := range list {
		out = append(out, servicePort{asString(get(p, "name")), asString(get(p, "port")), asString(get(p, "targetPort"))})
	}
	return out
}

// stringMap is m with every value printed as a string.
func stringMap(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = asString(v)
	}
	return out
}
