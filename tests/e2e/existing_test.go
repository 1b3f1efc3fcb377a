package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
)

// TestExistingCluster runs, per cloud, a stack that installs onto a running cluster
// (the stand-ins answer the lookups): up creates the bucket, the identity, the storage
// class and the release but no cluster, node pool or network; a second preview is
// empty; destroy deletes the release and keeps the data, and the cluster was never the
// stack's to touch.
func TestExistingCluster(t *testing.T) {
	for _, c := range cloudCases {
		t.Run(c.cloud, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			h := newHarness(t)
			extra := map[string]string{"existingCluster": "team-cluster"}
			if c.cloud == "azure" {
				extra["resourceGroupName"] = "team-rg"
			}
			s := h.stack(ctx, "byo-"+c.cloud, settingsFor(c, extra), "enterpriseLicenseKey")
			if _, err := s.Up(ctx); err != nil {
				t.Fatalf("up: %v", err)
			}
			for _, typ := range []string{c.cluster, "aws:eks/nodeGroup:NodeGroup", "gcp:container/nodePool:NodePool",
				"aws:ec2/vpc:Vpc", "gcp:compute/network:Network", "azure-native:network:VirtualNetwork",
				"azure-native:resources:ResourceGroup"} {
				if n := h.count("create", typ); n != 0 {
					t.Errorf("created %d %s on an existing cluster", n, typ)
				}
			}
			for _, typ := range append([]string{releaseType, "kubernetes:storage.k8s.io/v1:StorageClass"}, c.data...) {
				if h.count("create", typ) == 0 {
					t.Errorf("no %s created", typ)
				}
			}
			if _, err := s.Preview(ctx, optpreview.ExpectNoChanges()); err != nil {
				t.Fatalf("second preview is not empty (not idempotent): %v", err)
			}
			if _, err := s.Destroy(ctx); err != nil {
				t.Fatalf("destroy: %v", err)
			}
			if h.count("delete", releaseType) == 0 {
				t.Error("destroy did not delete the release")
			}
			for _, typ := range c.data {
				if n := h.count("delete", typ); n != 0 {
					t.Errorf("destroy deleted %d %s: the data must be kept", n, typ)
				}
			}
		})
	}
}
