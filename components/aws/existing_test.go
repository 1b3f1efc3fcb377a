package aws

import (
	"errors"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const tOIDCProvider = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"

// existing runs NewExistingCluster for "team" under calls and returns the cluster.
func existing(t *testing.T, calls mocktest.Calls) (*Cluster, error) {
	t.Helper()
	var c *Cluster
	err := mocktest.RunCalls(calls, func(ctx *pulumi.Context) error {
		p, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{Region: pulumi.String(testRegion)})
		if err != nil {
			return err
		}
		c, err = NewExistingCluster(ctx, "team", &ExistingClusterArgs{Name: "team", Region: testRegion}, pulumi.Provider(p))
		return err
	})
	return c, err
}

func TestExistingCluster_UsesTheAccountsOIDCProviderAndAddsAStorageClass(t *testing.T) {
	calls := mocktest.Calls{Cloud: offline.New(mocktest.Project, mocktest.Stack, standIns)}
	if _, err := existing(t, calls); err != nil {
		t.Fatal(err)
	}
	if n := len(calls.OfType(tOIDCProvider)); n != 0 {
		t.Errorf("%d OIDC providers made where the account has one", n)
	}
	for _, typ := range []string{"eks:index:Cluster", "aws:eks/nodeGroup:NodeGroup", "aws:ec2/vpc:Vpc", "aws:eks/addon:Addon"} {
		if n := len(calls.OfType(typ)); n != 0 {
			t.Errorf("%d %s made for an existing cluster", n, typ)
		}
	}
	sc := mocktest.One(t, calls.Cloud, "kubernetes:storage.k8s.io/v1:StorageClass")
	if got := mocktest.MustString(t, sc, "metadata.name"); got != ExistingStorageClassName {
		t.Errorf("storage class %q, want %q (apart from a gp3 class the cluster may have)", got, ExistingStorageClassName)
	}
	if mocktest.MustString(t, sc, "parameters.encrypted") != "true" {
		t.Error("storage class is not encrypted")
	}
}

func TestExistingCluster_MakesTheOIDCProviderOnlyWhenMissing(t *testing.T) {
	calls := mocktest.Calls{Cloud: offline.New(mocktest.Project, mocktest.Stack, standIns),
		Fail: map[string]error{"aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider": errors.New("finding IAM OIDC Provider: not found")}}
	if _, err := existing(t, calls); err != nil {
		t.Fatal(err)
	}
	oidc := mocktest.One(t, calls.Cloud, tOIDCProvider)
	if got := mocktest.MustString(t, oidc, `tags["pachdeploy:oidc-for"]`); got != "team" {
		t.Errorf("the OIDC provider is not tagged as pachdeploy's (%q): a later run would take it for the cluster's own", got)
	}
	// A lookup that fails otherwise is an error, not a reason to make one.
	calls = mocktest.Calls{Cloud: offline.New(mocktest.Project, mocktest.Stack, standIns),
		Fail: map[string]error{"aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider": errors.New("AccessDenied")}}
	if _, err := existing(t, calls); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("err = %v, want the lookup's AccessDenied", err)
	}
}

func TestExistingCluster_RefusesAClusterWithoutTheEBSCSIDriver(t *testing.T) {
	calls := mocktest.Calls{Cloud: offline.New(mocktest.Project, mocktest.Stack, standIns),
		Fail: map[string]error{"aws:eks/getAddon:getAddon": errors.New("ResourceNotFoundException: No addon: aws-ebs-csi-driver")}}
	_, err := existing(t, calls)
	if err == nil || !strings.Contains(err.Error(), "aws eks create-addon --cluster-name team --addon-name aws-ebs-csi-driver") {
		t.Fatalf("err = %v, want a refusal that says how to add the driver", err)
	}
	if n := len(calls.Resources()); n > 2 { // the provider and the component itself
		t.Errorf("%d resources registered before the refusal", n)
	}
}

func TestExistingCluster_UnknownClusterIsNamed(t *testing.T) {
	calls := mocktest.Calls{Cloud: offline.New(mocktest.Project, mocktest.Stack, standIns),
		Fail: map[string]error{"aws:eks/getCluster:getCluster": errors.New("ResourceNotFoundException")}}
	if _, err := existing(t, calls); err == nil || !strings.Contains(err.Error(), `existingCluster "team": no such EKS cluster in eu-central-1`) {
		t.Errorf("err = %v", err)
	}
}
