package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

const (
	releaseType  = "kubernetes:helm.sh/v3:Release"
	passwordType = "random:index/randomPassword:RandomPassword"
	licenseKey   = "LICENSE-e2e-4f1c9a77d2"
)

// secretAt names a stand-in cloud output that holds a secret: its resource type and
// the dotted path below the resource's outputs.
type secretAt struct{ typ, path string }

// cloudCase is what differs per cloud in the lifecycle.
type cloudCase struct {
	cloud    string
	settings map[string]string
	// data are the data-bearing types: kept on destroy unless deleteDataOnDestroy.
	data []string
	// buckets is how many data[0] a stack makes: the data bucket, and on AWS and GCP
	// its access-log bucket.
	buckets int
	// cluster is a custom resource that destroy deletes.
	cluster string
	// rename changes a data resource's immutable name; renamed is the type replaced.
	rename  map[string]string
	renamed string
	// secrets are provider outputs that must never appear in plaintext in state.
	secrets []secretAt
}

var cloudCases = []cloudCase{
	{
		cloud:    "aws",
		settings: map[string]string{"identity": "static-keys"},
		data:     []string{"aws:s3/bucketV2:BucketV2"},
		buckets:  2,
		cluster:  "aws:eks/cluster:Cluster",
		rename:   map[string]string{"bucketName": "pachdeploy-e2e-renamed-data"},
		renamed:  "aws:s3/bucketV2:BucketV2",
		secrets:  []secretAt{{"aws:iam/accessKey:AccessKey", "secret"}},
	},
	{
		cloud:    "gcp",
		settings: map[string]string{"identity": "service-account-key", "project": "pachdeploy-e2e"},
		data:     []string{"gcp:storage/bucket:Bucket"},
		buckets:  2,
		cluster:  "gcp:container/cluster:Cluster",
		rename:   map[string]string{"bucketName": "pachdeploy-e2e-renamed-data"},
		renamed:  "gcp:storage/bucket:Bucket",
		secrets:  []secretAt{{"gcp:serviceaccount/key:Key", "privateKey"}},
	},
	{
		cloud:    "azure",
		settings: map[string]string{},
		data:     []string{"azure-native:storage:StorageAccount", "azure-native:storage:BlobContainer"},
		buckets:  1,
		cluster:  "azure-native:containerservice:ManagedCluster",
		rename:   map[string]string{"storageAccountName": "pachrenamed01"},
		renamed:  "azure-native:storage:StorageAccount",
		secrets:  []secretAt{{releaseType, "values.pachd.storage.microsoft.secret"}},
	},
}

func settingsFor(c cloudCase, extra map[string]string) map[string]string {
	s := map[string]string{"cloud": c.cloud, "enterpriseLicenseKey": licenseKey}
	for k, v := range c.settings {
		s[k] = v
	}
	for k, v := range extra {
		s[k] = v
	}
	return s
}

// TestLifecycle runs, per cloud: up from empty, an idempotent preview, no plaintext
// secret in the exported state, an in-place update (node count, chart version) that
// keeps the install-time secrets, a replacement the preview flags, and a destroy that
// keeps the data.
func TestLifecycle(t *testing.T) {
	for _, c := range cloudCases {
		t.Run(c.cloud, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			h := newHarness(t)
			s := h.stack(ctx, "life-"+c.cloud, settingsFor(c, nil), "enterpriseLicenseKey")

			up, err := s.Up(ctx)
			if err != nil {
				t.Fatalf("up: %v", err)
			}
			checkOutputs(t, c, up.Outputs)

			if _, err := s.Preview(ctx, optpreview.ExpectNoChanges()); err != nil {
				t.Fatalf("second preview is not empty (not idempotent): %v", err)
			}

			passwords := h.outputStrings(passwordType, "result")
			if len(passwords) < 6 {
				t.Fatalf("want at least 6 generated chart secrets in the stand-in cloud, got %d", len(passwords))
			}
			checkNoPlaintext(t, h.export(ctx, s), secretValues(t, h, c, up.Outputs, passwords))

			// Scale up: updates only.
			h.configure(ctx, s, map[string]string{"nodeCount": "3", "nodeMaxCount": "4"})
			ops, _, res := previewOps(ctx, t, s)
			if res.ChangeSummary[apitype.OpReplace] != 0 || res.ChangeSummary[apitype.OpUpdate] == 0 {
				t.Fatalf("node count change: want updates and no replacement, got %v", res.ChangeSummary)
			}
			if n := countOps(ops, apitype.OpDelete, apitype.OpCreate); n != 0 {
				t.Fatalf("node count change creates or deletes %d resources", n)
			}

			// Chart bump: the release updates, install-time secrets stay.
			h.configure(ctx, s, map[string]string{"chartVersion": "2.11.7"})
			ops, types, res := previewOps(ctx, t, s)
			if res.ChangeSummary[apitype.OpReplace] != 0 {
				t.Fatalf("chart bump replaces: %v", res.ChangeSummary)
			}
			if !hasOp(ops, types, releaseType, apitype.OpUpdate) {
				t.Fatalf("chart bump does not update the release: %v", ops)
			}
			if _, err := s.Up(ctx); err != nil {
				t.Fatalf("up after chart bump: %v", err)
			}
			if after := h.outputStrings(passwordType, "result"); !sameSet(passwords, after) {
				t.Fatal("chart install-time secrets changed across updates")
			}
			if _, err := s.Preview(ctx, optpreview.ExpectNoChanges()); err != nil {
				t.Fatalf("preview after update is not empty: %v", err)
			}

			// Renaming the data store is a replacement the preview flags.
			h.configure(ctx, s, c.rename)
			ops, types, res = previewOps(ctx, t, s)
			if !hasOp(ops, types, c.renamed, apitype.OpReplace, apitype.OpCreateReplacement) {
				t.Fatalf("renaming %v does not replace %s: %v", c.rename, c.renamed, res.ChangeSummary)
			}
			for k := range c.rename {
				if err := s.RemoveConfig(ctx, "pachdeploy:"+k); err != nil {
					t.Fatal(err)
				}
			}

			before := map[string]int{}
			for _, typ := range c.data {
				before[typ] = len(h.records(typ))
			}
			if _, err := s.Destroy(ctx); err != nil {
				t.Fatalf("destroy: %v", err)
			}
			if h.count("delete", releaseType) == 0 || h.count("delete", c.cluster) == 0 {
				t.Fatalf("destroy did not delete the release and the cluster (%s)", c.cluster)
			}
			for _, typ := range c.data {
				if n := h.count("delete", typ); n != 0 {
					t.Errorf("destroy deleted %d %s: the data must be kept", n, typ)
				}
				if got := len(h.records(typ)); got != before[typ] || got == 0 {
					t.Errorf("%s: %d left in the cloud after destroy, want %d", typ, got, before[typ])
				}
			}
		})
	}
}

// TestDeleteDataOnDestroy: with deleteDataOnDestroy the bucket goes with the stack.
func TestDeleteDataOnDestroy(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := cloudCases[0]
	h := newHarness(t)
	s := h.stack(ctx, "delete-data", settingsFor(c, map[string]string{"deleteDataOnDestroy": "true"}), "enterpriseLicenseKey")
	if _, err := s.Up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	if _, err := s.Destroy(ctx); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if n := h.count("delete", c.data[0]); n != c.buckets {
		t.Fatalf("deleteDataOnDestroy: %d bucket deletes, want %d", n, c.buckets)
	}
	if n := len(h.records(c.data[0])); n != 0 {
		t.Fatalf("%d buckets left", n)
	}
}

// TestFailedUpdateConverges: a release that fails half-way leaves a state from which
// the next up converges without duplicates.
func TestFailedUpdateConverges(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := cloudCases[0]
	h := newHarness(t)
	h.env["PACHDEPLOY_TESTPROVIDER_FAIL"] = releaseType + "=create-partial:timed out waiting for pachd to become ready"
	s := h.stack(ctx, "fail-once", settingsFor(c, nil), "enterpriseLicenseKey")
	_, err := s.Up(ctx)
	if err == nil || !strings.Contains(err.Error(), "timed out waiting for pachd") {
		t.Fatalf("up with a failing release: %v", err)
	}
	s.Workspace().UnsetEnvVar("PACHDEPLOY_TESTPROVIDER_FAIL")
	if _, err := s.Up(ctx); err != nil {
		t.Fatalf("second up does not converge: %v", err)
	}
	if _, err := s.Preview(ctx, optpreview.ExpectNoChanges()); err != nil {
		t.Fatalf("not converged: %v", err)
	}
	for typ, want := range map[string]int{releaseType: 1, c.data[0]: c.buckets, c.cluster: 1} {
		if n := len(h.records(typ)); n != want {
			t.Errorf("%d %s in the cloud after recovery, want exactly %d", n, typ, want)
		}
	}
}

func checkOutputs(t *testing.T, c cloudCase, out auto.OutputMap) {
	t.Helper()
	if out["cloud"].Value != c.cloud {
		t.Errorf("output cloud = %v", out["cloud"].Value)
	}
	for _, k := range []string{"clusterName", "region", "bucket", "pachdAddress", "pachctlConnect", "consoleHint"} {
		if v, ok := out[k].Value.(string); !ok || v == "" {
			t.Errorf("output %s missing: %v", k, out[k])
		}
	}
	if kc := out["kubeconfig"]; !kc.Secret || kc.Value == "" {
		t.Errorf("kubeconfig output must be a non-empty secret: secret=%v", kc.Secret)
	}
}

// secretValues gathers every secret value the deployment holds: the license, the
// generated chart secrets, the kubeconfig's credentials and the cloud's keys.
func secretValues(t *testing.T, h *harness, c cloudCase, out auto.OutputMap, passwords []string) []string {
	vals := append([]string{licenseKey}, passwords...)
	kubeconfig, _ := out["kubeconfig"].Value.(string)
	for _, line := range strings.Split(kubeconfig, "\n") {
		// Credentials only: the CA certificate is public and legitimately in cluster outputs.
		if strings.Contains(line, "token:") || strings.Contains(line, "client-key-data:") || strings.Contains(line, "password:") {
			if v := strings.TrimSpace(line[strings.Index(line, ":")+1:]); len(v) >= 8 {
				vals = append(vals, v)
			}
		}
	}
	for _, s := range c.secrets {
		found := false
		for _, r := range h.records(s.typ) {
			var m map[string]any
			if err := json.Unmarshal(r.Outputs, &m); err != nil {
				t.Fatal(err)
			}
			var got []string
			collect(lookup(m, s.path), &got)
			vals = append(vals, got...)
			found = found || len(got) > 0
		}
		if !found {
			t.Fatalf("no %s %s in the stand-in cloud to check", s.typ, s.path)
		}
	}
	return vals
}

func lookup(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		if inner, secret := m["value"]; secret && len(m) == 2 {
			m, _ = inner.(map[string]any)
		}
		v = m[k]
	}
	return v
}

func checkNoPlaintext(t *testing.T, export string, secrets []string) {
	t.Helper()
	if !strings.Contains(export, "ciphertext") {
		t.Fatal("the export holds no encrypted value at all: secrets are not tracked")
	}
	for _, s := range secrets {
		if strings.Contains(export, s) {
			t.Errorf("plaintext secret in stack export: %.6s...", s)
		}
	}
}

func countOps(ops map[string][]apitype.OpType, kinds ...apitype.OpType) int {
	n := 0
	for _, l := range ops {
		for _, o := range l {
			if slices.Contains(kinds, o) {
				n++
			}
		}
	}
	return n
}

func hasOp(ops map[string][]apitype.OpType, types map[string]string, typ string, kinds ...apitype.OpType) bool {
	for urn, l := range ops {
		for _, o := range l {
			if types[urn] == typ && slices.Contains(kinds, o) {
				return true
			}
		}
	}
	return false
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return fmt.Sprint(x) == fmt.Sprint(y)
}
