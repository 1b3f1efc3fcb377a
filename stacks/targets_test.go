package stacks_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/components/aws"
	"github.com/pachdeploy/pachdeploy/components/azure"
	"github.com/pachdeploy/pachdeploy/components/gcp"
	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/stacks"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pachdeploy/pachdeploy/target"
)

// TestTargets_DefaultsHaveOneSource ties the values that appear in two places: the
// chart version config pins and the component installs, and each cloud's default
// machine type and node count in its settings and in its cluster component.
func TestTargets_DefaultsHaveOneSource(t *testing.T) {
	if config.DefaultChartVersion != pachyderm.DefaultChartVersion {
		t.Errorf("config pins chart %s, the component %s", config.DefaultChartVersion, pachyderm.DefaultChartVersion)
	}
	if config.DefaultNamespace != pachyderm.DefaultNamespace {
		t.Errorf("config's namespace %s, the component's %s", config.DefaultNamespace, pachyderm.DefaultNamespace)
	}
	for _, tt := range []struct {
		cloud       config.Cloud
		machineType string
		nodeCount   int
	}{
		{config.AWS, aws.DefaultInstanceType, aws.DefaultNodeCount},
		{config.GCP, gcp.DefaultMachineType, gcp.DefaultNodeCount},
		{config.Azure, azure.DefaultVMSize, azure.DefaultNodeCount},
	} {
		tg, ok := stacks.Targets.Lookup(tt.cloud)
		if !ok {
			t.Fatalf("no target for %s", tt.cloud)
		}
		d := tg.Settings.Defaults
		if d.MachineType != tt.machineType || d.NodeCount != tt.nodeCount {
			t.Errorf("%s: settings default to %s x%d, the cluster component to %s x%d",
				tt.cloud, d.MachineType, d.NodeCount, tt.machineType, tt.nodeCount)
		}
	}
	if aws.Target.Settings.Defaults.KubernetesVersion != aws.DefaultKubernetesVersion {
		t.Errorf("aws: settings default to Kubernetes %s, the cluster component to %s",
			aws.Target.Settings.Defaults.KubernetesVersion, aws.DefaultKubernetesVersion)
	}
}

// TestTargets_AreComplete: every target has a deploy, settings with defaults and
// identity modes, at least one kept data-bearing type, plugins pinned in go.mod,
// credentials and a kubeconfig helper for doctor, and stand-ins for the offline plan.
func TestTargets_AreComplete(t *testing.T) {
	gomod, err := os.ReadFile(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[config.Cloud]bool{}
	for _, tg := range stacks.Targets {
		s := tg.Settings
		t.Run(string(s.Cloud), func(t *testing.T) {
			if seen[s.Cloud] {
				t.Errorf("listed twice")
			}
			seen[s.Cloud] = true
			if tg.Deploy == nil || s.Validate == nil {
				t.Error("no Deploy or no settings rules")
			}
			if s.Defaults.Region == "" || s.Defaults.MachineType == "" || s.Defaults.NodeCount < 1 || len(s.Identities) == 0 {
				t.Errorf("incomplete defaults %+v, identities %v", s.Defaults, s.Identities)
			}
			kept := slices.ContainsFunc(tg.DataBearing, func(d target.DataBearing) bool { return d.Kept })
			if !kept {
				t.Errorf("no data-bearing type destroy keeps: %+v", tg.DataBearing)
			}
			for _, p := range tg.Plugins {
				if !regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(p.Module) + ` v`).Match(gomod) {
					t.Errorf("plugin %s: module %q is not required by go.mod, so doctor cannot name its version", p.Name, p.Module)
				}
			}
			if tg.Credentials.What == "" || len(tg.Credentials.EnvGroups)+len(tg.Credentials.Files) == 0 ||
				tg.KubeconfigHelper.Command == "" {
				t.Errorf("doctor has nothing to check: %+v %+v", tg.Credentials, tg.KubeconfigHelper)
			}
			if len(tg.Rules) == 0 {
				t.Error("no policy rules: pachdeploy check would check only the Kubernetes side")
			}
			for _, r := range tg.Rules {
				if r.Cloud != string(s.Cloud) {
					t.Errorf("rule %s is for cloud %q, listed under %s", r.ID, r.Cloud, s.Cloud)
				}
			}
			if len(tg.StandIns.Outputs) == 0 {
				t.Error("no stand-ins: the offline plan would show no cloud-assigned values")
			}
			for _, d := range tg.DataBearing {
				if d.Holds == "" || !strings.Contains(d.Type, ":") {
					t.Errorf("data-bearing %+v: a type token and what it holds", d)
				}
			}
		})
	}
}

// TestTargets_DriverFacts: the lists the driver gets come from every target.
func TestTargets_DriverFacts(t *testing.T) {
	holds := stacks.Targets.DataBearing()
	kept := stacks.Targets.KeptOnDestroy()
	for _, want := range []string{"aws:s3/bucketV2:BucketV2", "gcp:storage/bucket:Bucket", "azure-native:storage:StorageAccount"} {
		if holds[want] == "" || !slices.Contains(kept, want) {
			t.Errorf("%s: holds %q, kept %v", want, holds[want], slices.Contains(kept, want))
		}
	}
	if slices.Contains(kept, "eks:index:Cluster") || holds["eks:index:Cluster"] == "" {
		t.Errorf("the EKS cluster holds data but destroy does not keep it: kept %v", kept)
	}
	if len(stacks.Settings) != len(stacks.Targets) {
		t.Errorf("Settings has %d targets, Targets %d", len(stacks.Settings), len(stacks.Targets))
	}
}
