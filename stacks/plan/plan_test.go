package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/stacks"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func build(t testing.TB, raw map[string]string) *Plan {
	t.Helper()
	p, err := Build(raw, "dev")
	if err != nil {
		t.Fatalf("Build(%v): %v", raw, err)
	}
	return p
}

func marshal(t testing.TB, p *Plan) []byte {
	t.Helper()
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// TestPlanGolden pins the plan of each cloud's defaults (the trial profile) and of its
// production profile (a managed database with high availability): any change to what
// pachdeploy would deploy shows up as a reviewable diff of testdata/<cloud>.json or
// testdata/<cloud>-production.json.
func TestPlanGolden(t *testing.T) {
	profiles := map[string]map[string]string{
		"":            {},
		"-production": {"database": "managed", "databaseHighAvailability": "true"},
	}
	for _, target := range stacks.Targets {
		cloud := target.Settings.Cloud
		for suffix, settings := range profiles {
			t.Run(string(cloud)+suffix, func(t *testing.T) {
				raw := maps.Clone(settings)
				raw["cloud"] = string(cloud)
				got := marshal(t, build(t, raw))
				golden := filepath.Join("testdata", string(cloud)+suffix+".json")
				if *update {
					os.MkdirAll("testdata", 0o755)
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./stacks/plan -update)", err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("plan %s differs from %s; review and run `go test ./stacks/plan -update`", raw, golden)
				}
			})
		}
	}
}

func TestPlanIsStable(t *testing.T) {
	a := marshal(t, build(t, map[string]string{"cloud": "aws"}))
	b := marshal(t, build(t, map[string]string{"cloud": "aws"}))
	if !bytes.Equal(a, b) {
		t.Fatal("two plans of the same config differ")
	}
}

func TestPlanHidesSecrets(t *testing.T) {
	const license = "LICENSE-plan-9d2e"
	for cloud, extra := range map[string]map[string]string{
		"aws":   {"identity": "static-keys"},
		"gcp":   {"identity": "service-account-key"},
		"azure": {},
	} {
		raw := map[string]string{"cloud": cloud, "enterpriseLicenseKey": license}
		for k, v := range extra {
			raw[k] = v
		}
		p := build(t, raw)
		out := string(marshal(t, p))
		if strings.Contains(out, license) {
			t.Errorf("%s: the license key is in the plan", cloud)
		}
		if p.Outputs["kubeconfig"] != Secret {
			t.Errorf("%s: kubeconfig output = %v, want %s", cloud, p.Outputs["kubeconfig"], Secret)
		}
		if !strings.Contains(out, `"`+Secret+`"`) {
			t.Errorf("%s: no secret marker in the plan", cloud)
		}
		var tree bytes.Buffer
		if err := p.WriteTree(&tree); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(tree.String(), license) || !strings.Contains(tree.String(), "kubeconfig: [secret]") {
			t.Errorf("%s: tree leaks or misses secrets:\n%s", cloud, tree.String())
		}
	}
}

func TestPlanShape(t *testing.T) {
	p := build(t, map[string]string{"cloud": "aws"})
	if p.Cloud != "aws" || p.Stack != "dev" || len(p.Resources) < 20 {
		t.Fatalf("plan: cloud %s stack %s with %d resources", p.Cloud, p.Stack, len(p.Resources))
	}
	urns := map[string]bool{}
	for i, r := range p.Resources {
		if i > 0 && p.Resources[i-1].URN >= r.URN {
			t.Fatalf("resources not in URN order at %d", i)
		}
		urns[r.URN] = true
		if r.Inputs == nil || r.DependsOn == nil {
			t.Errorf("%s: nil inputs or dependsOn (must be {} / [])", r.URN)
		}
	}
	for _, r := range p.Resources {
		if r.Parent != "" && !urns[r.Parent] && !strings.Contains(r.Parent, "pulumi:pulumi:Stack") {
			t.Errorf("%s: parent %s not in the plan", r.URN, r.Parent)
		}
		for _, d := range r.DependsOn {
			if !urns[d] {
				t.Errorf("%s: dependency %s not in the plan", r.URN, d)
			}
		}
	}
	for _, k := range []string{"cloud", "clusterName", "region", "bucket", "kubeconfig", "pachdAddress", "pachctlConnect", "consoleHint"} {
		if _, ok := p.Outputs[k]; !ok {
			t.Errorf("output %s missing", k)
		}
	}
}

func TestPlanRejectsInvalidConfigWithEveryProblem(t *testing.T) {
	_, err := Build(map[string]string{"cloud": "aws", "bucketName": "Bad.Name", "nodeCount": "0", "namespace": "kube-system"}, "dev")
	var verr *rules.Error
	if !errors.As(err, &verr) || len(verr.Problems) < 3 {
		t.Fatalf("want every problem, got %v", err)
	}
}

// TestProjectAndExampleStacks loads Pulumi.yaml and each example stack file (trial and
// production profile per cloud) with the Pulumi SDK's own loaders, plans each example,
// and builds the root program that `pulumi up` runs.
func TestProjectAndExampleStacks(t *testing.T) {
	root, _ := filepath.Abs("../..")
	proj, err := workspace.LoadProject(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if proj.Name != Project || proj.Runtime.Name() != "go" {
		t.Fatalf("Pulumi.yaml: name %q runtime %q", proj.Name, proj.Runtime.Name())
	}
	examples, _ := filepath.Glob(filepath.Join(root, "stacks", "examples", "Pulumi.*.yaml"))
	if len(examples) != 2*len(stacks.Targets) {
		t.Fatalf("want a trial (-example) and a production (-production) stack file per cloud, found %v", examples)
	}
	for _, path := range examples {
		st, err := workspace.LoadProjectStack(nil, proj, path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		raw := map[string]string{}
		for k, v := range st.Config {
			if k.Namespace() == config.Namespace {
				s, err := v.Value(nil)
				if err != nil {
					t.Fatal(err)
				}
				raw[k.Name()] = s
			}
		}
		p, err := Build(raw, "example")
		if err != nil {
			t.Errorf("%s does not plan: %v", filepath.Base(path), err)
			continue
		}
		// The examples are what a security team reviews: every finding is fixed, or
		// waived in the file with its reason, so `pachdeploy check` exits 0 and lists
		// each accepted one.
		rep, err := p.Check()
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(path), err)
			continue
		}
		if open := rep.Failing(policy.Low); len(open) != 0 {
			t.Errorf("%s: unwaived policy findings %+v", filepath.Base(path), open)
		}
		for _, f := range rep.Findings {
			if strings.TrimSpace(f.Waived) == "" {
				t.Errorf("%s: finding %s without a reason", filepath.Base(path), f.Rule)
			}
		}
	}
	if testing.Short() {
		return
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(t.TempDir(), "program"), ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the root program does not build: %v\n%s", err, out)
	}
}

// BenchmarkPlan builds each cloud's offline plan of the default settings, as
// `pachdeploy plan` does.
func BenchmarkPlan(b *testing.B) {
	for _, cloud := range []string{"aws", "gcp", "azure"} {
		b.Run(cloud, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Build(map[string]string{"cloud": cloud}, "dev"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestPlan_ExistingCluster: installing onto a running cluster plans, per cloud, the
// bucket, the identity, a storage class and the release onto it, and no cluster, node
// pool, network or (on Azure) resource group; outputs name the existing cluster.
func TestPlan_ExistingCluster(t *testing.T) {
	made := []string{"eks:index:Cluster", "aws:eks/nodeGroup:NodeGroup", "aws:ec2/vpc:Vpc",
		"gcp:container/cluster:Cluster", "gcp:container/nodePool:NodePool", "gcp:compute/network:Network",
		"azure-native:containerservice:ManagedCluster", "azure-native:network:VirtualNetwork", "azure-native:resources:ResourceGroup"}
	for _, tt := range []struct {
		raw  map[string]string
		data string
	}{
		{map[string]string{"cloud": "aws", "existingCluster": "team"}, "aws:s3/bucketV2:BucketV2"},
		{map[string]string{"cloud": "gcp", "existingCluster": "team", "project": "acme-data"}, "gcp:storage/bucket:Bucket"},
		{map[string]string{"cloud": "azure", "existingCluster": "team", "resourceGroupName": "team-rg"}, "azure-native:storage:StorageAccount"},
	} {
		t.Run(tt.raw["cloud"], func(t *testing.T) {
			p := build(t, tt.raw)
			types := map[string]int{}
			for _, r := range p.Resources {
				types[r.Type]++
			}
			for _, typ := range made {
				if types[typ] != 0 {
					t.Errorf("plans %d %s on an existing cluster", types[typ], typ)
				}
			}
			if types[tt.data] == 0 { // the data bucket, and on AWS and GCP its access-log bucket
				t.Errorf("plans no %s", tt.data)
			}
			for _, typ := range []string{"kubernetes:storage.k8s.io/v1:StorageClass", "kubernetes:helm.sh/v3:Release"} {
				if types[typ] != 1 {
					t.Errorf("plans %d %s, want 1", types[typ], typ)
				}
			}
			if p.Outputs["clusterName"] != "team" {
				t.Errorf("clusterName output %v, want the existing cluster", p.Outputs["clusterName"])
			}
		})
	}
}
