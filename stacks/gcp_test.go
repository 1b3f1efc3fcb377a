package stacks_test

import (
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mockcloud"
	"github.com/pachdeploy/pachdeploy/stacks"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// deployedStack is one run of the whole program under the mock cloud.
type deployedStack struct {
	cfg              *config.Config
	cloud            *mockcloud.Cloud
	kubeconfigSecret bool
}

// deployUnderMockCloud resolves raw settings for project pachdeploy, stack dev and
// runs stacks.Deploy under the mock cloud.
func deployUnderMockCloud(t *testing.T, raw map[string]string) deployedStack {
	t.Helper()
	cfg, err := config.Resolve(raw, "pachdeploy", "dev")
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	d := deployedStack{cfg: cfg, cloud: mockcloud.New("pachdeploy", "dev")}
	if err := d.cloud.Run(func(ctx *pulumi.Context) error {
		outputs, err := stacks.Deploy(ctx, cfg)
		if err != nil {
			return err
		}
		if kubeconfig, ok := outputs["kubeconfig"].(pulumi.Output); ok {
			d.kubeconfigSecret = pulumi.IsSecret(kubeconfig)
		}
		return nil
	}); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	return d
}

// releaseValue returns the Helm release's value at path (like
// "pachd.storage.storageURL"), unwrapped, and whether it or any map on the way is
// secret.
func (d deployedStack) releaseValue(t *testing.T, path string) (v resource.PropertyValue, secret bool) {
	t.Helper()
	releases := d.cloud.OfType("kubernetes:helm.sh/v3:Release")
	if len(releases) != 1 {
		t.Fatalf("want one Helm release, got %d", len(releases))
	}
	v = releases[0].Inputs["values"]
	for _, key := range strings.Split(path, ".") {
		if v.IsSecret() {
			secret, v = true, v.SecretValue().Element
		}
		if !v.IsObject() {
			t.Fatalf("release values: %s is not a map on the way to %s", key, path)
		}
		v = v.ObjectValue()[resource.PropertyKey(key)]
	}
	if v.IsSecret() {
		secret, v = true, v.SecretValue().Element
	}
	return v, secret
}

// releaseString returns the Helm release's string value at path.
func (d deployedStack) releaseString(t *testing.T, path string) string {
	t.Helper()
	v, _ := d.releaseValue(t, path)
	if !v.IsString() {
		t.Fatalf("release value %s = %v, want a string", path, v)
	}
	return v.StringValue()
}

// checkProviders checks that every resource of the cloud's package uses the one
// explicit provider, and every Kubernetes object the cluster's provider and waits
// for nodesType.
func (d deployedStack) checkProviders(t *testing.T, pkg, nodesType string) {
	t.Helper()
	providers := d.cloud.OfType("pulumi:providers:" + pkg)
	k8s := d.cloud.OfType("pulumi:providers:kubernetes")
	nodes := d.cloud.OfType(nodesType)
	if len(providers) != 1 || len(k8s) != 1 || len(nodes) != 1 {
		t.Fatalf("want one %s provider, one kubernetes provider and one %s; got %d, %d, %d",
			pkg, nodesType, len(providers), len(k8s), len(nodes))
	}
	var cloudResources, kubernetesObjects int
	for _, r := range d.cloud.Resources() {
		switch {
		case strings.HasPrefix(r.Type, pkg+":"):
			cloudResources++
			if !strings.HasPrefix(r.Provider, providers[0].URN+"::") {
				t.Errorf("%s %s uses provider %q, want the explicit %s provider", r.Type, r.Name, r.Provider, pkg)
			}
		case strings.HasPrefix(r.Type, "kubernetes:"):
			kubernetesObjects++
			if !strings.HasPrefix(r.Provider, k8s[0].URN+"::") {
				t.Errorf("%s %s uses provider %q, want the cluster's", r.Type, r.Name, r.Provider)
			}
			if !contains(r.DependsOn, nodes[0].URN) {
				t.Errorf("%s %s does not wait for %s", r.Type, r.Name, nodesType)
			}
		}
	}
	if cloudResources == 0 || kubernetesObjects == 0 {
		t.Fatalf("%d %s resources and %d Kubernetes objects recorded", cloudResources, pkg, kubernetesObjects)
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func TestGCP_ReleaseTargetsTheBucketWithSSDVolumes(t *testing.T) {
	d := deployUnderMockCloud(t, map[string]string{"cloud": "gcp"})
	for path, want := range map[string]string{
		"deployTarget":                                 "GOOGLE",
		"pachd.storage.storageURL":                     "gs://" + d.cfg.BucketName,
		"pachd.storage.google.bucket":                  d.cfg.BucketName,
		"etcd.storageClass":                            "pachyderm-ssd",
		"postgresql.persistence.storageClass":          "pachyderm-ssd",
		"loki-stack.loki.persistence.storageClassName": "pachyderm-ssd",
	} {
		if got := d.releaseString(t, path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if !d.kubeconfigSecret {
		t.Error("the kubeconfig stack output is not secret")
	}
}

func TestGCP_WorkloadIdentityAnnotatesBothServiceAccounts(t *testing.T) {
	d := deployUnderMockCloud(t, map[string]string{"cloud": "gcp"})
	account, ok := d.cloud.Named("gcp:serviceaccount/account:Account", "pachyderm-data-pachyderm")
	if !ok {
		t.Fatal("no Pachyderm service account")
	}
	email := account.Outputs["email"].StringValue()
	if !strings.HasSuffix(email, "@"+mockcloud.GCPProject+".iam.gserviceaccount.com") {
		t.Errorf("service account email %q is not in the provider's project", email)
	}
	for _, path := range []string{
		"pachd.serviceAccount.additionalAnnotations",
		"pachd.worker.serviceAccount.additionalAnnotations",
	} {
		v, _ := d.releaseValue(t, path)
		if got := v.ObjectValue()["iam.gke.io/gcp-service-account"]; !got.IsString() || got.StringValue() != email {
			t.Errorf("%s = %v, want iam.gke.io/gcp-service-account: %s", path, v, email)
		}
	}
	if v, _ := d.releaseValue(t, "pachd.storage.google"); v.ObjectValue().HasValue("cred") {
		t.Error("a credential is passed to the chart under workload identity")
	}
	for _, m := range d.cloud.OfType("gcp:serviceaccount/iAMMember:IAMMember") {
		member := m.Inputs["member"].StringValue()
		if !strings.HasPrefix(member, "serviceAccount:"+mockcloud.GCPProject+".svc.id.goog[pachyderm/") {
			t.Errorf("workload identity member %q is not in the cluster's pool and namespace", member)
		}
	}
}

func TestGCP_ServiceAccountKeyReachesTheChartOnlyAsSecret(t *testing.T) {
	d := deployUnderMockCloud(t, map[string]string{"cloud": "gcp", "identity": "service-account-key"})
	cred, secret := d.releaseValue(t, "pachd.storage.google.cred")
	if !secret || !cred.IsString() || !strings.Contains(cred.StringValue(), `"type":"service_account"`) {
		t.Errorf("pachd.storage.google.cred = %v (secret %v), want the decoded key as a secret", cred, secret)
	}
	v, _ := d.releaseValue(t, "pachd.serviceAccount.additionalAnnotations")
	if v.IsObject() && len(v.ObjectValue()) != 0 {
		t.Errorf("annotations = %v, want none with a key", v)
	}
}

func TestGCP_ExplicitProvidersEverywhere(t *testing.T) {
	d := deployUnderMockCloud(t, map[string]string{"cloud": "gcp", "project": "acme-data", "zone": "us-central1-a"})
	d.checkProviders(t, "gcp", "gcp:container/nodePool:NodePool")
	provider := d.cloud.OfType("pulumi:providers:gcp")[0]
	for key, want := range map[string]string{"project": "acme-data", "region": "us-central1"} {
		if got := provider.Inputs[resource.PropertyKey(key)]; !got.IsString() || got.StringValue() != want {
			t.Errorf("gcp provider %s = %v, want %q", key, got, want)
		}
	}
	cluster := d.cloud.OfType("gcp:container/cluster:Cluster")[0]
	if got := cluster.Inputs["location"].StringValue(); got != "us-central1-a" {
		t.Errorf("cluster location = %q, want the zone", got)
	}
}

func TestGCP_BucketRetainedUnlessDeleteDataOnDestroy(t *testing.T) {
	for _, deleteData := range []string{"false", "true"} {
		t.Run("deleteDataOnDestroy="+deleteData, func(t *testing.T) {
			d := deployUnderMockCloud(t, map[string]string{"cloud": "gcp", "deleteDataOnDestroy": deleteData})
			bucket := d.cloud.OfType("gcp:storage/bucket:Bucket")[0]
			if bucket.RetainOnDelete != (deleteData == "false") {
				t.Errorf("bucket retainOnDelete = %v", bucket.RetainOnDelete)
			}
		})
	}
}
