// Package verifytest is a fake Kubernetes API server for tests of verify and of the
// programs that embed it: the REST endpoints verify reads (version, pods, volume
// claims, the pachd Deployment, the service proxy to pachd and the console), over TLS,
// answering only requests that carry its bearer token. It starts healthy; tests break
// what they check.
package verifytest

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Cluster is the fake API server and what it serves. Change the fields before the
// code under test runs.
type Cluster struct {
	// Server is the TLS server; its certificate is the kubeconfig's authority.
	Server *httptest.Server
	// Token is the bearer token the server accepts.
	Token string
	// Namespace is the namespace served.
	Namespace string
	// Pods and PVCs are the namespace's objects, as JSON objects.
	Pods []map[string]any
	PVCs []map[string]any
	// Deployment is the pachd Deployment; nil answers 404.
	Deployment map[string]any
	// Pachd answers GET /metrics on pachd's prom-metrics port, through the service proxy.
	Pachd http.HandlerFunc
	// Console answers GET /health on the console Service; nil answers as the API server
	// does for a service without ready endpoints.
	Console http.HandlerFunc

	mu       sync.Mutex
	requests []string
}

// New starts a healthy cluster: Pachyderm's pods running and ready (and a finished Job
// pod), its volume claims bound, pachd available and answering, the console answering.
// The server stops when the test ends.
func New(t testing.TB) *Cluster {
	t.Helper()
	c := &Cluster{
		Token:     "fake-token-7Hq2ZpL9",
		Namespace: "pachyderm",
		Pods: []map[string]any{
			ReadyPod("pachd-5f7c9d-x2k4q", "pachd"),
			ReadyPod("pg-bouncer-7d9f-abcde", "pg-bouncer"),
			ReadyPod("etcd-0", "etcd"),
			ReadyPod("postgres-0", "postgresql"),
			ReadyPod("console-6b8d-qwert", "console"),
			ReadyPod("pachyderm-proxy-84c-zxcvb", "pachyderm-proxy"),
			FinishedJobPod("pachyderm-create-databases-9kx2m"),
		},
		PVCs: []map[string]any{
			PVC("etcd-storage-etcd-0", "pachyderm-gp3", "Bound"),
			PVC("data-postgres-0", "pachyderm-gp3", "Bound"),
		},
		Deployment: Deployment(1, 1),
		Pachd: func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprint(w, "# HELP pachd_up pachd\n# TYPE pachd_up gauge\npachd_up 1\n")
		},
		Console: func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, `{"status":"ok"}`) },
	}
	c.Server = httptest.NewTLSServer(http.HandlerFunc(c.serve))
	t.Cleanup(c.Server.Close)
	return c
}

// Kubeconfig is a kubeconfig for the server: its URL, its certificate as the
// authority, the bearer token.
func (c *Cluster) Kubeconfig() string {
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Server.Certificate().Raw})
	return fmt.Sprintf(`apiVersion: v1
kind: Config
current-context: fake
clusters:
- name: fake
  cluster:
    server: %s
    certificate-authority-data: %s
contexts:
- name: fake
  context:
    cluster: fake
    user: fake
users:
- name: fake
  user:
    token: %s
`, c.Server.URL, base64.StdEncoding.EncodeToString(ca), c.Token)
}

// Requests lists the requests served, as "METHOD PATH".
func (c *Cluster) Requests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.requests...)
}

func (c *Cluster) serve(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.requests = append(c.requests, r.Method+" "+r.URL.Path)
	c.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+c.Token {
		status(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	if r.Method != http.MethodGet {
		status(w, http.StatusMethodNotAllowed, "verify only reads")
		return
	}
	ns := "/namespaces/" + c.Namespace
	switch r.URL.Path {
	case "/version":
		writeJSON(w, map[string]any{"gitVersion": "v1.33.2"})
	case "/api/v1" + ns + "/pods":
		writeJSON(w, map[string]any{"kind": "PodList", "items": c.Pods})
	case "/api/v1" + ns + "/persistentvolumeclaims":
		writeJSON(w, map[string]any{"kind": "PersistentVolumeClaimList", "items": c.PVCs})
	case "/apis/apps/v1" + ns + "/deployments/pachd":
		if c.Deployment == nil {
			status(w, http.StatusNotFound, `deployments.apps "pachd" not found`)
			return
		}
		writeJSON(w, c.Deployment)
	case "/api/v1" + ns + "/services/pachd:prom-metrics/proxy/metrics":
		c.Pachd(w, r)
	case "/api/v1" + ns + "/services/console:console-http/proxy/health":
		if c.Console == nil {
			status(w, http.StatusServiceUnavailable, `no endpoints available for service "console"`)
			return
		}
		c.Console(w, r)
	default:
		status(w, http.StatusNotFound, "the server could not find the requested resource")
	}
}

// status writes a Kubernetes Status, as the API server does for errors.
func status(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"kind": "Status", "status": "Failure", "message": msg, "code": code})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// ReadyPod is a pod labelled app=app, Running and Ready.
func ReadyPod(name, app string) map[string]any {
	return pod(name, app, "Running", []any{cond("PodScheduled", "True", "", ""), cond("Ready", "True", "", "")},
		[]any{map[string]any{"name": app, "ready": true, "state": map[string]any{"running": map[string]any{}}}})
}

// WaitingPod is a pod whose container waits with reason (ImagePullBackOff,
// CrashLoopBackOff, ...); a CrashLoopBackOff container last exited 1 with Error.
func WaitingPod(name, app, reason string) map[string]any {
	cs := map[string]any{"name": app, "ready": false,
		"state": map[string]any{"waiting": map[string]any{"reason": reason, "message": "back-off"}}}
	phase := "Pending"
	if reason == "CrashLoopBackOff" {
		phase = "Running"
		cs["lastState"] = map[string]any{"terminated": map[string]any{"exitCode": 1, "reason": "Error"}}
	}
	return pod(name, app, phase, []any{cond("PodScheduled", "True", "", ""), cond("Ready", "False", "ContainersNotReady", "")}, []any{cs})
}

// UnschedulablePod is a Pending pod the scheduler could not place, with its message.
func UnschedulablePod(name, app, message string) map[string]any {
	return pod(name, app, "Pending", []any{cond("PodScheduled", "False", "Unschedulable", message)}, nil)
}

// FinishedJobPod is a pod of a Job that completed.
func FinishedJobPod(name string) map[string]any {
	p := pod(name, "", "Succeeded", []any{cond("Ready", "False", "PodCompleted", "")}, nil)
	p["metadata"].(map[string]any)["ownerReferences"] = []any{map[string]any{"kind": "Job", "name": name}}
	return p
}

// PVC is a volume claim of the storage class (none when class is "") in phase.
func PVC(name, class, phase string) map[string]any {
	spec := map[string]any{}
	if class != "" {
		spec["storageClassName"] = class
	}
	return map[string]any{"metadata": map[string]any{"name": name}, "spec": spec, "status": map[string]any{"phase": phase}}
}

// Deployment is a Deployment wanting replicas with available of them; it is Available
// when any is.
func Deployment(replicas, available int) map[string]any {
	conds := []any{cond("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.")}
	if available == 0 {
		conds = []any{
			cond("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."),
			cond("Progressing", "False", "ProgressDeadlineExceeded", `ReplicaSet "pachd-5f7c9d" has timed out progressing.`),
		}
	}
	return map[string]any{
		"spec":   map[string]any{"replicas": replicas},
		"status": map[string]any{"replicas": replicas, "availableReplicas": available, "conditions": conds},
	}
}

func pod(name, app, phase string, conditions, containers []any) map[string]any {
	labels := map[string]any{}
	if app != "" {
		labels["app"] = app
	}
	return map[string]any{
		"metadata": map[string]any{"name": name, "labels": labels},
		"status":   map[string]any{"phase": phase, "conditions": conditions, "containerStatuses": containers},
	}
}

func cond(typ, status, reason, message string) map[string]any {
	return map[string]any{"type": typ, "status": status, "reason": reason, "message": message}
}
