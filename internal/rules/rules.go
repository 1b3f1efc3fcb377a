// Package rules holds the naming and format rules that pachdeploy checks before any
// resource is registered. Each check returns nil or an error that states the rule;
// callers add the field name and value (see Problems).
package rules

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

var (
	dns1123Label  = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	s3Chars       = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)
	gcsChars      = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*[a-z0-9]$`)
	azureAccount  = regexp.MustCompile(`^[a-z0-9]{3,24}$`)
	azureContainr = regexp.MustCompile(`^[a-z0-9]([a-z0-9]|-[a-z0-9])*$`)
	eksName       = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]*$`)
	gkeName       = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)
	aksName       = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*[a-zA-Z0-9_]$`)
	awsRegion     = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]{2,4})?-[a-z]+-\d{1,2}$`)
	gcpRegion     = regexp.MustCompile(`^[a-z]+-[a-z]+\d+$`)
	gcpZone       = regexp.MustCompile(`^([a-z]+-[a-z]+\d+)-[a-z]$`)
	gcpProject    = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	azureLocation = regexp.MustCompile(`^[a-z]+[a-z0-9]*$`)
	k8sVersion    = regexp.MustCompile(`^1\.(0|[1-9]\d*)(\.(?:0|[1-9]\d*))?$`)
	k8sZeroPadded = regexp.MustCompile(`^1\.\d+(\.\d+)?$`)
	semver        = regexp.MustCompile(`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
	resourceGroup = regexp.MustCompile(`^[-\w._()]{0,89}[-\w_()]$`)
)

// S3 reserved prefixes and suffixes (AWS S3 user guide, bucket naming rules).
var (
	s3ReservedPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	s3ReservedSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// DNS1123Label checks a Kubernetes namespace or object name: lowercase letters,
// digits and '-', starting and ending alphanumeric, at most 63 characters.
func DNS1123Label(v string) error {
	if len(v) == 0 || len(v) > 63 || !dns1123Label.MatchString(v) {
		return fmt.Errorf("must be a DNS-1123 label: 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit")
	}
	return nil
}

// Namespace checks a namespace for Pachyderm: a DNS-1123 label that is neither
// "default" (CKV_K8S_21) nor reserved by Kubernetes ("kube-" prefix).
func Namespace(v string) error {
	if err := DNS1123Label(v); err != nil {
		return err
	}
	if v == "default" || strings.HasPrefix(v, "kube-") {
		return fmt.Errorf(`must not be "default" or start with "kube-" (CKV_K8S_21)`)
	}
	return nil
}

// S3BucketName checks the S3 general purpose bucket naming rules; dots are refused
// because they break virtual-hosted TLS (trivy AVD-AWS-0320).
func S3BucketName(v string) error {
	switch {
	case len(v) < 3 || len(v) > 63:
		return fmt.Errorf("S3 bucket names are 3-63 characters long")
	case strings.Contains(v, "."):
		return fmt.Errorf("S3 bucket names must not contain '.' (breaks TLS on virtual-hosted endpoints; AVD-AWS-0320)")
	case !s3Chars.MatchString(v):
		return fmt.Errorf("S3 bucket names use only lowercase letters, digits and '-', and begin and end with a letter or digit")
	}
	for _, p := range s3ReservedPrefixes {
		if strings.HasPrefix(v, p) {
			return fmt.Errorf("S3 bucket names must not start with the reserved prefix %q", p)
		}
	}
	for _, s := range s3ReservedSuffixes {
		if strings.HasSuffix(v, s) {
			return fmt.Errorf("S3 bucket names must not end with the reserved suffix %q", s)
		}
	}
	return nil
}

// GCSBucketName checks the Cloud Storage bucket naming rules. Dotted names need
// domain verification, so they are refused.
func GCSBucketName(v string) error {
	switch {
	case len(v) < 3 || len(v) > 63:
		return fmt.Errorf("GCS bucket names are 3-63 characters long")
	case strings.Contains(v, "."):
		return fmt.Errorf("GCS bucket names must not contain '.' (dotted names need domain verification)")
	case !gcsChars.MatchString(v):
		return fmt.Errorf("GCS bucket names use only lowercase letters, digits, '-' and '_', and begin and end with a letter or digit")
	case strings.HasPrefix(v, "goog"):
		return fmt.Errorf(`GCS bucket names must not start with "goog"`)
	case containsGoogle(v):
		return fmt.Errorf(`GCS bucket names must not contain "google" or a close misspelling`)
	}
	return nil
}

func containsGoogle(v string) bool {
	norm := strings.NewReplacer("0", "o", "1", "l", "3", "e").Replace(v)
	return strings.Contains(norm, "google") || strings.Contains(norm, "googie")
}

// AzureStorageAccountName checks an Azure storage account name (CKV_AZURE_43):
// 3-24 lowercase letters and digits.
func AzureStorageAccountName(v string) error {
	if !azureAccount.MatchString(v) {
		return fmt.Errorf("Azure storage account names are 3-24 lowercase letters and digits (CKV_AZURE_43)")
	}
	return nil
}

// AzureContainerName checks an Azure blob container name: 3-63 lowercase letters,
// digits and '-', starting with a letter or digit, no consecutive or trailing '-'.
func AzureContainerName(v string) error {
	if len(v) < 3 || len(v) > 63 || !azureContainr.MatchString(v) {
		return fmt.Errorf("Azure container names are 3-63 lowercase letters, digits and single '-' between them")
	}
	return nil
}

// AzureResourceGroupName checks an Azure resource group name: 1-90 word characters,
// '-', '.', '(' or ')', not ending with '.'.
func AzureResourceGroupName(v string) error {
	if !resourceGroup.MatchString(v) {
		return fmt.Errorf("Azure resource group names are 1-90 letters, digits, '_', '-', '.', '(' or ')' and do not end with '.'")
	}
	return nil
}

// EKSClusterName checks an EKS cluster name (CreateCluster API): 1-100 letters,
// digits, '-' and '_', starting with a letter or digit.
func EKSClusterName(v string) error {
	if len(v) == 0 || len(v) > 100 || !eksName.MatchString(v) {
		return fmt.Errorf("EKS cluster names are 1-100 letters, digits, '-' or '_', starting with a letter or digit")
	}
	return nil
}

// GKEClusterName checks a GKE cluster or node pool name: a lowercase letter first,
// then lowercase letters, digits and '-', at most 40 characters, no trailing '-'.
func GKEClusterName(v string) error {
	if len(v) == 0 || len(v) > 40 || !gkeName.MatchString(v) {
		return fmt.Errorf("GKE names are 1-40 lowercase letters, digits or '-', starting with a letter and not ending with '-'")
	}
	return nil
}

// AKSClusterName checks an AKS cluster name: 2-63 letters, digits, '_', '-' or
// '.', starting with a letter or digit and ending with a letter, digit or '_'
// (the stricter intersection of the az CLI and ARM rules).
func AKSClusterName(v string) error {
	if len(v) < 2 || len(v) > 63 || !aksName.MatchString(v) {
		return fmt.Errorf("AKS cluster names are 2-63 letters, digits, '_', '-' or '.', starting with a letter or digit and ending with a letter, digit or '_'")
	}
	return nil
}

// AWSRegion checks the shape of an AWS region such as us-west-2, us-gov-west-1 or
// eusc-de-east-1 (KnownAWSRegion also checks that AWS publishes it).
func AWSRegion(v string) error {
	if !awsRegion.MatchString(v) {
		return fmt.Errorf("AWS regions look like us-west-2")
	}
	return nil
}

// GCPRegion checks the shape of a Google Cloud region such as us-central1
// (KnownGCPRegion also checks that Google Cloud publishes it).
func GCPRegion(v string) error {
	if !gcpRegion.MatchString(v) {
		return fmt.Errorf("GCP regions look like us-central1")
	}
	return nil
}

// GCPZone checks a Google Cloud zone such as us-central1-a and that it lies in region
// (when region is not empty).
func GCPZone(v, region string) error {
	m := gcpZone.FindStringSubmatch(v)
	if m == nil {
		return fmt.Errorf("GCP zones look like us-central1-a")
	}
	if region != "" && m[1] != region {
		return fmt.Errorf("zone must lie in region %q", region)
	}
	return nil
}

// GCPProjectID checks a Google Cloud project id: 6-30 lowercase letters, digits and
// '-', starting with a letter and not ending with '-'.
func GCPProjectID(v string) error {
	if !gcpProject.MatchString(v) {
		return fmt.Errorf("GCP project ids are 6-30 lowercase letters, digits or '-', starting with a letter and not ending with '-'")
	}
	return nil
}

// AzureLocation checks the shape of an Azure location such as centralus
// (KnownAzureLocation also checks that Azure publishes it).
func AzureLocation(v string) error {
	if !azureLocation.MatchString(v) {
		return fmt.Errorf("Azure locations are lowercase without spaces, like centralus")
	}
	return nil
}

// SupportedKubernetesMinors is the range of Kubernetes minor versions accepted for
// EKS (checkov CKV_AWS_339 carries 1.29-1.35).
var SupportedKubernetesMinors = [2]int{29, 35}

// KubernetesVersion checks a MAJOR.MINOR or MAJOR.MINOR.PATCH Kubernetes version in the
// supported range, without leading zeros; patch versions are refused where minorOnly is
// set (EKS).
func KubernetesVersion(v string, minorOnly bool) error {
	m := k8sVersion.FindStringSubmatch(v)
	if m == nil && k8sZeroPadded.MatchString(v) {
		return fmt.Errorf("Kubernetes version numbers have no leading zeros: 1.33, not 1.033")
	}
	if m == nil || (minorOnly && m[2] != "") {
		if minorOnly {
			return fmt.Errorf("Kubernetes versions are MAJOR.MINOR, like 1.33")
		}
		return fmt.Errorf("Kubernetes versions are MAJOR.MINOR or MAJOR.MINOR.PATCH, like 1.33")
	}
	minor, _ := strconv.Atoi(m[1])
	if minor < SupportedKubernetesMinors[0] || minor > SupportedKubernetesMinors[1] {
		return fmt.Errorf("supported Kubernetes versions are 1.%d to 1.%d (CKV_AWS_339)", SupportedKubernetesMinors[0], SupportedKubernetesMinors[1])
	}
	return nil
}

// Semver checks a semantic version such as 2.11.6.
func Semver(v string) error {
	if !semver.MatchString(v) {
		return fmt.Errorf("must be a semantic version like 2.11.6")
	}
	return nil
}

// CIDR checks an IPv4 or IPv6 prefix in canonical form (no host bits set).
func CIDR(v string) error {
	p, err := netip.ParsePrefix(v)
	if err != nil {
		return fmt.Errorf("must be a CIDR block like 203.0.113.0/24")
	}
	if p.Masked() != p {
		return fmt.Errorf("has host bits set; did you mean %s?", p.Masked())
	}
	return nil
}

var dns1123Subdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

// DNS1123Subdomain checks a Kubernetes object name such as a StorageClass: at most
// 253 characters of dot-separated DNS-1123 labels.
func DNS1123Subdomain(v string) error {
	if len(v) == 0 || len(v) > 253 || !dns1123Subdomain.MatchString(v) {
		return fmt.Errorf("must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit")
	}
	return nil
}

var (
	gcpLabelKey   = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
	gcpLabelValue = regexp.MustCompile(`^[a-z0-9_-]{0,63}$`)
)

// GCPLabel checks a Google Cloud label: the key starts with a lowercase letter; keys
// and values use only lowercase letters, digits, '_' and '-', at most 63 each.
func GCPLabel(key, value string) error {
	if !gcpLabelKey.MatchString(key) || !gcpLabelValue.MatchString(value) {
		return fmt.Errorf("GCP label keys start with a lowercase letter; keys and values use only lowercase letters, digits, '_' and '-', at most 63 each")
	}
	return nil
}

// MaxNodes bounds a node pool's size.
const MaxNodes = 100

// NodeCountProblems checks a node pool's sizes, 1 <= minCount <= count <= maxCount <=
// MaxNodes, and reports each violation under the setting that breaks it: a size out of
// 1..MaxNodes under its own key, a count outside minCount..maxCount under countKey, and
// a minCount above maxCount under minKey. The keys name the settings in messages.
func NodeCountProblems(minKey string, minCount int, countKey string, count int, maxKey string, maxCount int) Problems {
	var p Problems
	for _, s := range []struct {
		key string
		n   int
	}{{minKey, minCount}, {countKey, count}, {maxKey, maxCount}} {
		switch {
		case s.n < 1:
			p.Addf(s.key, strconv.Itoa(s.n), "must be at least 1")
		case s.n > MaxNodes:
			p.Addf(s.key, strconv.Itoa(s.n), "must be at most %d", MaxNodes)
		}
	}
	if minCount > maxCount {
		p.Addf(minKey, strconv.Itoa(minCount), "must be at most %s (%d)", maxKey, maxCount)
	}
	if count < minCount {
		p.Addf(countKey, strconv.Itoa(count), "must be at least %s (%d)", minKey, minCount)
	}
	if count > maxCount {
		p.Addf(countKey, strconv.Itoa(count), "must be at most %s (%d)", maxKey, maxCount)
	}
	return p
}

// DefaultNodeCounts fills unset (zero) node pool sizes: count def, min 1, max count.
func DefaultNodeCounts(minCount, count, maxCount *int, def int) {
	if *count == 0 {
		*count = def
	}
	if *minCount == 0 {
		*minCount = min(1, *count)
	}
	if *maxCount == 0 {
		*maxCount = max(*count, *minCount)
	}
}

// Machine type shapes. AWS: FAMILY.SIZE (m5.large, u-6tb1.metal, r8g.metal-24xl). GCP:
// SERIES-TYPE[-CPUS[-SUFFIX]] (n2-standard-4, e2-medium, a2-highgpu-1g) or
// [SERIES-]custom-CPUS-MEMORY (custom-4-16384). Azure: Standard_FAMILY... (Standard_DS4_v2,
// Standard_E8-4ds_v5); Azure takes VM sizes in any case.
var (
	awsInstanceType = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*\.(nano|micro|small|medium|large|\d*xlarge|metal(-\d+xl)?)$`)
	gcpMachineType  = regexp.MustCompile(`^([a-z]+\d[a-z0-9]*-[a-z]+(-\d+[a-z]*)?(-[a-z]+)*|([a-z]+\d[a-z0-9]*-)?custom(-(micro|small|medium))?(-\d+){1,2}(-ext)?)$`)
	azureVMSize     = regexp.MustCompile(`(?i)^standard_[a-z]+\d+(-\d+)?[a-z]*(_[a-z0-9]+)*$`)
)

// AWSInstanceType checks an EC2 instance type such as m5.large; example names a valid
// one for the message, which also says when v is another cloud's machine type.
func AWSInstanceType(v, example string) error {
	if !awsInstanceType.MatchString(v) {
		return fmt.Errorf("AWS instance types are FAMILY.SIZE, like %s%s", example, otherCloudsMachineType(v, "AWS"))
	}
	return nil
}

// GCPMachineType checks a Compute Engine machine type such as n2-standard-4 or
// custom-4-16384; example names a valid one for the message, which also says when v is
// another cloud's machine type.
func GCPMachineType(v, example string) error {
	if !gcpMachineType.MatchString(v) {
		return fmt.Errorf("GCP machine types are SERIES-TYPE[-CPUS] or [SERIES-]custom-CPUS-MEMORY, like %s%s", example, otherCloudsMachineType(v, "GCP"))
	}
	return nil
}

// AzureVMSize checks an Azure VM size such as Standard_DS4_v2; example names a valid one
// for the message, which also says when v is another cloud's machine type.
func AzureVMSize(v, example string) error {
	if !azureVMSize.MatchString(v) {
		return fmt.Errorf("Azure VM sizes are Standard_ then the size, like %s%s", example, otherCloudsMachineType(v, "Azure"))
	}
	return nil
}

// otherCloudsMachineType says which other cloud than cloud v is a machine type of, if
// any, for a message.
func otherCloudsMachineType(v, cloud string) string {
	for _, o := range []struct {
		cloud string
		shape *regexp.Regexp
	}{{"AWS", awsInstanceType}, {"GCP", gcpMachineType}, {"Azure", azureVMSize}} {
		if o.cloud != cloud && o.shape.MatchString(v) {
			return fmt.Sprintf(" (%q is %s machine type)", v, article(o.cloud))
		}
	}
	return ""
}

// article puts "a" or "an" before a cloud's name.
func article(cloud string) string {
	if strings.ContainsRune("AEIOU", rune(cloud[0])) {
		return "an " + cloud
	}
	return "a " + cloud
}

var (
	awsVPCID    = regexp.MustCompile(`^vpc-([0-9a-f]{8}|[0-9a-f]{17})$`)
	awsSubnetID = regexp.MustCompile(`^subnet-([0-9a-f]{8}|[0-9a-f]{17})$`)
)

// AWSVPCID checks a VPC id: vpc- and 8 or 17 lowercase hex digits.
func AWSVPCID(v string) error {
	if !awsVPCID.MatchString(v) {
		return fmt.Errorf("VPC ids are vpc- and 8 or 17 hex digits, like vpc-0123456789abcdef0")
	}
	return nil
}

// AWSSubnetID checks a subnet id: subnet- and 8 or 17 lowercase hex digits.
func AWSSubnetID(v string) error {
	if !awsSubnetID.MatchString(v) {
		return fmt.Errorf("subnet ids are subnet- and 8 or 17 hex digits, like subnet-0123456789abcdef0")
	}
	return nil
}

// AWSSubnetIDs checks the subnets of an existing network for EKS, reporting under
// field[i] each id that is not a subnet id (AWSSubnetID) or repeats an earlier one, and
// under field when they are fewer than two distinct subnets (EKS needs two
// availability zones).
func AWSSubnetIDs(field string, ids []string) Problems {
	var p Problems
	first := map[string]int{}
	for i, id := range ids {
		f := fmt.Sprintf("%s[%d]", field, i)
		if j, seen := first[id]; seen {
			p.Addf(f, id, "repeats %s[%d]: list each subnet once", field, j)
			continue
		}
		first[id] = i
		p.Add(f, id, AWSSubnetID(id))
	}
	if len(first) < 2 {
		p.Addf(field, strings.Join(ids, ","), "EKS needs subnets in at least two availability zones")
	}
	return p
}

var (
	pulumiName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)
	pulumiOrg  = regexp.MustCompile(`^[A-Za-z0-9-]{1,100}$`)
)

// StackName checks a Pulumi stack name: 1-100 letters, digits, '_', '.' or '-',
// optionally qualified as org/stack or org/project/stack, where the project takes the
// same characters and the organization letters, digits and '-'.
func StackName(v string) error {
	parts := strings.Split(v, "/")
	if len(parts) > 3 {
		return fmt.Errorf("Pulumi stack names are stack, org/stack or org/project/stack")
	}
	if len(parts) > 1 && !pulumiOrg.MatchString(parts[0]) {
		return fmt.Errorf("Pulumi organization names are 1-100 letters, digits or '-'")
	}
	if len(parts) == 3 && !pulumiName.MatchString(parts[1]) {
		return fmt.Errorf("Pulumi project names are 1-100 letters, digits, '_', '.' or '-'")
	}
	if !pulumiName.MatchString(parts[len(parts)-1]) {
		return fmt.Errorf("Pulumi stack names are 1-100 letters, digits, '_', '.' or '-'")
	}
	return nil
}
