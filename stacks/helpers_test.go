package stacks_test

import (
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pachdeploy/pachdeploy/stacks"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// releaseType is the Helm release every stack installs Pachyderm with.
const releaseType = "kubernetes:helm.sh/v3:Release"

// deployedStack is one run of the whole program under the offline engine.
type deployedStack struct {
	cfg              *config.Config
	cloud            *offline.Cloud
	kubeconfigSecret bool
}

// deployUnderMockCloud resolves raw settings for project pachdeploy, stack dev and
// runs stacks.Deploy under the offline engine.
func deployUnderMockCloud(t *testing.T, raw map[string]string) deployedStack {
	t.Helper()
	cfg, err := stacks.Settings.Resolve(raw, "pachdeploy", "dev")
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	d := deployedStack{cfg: cfg}
	target, _ := stacks.Targets.Lookup(cfg.Cloud)
	d.cloud = mocktest.RunStack(t, "dev", func(ctx *pulumi.Context) error {
		outputs, err := stacks.Deploy(ctx, cfg)
		if err != nil {
			return err
		}
		if kubeconfig, ok := outputs["kubeconfig"].(pulumi.Output); ok {
			d.kubeconfigSecret = pulumi.IsSecret(kubeconfig)
		}
		return nil
	}, target.StandIns)
	return d
}

// releaseValue returns the Helm release's value at path (like
// "pachd.storage.storageURL"), unwrapped, and whether it or any map on the way is
// secret.
func (d deployedStack) releaseValue(t *testing.T, path string) (v resource.PropertyValue, secret bool) {
	t.Helper()
	release := mocktest.One(t, d.cloud, releaseType)
	full := "values." + path
	if parent := full[:strings.LastIndex(full, ".")]; !mocktest.Value(t, release.Inputs, parent).IsObject() {
		t.Fatalf("release values: %s is not a map on the way to %s", parent, path)
	}
	found := mocktest.Find(t, release.Inputs, full)
	return found.Value, found.Secret
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
			if !mocktest.UsesProvider(r, providers[0].URN) {
				t.Errorf("%s %s uses provider %q, want the explicit %s provider", r.Type, r.Name, r.Provider, pkg)
			}
		case strings.HasPrefix(r.Type, "kubernetes:"):
			kubernetesObjects++
			if !mocktest.UsesProvider(r, k8s[0].URN) {
				t.Errorf("%s %s uses provider %q, want the cluster's", r.Type, r.Name, r.Provider)
			}
			if !mocktest.DependsOn(r, nodes[0].URN) {
				t.Errorf("%s %s does not wait for %s", r.Type, r.Name, nodesType)
			}
		}
	}
	if cloudResources == 0 || kubernetesObjects == 0 {
		t.Fatalf("%d %s resources and %d Kubernetes objects recorded", cloudResources, pkg, kubernetesObjects)
	}
}
