package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	awssettings "github.com/pachdeploy/pachdeploy/components/aws/settings"
	azuresettings "github.com/pachdeploy/pachdeploy/components/azure/settings"
	gcpsettings "github.com/pachdeploy/pachdeploy/components/gcp/settings"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/stacks/config"
)

func mustResolve(t *testing.T, raw map[string]string) *config.Config {
	t.Helper()
	c, err := targets.Resolve(raw, "pachdeploy", "dev")
	if err != nil {
		t.Fatalf("targets.Resolve(%v): %v", raw, err)
	}
	return c
}

func TestDefaultsPerCloud(t *testing.T) {
	cases := []struct {
		cloud                           string
		region, instance, identity, k8s string
		nodes                           int
		bucketValid                     func(string) error
	}{
		{"aws", "us-west-2", "m5.large", awssettings.IdentityIRSA, "1.33", 2, rules.S3BucketName},
		{"gcp", "us-central1", "n2-standard-4", gcpsettings.IdentityWorkloadIdentity, "", 3, rules.GCSBucketName},
		{"azure", "centralus", "Standard_DS4_v2", azuresettings.IdentityStorageKey, "", 3, rules.AzureContainerName},
	}
	for _, c := range cases {
		t.Run(c.cloud, func(t *testing.T) {
			cfg := mustResolve(t, map[string]string{"cloud": c.cloud})
			got := []any{cfg.Region, cfg.NodeInstanceType, cfg.Identity, cfg.KubernetesVersion, cfg.NodeCount}
			want := []any{c.region, c.instance, c.identity, c.k8s, c.nodes}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("defaults = %v, want %v", got, want)
			}
			if cfg.Namespace != "pachyderm" || cfg.ChartVersion != "2.11.6" || !cfg.ConsoleEnabled() || cfg.DeleteDataOnDestroy {
				t.Errorf("common defaults wrong: %+v", cfg)
			}
			if cfg.NodeMinCount != 1 || cfg.NodeMaxCount != c.nodes {
				t.Errorf("node bounds = %d..%d", cfg.NodeMinCount, cfg.NodeMaxCount)
			}
			if err := c.bucketValid(cfg.BucketName); err != nil {
				t.Errorf("derived bucket %q invalid: %v", cfg.BucketName, err)
			}
		})
	}
}

func TestDerivedNamesAreValidForAwkwardStacks(t *testing.T) {
	for _, stack := range []string{"dev", "Feature/ABC_123", "9lives", strings.Repeat("very-long-stack-name", 6), "org/proj/stack"} {
		for _, cloud := range []string{"aws", "gcp", "azure"} {
			cfg, err := targets.Resolve(map[string]string{"cloud": cloud}, "My Project", stack)
			if err != nil {
				t.Errorf("cloud %s stack %q: derived defaults invalid: %v", cloud, stack, err)
				continue
			}
			if cloud == "azure" && len(cfg.Azure.StorageAccountName) > 24 {
				t.Errorf("storage account %q too long", cfg.Azure.StorageAccountName)
			}
		}
	}
}

func TestDerivedBucketDiffersPerStack(t *testing.T) {
	a := mustResolve(t, map[string]string{"cloud": "aws"})
	b, err := targets.Resolve(map[string]string{"cloud": "aws"}, "pachdeploy", "prod")
	if err != nil {
		t.Fatal(err)
	}
	if a.BucketName == b.BucketName {
		t.Fatalf("dev and prod share bucket %q", a.BucketName)
	}
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	raw := map[string]string{
		"cloud":             "aws",
		"region":            "us-west",
		"bucketName":        "My.Bucket",
		"namespace":         "default",
		"nodeCount":         "5",
		"nodeMaxCount":      "3",
		"kubernetesVersion": "1.20",
		"chartVersion":      "latest",
		"identity":          "workload-identity",
		"apiAllowedCidrs":   `["10.0.0.1/8"]`,
		"zone":              "us-central1-a",
	}
	_, err := targets.Resolve(raw, "pachdeploy", "dev")
	var verr *rules.Error
	if !errors.As(err, &verr) {
		t.Fatalf("want *rules.Error, got %v", err)
	}
	fields := map[string]bool{}
	for _, p := range verr.Problems {
		fields[p.Field] = true
		if p.Rule == "" {
			t.Errorf("problem %+v has no rule", p)
		}
	}
	for _, f := range []string{"region", "bucketName", "namespace", "nodeCount", "kubernetesVersion", "chartVersion", "identity", "apiAllowedCidrs[0]", "zone"} {
		if !fields[f] {
			t.Errorf("no problem reported for %s; got %v", f, err)
		}
	}
	if !strings.Contains(err.Error(), `bucketName = "My.Bucket"`) {
		t.Errorf("message does not name field and value: %v", err)
	}
}

func TestParseErrorsAndSecretsNeverEchoed(t *testing.T) {
	_, err := targets.Resolve(map[string]string{
		"cloud":        "aws",
		"nodeCount":    "two",
		"console":      "maybe",
		"bucketname":   "x",
		"tags":         "team=data",
		"nodeMinCount": "0",
	}, "pachdeploy", "dev")
	if err == nil {
		t.Fatal("want errors")
	}
	msg := err.Error()
	for _, want := range []string{`nodeCount = "two": must be a whole number`, `console = "maybe": must be true or false`, `did you mean "bucketName"`, `tags = "team=data"`, `nodeMinCount = "0": must be at least 1`} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}

	_, err = config.Parse(map[string]string{"enterpriseLicenceKey": "s3cr3t-license"})
	if err == nil || !strings.Contains(err.Error(), `did you mean "enterpriseLicenseKey"`) {
		t.Fatalf("mistyped key must be reported with a suggestion: %v", err)
	}
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("the value of an unknown (maybe secret) key was echoed: %v", err)
	}
	if config.IsSecret("enterpriseLicenseKey") != true || config.IsSecret("region") {
		t.Error("IsSecret table wrong")
	}
}

func TestAliasesConflict(t *testing.T) {
	_, err := targets.Resolve(map[string]string{"cloud": "azure", "location": "westeurope", "region": "centralus"}, "p", "s")
	if err == nil || !strings.Contains(err.Error(), "conflicts with region") {
		t.Fatalf("conflicting aliases: %v", err)
	}
	c := mustResolve(t, map[string]string{"cloud": "azure", "location": "westeurope", "containerName": "data"})
	if c.Region != "westeurope" || c.BucketName != "data" {
		t.Fatalf("aliases not applied: %+v", c)
	}
}

func TestCloudSpecificKeysRejectedElsewhere(t *testing.T) {
	_, err := targets.Resolve(map[string]string{"cloud": "gcp", "vpcId": "vpc-1", "subnetIds": "a,b"}, "p", "s")
	if err == nil || !strings.Contains(err.Error(), "applies only to cloud aws") {
		t.Fatalf("want cloud-specific error, got %v", err)
	}
	_, err = targets.Resolve(map[string]string{"cloud": "aws", "vpcId": "vpc-1"}, "p", "s")
	if err == nil || !strings.Contains(err.Error(), "go together") {
		t.Fatalf("vpcId without subnets: %v", err)
	}
}

func TestSettingsRoundTrip(t *testing.T) {
	f := false
	in := &config.Config{
		Cloud: config.AWS, Region: "eu-west-1", NodeCount: 3, NodeMinCount: 2, NodeMaxCount: 5,
		Console: &f, ExternalService: true, EnterpriseLicenseKey: "lic",
		APIAllowedCIDRs: []string{"10.0.0.0/8"}, Tags: map[string]string{"team": "data"},
		AWS: config.AWSConfig{VPCID: "vpc-1", SubnetIDs: []string{"a", "b"}},
	}
	s := in.Settings()
	if !s["enterpriseLicenseKey"].Secret || s["region"].Secret {
		t.Errorf("secret flags wrong: %+v", s)
	}
	raw := map[string]string{}
	for k, v := range s {
		raw[k] = v.Value
	}
	out, err := config.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip:\n in  %+v\n out %+v", in, out)
	}
}

func TestValuesFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "values.yaml")
	os.WriteFile(good, []byte("pachd:\n  logLevel: debug\n"), 0o600)
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("pachd: [unclosed\n"), 0o600)

	c := mustResolve(t, map[string]string{"cloud": "aws", "valuesFile": good})
	if c.Values["pachd"].(map[string]any)["logLevel"] != "debug" {
		t.Fatalf("values not loaded: %v", c.Values)
	}
	for _, path := range []string{bad, filepath.Join(dir, "missing.yaml")} {
		_, err := targets.Resolve(map[string]string{"cloud": "aws", "valuesFile": path}, "p", "s")
		if err == nil || !strings.Contains(err.Error(), "valuesFile") {
			t.Errorf("%s: want a valuesFile problem, got %v", path, err)
		}
	}
}

func TestTagsFollowTheCloudsRules(t *testing.T) {
	tags := `{"Team":"Data Platform"}`
	if _, err := targets.Resolve(map[string]string{"cloud": "aws", "tags": tags}, "p", "s"); err != nil {
		t.Fatalf("AWS takes mixed-case tags: %v", err)
	}
	_, err := targets.Resolve(map[string]string{"cloud": "gcp", "tags": tags}, "p", "s")
	if err == nil || !strings.Contains(err.Error(), "GCP label") {
		t.Fatalf("GCP labels must be lowercase: %v", err)
	}
}

func TestUnknownCloud(t *testing.T) {
	_, err := targets.Resolve(map[string]string{"cloud": "digitalocean"}, "p", "s")
	if err == nil || !strings.Contains(err.Error(), "must be one of aws, gcp, azure") {
		t.Fatalf("got %v", err)
	}
	_, err = targets.Resolve(map[string]string{}, "p", "s")
	if err == nil || !strings.Contains(err.Error(), `cloud = ""`) {
		t.Fatalf("missing cloud: %v", err)
	}
}

// FuzzParse checks that Parse never panics and that whatever it accepts survives
// Settings -> Parse unchanged.
func FuzzParse(f *testing.F) {
	f.Add("cloud", "aws", "nodeCount", "3")
	f.Add("apiAllowedCidrs", `["10.0.0.0/8"]`, "tags", `{"a":"b"}`)
	f.Add("console", "false", "subnetIds", "a, b,,c")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		c, err := config.Parse(map[string]string{k1: v1, k2: v2})
		if err != nil {
			return
		}
		raw := map[string]string{}
		for k, s := range c.Settings() {
			raw[k] = s.Value
		}
		again, err := config.Parse(raw)
		if err != nil {
			t.Fatalf("re-parse of %v failed: %v", raw, err)
		}
		if !reflect.DeepEqual(normalize(c), normalize(again)) {
			t.Fatalf("round trip changed config:\n%+v\n%+v", c, again)
		}
	})
}

// normalize maps empty collections to nil: Settings omits them.
func normalize(c *config.Config) *config.Config {
	n := *c
	if len(n.Tags) == 0 {
		n.Tags = nil
	}
	if len(n.APIAllowedCIDRs) == 0 {
		n.APIAllowedCIDRs = nil
	}
	if len(n.AWS.SubnetIDs) == 0 {
		n.AWS.SubnetIDs = nil
	}
	return &n
}
