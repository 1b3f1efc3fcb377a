package rules

import (
	"strings"
	"testing"
)

func TestRules(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	cases := []struct {
		rule  string
		check func(string) error
		value string
		ok    bool
	}{
		{"dns1123", DNS1123Label, "pachyderm", true},
		{"dns1123", DNS1123Label, "Pachyderm", false},
		{"dns1123", DNS1123Label, "-pach", false},
		{"dns1123", DNS1123Label, long(64), false},
		{"CKV_K8S_21 namespace", Namespace, "default", false},
		{"namespace kube- prefix", Namespace, "kube-data", false},
		{"namespace", Namespace, "pach-prod", true},
		{"s3", S3BucketName, "my-pachyderm-data", true},
		{"s3 too short", S3BucketName, "ab", false},
		{"s3 too long", S3BucketName, long(64), false},
		{"s3 upper", S3BucketName, "MyBucket", false},
		{"AVD-AWS-0320 s3 dots", S3BucketName, "my.bucket", false},
		{"s3 ip-like", S3BucketName, "192.168.5.4", false},
		{"s3 prefix xn--", S3BucketName, "xn--bucket", false},
		{"s3 prefix sthree-", S3BucketName, "sthree-data", false},
		{"s3 prefix amzn-s3-demo-", S3BucketName, "amzn-s3-demo-x", false},
		{"s3 suffix -s3alias", S3BucketName, "data-s3alias", false},
		{"s3 suffix --ol-s3", S3BucketName, "data--ol-s3", false},
		{"s3 suffix --x-s3", S3BucketName, "data--x-s3", false},
		{"s3 trailing dash", S3BucketName, "data-", false},
		{"gcs", GCSBucketName, "pach_data-1", true},
		{"gcs goog prefix", GCSBucketName, "goog-data", false},
		{"gcs google", GCSBucketName, "my-google-data", false},
		{"gcs g00gle", GCSBucketName, "my-g00gle-data", false},
		{"gcs dots", GCSBucketName, "data.example.com", false},
		{"CKV_AZURE_43 account", AzureStorageAccountName, "pachdata01", true},
		{"CKV_AZURE_43 account dash", AzureStorageAccountName, "pach-data", false},
		{"CKV_AZURE_43 account long", AzureStorageAccountName, long(25), false},
		{"container", AzureContainerName, "pach-data", true},
		{"container double dash", AzureContainerName, "pach--data", false},
		{"container trailing dash", AzureContainerName, "pach-", false},
		{"container short", AzureContainerName, "pa", false},
		{"resource group", AzureResourceGroupName, "pachyderm-group", true},
		{"resource group dot end", AzureResourceGroupName, "group.", false},
		{"eks", EKSClusterName, "Pachyderm_Prod-1", true},
		{"eks leading dash", EKSClusterName, "-prod", false},
		{"eks long", EKSClusterName, long(101), false},
		{"gke", GKEClusterName, "pachyderm-prod", true},
		{"gke digit first", GKEClusterName, "1pach", false},
		{"gke long", GKEClusterName, long(41), false},
		{"gke trailing dash", GKEClusterName, "pach-", false},
		{"aks", AKSClusterName, "Pachyderm.prod_1", true},
		{"aks trailing dot", AKSClusterName, "pach.", false},
		{"aws region", AWSRegion, "us-west-2", true},
		{"aws gov region", AWSRegion, "us-gov-west-1", true},
		{"aws region bad", AWSRegion, "us-west", false},
		{"gcp region", GCPRegion, "us-central1", true},
		{"gcp region bad", GCPRegion, "us-central1-a", false},
		{"gcp project", GCPProjectID, "my-project-123", true},
		{"gcp project short", GCPProjectID, "abc", false},
		{"azure location", AzureLocation, "centralus", true},
		{"azure location spaces", AzureLocation, "Central US", false},
		{"semver", Semver, "2.11.6", true},
		{"semver pre", Semver, "2.12.0-rc.1", true},
		{"semver bad", Semver, "2.11", false},
		{"cidr", CIDR, "203.0.113.0/24", true},
		{"cidr v6", CIDR, "2001:db8::/32", true},
		{"cidr host bits", CIDR, "203.0.113.7/24", false},
		{"cidr garbage", CIDR, "office", false},
		{"subdomain", DNS1123Subdomain, "gp3.csi", true},
		{"subdomain upper", DNS1123Subdomain, "GP3", false},
	}
	for _, c := range cases {
		t.Run(c.rule+"/"+c.value, func(t *testing.T) {
			err := c.check(c.value)
			if (err == nil) != c.ok {
				t.Fatalf("%s(%q) = %v, want ok=%v", c.rule, c.value, err, c.ok)
			}
		})
	}
}

func TestKubernetesVersion_CKV_AWS_339(t *testing.T) {
	cases := []struct {
		v         string
		minorOnly bool
		ok        bool
	}{
		{"1.33", true, true},
		{"1.29", true, true},
		{"1.35", true, true},
		{"1.28", true, false},
		{"1.36", true, false},
		{"1.33.2", true, false},
		{"1.33.2", false, true},
		{"v1.33", false, false},
		{"2.0", false, false},
	}
	for _, c := range cases {
		if err := KubernetesVersion(c.v, c.minorOnly); (err == nil) != c.ok {
			t.Errorf("KubernetesVersion(%q, %v) = %v, want ok=%v", c.v, c.minorOnly, err, c.ok)
		}
	}
}

func TestGCPZoneMustLieInRegion(t *testing.T) {
	if err := GCPZone("us-central1-a", "us-central1"); err != nil {
		t.Fatal(err)
	}
	err := GCPZone("europe-west1-b", "us-central1")
	if err == nil || !strings.Contains(err.Error(), `"us-central1"`) {
		t.Fatalf("zone outside region: %v", err)
	}
}

func TestProblemsListsEveryProblem(t *testing.T) {
	var p Problems
	if p.Err() != nil {
		t.Fatal("no problems must give a nil error")
	}
	p.Add("bucketName", "My.Bucket", S3BucketName("My.Bucket"))
	p.Add("namespace", "ok", nil)
	p.Addf("nodeCount", "0", "must be at least %d", 1)
	err := p.Err()
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	for _, want := range []string{"2 problems", `bucketName = "My.Bucket"`, `nodeCount = "0": must be at least 1`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "namespace") {
		t.Errorf("a nil rule error was recorded: %q", msg)
	}
}

func TestNodeCounts(t *testing.T) {
	for _, c := range []struct {
		min, count, max int
		ok              bool
	}{
		{1, 2, 2, true}, {1, 1, 1, true}, {0, 2, 2, false}, {3, 2, 4, false}, {1, 5, 3, false}, {1, 2, MaxNodes + 1, false},
	} {
		if err := NodeCounts(c.min, c.count, c.max); (err == nil) != c.ok {
			t.Errorf("NodeCounts(%d, %d, %d) = %v, want ok=%v", c.min, c.count, c.max, err, c.ok)
		}
	}
}

func TestDefaultNodeCounts(t *testing.T) {
	lo, n, hi := 0, 0, 0
	DefaultNodeCounts(&lo, &n, &hi, 3)
	if lo != 1 || n != 3 || hi != 3 {
		t.Fatalf("defaults = %d, %d, %d; want 1, 3, 3", lo, n, hi)
	}
	lo, n, hi = 2, 4, 0
	DefaultNodeCounts(&lo, &n, &hi, 3)
	if lo != 2 || n != 4 || hi != 4 {
		t.Fatalf("set values changed or max not raised to count: %d, %d, %d", lo, n, hi)
	}
}

func TestMachineType(t *testing.T) {
	for v, ok := range map[string]bool{"m5.large": true, "": false, "m5 large": false, " ": false} {
		if err := MachineType(v, "m5.large"); (err == nil) != ok {
			t.Errorf("MachineType(%q) = %v", v, err)
		}
	}
}
