package rules

import (
	"strings"
	"testing"
)

func TestChartValues_RefusesOverridesOfManagedValues(t *testing.T) {
	for _, tt := range []struct {
		name   string
		values map[string]any
		want   []string // the paths reported
	}{
		{"tuning values pass", map[string]any{"pachd": map[string]any{"logLevel": "debug",
			"storage": map[string]any{"putFileConcurrencyLimit": 50}}}, nil},
		{"the bucket", map[string]any{"pachd": map[string]any{"storage": map[string]any{"amazon": map[string]any{"bucket": "x"}}}},
			[]string{"pachd.storage.amazon"}},
		{"a whole managed map", map[string]any{"pachd": map[string]any{"storage": map[string]any{"google": map[string]any{}}}},
			[]string{"pachd.storage.google"}},
		{"a scalar replacing a map that holds managed values", map[string]any{"pachd": map[string]any{"storage": "s3://x"}},
			[]string{"pachd.storage"}},
		{"null replacing pachd", map[string]any{"pachd": nil}, []string{"pachd"}},
		{"secrets and the license", map[string]any{
			"pachd":   map[string]any{"rootToken": "t", "enterpriseLicenseKeySecretName": "s"},
			"console": map[string]any{"config": map[string]any{"oauthClientSecret": "c"}},
			"global":  map[string]any{"postgresql": map[string]any{"postgresqlPassword": "p"}},
		}, []string{"console.config.oauthClientSecret", "global.postgresql.postgresqlPassword",
			"pachd.enterpriseLicenseKeySecretName", "pachd.rootToken"}},
		{"the database connection", map[string]any{
			"postgresql": map[string]any{"enabled": false},
			"global": map[string]any{"postgresql": map[string]any{"postgresqlHost": "db.example", "postgresqlPort": "6432",
				"postgresqlUsername": "u", "postgresqlDatabase": "d", "postgresqlSSL": "disable", "ssl": false,
				"identityDatabaseFullNameOverride": "idp"}},
		}, []string{"global.postgresql.identityDatabaseFullNameOverride", "global.postgresql.postgresqlDatabase",
			"global.postgresql.postgresqlHost", "global.postgresql.postgresqlPort", "global.postgresql.postgresqlSSL",
			"global.postgresql.postgresqlUsername", "global.postgresql.ssl", "postgresql.enabled"}},
		{"tuning the in-cluster server passes", map[string]any{
			"postgresql": map[string]any{"persistence": map[string]any{"size": "50Gi"}},
			"global":     map[string]any{"postgresql": map[string]any{"postgresqlAuthType": "scram-sha-256"}},
		}, nil},
		{"a scalar replacing the subchart's values", map[string]any{"postgresql": false}, []string{"postgresql"}},
		{"storage classes and annotations", map[string]any{
			"etcd":  map[string]any{"storageClass": "gp2"},
			"pachd": map[string]any{"serviceAccount": map[string]any{"additionalAnnotations": map[string]any{"a": "b"}}},
		}, []string{"etcd.storageClass", "pachd.serviceAccount.additionalAnnotations"}},
		{"the proxy's exposure and TLS", map[string]any{"proxy": map[string]any{
			"enabled": true, "host": "pach.example.com",
			"service": map[string]any{"type": "LoadBalancer", "httpPort": 8080, "httpsPort": 8443,
				"annotations":    map[string]any{"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"},
				"legacyPorts":    map[string]any{"grpc": 30650},
				"loadBalancerIP": "203.0.113.7"},
			"tls": map[string]any{"enabled": false}}},
			[]string{"proxy.enabled", "proxy.host", "proxy.service.annotations", "proxy.service.httpPort",
				"proxy.service.httpsPort", "proxy.service.legacyPorts", "proxy.service.type", "proxy.tls"}},
		{"tuning the proxy passes", map[string]any{"proxy": map[string]any{"replicas": 2,
			"resources": map[string]any{"limits": map[string]any{"memory": "1Gi"}}}}, nil},
		{"a scalar replacing the proxy's values", map[string]any{"proxy": nil}, []string{"proxy"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range ChartValues("valuesFile", tt.values) {
				if p.Field != "valuesFile" || p.Rule == "" {
					t.Errorf("problem %+v", p)
				}
				got = append(got, p.Value)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("reported %v, want %v", got, tt.want)
			}
		})
	}
}

func TestManagedValuePaths_Sorted(t *testing.T) {
	paths := ManagedValuePaths()
	for i := 1; i < len(paths); i++ {
		if paths[i-1] >= paths[i] {
			t.Fatalf("not sorted at %q", paths[i])
		}
	}
}

func TestSecretName(t *testing.T) {
	for name, want := range map[string]bool{
		"postgresqlPassword": true, "rootToken": true, "api_key": true, "APIKey": true, "client-secret": true,
		"enterpriseLicenseKey": true, "tlsCert": true, "privateKey": true, "credentials": true,
		"logLevel": false, "keycloak": false, "monkey": false, "tokenizer": false, "host": false, "replicas": false,
	} {
		if got := SecretName(name); got != want {
			t.Errorf("SecretName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestShownValue_CutsLongValues(t *testing.T) {
	if got := ShownValue("us-west-2"); got != "us-west-2" {
		t.Errorf("short value changed: %q", got)
	}
	long := strings.Repeat("é", 1000) // 2 bytes a character: the cut must not split one
	got := ShownValue(long)
	if len(got) > 100 || !strings.HasSuffix(got, "… (2000 bytes)") || !strings.HasPrefix(got, "éééé") {
		t.Errorf("ShownValue = %q", got)
	}
	var p Problems
	p.Add("region", long, errTest)
	if len(p[0].Value) > 100 {
		t.Errorf("Problems keep the whole value: %d bytes", len(p[0].Value))
	}
}

var errTest = errString("bad")

type errString string

func (e errString) Error() string { return string(e) }

func TestOpenToInternet(t *testing.T) {
	for _, tt := range []struct {
		cidrs []string
		open  bool
	}{
		{nil, true},
		{[]string{"0.0.0.0/0"}, true},
		{[]string{"203.0.113.0/24", "::/0"}, true},
		{[]string{"203.0.113.0/24"}, false},
		{[]string{"10.0.0.0/8", "2001:db8::/32"}, false},
	} {
		if got := OpenToInternet(tt.cidrs); got != tt.open {
			t.Errorf("OpenToInternet(%v) = %v", tt.cidrs, got)
		}
		if w := OpenAPIWarning("c", tt.cidrs, "CKV_X"); (w != "") != tt.open || tt.open && !strings.Contains(w, "CKV_X") {
			t.Errorf("OpenAPIWarning(%v) = %q", tt.cidrs, w)
		}
	}
}

// TestChartValues_ProxyKeysNameTheSetting: each proxy key pachdeploy manages is refused
// with the setting that sets it.
func TestChartValues_ProxyKeysNameTheSetting(t *testing.T) {
	for path, setting := range map[string]string{
		"proxy.host":                "endpointHostname",
		"proxy.service.type":        "endpoint: tls",
		"proxy.service.annotations": "endpointAllowedCidrs",
		"proxy.service.httpPort":    "endpoint: tls",
		"proxy.tls.secretName":      "endpointTlsSecret",
		"proxy.tls.enabled":         "endpointCertificateArn",
	} {
		keys := strings.Split(path, ".")
		var values any = "x"
		for i := len(keys) - 1; i >= 0; i-- {
			values = map[string]any{keys[i]: values}
		}
		p := ChartValues("valuesFile", values.(map[string]any))
		if len(p) != 1 || !strings.Contains(p[0].Rule, setting) {
			t.Errorf("%s: problems %+v, want one naming %s", path, p, setting)
		}
	}
}
