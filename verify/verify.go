// Package verify checks that a deployed Pachyderm works, with the stack's own
// kubeconfig: the runbook's closing `kubectl get pods`, `pachctl version` and console
// port-forward as one report. It speaks the Kubernetes REST API with net/http (no
// client-go): it lists the namespace's pods and volume claims, reads the pachd
// Deployment, and reaches pachd and the console through the API server's service
// proxy; with a TLS endpoint it GETs the public hostname with the certificate
// verified. It changes nothing in the cluster, and no credential of the kubeconfig
// reaches its result or its errors.
package verify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Check names, in the order Run reports them.
const (
	CheckAPI        = "kubernetes-api"
	CheckPods       = "pods"
	CheckVolumes    = "volumes"
	CheckDeployment = "pachd-deployment"
	CheckPachd      = "pachd"
	CheckDatabase   = "database"
	CheckConsole    = "console"
	CheckEndpoint   = "endpoint"
)

// Status is a check's outcome.
type Status string

// Outcomes.
const (
	OK   Status = "ok"
	Fail Status = "fail"
	// Skip is a check that does not apply (console disabled, no TLS endpoint) or could
	// not run (the API server did not answer); the detail says which.
	Skip Status = "skip"
)

// Check is one line of the report.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Detail is what was seen.
	Detail string `json:"detail"`
	// Fix is what to do about a failure.
	Fix string `json:"fix,omitempty"`
}

// Result is every check, in order.
type Result struct {
	Namespace string `json:"namespace"`
	// OK is true when no check failed.
	OK     bool    `json:"ok"`
	Checks []Check `json:"checks"`
}

// Failed lists the failed checks.
func (r *Result) Failed() []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Status == Fail {
			out = append(out, c)
		}
	}
	return out
}

// Options say where Pachyderm is and what it exposes.
type Options struct {
	// Namespace is Pachyderm's namespace (the stack output `namespace`). Default
	// "pachyderm".
	Namespace string
	// Console checks the console's health through the service proxy; false skips it
	// (console: false).
	Console bool
	// EndpointHostname is the TLS endpoint's DNS name (endpoint: tls); verify GETs
	// https://HOST/ with the certificate verified. Empty skips the check.
	EndpointHostname string
	// EndpointRootCAs verify the endpoint's certificate; nil means the system's roots.
	EndpointRootCAs *x509.CertPool
	// Timeout bounds each request and the kubeconfig's credential plugin. Default 15s.
	Timeout time.Duration
}

// DefaultNamespace is pachdeploy's default namespace.
const DefaultNamespace = "pachyderm"

// Run checks the deployment the kubeconfig reaches. A check failing is no error (see
// Result.OK); an error is a kubeconfig verify cannot read. A credential plugin that
// fails (aws, gke-gcloud-auth-plugin, kubelogin) fails the kubernetes-api check.
func Run(ctx context.Context, kubeconfig []byte, o Options) (*Result, error) {
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	c, err := parseKubeconfig(kubeconfig)
	if err != nil {
		return nil, err
	}
	v := &verifier{o: o, res: &Result{Namespace: o.Namespace}}
	if err := c.credentials(ctx, o.Timeout); err != nil {
		v.fail(CheckAPI, c.secrets.redact(err.Error()),
			"the kubeconfig's credential plugin must work where verify runs: sign in to the cloud (aws, gcloud, az login) and run `pachdeploy doctor`")
	} else {
		v.api = &api{base: c.server, client: c.httpClient(o.Timeout), redact: c.secrets}
		v.checkAPI(ctx)
	}
	if v.api != nil {
		v.checkPods(ctx)
		v.checkVolumes(ctx)
		v.checkDeployment(ctx)
		v.checkPachd(ctx)
		v.checkDatabase()
		v.checkConsole(ctx)
	} else {
		for _, name := range []string{CheckPods, CheckVolumes, CheckDeployment, CheckPachd, CheckDatabase, CheckConsole} {
			v.add(Check{Name: name, Status: Skip, Detail: "not run: the Kubernetes API did not answer"})
		}
	}
	v.checkEndpoint(ctx)
	v.res.OK = len(v.res.Failed()) == 0
	return v.res, nil
}

// verifier runs the checks in order, keeping what later checks reuse.
type verifier struct {
	o   Options
	res *Result
	// api is nil when the API server cannot be reached.
	api *api
	// pods are the namespace's pods; nil when they could not be listed.
	pods []pod
}

func (v *verifier) add(c Check) { v.res.Checks = append(v.res.Checks, c) }

func (v *verifier) ok(name, format string, args ...any) {
	v.add(Check{Name: name, Status: OK, Detail: fmt.Sprintf(format, args...)})
}

func (v *verifier) fail(name, detail, fix string) {
	v.add(Check{Name: name, Status: Fail, Detail: detail, Fix: fix})
}

// ns is the namespace, for the fixes' kubectl commands.
func (v *verifier) ns() string { return v.o.Namespace }

func (v *verifier) checkAPI(ctx context.Context) {
	var ver struct {
		GitVersion string `json:"gitVersion"`
	}
	if err := v.api.getJSON(ctx, "/version", &ver); err != nil {
		v.fail(CheckAPI, "the API server did not answer: "+err.Error(),
			"the API server must admit your address (apiAllowedCidrs) and the kubeconfig's user (its cloud sign-in)")
		v.api = nil
		return
	}
	v.ok(CheckAPI, "Kubernetes %s answered", ver.GitVersion)
}

// checkPods: every pod Running and Ready, but for pods that finished (a Job's, which
// Helm already waited for).
func (v *verifier) checkPods(ctx context.Context) {
	var list podList
	if err := v.api.getJSON(ctx, "/api/v1/namespaces/"+v.ns()+"/pods", &list); err != nil {
		v.fail(CheckPods, "the pods could not be listed: "+err.Error(),
			"the kubeconfig's user needs to list pods in "+v.ns())
		return
	}
	v.pods = list.Items
	var bad, fixes []string
	live := 0
	for _, p := range list.Items {
		if finished(p) {
			continue
		}
		live++
		if why, fix := podProblem(p, v.ns()); why != "" {
			bad = append(bad, p.Metadata.Name+" ("+why+")")
			if !slices.Contains(fixes, fix) {
				fixes = append(fixes, fix)
			}
		}
	}
	switch {
	case live == 0:
		v.fail(CheckPods, "no pods in namespace "+v.ns(),
			"check the namespace (the stack output `namespace`) and the release: helm -n "+v.ns()+" status pachyderm")
	case len(bad) > 0:
		v.fail(CheckPods, fmt.Sprintf("%d of %d pods not ready: %s", len(bad), live, listSome(bad, 5)), strings.Join(fixes, "; "))
	default:
		v.ok(CheckPods, "%d pods running and ready", live)
	}
}

// finished is a pod that is done: Succeeded, or a failed attempt of a Job.
func finished(p pod) bool {
	if p.Status.Phase == "Succeeded" {
		return true
	}
	if p.Status.Phase == "Failed" {
		for _, o := range p.Metadata.OwnerReferences {
			if o.Kind == "Job" {
				return true
			}
		}
	}
	return false
}

// podProblem says why a pod is not Running and Ready ("" when it is) and what to do.
func podProblem(p pod, ns string) (why, fix string) {
	ready := conditionOf(p.Status.Conditions, "Ready")
	if p.Status.Phase == "Running" && ready != nil && ready.Status == "True" {
		return "", ""
	}
	name := p.Metadata.Name
	describe := fmt.Sprintf("kubectl -n %s describe pod %s", ns, name)
	for _, cs := range slices.Concat(p.Status.InitContainerStatuses, p.Status.ContainerStatuses) {
		w := cs.State.Waiting
		if w == nil || w.Reason == "" || w.Reason == "PodInitializing" {
			continue
		}
		why = w.Reason + " in " + cs.Name
		if t := cs.LastState.Terminated; t != nil {
			why += fmt.Sprintf(", last exit %d", t.ExitCode)
			if t.Reason != "" {
				why += " " + t.Reason
			}
		}
		switch w.Reason {
		case "ImagePullBackOff", "ErrImagePull", "InvalidImageName":
			fix = "check the image and that the nodes reach its registry (private nodes need NAT): " + describe
		case "CrashLoopBackOff", "RunContainerError":
			fix = fmt.Sprintf("read why it exits: kubectl -n %s logs %s -c %s --previous", ns, name, cs.Name)
		case "CreateContainerConfigError":
			fix = "a Secret or ConfigMap it reads is missing: " + describe
		default:
			fix = describe
		}
		return why, fix
	}
	if s := conditionOf(p.Status.Conditions, "PodScheduled"); s != nil && s.Status == "False" {
		return fmt.Sprintf("%s: %s: %s", orDefault(p.Status.Phase, "Pending"), s.Reason, clip(s.Message, 160)),
			"no node fits it: raise nodeCount or nodeInstanceType, or see " + describe
	}
	for _, cs := range p.Status.ContainerStatuses {
		if cs.State.Running != nil && !cs.Ready {
			return cs.Name + " running but not ready (its readiness probe fails)",
				fmt.Sprintf("kubectl -n %s logs %s -c %s; %s", ns, name, cs.Name, describe)
		}
	}
	return orDefault(p.Status.Phase, "Unknown") + ", not ready", describe
}

func (v *verifier) checkVolumes(ctx context.Context) {
	var list pvcList
	if err := v.api.getJSON(ctx, "/api/v1/namespaces/"+v.ns()+"/persistentvolumeclaims", &list); err != nil {
		v.fail(CheckVolumes, "the volume claims could not be listed: "+err.Error(),
			"the kubeconfig's user needs to list persistentvolumeclaims in "+v.ns())
		return
	}
	var bad []string
	for _, c := range list.Items {
		if c.Status.Phase == "Bound" {
			continue
		}
		class := "the cluster's default class"
		if sc := c.Spec.StorageClassName; sc != nil {
			class = "class " + *sc
		}
		bad = append(bad, fmt.Sprintf("%s %s (%s)", c.Metadata.Name, orDefault(c.Status.Phase, "Pending"), class))
	}
	if len(bad) > 0 {
		v.fail(CheckVolumes, fmt.Sprintf("%d of %d volume claims not bound: %s", len(bad), len(list.Items), listSome(bad, 5)),
			fmt.Sprintf("kubectl -n %s describe pvc NAME: the class must exist (kubectl get storageclass) and its provisioner run (on EKS the EBS CSI driver add-on)", v.ns()))
		return
	}
	v.ok(CheckVolumes, "%d volume claims bound", len(list.Items))
}

func (v *verifier) checkDeployment(ctx context.Context) {
	var d deployment
	describe := fmt.Sprintf("kubectl -n %s describe deployment pachd", v.ns())
	if err := v.api.getJSON(ctx, "/apis/apps/v1/namespaces/"+v.ns()+"/deployments/pachd", &d); err != nil {
		v.fail(CheckDeployment, "the pachd Deployment could not be read: "+err.Error(),
			"is Pachyderm installed in "+v.ns()+"? helm -n "+v.ns()+" status pachyderm")
		return
	}
	want := 1
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	avail := conditionOf(d.Status.Conditions, "Available")
	if avail != nil && avail.Status == "True" && d.Status.AvailableReplicas > 0 {
		v.ok(CheckDeployment, "%d of %d replicas available", d.Status.AvailableReplicas, want)
		return
	}
	detail := fmt.Sprintf("%d of %d replicas available", d.Status.AvailableReplicas, want)
	for _, typ := range []string{"Available", "Progressing"} {
		if c := conditionOf(d.Status.Conditions, typ); c != nil && c.Status != "True" {
			detail += fmt.Sprintf("; %s: %s: %s", typ, c.Reason, clip(c.Message, 160))
		}
	}
	v.fail(CheckDeployment, detail, "see the pods line for the pachd pod, and "+describe)
}

// checkPachd GETs pachd's Prometheus port (1656, service port prom-metrics) through
// the API server's service proxy. pachd serves it only once it is up (after its
// database setup), and the proxy reaches it only through a ready endpoint of the
// pachd Service: an answer proves pachd runs and the Service routes to it, not that
// the gRPC API on 1650 (what pachctl uses) answers.
func (v *verifier) checkPachd(ctx context.Context) {
	body, err := v.api.get(ctx, serviceProxy(v.ns(), "pachd", "prom-metrics", "/metrics"), "text/plain")
	fix := fmt.Sprintf("kubectl -n %s logs deploy/pachd; by hand: kubectl -n %s port-forward svc/pachd 30650 & pachctl version "+
		"(on private GKE nodes the control plane reaches pods only where a firewall rule admits it)", v.ns(), v.ns())
	switch {
	case err != nil:
		v.fail(CheckPachd, "pachd did not answer through the service proxy: "+err.Error(), fix)
	case !strings.Contains(string(body), "# TYPE"):
		v.fail(CheckPachd, "pachd's metrics port answered, but not with Prometheus metrics", fix)
	default:
		v.ok(CheckPachd, "pachd answered on its metrics port through the pachd Service (it runs; pachctl's gRPC port is not probed)")
	}
}

// checkDatabase reads what the pods say: pachd's readiness probe (`pachd --readiness`,
// a gRPC health call) passes only once pachd has waited for PostgreSQL and applied its
// migrations at start, and pg-bouncer's once it listens. It proves pachd reached the
// database when it started, not that it reaches it now.
func (v *verifier) checkDatabase() {
	if v.pods == nil {
		v.fail(CheckDatabase, "unknown: the pods could not be listed", "see the pods line")
		return
	}
	pachd, pachdReady := readyCount(v.pods, "pachd")
	bouncer, bouncerReady := readyCount(v.pods, "pg-bouncer")
	logs := fmt.Sprintf("kubectl -n %s logs deploy/pachd | grep -i postgres; with database: managed check the server's network and its password Secret", v.ns())
	switch {
	case pachdReady == 0:
		v.fail(CheckDatabase, fmt.Sprintf("unproven: no pachd pod is ready (%d of %d)", pachdReady, pachd), logs)
	case bouncer > 0 && bouncerReady < bouncer:
		v.fail(CheckDatabase, fmt.Sprintf("pg-bouncer %d of %d ready, pachd reaches PostgreSQL through it", bouncerReady, bouncer),
			fmt.Sprintf("kubectl -n %s logs deploy/pg-bouncer", v.ns()))
	default:
		v.ok(CheckDatabase, "pachd ready, which it became only after reaching PostgreSQL and applying its migrations at start; pg-bouncer %d of %d ready", bouncerReady, bouncer)
	}
}

// readyCount counts the running pods labelled app=app, and the ready ones.
func readyCount(pods []pod, app string) (n, ready int) {
	for _, p := range pods {
		if p.Metadata.Labels["app"] != app || finished(p) {
			continue
		}
		n++
		if why, _ := podProblem(p, ""); why == "" {
			ready++
		}
	}
	return n, ready
}

// checkConsole GETs the console's /health (its own readiness path) through the service
// proxy.
func (v *verifier) checkConsole(ctx context.Context) {
	if !v.o.Console {
		v.add(Check{Name: CheckConsole, Status: Skip, Detail: "the console is disabled"})
		return
	}
	if _, err := v.api.get(ctx, serviceProxy(v.ns(), "console", "console-http", "/health"), "*/*"); err != nil {
		v.fail(CheckConsole, "the console did not answer through the service proxy: "+err.Error(),
			fmt.Sprintf("kubectl -n %s logs deploy/console; by hand: kubectl -n %s port-forward svc/pachyderm-proxy 8080:80, then open http://localhost:8080", v.ns(), v.ns()))
		return
	}
	v.ok(CheckConsole, "the console's /health answered through the console Service")
}

// checkEndpoint GETs https://HOST/ as a browser would: the certificate must verify for
// HOST. Any answer below 500 counts (the proxy may redirect or ask to sign in); a 5xx
// is the load balancer or proxy without a working backend.
func (v *verifier) checkEndpoint(ctx context.Context) {
	host := v.o.EndpointHostname
	if host == "" {
		v.add(Check{Name: CheckEndpoint, Status: Skip, Detail: "no TLS endpoint (endpoint: none): reach pachd with kubectl port-forward"})
		return
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: v.o.EndpointRootCAs}
	client := &http.Client{Transport: t, Timeout: v.o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	fix := "DNS for " + host + " must point at the load balancer (pachdeploy does not manage DNS), and the certificate " +
		"(endpointTlsSecret or endpointCertificateArn) must be for " + host + " and from a trusted CA"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+host+"/", nil)
	if err != nil {
		v.fail(CheckEndpoint, "endpointHostname "+host+" is not a host name", fix)
		return
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		v.fail(CheckEndpoint, "https://"+host+" did not answer: "+err.Error(), fix)
		return
	}
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		v.fail(CheckEndpoint, fmt.Sprintf("https://%s answered %s", host, resp.Status), "the load balancer reaches no working proxy: "+
			fmt.Sprintf("kubectl -n %s get pods -l app=pachyderm-proxy; kubectl -n %s get svc pachyderm-proxy", v.ns(), v.ns()))
		return
	}
	v.ok(CheckEndpoint, "https://%s answered %s with a certificate valid for it", host, resp.Status)
}

// listSome joins at most n items, counting the rest.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
