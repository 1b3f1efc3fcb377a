package gcp

import (
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func runExisting(calls mocktest.Calls, needsWI bool) error {
	return mocktest.RunCalls(calls, func(ctx *pulumi.Context) error {
		_, err := NewExistingCluster(ctx, "team", &ExistingClusterArgs{
			Project: "acme-data", Location: "us-central1", Name: "team", NeedsWorkloadIdentity: needsWI,
		})
		return err
	})
}

func TestExistingCluster_WorkloadIdentityOnAddsOnlyAStorageClass(t *testing.T) {
	calls := mocktest.Calls{Cloud: offline.New(mocktest.Project, mocktest.Stack, standIns)}
	if err := runExisting(calls, true); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{tCluster, tNodePool, "gcp:compute/network:Network", tAccount} {
		if n := len(calls.OfType(typ)); n != 0 {
			t.Errorf("%d %s made for an existing cluster", n, typ)
		}
	}
	mocktest.One(t, calls.Cloud, "kubernetes:storage.k8s.io/v1:StorageClass")
}

func TestExistingCluster_WorkloadIdentityOffIsRefusedWithTheFix(t *testing.T) {
	off := map[string]any{"name": "team", "endpoint": "10.0.0.1",
		"masterAuths": []any{map[string]any{"clusterCaCertificate": "ca"}}, "workloadIdentityConfigs": []any{}}
	calls := mocktest.Calls{Cloud: offline.New(mocktest.Project, mocktest.Stack, standIns),
		Answer: map[string]map[string]any{"gcp:container/getCluster:getCluster": off}}
	err := runExisting(calls, true)
	if err == nil || !strings.Contains(err.Error(), "--workload-pool=acme-data.svc.id.goog") {
		t.Fatalf("err = %v, want a refusal with the gcloud command", err)
	}
	// The key mode needs no Workload Identity.
	calls = mocktest.Calls{Cloud: offline.New(mocktest.Project, mocktest.Stack, standIns),
		Answer: map[string]map[string]any{"gcp:container/getCluster:getCluster": off}}
	if err := runExisting(calls, false); err != nil {
		t.Errorf("service-account-key on a cluster without Workload Identity: %v", err)
	}
}
