package verify_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pachdeploy/pachdeploy/verify"
	"github.com/pachdeploy/pachdeploy/verify/verifytest"
)

// TestMain doubles as a kubeconfig credential plugin when VERIFY_EXEC_PLUGIN is set:
// "ok" prints an ExecCredential with VERIFY_EXEC_TOKEN (only when KUBERNETES_EXEC_INFO
// is set, as client-go sets it), "fail" fails as an expired sign-in does.
func TestMain(m *testing.M) {
	switch os.Getenv("VERIFY_EXEC_PLUGIN") {
	case "ok":
		if os.Getenv("KUBERNETES_EXEC_INFO") == "" {
			fmt.Fprintln(os.Stderr, "KUBERNETES_EXEC_INFO is not set")
			os.Exit(1)
		}
		fmt.Printf(`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":%q}}`, os.Getenv("VERIFY_EXEC_TOKEN"))
		os.Exit(0)
	case "fail":
		fmt.Fprintln(os.Stderr, "\nError when retrieving token from sso: Token has expired and refresh failed")
		os.Exit(255)
	}
	os.Exit(m.Run())
}

// run verifies the fake cluster with opts (namespace and console filled in) and checks
// that no credential reaches the text or JSON report.
func run(t *testing.T, c *verifytest.Cluster, kubeconfig string, opts verify.Options) *verify.Result {
	t.Helper()
	opts.Namespace = c.Namespace
	res, err := verify.Run(context.Background(), []byte(kubeconfig), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var text, js bytes.Buffer
	if err := verify.WriteText(&text, res); err != nil {
		t.Fatal(err)
	}
	if err := verify.WriteJSON(&js, res); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{text.String(), js.String()} {
		if strings.Contains(out, c.Token) || strings.Contains(out, "fake-token") {
			t.Errorf("the report shows the token:\n%s", out)
		}
	}
	return res
}

// statuses maps each check to its status.
func statuses(res *verify.Result) map[string]verify.Status {
	m := map[string]verify.Status{}
	for _, c := range res.Checks {
		m[c.Name] = c.Status
	}
	return m
}

func check(res *verify.Result, name string) verify.Check {
	for _, c := range res.Checks {
		if c.Name == name {
			return c
		}
	}
	return verify.Check{}
}

// TestVerify_AllGood: a healthy deployment passes every check (the endpoint skipped
// without one), in order, with GET requests only, and the text report is one line per
// check and a summary.
func TestVerify_AllGood(t *testing.T) {
	c := verifytest.New(t)
	res := run(t, c, c.Kubeconfig(), verify.Options{Console: true})
	var names []string
	for _, ch := range res.Checks {
		names = append(names, ch.Name)
		want := verify.OK
		if ch.Name == verify.CheckEndpoint {
			want = verify.Skip
		}
		if ch.Status != want || ch.Fix != "" {
			t.Errorf("%s: %s %q fix %q; want %s", ch.Name, ch.Status, ch.Detail, ch.Fix, want)
		}
	}
	wantNames := []string{verify.CheckAPI, verify.CheckPods, verify.CheckVolumes, verify.CheckDeployment, verify.CheckPachd,
		verify.CheckDatabase, verify.CheckConsole, verify.CheckEndpoint}
	if !slices.Equal(names, wantNames) || !res.OK {
		t.Errorf("checks %v, ok %v; want %v, ok", names, res.OK, wantNames)
	}
	if got := check(res, verify.CheckPods).Detail; got != "6 pods running and ready" {
		t.Errorf("pods: %q; want the finished Job pod left out", got)
	}
	for _, r := range c.Requests() {
		if !strings.HasPrefix(r, "GET ") {
			t.Errorf("request %q: verify must only read", r)
		}
	}
	var text bytes.Buffer
	if err := verify.WriteText(&text, res); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(text.String()), "\n")
	if len(lines) != len(wantNames)+1 || !strings.HasPrefix(lines[0], "OK    kubernetes-api    Kubernetes v1.33.2") ||
		lines[len(lines)-1] != "Verify (namespace pachyderm): 7 ok, 0 failed, 1 skipped" {
		t.Errorf("text report:\n%s", text.String())
	}
}

// TestVerify_Failures: each broken part fails its own check (and only the checks that
// depend on it), naming what is wrong and what to do.
func TestVerify_Failures(t *testing.T) {
	replacePod := func(name string, p map[string]any) func(*verifytest.Cluster) {
		return func(c *verifytest.Cluster) {
			for i, old := range c.Pods {
				if old["metadata"].(map[string]any)["name"] == name {
					c.Pods[i] = p
				}
			}
		}
	}
	for _, tt := range []struct {
		name   string
		breaks func(*verifytest.Cluster)
		failed []string
		// check is the check whose detail and fix are compared.
		check, detail, fix string
	}{
		{"image pull", replacePod("console-6b8d-qwert", verifytest.WaitingPod("console-6b8d-qwert", "console", "ImagePullBackOff")),
			[]string{verify.CheckPods}, verify.CheckPods,
			"1 of 6 pods not ready: console-6b8d-qwert (ImagePullBackOff in console)", "nodes reach its registry"},
		{"crash loop", replacePod("pachd-5f7c9d-x2k4q", verifytest.WaitingPod("pachd-5f7c9d-x2k4q", "pachd", "CrashLoopBackOff")),
			[]string{verify.CheckPods, verify.CheckDatabase}, verify.CheckPods,
			"pachd-5f7c9d-x2k4q (CrashLoopBackOff in pachd, last exit 1 Error)", "kubectl -n pachyderm logs pachd-5f7c9d-x2k4q -c pachd --previous"},
		{"unschedulable", replacePod("etcd-0", verifytest.UnschedulablePod("etcd-0", "etcd", "0/2 nodes are available: 2 Insufficient memory.")),
			[]string{verify.CheckPods}, verify.CheckPods,
			"etcd-0 (Pending: Unschedulable: 0/2 nodes are available: 2 Insufficient memory.)", "raise nodeCount or nodeInstanceType"},
		{"no pods", func(c *verifytest.Cluster) { c.Pods = nil },
			[]string{verify.CheckPods, verify.CheckDatabase}, verify.CheckPods, "no pods in namespace pachyderm", "helm -n pachyderm status pachyderm"},
		{"pg-bouncer not ready", replacePod("pg-bouncer-7d9f-abcde", verifytest.WaitingPod("pg-bouncer-7d9f-abcde", "pg-bouncer", "CrashLoopBackOff")),
			[]string{verify.CheckPods, verify.CheckDatabase}, verify.CheckDatabase, "pg-bouncer 0 of 1 ready", "logs deploy/pg-bouncer"},
		{"pvc pending", func(c *verifytest.Cluster) {
			c.PVCs[0] = verifytest.PVC("etcd-storage-etcd-0", "pachyderm-gp3", "Pending")
		},
			[]string{verify.CheckVolumes}, verify.CheckVolumes,
			"1 of 2 volume claims not bound: etcd-storage-etcd-0 Pending (class pachyderm-gp3)", "kubectl get storageclass"},
		{"pvc pending, default class", func(c *verifytest.Cluster) { c.PVCs[1] = verifytest.PVC("data-postgres-0", "", "Pending") },
			[]string{verify.CheckVolumes}, verify.CheckVolumes, "data-postgres-0 Pending (the cluster's default class)", "EBS CSI driver"},
		{"deployment unavailable", func(c *verifytest.Cluster) { c.Deployment = verifytest.Deployment(1, 0) },
			[]string{verify.CheckDeployment}, verify.CheckDeployment,
			"0 of 1 replicas available; Available: MinimumReplicasUnavailable: Deployment does not have minimum availability.; Progressing: ProgressDeadlineExceeded",
			"describe deployment pachd"},
		{"no deployment", func(c *verifytest.Cluster) { c.Deployment = nil },
			[]string{verify.CheckDeployment}, verify.CheckDeployment, "the pachd Deployment could not be read: 404 Not Found", "helm -n pachyderm status"},
		{"pachd not answering", func(c *verifytest.Cluster) {
			c.Pachd = func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprint(w, `{"kind":"Status","message":"no endpoints available for service \"pachd\""}`)
			}
		}, []string{verify.CheckPachd}, verify.CheckPachd,
			`pachd did not answer through the service proxy: 503 Service Unavailable: no endpoints available for service "pachd"`,
			"port-forward svc/pachd 30650 & pachctl version"},
		{"pachd answering something else", func(c *verifytest.Cluster) {
			c.Pachd = func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "<html>hello</html>") }
		}, []string{verify.CheckPachd}, verify.CheckPachd, "answered, but not with Prometheus metrics", "logs deploy/pachd"},
		{"console not answering", func(c *verifytest.Cluster) { c.Console = nil },
			[]string{verify.CheckConsole}, verify.CheckConsole,
			`503 Service Unavailable: no endpoints available for service "console"`, "port-forward svc/pachyderm-proxy 8080:80"},
		{"wrong token", func(c *verifytest.Cluster) { c.Token = "another-token-0000" },
			[]string{verify.CheckAPI}, verify.CheckAPI, "401 Unauthorized: the API server refused the kubeconfig's credentials", "apiAllowedCidrs"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := verifytest.New(t)
			kubeconfig := c.Kubeconfig()
			tt.breaks(c)
			res := run(t, c, kubeconfig, verify.Options{Console: true})
			var failed []string
			for _, ch := range res.Failed() {
				failed = append(failed, ch.Name)
			}
			if !slices.Equal(failed, tt.failed) || res.OK {
				t.Errorf("failed %v (ok %v); want %v", failed, res.OK, tt.failed)
			}
			got := check(res, tt.check)
			if got.Status != verify.Fail || !strings.Contains(got.Detail, tt.detail) || !strings.Contains(got.Fix, tt.fix) {
				t.Errorf("%s: %s %q, fix %q; want fail %q, fix with %q", tt.check, got.Status, got.Detail, got.Fix, tt.detail, tt.fix)
			}
		})
	}
}

// TestVerify_APIDownSkipsTheRest: without an API server, the cluster checks are skipped
// (not failed again) and the endpoint is still checked.
func TestVerify_APIDownSkipsTheRest(t *testing.T) {
	c := verifytest.New(t)
	kubeconfig := c.Kubeconfig()
	c.Server.Close()
	res := run(t, c, kubeconfig, verify.Options{Console: true})
	want := map[string]verify.Status{verify.CheckAPI: verify.Fail, verify.CheckPods: verify.Skip, verify.CheckVolumes: verify.Skip,
		verify.CheckDeployment: verify.Skip, verify.CheckPachd: verify.Skip, verify.CheckDatabase: verify.Skip,
		verify.CheckConsole: verify.Skip, verify.CheckEndpoint: verify.Skip}
	if got := statuses(res); !mapsEqual(got, want) || res.OK {
		t.Errorf("statuses %v; want %v", got, want)
	}
	if d := check(res, verify.CheckAPI).Detail; !strings.Contains(d, "the API server did not answer: ") || !strings.Contains(d, "connection refused") {
		t.Errorf("api detail %q", d)
	}
}

func mapsEqual(a, b map[string]verify.Status) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestVerify_ConsoleDisabledIsSkipped: console: false skips the check without asking the
// cluster for it.
func TestVerify_ConsoleDisabledIsSkipped(t *testing.T) {
	c := verifytest.New(t)
	c.Console = nil
	res := run(t, c, c.Kubeconfig(), verify.Options{Console: false})
	if got := check(res, verify.CheckConsole); got.Status != verify.Skip || !res.OK {
		t.Errorf("console %+v, ok %v; want skipped, ok", got, res.OK)
	}
	for _, r := range c.Requests() {
		if strings.Contains(r, "console") {
			t.Errorf("asked for the console: %s", r)
		}
	}
}

// TestVerify_TLSEndpoint: the endpoint passes with a certificate valid for the
// hostname from a trusted authority, and fails on an unknown authority, a certificate
// for another name, and a load balancer without a backend.
func TestVerify_TLSEndpoint(t *testing.T) {
	endpoint := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Down") != "" {
			return
		}
		http.Redirect(w, r, "/dex/auth", http.StatusFound)
	}))
	defer endpoint.Close()
	down := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no healthy upstream", http.StatusBadGateway)
	}))
	defer down.Close()
	trusted := x509.NewCertPool()
	trusted.AddCert(endpoint.Certificate())
	host := strings.TrimPrefix(endpoint.URL, "https://")
	port := host[strings.LastIndex(host, ":")+1:]
	for _, tt := range []struct {
		name   string
		host   string
		roots  *x509.CertPool
		status verify.Status
		detail string
	}{
		{"valid", host, trusted, verify.OK, "https://" + host + " answered 302 Found with a certificate valid for it"},
		{"unknown authority", host, x509.NewCertPool(), verify.Fail, "certificate signed by unknown authority"},
		// httptest's certificate is for 127.0.0.1 and example.com, not localhost.
		{"another name", "localhost:" + port, trusted, verify.Fail, "not localhost"},
		{"no backend", strings.TrimPrefix(down.URL, "https://"), trusted, verify.Fail, "answered 502 Bad Gateway"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := verifytest.New(t)
			res := run(t, c, c.Kubeconfig(), verify.Options{Console: true, EndpointHostname: tt.host, EndpointRootCAs: tt.roots})
			got := check(res, verify.CheckEndpoint)
			if got.Status != tt.status || !strings.Contains(got.Detail, tt.detail) || res.OK != (tt.status == verify.OK) {
				t.Errorf("endpoint %+v (ok %v); want %s with %q", got, res.OK, tt.status, tt.detail)
			}
			if tt.status == verify.Fail && !strings.Contains(got.Fix, "DNS for "+tt.host) && !strings.Contains(got.Fix, "pachyderm-proxy") {
				t.Errorf("fix %q says nothing of DNS, the certificate or the proxy", got.Fix)
			}
		})
	}
}

// TestVerify_ExecCredentialPlugin: a kubeconfig whose user runs a credential plugin
// (as EKS, GKE and Entra ID kubeconfigs do) gets its token from the plugin; a failing
// plugin, or one not installed, fails the API check with its message or install hint,
// and the plugin's token never shows.
func TestVerify_ExecCredentialPlugin(t *testing.T) {
	for _, tt := range []struct {
		name, mode, command string
		status              verify.Status
		detail              string
	}{
		{"token", "ok", os.Args[0], verify.OK, "Kubernetes v1.33.2 answered"},
		{"expired sign-in", "fail", os.Args[0], verify.Fail, "Token has expired and refresh failed"},
		{"not installed", "ok", "no-such-credential-plugin", verify.Fail,
			`the kubeconfig runs "no-such-credential-plugin" for credentials, which is not on PATH: install the plugin`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := verifytest.New(t)
			kubeconfig := strings.Replace(c.Kubeconfig(), "    token: "+c.Token+"\n", fmt.Sprintf(`    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: %q
      args: ["-test.run=^$"]
      env:
      - {name: VERIFY_EXEC_PLUGIN, value: %s}
      - {name: VERIFY_EXEC_TOKEN, value: %s}
      installHint: install the plugin
`, tt.command, tt.mode, c.Token), 1)
			if strings.Contains(kubeconfig, "token: "+c.Token) {
				t.Fatal("the kubeconfig still has a static token")
			}
			res := run(t, c, kubeconfig, verify.Options{Console: true})
			if got := check(res, verify.CheckAPI); got.Status != tt.status || !strings.Contains(got.Detail, tt.detail) {
				t.Errorf("api %+v; want %s with %q", got, tt.status, tt.detail)
			}
			if tt.status == verify.OK && !res.OK {
				t.Errorf("the plugin's token did not reach the cluster: %+v", res.Failed())
			}
		})
	}
}

// TestVerify_BadKubeconfigIsAnErrorWithoutItsContent: a kubeconfig verify cannot use is
// an error that quotes none of it.
func TestVerify_BadKubeconfigIsAnErrorWithoutItsContent(t *testing.T) {
	const token = "sekrit-token-Zq81"
	for _, tt := range []struct {
		name, kubeconfig, want string
	}{
		{"not yaml", "users: [token: " + token + "\n  : :", "not a kubeconfig file"},
		{"no context", "current-context: other\ncontexts: []\nusers:\n- name: u\n  user:\n    token: " + token + "\n", `no context "other"`},
		{"no server", "current-context: c\ncontexts:\n- name: c\n  context: {cluster: x, user: u}\nusers:\n- name: u\n  user: {token: " + token + "}\n",
			"names no cluster with a server"},
		{"bad ca", "current-context: c\nclusters:\n- name: x\n  cluster: {server: 'https://k', certificate-authority-data: " + token + "}\n" +
			"contexts:\n- name: c\n  context: {cluster: x, user: u}\n", "certificate-authority-data is not base64"},
		{"auth provider", "current-context: c\nclusters:\n- name: x\n  cluster: {server: 'https://k'}\ncontexts:\n- name: c\n  context: {cluster: x, user: u}\n" +
			"users:\n- name: u\n  user:\n    auth-provider: {name: gcp, config: {access-token: " + token + "}}\n", "use an exec credential plugin"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := verify.Run(context.Background(), []byte(tt.kubeconfig), verify.Options{})
			if err == nil || res != nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Run = %v, %v; want an error with %q", res, err, tt.want)
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("the error quotes the kubeconfig: %v", err)
			}
		})
	}
}

// TestVerify_JSON: the JSON report carries ok, the namespace and every check.
func TestVerify_JSON(t *testing.T) {
	c := verifytest.New(t)
	c.Deployment = verifytest.Deployment(1, 0)
	res := run(t, c, c.Kubeconfig(), verify.Options{Console: true})
	var buf bytes.Buffer
	if err := verify.WriteJSON(&buf, res); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Namespace string         `json:"namespace"`
		OK        bool           `json:"ok"`
		Checks    []verify.Check `json:"checks"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil || got.OK || got.Namespace != "pachyderm" || len(got.Checks) != 8 ||
		got.Checks[3].Status != verify.Fail || got.Checks[3].Fix == "" {
		t.Errorf("json %s (err %v)", buf.String(), err)
	}
}

// TestVerify_ClientCertificate: a kubeconfig user with client-certificate-data and
// client-key-data presents that certificate, and the key never shows.
func TestVerify_ClientCertificate(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pachdeploy-admin"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TLS.PeerCertificates) == 0 || r.TLS.PeerCertificates[0].Subject.CommonName != "pachdeploy-admin" {
			http.Error(w, `{"message":"Unauthorized"}`, http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"gitVersion":"v1.34.0"}`)
	}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
	srv.StartTLS()
	defer srv.Close()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	b64 := base64.StdEncoding.EncodeToString
	kubeconfig := fmt.Sprintf(`{"current-context":"c","clusters":[{"name":"x","cluster":{"server":%q,"certificate-authority-data":%q}}],
"contexts":[{"name":"c","context":{"cluster":"x","user":"u"}}],
"users":[{"name":"u","user":{"client-certificate-data":%q,"client-key-data":%q}}]}`, srv.URL, b64(ca), b64(certPEM), b64(keyPEM))
	res, err := verify.Run(context.Background(), []byte(kubeconfig), verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := check(res, verify.CheckAPI); got.Status != verify.OK || got.Detail != "Kubernetes v1.34.0 answered" {
		t.Errorf("api %+v; want the certificate accepted", got)
	}
	js, _ := json.Marshal(res)
	if strings.Contains(string(js), b64(keyPEM)) || strings.Contains(string(js), "PRIVATE KEY") {
		t.Errorf("the report shows the key: %s", js)
	}
}
