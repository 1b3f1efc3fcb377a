package stacks_test

import (
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/components/gcp"
	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

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
	account := mocktest.Named(t, d.cloud, "gcp:serviceaccount/account:Account", "pachyderm-data-pachyderm")
	email := account.Outputs["email"].StringValue()
	if !strings.HasSuffix(email, "@"+gcp.StandInProject+".iam.gserviceaccount.com") {
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
		if !strings.HasPrefix(member, "serviceAccount:"+gcp.StandInProject+".svc.id.goog[pachyderm/") {
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

// TestGCP_NetworkOwnOrExisting: by default the cluster joins a VPC of its own; with
// network and subnetwork (here GKE's `default`, which keeps a cluster made before
// pachdeploy brought its own VPC in place) no network is made and the cluster joins
// the named one.
func TestGCP_NetworkOwnOrExisting(t *testing.T) {
	own := deployUnderMockCloud(t, map[string]string{"cloud": "gcp"})
	subnet := mocktest.One(t, own.cloud, "gcp:compute/subnetwork:Subnetwork")
	cluster := mocktest.One(t, own.cloud, "gcp:container/cluster:Cluster")
	if got := mocktest.MustString(t, cluster, "subnetwork"); got != subnet.Outputs["selfLink"].StringValue() {
		t.Errorf("cluster subnetwork %q, want its own subnet's", got)
	}
	existing := deployUnderMockCloud(t, map[string]string{"cloud": "gcp", "network": "default", "subnetwork": "default"})
	if n := len(existing.cloud.OfType("gcp:compute/network:Network")); n != 0 {
		t.Errorf("%d networks made with an existing one named", n)
	}
	cluster = mocktest.One(t, existing.cloud, "gcp:container/cluster:Cluster")
	if mocktest.MustString(t, cluster, "network") != "default" || mocktest.MustString(t, cluster, "subnetwork") != "default" {
		t.Errorf("cluster network %v, want default/default", cluster.Inputs)
	}
}
