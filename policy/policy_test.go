package policy_test

import (
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/policy/policytest"
)

const release = "kubernetes:helm.sh/v3:Release"

func TestKubernetesRules(t *testing.T) {
	values := func(v map[string]any) policy.Resources { return policytest.One(release, map[string]any{"values": v}) }
	annotated := func(worker string) map[string]any {
		return map[string]any{"pachd": map[string]any{
			"serviceAccount": map[string]any{"additionalAnnotations": map[string]any{"k": "role"}},
			"worker":         map[string]any{"serviceAccount": map[string]any{"additionalAnnotations": map[string]any{"k": worker}}},
		}}
	}
	policytest.Run(t, policy.Kubernetes, []policytest.Case{
		{Rule: "PD-K8S-PLAINTEXT-SECRET",
			Broken: values(map[string]any{"pachd": map[string]any{"oauthClientSecret": "hunter2"}}),
			Fixed: values(map[string]any{"pachd": map[string]any{"oauthClientSecret": "[secret]",
				"oauthClientSecretSecretName": "pachdeploy-bootstrap"},
				"global": map[string]any{"postgresql": map[string]any{"existingSecret": "b", "postgresqlExistingSecretKey": "k"}}})},
		{Rule: "PD-K8S-WELL-KNOWN-PASSWORD",
			Broken: values(map[string]any{"global": map[string]any{"postgresql": map[string]any{"postgresqlPassword": "insecure-user-password"}}}),
			Fixed:  values(map[string]any{"global": map[string]any{"postgresql": map[string]any{"postgresqlPassword": ""}}})},
		{Rule: "PD-K8S-SA-ANNOTATIONS", Broken: values(annotated("other")), Fixed: values(annotated("role"))},
		{Rule: "PD-K8S-DB-TLS",
			Broken: values(external(map[string]any{"postgresqlSSL": "disable", "ssl": true})),
			Fixed:  values(external(map[string]any{"postgresqlSSL": "require", "ssl": true}))},
		{Rule: "PD-K8S-ENDPOINT-PLAINTEXT",
			Broken: values(proxy(map[string]any{"type": "LoadBalancer"}, map[string]any{"enabled": false})),
			Fixed:  values(proxy(map[string]any{"type": "LoadBalancer"}, map[string]any{"enabled": true, "secretName": "pachyderm-tls"}))},
		{Rule: "PD-K8S-ENDPOINT-OPEN",
			Broken: values(proxy(map[string]any{"type": "LoadBalancer"}, map[string]any{"enabled": true})),
			Fixed: values(proxy(map[string]any{"type": "LoadBalancer", "annotations": map[string]any{
				sourceRanges: "203.0.113.0/24"}}, map[string]any{"enabled": true}))},
	})
}

// sourceRanges is the Service annotation the endpoint's client ranges go into.
const sourceRanges = "service.beta.kubernetes.io/load-balancer-source-ranges"

// proxy is release values with the proxy's service and tls values.
func proxy(service, tls map[string]any) map[string]any {
	return map[string]any{"proxy": map[string]any{"service": service, "tls": tls}}
}

// TestEndpointRules: the proxy's LoadBalancer is plaintext unless the proxy or the
// load balancer terminates TLS on every port it serves, and open unless client ranges
// exclude some addresses; a proxy not behind a load balancer is neither.
func TestEndpointRules(t *testing.T) {
	const (
		sslCert  = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert"
		sslPorts = "service.beta.kubernetes.io/aws-load-balancer-ssl-ports"
		arn      = "arn:aws:acm:us-west-2:111122223333:certificate/x"
	)
	lb := func(extra map[string]any, annotations map[string]any) map[string]any {
		s := map[string]any{"type": "LoadBalancer", "annotations": annotations}
		for k, v := range extra {
			s[k] = v
		}
		return s
	}
	for _, tt := range []struct {
		name            string
		values          map[string]any
		plaintext, open bool
	}{
		{"chart defaults (ClusterIP)", map[string]any{}, false, false},
		{"ClusterIP without TLS", proxy(map[string]any{"type": "ClusterIP"}, map[string]any{"enabled": false}), false, false},
		{"load balancer but the proxy off", map[string]any{"proxy": map[string]any{"enabled": false,
			"service": map[string]any{"type": "LoadBalancer"}}}, false, false},
		{"proxy TLS, restricted", proxy(lb(nil, map[string]any{sourceRanges: "203.0.113.0/24,10.0.0.0/8"}),
			map[string]any{"enabled": true}), false, false},
		{"proxy TLS, open to 0.0.0.0/0", proxy(lb(nil, map[string]any{sourceRanges: "203.0.113.0/24,0.0.0.0/0"}),
			map[string]any{"enabled": true}), false, true},
		{"proxy TLS with a legacy plaintext port", proxy(lb(map[string]any{"legacyPorts": map[string]any{"grpc": float64(30650),
			"console": float64(0)}}, map[string]any{sourceRanges: "203.0.113.0/24"}), map[string]any{"enabled": true}), true, false},
		{"load balancer certificate on the HTTP port", proxy(lb(map[string]any{"httpPort": float64(443)},
			map[string]any{sslCert: arn, sslPorts: "443"}), map[string]any{"enabled": false}), false, true},
		{"load balancer certificate on every port", proxy(lb(nil, map[string]any{sslCert: arn}),
			map[string]any{"enabled": false}), false, true},
		{"load balancer certificate on another port", proxy(lb(nil, map[string]any{sslCert: arn, sslPorts: "443"}),
			map[string]any{"enabled": false}), true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := policy.Evaluate(policy.Kubernetes, "aws", policytest.One(release, map[string]any{"values": tt.values}), nil)
			if err != nil {
				t.Fatal(err)
			}
			for id, want := range map[string]bool{"PD-K8S-ENDPOINT-PLAINTEXT": tt.plaintext, "PD-K8S-ENDPOINT-OPEN": tt.open} {
				got := false
				for _, f := range rep.Findings {
					got = got || f.Rule == id
				}
				if got != want {
					t.Errorf("%s finding = %v, want %v", id, got, want)
				}
			}
		})
	}
}

func rule(id string, s policy.Severity, broken bool) policy.Rule {
	return policy.Rule{ID: id, Severity: s, Check: func(rs policy.Resources) []policy.Violation {
		if broken {
			return []policy.Violation{{URN: "urn:x", Message: "broken"}}
		}
		return nil
	}}
}

// TestEvaluate_WaiversOrderAndFailing: waived findings come last with their reason and
// never fail; failing ones are those at or above the severity; rules of another cloud
// are left out.
func TestEvaluate_WaiversOrderAndFailing(t *testing.T) {
	rules := []policy.Rule{rule("LOW", policy.Low, true), rule("HIGH", policy.High, true), rule("OK", policy.Critical, false),
		rule("WAIVED", policy.Critical, true), {ID: "GCP-ONLY", Cloud: "gcp", Severity: policy.High, Check: rule("", 0, true).Check}}
	rep, err := policy.Evaluate(rules, "aws", nil, map[string]string{"WAIVED": "accepted by security, ticket 42"})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, f := range rep.Findings {
		order = append(order, f.Rule)
	}
	if strings.Join(order, ",") != "HIGH,LOW,WAIVED" || rep.Rules != 4 || strings.Join(rep.Passed, ",") != "OK" {
		t.Errorf("findings %v, rules %d, passed %v", order, rep.Rules, rep.Passed)
	}
	if last := rep.Findings[2]; last.Waived != "accepted by security, ticket 42" {
		t.Errorf("waived finding %+v", last)
	}
	if f := rep.Failing(policy.High); len(f) != 1 || f[0].Rule != "HIGH" {
		t.Errorf("failing at high: %+v", f)
	}
	if f := rep.Failing(policy.Low); len(f) != 2 {
		t.Errorf("failing at low: %+v", f)
	}
}

func TestEvaluate_BadWaiversAreErrorsNotSkips(t *testing.T) {
	rules := []policy.Rule{rule("R", policy.High, true)}
	for waivers, want := range map[*map[string]string]string{
		{"R": "  "}:     "R has no reason",
		{"NOPE": "why"}: `"NOPE" is not a rule`,
	} {
		if _, err := policy.Evaluate(rules, "aws", nil, *waivers); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("waivers %v: err %v, want %q", *waivers, err, want)
		}
	}
}

func TestGet(t *testing.T) {
	in := map[string]any{"a": map[string]any{"b": []any{map[string]any{"c": "x"}}}}
	if v, ok := policy.Get(in, "a.b[0].c"); !ok || v != "x" {
		t.Errorf("a.b[0].c = %v %v", v, ok)
	}
	for _, p := range []string{"a.b[1].c", "a.z", "a.b.c", "a.b[x]"} {
		if _, ok := policy.Get(in, p); ok {
			t.Errorf("%s found", p)
		}
	}
}

func TestParseSeverity(t *testing.T) {
	if s, err := policy.ParseSeverity("HIGH"); err != nil || s != policy.High {
		t.Errorf("HIGH: %v %v", s, err)
	}
	if _, err := policy.ParseSeverity("severe"); err == nil {
		t.Error("severe accepted")
	}
}

// TestExternalDatabaseTLS: each way an external database connection can go unencrypted
// is reported once; the in-cluster server is not checked.
func TestExternalDatabaseTLS(t *testing.T) {
	for _, tt := range []struct {
		name   string
		values map[string]any
		want   []string // a word of each report, in order
	}{
		{"in-cluster server", map[string]any{"global": map[string]any{"postgresql": map[string]any{"postgresqlSSL": "disable"}}}, nil},
		{"subchart explicitly on", map[string]any{"postgresql": map[string]any{"enabled": true}}, nil},
		{"what pachdeploy sends", external(map[string]any{"postgresqlSSL": "require", "ssl": true}), nil},
		{"verify-full", external(map[string]any{"postgresqlSSL": "verify-full", "ssl": true}), nil},
		{"chart defaults", external(map[string]any{}), []string{"prefer", "pachd"}},
		{"allow", external(map[string]any{"postgresqlSSL": "allow", "ssl": true}), []string{"allow"}},
		{"pachd without TLS", external(map[string]any{"postgresqlSSL": "require", "ssl": false}), []string{"pachd"}},
		{"a secret mode", external(map[string]any{"postgresqlSSL": "[secret]", "ssl": true}), []string{"[secret]"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := policy.ExternalDatabaseTLS(map[string]any{"values": tt.values})
			if len(got) != len(tt.want) {
				t.Fatalf("got %d reports, want %d: %v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("report %d = %q, want it to mention %q", i, got[i], w)
				}
			}
		})
	}
}

// external is release values on an external PostgreSQL with pg as global.postgresql.
func external(pg map[string]any) map[string]any {
	return map[string]any{"postgresql": map[string]any{"enabled": false}, "global": map[string]any{"postgresql": pg}}
}
