package rules

import (
	"fmt"
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
		{"aws sovereign cloud region", AWSRegion, "eusc-de-east-1", true},
		{"aws region upper", AWSRegion, "US-WEST-2", false},
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
		{"1.033", true, false},
		{"1.033", false, false},
		{"1.33.02", false, false},
		{"1.33.0", false, true},
		{"01.33", false, false},
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

func TestKubernetesVersionRefusesLeadingZeros(t *testing.T) {
	err := KubernetesVersion("1.033", true)
	if err == nil || !strings.Contains(err.Error(), "no leading zeros") {
		t.Fatalf("KubernetesVersion(1.033) = %v, want a leading-zero error", err)
	}
}

// problemsString shows problems one a line as field=value: rule, for comparisons.
func problemsString(p Problems) string {
	var b strings.Builder
	for _, e := range p {
		b.WriteString(e.Field + "=" + e.Value + ": " + e.Rule + "\n")
	}
	return b.String()
}

func TestNodeCountProblemsNameTheKeyThatBreaksTheRule(t *testing.T) {
	check := func(lo, n, hi int) Problems {
		return NodeCountProblems("nodeMinCount", lo, "nodeCount", n, "nodeMaxCount", hi)
	}
	cases := []struct {
		name            string
		min, count, max int
		want            string
	}{
		{"within bounds", 1, 2, 3, ""},
		{"all equal", 4, 4, 4, ""},
		{"the largest pool", 1, MaxNodes, MaxNodes, ""},
		{"min above max", 5, 5, 3,
			"nodeMinCount=5: must be at most nodeMaxCount (3)\nnodeCount=5: must be at most nodeMaxCount (3)\n"},
		{"count above max", 1, 7, 5, "nodeCount=7: must be at most nodeMaxCount (5)\n"},
		{"count below min", 3, 2, 3, "nodeCount=2: must be at least nodeMinCount (3)\n"},
		{"max above 100", 1, 2, 150, "nodeMaxCount=150: must be at most 100\n"},
		{"count and max above 100", 1, 150, 150,
			"nodeCount=150: must be at most 100\nnodeMaxCount=150: must be at most 100\n"},
		{"min below 1", 0, 2, 2, "nodeMinCount=0: must be at least 1\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := problemsString(check(c.min, c.count, c.max)); got != c.want {
				t.Errorf("NodeCountProblems(%d, %d, %d):\n got %q\nwant %q", c.min, c.count, c.max, got, c.want)
			}
		})
	}
}

func TestRegionsMustBePublishedUnlessAllowed(t *testing.T) {
	cases := []struct {
		name         string
		check        func(string, bool) error
		value        string
		allowUnknown bool
		want         string // "" for valid, else a part of the message
	}{
		{"aws commercial", KnownAWSRegion, "us-west-2", false, ""},
		{"aws newest commercial", KnownAWSRegion, "ap-southeast-6", false, ""},
		{"aws govcloud", KnownAWSRegion, "us-gov-west-1", false, ""},
		{"aws china", KnownAWSRegion, "cn-northwest-1", false, ""},
		{"aws sovereign cloud", KnownAWSRegion, "eusc-de-east-1", false, ""},
		{"aws unknown", KnownAWSRegion, "us-west-9", false,
			`"us-west-9" is not an AWS region pachdeploy knows (did you mean us-west-1 or us-west-2?); for a region newer than this release, set allowUnknownRegion: true`},
		{"aws unknown allowed", KnownAWSRegion, "us-west-9", true, ""},
		{"aws nothing close", KnownAWSRegion, "xx-nowhere-7", false, "(us-east-1, us-east-2, ...)"},
		{"aws shape still checked when allowed", KnownAWSRegion, "us-west", true, "AWS regions look like us-west-2"},
		{"gcp", KnownGCPRegion, "europe-west4", false, ""},
		{"gcp unknown", KnownGCPRegion, "europe-west5", false, `"europe-west5" is not a GCP region pachdeploy knows (did you mean`},
		{"gcp unknown allowed", KnownGCPRegion, "europe-west5", true, ""},
		{"gcp aws-style region", KnownGCPRegion, "us-central-1", false, "GCP regions look like us-central1"},
		{"azure", KnownAzureLocation, "westeurope", false, ""},
		{"azure restricted", KnownAzureLocation, "jioindiawest", false, ""},
		{"azure unknown", KnownAzureLocation, "eastus3", false,
			`"eastus3" is not an Azure location pachdeploy knows (did you mean eastus or eastus2?); for a location newer than this release, set allowUnknownRegion: true`},
		{"azure unknown allowed", KnownAzureLocation, "eastus3", true, ""},
		{"azure display name", KnownAzureLocation, "Central US", false, "did you mean centralus?"},
		{"azure bad shape", KnownAzureLocation, "Mars North", false, "Azure locations are lowercase without spaces, like centralus"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.check(c.value, c.allowUnknown)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("%q: %v", c.value, err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("%q: got %v, want an error containing %q", c.value, err, c.want)
			}
		})
	}
}

func TestGCPZoneMustLieInAKnownRegion(t *testing.T) {
	cases := []struct {
		zone, region string
		allowUnknown bool
		want         string
	}{
		{"us-central1-a", "us-central1", false, ""},
		{"us-central1-a", "", false, ""},
		{"europe-west1-b", "us-central1", false, `zone must lie in region "us-central1"`},
		{"asia-mars1-a", "asia-mars1", false, `its region "asia-mars1" is not a GCP region pachdeploy knows`},
		{"us-centrl1-a", "", false, "did you mean us-central1?"},
		{"asia-mars1-a", "asia-mars1", true, ""},
		{"us-central1", "us-central1", true, "GCP zones look like us-central1-a"},
	}
	for _, c := range cases {
		err := KnownGCPZone(c.zone, c.region, c.allowUnknown)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("KnownGCPZone(%q, %q, %v): %v", c.zone, c.region, c.allowUnknown, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("KnownGCPZone(%q, %q, %v) = %v, want %q", c.zone, c.region, c.allowUnknown, err, c.want)
		}
	}
}

func TestRegionListsAreWellFormed(t *testing.T) {
	for _, l := range []struct {
		name  string
		list  []string
		shape func(string) error
	}{{"aws", awsRegions, AWSRegion}, {"gcp", gcpRegions, GCPRegion}, {"azure", azureLocations, AzureLocation}} {
		seen := map[string]bool{}
		for _, r := range l.list {
			if err := l.shape(r); err != nil {
				t.Errorf("%s region %q fails its own shape check: %v", l.name, r, err)
			}
			if seen[r] {
				t.Errorf("%s region %q listed twice", l.name, r)
			}
			seen[r] = true
		}
	}
}

func TestMachineTypesFollowTheirCloud(t *testing.T) {
	type check func(v, example string) error
	aws, gcp, azure := check(AWSInstanceType), check(GCPMachineType), check(AzureVMSize)
	cases := []struct {
		cloud string
		check check
		value string
		want  string // "" for valid, else a part of the message
	}{
		{"aws", aws, "m5.large", ""},
		{"aws", aws, "m7g.2xlarge", ""},
		{"aws", aws, "c6in.metal", ""},
		{"aws", aws, "u-6tb1.metal", ""},
		{"aws", aws, "p4d.24xlarge", ""},
		{"aws", aws, "t4g.nano", ""},
		{"aws", aws, "m7i-flex.large", ""},
		{"aws", aws, "mac2-m2pro.metal", ""},
		{"aws", aws, "r8g.metal-24xl", ""},
		{"aws", aws, "n2-standard-4", `AWS instance types are FAMILY.SIZE, like m5.large ("n2-standard-4" is a GCP machine type)`},
		{"aws", aws, "Standard_DS4_v2", `("Standard_DS4_v2" is an Azure machine type)`},
		{"aws", aws, "m5.huge", "like m5.large"},
		{"aws", aws, "M5.LARGE", "like m5.large"},
		{"aws", aws, "m5 large", "like m5.large"},
		{"aws", aws, "", "like m5.large"},
		{"gcp", gcp, "n2-standard-4", ""},
		{"gcp", gcp, "e2-medium", ""},
		{"gcp", gcp, "c3-highmem-8", ""},
		{"gcp", gcp, "custom-4-16384", ""},
		{"gcp", gcp, "n2-custom-4-16384", ""},
		{"gcp", gcp, "n2-custom-4-16384-ext", ""},
		{"gcp", gcp, "e2-custom-medium-4096", ""},
		{"gcp", gcp, "a2-highgpu-1g", ""},
		{"gcp", gcp, "g2-standard-4", ""},
		{"gcp", gcp, "c3-standard-4-lssd", ""},
		{"gcp", gcp, "ct5lp-hightpu-4t", ""},
		{"gcp", gcp, "m5.large", `GCP machine types are SERIES-TYPE[-CPUS] or [SERIES-]custom-CPUS-MEMORY, like n2-standard-4 ("m5.large" is an AWS machine type)`},
		{"gcp", gcp, "Standard_DS4_v2", `is an Azure machine type`},
		{"gcp", gcp, "standard-4", "like n2-standard-4"},
		{"gcp", gcp, "N2-STANDARD-4", "like n2-standard-4"},
		{"azure", azure, "Standard_DS4_v2", ""},
		{"azure", azure, "Standard_D4s_v5", ""},
		{"azure", azure, "Standard_NC6s_v3", ""},
		{"azure", azure, "Standard_E8-4ds_v5", ""},
		{"azure", azure, "Standard_NC24ads_A100_v4", ""},
		{"azure", azure, "Standard_B2s", ""},
		{"azure", azure, "standard_ds4_v2", ""},
		{"azure", azure, "m5.large", `Azure VM sizes are Standard_ then the size, like Standard_DS4_v2 ("m5.large" is an AWS machine type)`},
		{"azure", azure, "n2-standard-4", `is a GCP machine type`},
		{"azure", azure, "DS4_v2", "like Standard_DS4_v2"},
		{"azure", azure, "Standard_", "like Standard_DS4_v2"},
	}
	examples := map[string]string{"aws": "m5.large", "gcp": "n2-standard-4", "azure": "Standard_DS4_v2"}
	for _, c := range cases {
		t.Run(c.cloud+"/"+c.value, func(t *testing.T) {
			err := c.check(c.value, examples[c.cloud])
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("%s machine type %q refused: %v", c.cloud, c.value, err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("%s machine type %q: got %v, want an error containing %q", c.cloud, c.value, err, c.want)
			}
		})
	}
}

func TestTagRulesPerCloud(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) } // counted in characters, not bytes
	cases := []struct {
		name       string
		check      func(k, v string) error
		key, value string
		want       string // "" for valid, else a part of the message
	}{
		{"aws", AWSTag, "Team", "Data Platform", ""},
		{"aws all allowed characters", AWSTag, "a_b.c:d/e=f+g-h@i j", "1", ""},
		{"aws unicode letters", AWSTag, "équipe", "données", ""},
		{"aws empty value", AWSTag, "team", "", ""},
		{"aws longest", AWSTag, long(128), long(256), ""},
		{"aws reserved prefix", AWSTag, "aws:team", "x", `must not start with "aws:"`},
		{"aws reserved prefix any case", AWSTag, "AWS:Team", "x", `must not start with "aws:"`},
		{"aws empty key", AWSTag, "", "x", "1-128 characters"},
		{"aws key too long", AWSTag, long(129), "x", "1-128 characters"},
		{"aws value too long", AWSTag, "team", long(257), "values at most 256"},
		{"aws bad key character", AWSTag, "team#1", "x", "only letters, digits, spaces and _ . : / = + - @"},
		{"aws bad value character", AWSTag, "team", "a,b", "only letters"},
		{"azure", AzureTag, "Cost Center", "R&D <1>", ""},
		{"azure longest", AzureTag, long(128), long(256), ""},
		{"azure empty name", AzureTag, "", "x", "1-128 characters"},
		{"azure name too long", AzureTag, long(129), "x", "1-128 characters"},
		{"azure slash", AzureTag, "team/sub", "x", `without < > % & \ ? /`},
		{"azure percent", AzureTag, "100%", "x", "without"},
		{"azure value too long", AzureTag, "team", long(257), "values at most 256"},
		{"gcp", GCPLabel, "team", "data-platform", ""},
		{"gcp upper", GCPLabel, "Team", "x", "GCP label keys start with a lowercase letter"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.check(c.key, c.value)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("tag %q=%q refused: %v", c.key, c.value, err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("tag %q=%q: got %v, want an error containing %q", c.key, c.value, err, c.want)
			}
		})
	}
}

func TestTagSetsReportEachBadTagAndTheCount(t *testing.T) {
	many := func(n int) map[string]string {
		m := map[string]string{}
		for i := range n {
			m[fmt.Sprintf("k%03d", i)] = "v"
		}
		return m
	}
	cases := []struct {
		name  string
		check func(string, map[string]string) Problems
		tags  map[string]string
		want  string
	}{
		{"aws at the limit", AWSTags, many(MaxAWSTags), ""},
		{"aws over the limit", AWSTags, many(MaxAWSTags + 1), "tags=51 tags: at most 50 AWS tags per resource\n"},
		{"aws one problem per bad tag", AWSTags, map[string]string{"aws:x": "1", "ok": "2", "b#": "3"},
			"tags=aws:x=1: AWS tag keys must not start with \"aws:\", which AWS reserves\n" +
				"tags=b#=3: AWS tags use only letters, digits, spaces and _ . : / = + - @\n"},
		{"azure over the limit", AzureTags, many(MaxAzureTags + 1), "tags=51 tags: at most 50 Azure tags per resource\n"},
		{"azure bad tag", AzureTags, map[string]string{"a/b": "1"},
			"tags=a/b=1: Azure tag names are 1-128 characters without < > % & \\ ? / and values at most 256\n"},
		{"gcp at the limit", GCPLabels, many(MaxGCPLabels), ""},
		{"gcp over the limit", GCPLabels, many(MaxGCPLabels + 1), "tags=65 tags: at most 64 GCP labels per resource\n"},
		{"gcp bad label", GCPLabels, map[string]string{"Team": "x"},
			"tags=Team=x: GCP label keys start with a lowercase letter; keys and values use only lowercase letters, digits, '_' and '-', at most 63 each\n"},
		{"none", AWSTags, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := problemsString(c.check("tags", c.tags)); got != c.want {
				t.Errorf("got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestAWSNetworkIDs(t *testing.T) {
	cases := []struct {
		check func(string) error
		value string
		ok    bool
	}{
		{AWSVPCID, "vpc-0123abcd", true},
		{AWSVPCID, "vpc-0123456789abcdef0", true},
		{AWSVPCID, "vpc-1", false},
		{AWSVPCID, "vpc-0123ABCD", false},
		{AWSVPCID, "vpc-0123456789abcdef", false}, // 16 digits
		{AWSVPCID, "subnet-0123abcd", false},
		{AWSVPCID, "0123abcd", false},
		{AWSSubnetID, "subnet-0123abcd", true},
		{AWSSubnetID, "subnet-0123456789abcdef0", true},
		{AWSSubnetID, "subnet-xyz", false},
		{AWSSubnetID, "vpc-0123abcd", false},
		{AWSSubnetID, "subnet-0123abcd ", false},
	}
	for _, c := range cases {
		if err := c.check(c.value); (err == nil) != c.ok {
			t.Errorf("%q: %v, want ok=%v", c.value, err, c.ok)
		}
	}
}

func TestAWSSubnetIDsRefuseRepeatsAndNeedTwo(t *testing.T) {
	const a, b = "subnet-0123abcd", "subnet-0123456789abcdef0"
	cases := []struct {
		name string
		ids  []string
		want string
	}{
		{"two subnets", []string{a, b}, ""},
		{"one subnet", []string{a}, "subnetIds=" + a + ": EKS needs subnets in at least two availability zones\n"},
		{"a repeat", []string{a, b, a}, "subnetIds[2]=" + a + ": repeats subnetIds[0]: list each subnet once\n"},
		{"a repeat leaves one subnet", []string{a, a},
			"subnetIds[1]=" + a + ": repeats subnetIds[0]: list each subnet once\n" +
				"subnetIds=" + a + "," + a + ": EKS needs subnets in at least two availability zones\n"},
		{"a malformed id", []string{a, "sn-1"},
			"subnetIds[1]=sn-1: subnet ids are subnet- and 8 or 17 hex digits, like subnet-0123456789abcdef0\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := problemsString(AWSSubnetIDs("subnetIds", c.ids)); got != c.want {
				t.Errorf("got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestStackName(t *testing.T) {
	cases := []struct {
		value string
		want  string // "" for valid, else a part of the message
	}{
		{"dev", ""},
		{"Feature_1.2-b", ""},
		{strings.Repeat("s", 100), ""},
		{"acme/dev", ""},
		{"acme-corp/pachdeploy/dev", ""},
		{"acme/my_project.v2/dev", ""},
		{"", "stack names are 1-100"},
		{strings.Repeat("s", 101), "stack names are 1-100"},
		{"feature/abc", ""},
		{"dev stack", "stack names are 1-100"},
		{"dev!", "stack names are 1-100"},
		{"acme/", "stack names are 1-100"},
		{"/dev", "organization names are 1-100 letters, digits or '-'"},
		{"acme_corp/dev", "organization names"},
		{"acme.io/p/dev", "organization names"},
		{"acme//dev", "project names are 1-100"},
		{"acme/my project/dev", "project names"},
		{"a/b/c/d", "stack, org/stack or org/project/stack"},
	}
	for _, c := range cases {
		err := StackName(c.value)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("StackName(%q): %v", c.value, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("StackName(%q) = %v, want an error containing %q", c.value, err, c.want)
		}
	}
}
