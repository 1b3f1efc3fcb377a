package cli

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/automation"
	"github.com/pachdeploy/pachdeploy/verify/verifytest"
)

// TestVerify_ExitCodesAndFormats: verify reads the stack's outputs with secrets shown
// (the kubeconfig), checks the cluster it points at (a fake API server), prints one
// line per check or JSON, and exits 7 when a check fails, 0 when none does; the
// namespace, consoleHint and pachdAddress (grpcs:// with a TLS endpoint) outputs steer
// the checks; the kubeconfig
// and its token never reach stdout or stderr.
func TestVerify_ExitCodesAndFormats(t *testing.T) {
	endpoint := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer endpoint.Close()
	for _, tt := range []struct {
		name string
		// breaks changes the cluster; outputs adds stack outputs besides the kubeconfig.
		breaks  func(*verifytest.Cluster)
		outputs []automation.Output
		args    []string
		code    int
		out     []string
		errOut  string
	}{
		{"healthy", nil, nil, []string{"verify"}, ExitOK,
			[]string{"OK    pods              6 pods running and ready\n", "Verify (namespace pachyderm): 7 ok, 0 failed, 1 skipped\n"}, ""},
		{"pachd unavailable", func(c *verifytest.Cluster) { c.Deployment = verifytest.Deployment(1, 0) }, nil, []string{"verify"}, ExitVerify,
			[]string{"FAIL  pachd-deployment  0 of 1 replicas available", "; fix: see the pods line"},
			"error: verification failed for stack dev: 1 of 8 checks failed\n"},
		{"json", func(c *verifytest.Cluster) {
			c.PVCs[0] = verifytest.PVC("etcd-storage-etcd-0", "pachyderm-gp3", "Pending")
		}, nil,
			[]string{"verify", "--json"}, ExitVerify, []string{`"ok": false`, `"name": "volumes"`, "class pachyderm-gp3"}, "1 of 8 checks failed"},
		{"format json", nil, nil, []string{"verify", "--format", "json"}, ExitOK, []string{`"ok": true`}, ""},
		{"namespace output", func(c *verifytest.Cluster) { c.Namespace = "pach-prod" },
			[]automation.Output{{Name: "namespace", Value: "pach-prod"}}, []string{"verify"}, ExitOK, []string{"(namespace pach-prod): 7 ok"}, ""},
		{"console disabled", func(c *verifytest.Cluster) { c.Console = nil },
			[]automation.Output{{Name: "consoleHint", Value: "console disabled (disableConsole)"}}, []string{"verify"}, ExitOK,
			[]string{"SKIP  console           the console is disabled"}, ""},
		{"console expected", func(c *verifytest.Cluster) { c.Console = nil },
			[]automation.Output{{Name: "consoleHint", Value: "kubectl port-forward -n pachyderm svc/pachyderm-proxy 8080:80"}}, []string{"verify"}, ExitVerify,
			[]string{"FAIL  console"}, "1 of 8 checks failed"},
		// The test server's certificate is from no authority the system trusts.
		{"tls endpoint", nil, []automation.Output{{Name: "pachdAddress", Value: "grpcs://" + strings.TrimPrefix(endpoint.URL, "https://")}},
			[]string{"verify"}, ExitVerify, []string{"FAIL  endpoint          https://127.0.0.1:", "certificate signed by unknown authority"}, "1 of 8 checks failed"},
		{"in-cluster pachd", nil, []automation.Output{{Name: "pachdAddress", Value: "grpc://pachd.pachyderm.svc.cluster.local:30650"}},
			[]string{"verify"}, ExitOK, []string{"SKIP  endpoint          no TLS endpoint"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := verifytest.New(t)
			if tt.breaks != nil {
				tt.breaks(c)
			}
			kubeconfig := c.Kubeconfig()
			d := &fakeDriver{outputs: append([]automation.Output{{Name: "kubeconfig", Value: kubeconfig, Secret: true},
				{Name: "region", Value: "us-west-2"}}, tt.outputs...)}
			code, stdout, stderr := runCLI(t, d, false, "", tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.errOut) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)\n%s", code, tt.code, stderr, tt.errOut, stdout)
			}
			for _, want := range tt.out {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			if strings.Contains(stdout+stderr, c.Token) || strings.Contains(stdout+stderr, "certificate-authority-data") {
				t.Errorf("the kubeconfig or its token reached the output:\n%s\n%s", stdout, stderr)
			}
			if strings.Join(d.calls, ",") != "open,outputs show=true" || d.req.Create || d.req.Config != nil || d.req.Progress != nil {
				t.Errorf("calls %v, request %+v; want the existing stack opened as it is, then its outputs", d.calls, d.req)
			}
			if tt.args[len(tt.args)-1] == "json" || tt.args[len(tt.args)-1] == "--json" {
				var v map[string]any
				if err := json.Unmarshal([]byte(stdout), &v); err != nil {
					t.Errorf("stdout is not one JSON object: %v\n%s", err, stdout)
				}
			}
		})
	}
}

// TestVerify_WithoutAKubeconfigOrAStack: a stack without a kubeconfig output, a stack
// that cannot be read, or a kubeconfig verify cannot use fail (exit 1, or the
// driver's own code) without printing a report; the kubeconfig is never quoted.
func TestVerify_WithoutAKubeconfigOrAStack(t *testing.T) {
	const token = "sekrit-token-Zq81"
	for _, tt := range []struct {
		name    string
		outputs []automation.Output
		err     error
		code    int
		want    string
	}{
		{"no kubeconfig", []automation.Output{{Name: "region", Value: "us-west-2"}}, nil, ExitFailed,
			"stack dev: no kubeconfig output: run `pachdeploy up` first"},
		{"unusable kubeconfig", []automation.Output{{Name: "kubeconfig", Value: "users: [token: " + token + "\n : :", Secret: true}}, nil, ExitFailed,
			"stack dev: kubeconfig: not a kubeconfig file"},
		{"locked", nil, &automation.Error{Kind: automation.ErrConcurrentUpdate, Op: "outputs", Stack: "dev"}, ExitLocked, "locked"},
		{"wrong passphrase", nil, &automation.Error{Kind: automation.ErrWrongPassphrase, Op: "outputs", Stack: "dev"}, ExitUsage, ""},
		{"no stack", nil, errors.New("stack not found"), ExitFailed, "stack not found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := &fakeDriver{outputs: tt.outputs, err: tt.err}
			code, stdout, stderr := runCLI(t, d, false, "", "verify")
			if code != tt.code || !strings.Contains(stderr, tt.want) || stdout != "" {
				t.Errorf("exit %d (want %d), stderr %q (want %q), stdout %q", code, tt.code, stderr, tt.want, stdout)
			}
			if strings.Contains(stderr, token) {
				t.Errorf("stderr quotes the kubeconfig: %q", stderr)
			}
		})
	}
}

// TestVerify_TLSEndpointHost: the endpoint's host comes from a grpcs:// pachd address
// only, without the default port.
func TestVerify_TLSEndpointHost(t *testing.T) {
	for address, want := range map[string]string{
		"grpcs://pach.example.org:443":                   "pach.example.org",
		"grpcs://pach.example.org:8443":                  "pach.example.org:8443",
		"grpc://pachd.pachyderm.svc.cluster.local:30650": "",
		"grpc://a1b2.elb.amazonaws.com:30650":            "",
		"<pending>":                                      "",
	} {
		if got := tlsEndpointHost(address); got != want {
			t.Errorf("tlsEndpointHost(%q) = %q, want %q", address, got, want)
		}
	}
}

// TestVerify_BadUsageTouchesNothing: formats verify does not write, settings flags
// (verify reads the stack's own outputs) and stray arguments exit 2 before the stack
// is opened.
func TestVerify_BadUsageTouchesNothing(t *testing.T) {
	file := writeTemp(t, "cloud: aws\n")
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"markdown", []string{"verify", "--format", "markdown"}, `--format "markdown" is not supported`},
		{"--json with --format text", []string{"verify", "--json", "--format", "text"}, "--json conflicts with --format text"},
		{"--cloud", []string{"verify", "--cloud", "aws"}, "verify uses the stack's own settings"},
		{"--config", []string{"verify", "--config", file}, "verify uses the stack's own settings"},
		{"an argument", []string{"verify", "prod"}, "pachdeploy verify takes no arguments"},
		{"bad timeout", []string{"verify", "--timeout", "soon"}, "invalid argument"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := &fakeDriver{}
			code, _, stderr := runCLI(t, d, false, "", tt.args...)
			if code != ExitUsage || !strings.Contains(stderr, tt.want) || len(d.calls) != 0 {
				t.Errorf("exit %d, stderr %q, calls %v; want 2, %q, nothing touched", code, stderr, d.calls, tt.want)
			}
		})
	}
}
