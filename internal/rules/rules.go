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
	awsRegion     = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$`)
	gcpRegion     = regexp.MustCompile(`^[a-z]+-[a-z]+\d+$`)
	gcpZone       = regexp.MustCompile(`^([a-z]+-[a-z]+\d+)-[a-z]$`)
	gcpProject    = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	azureLocation = regexp.MustCompile(`^[a-z]+[a-z0-9]*$`)
	k8sVersion    = regexp.MustCompile(`^1\.(\d+)(\.\d+)?$`)
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

// AWSRegion checks the shape of an AWS region such as us-west-2.
func AWSRegion(v string) error {
	if !awsRegion.MatchString(v) {
		return fmt.Errorf("AWS regions look like us-west-2")
	}
	return nil
}

// GCPRegion checks the shape of a Google Cloud region such as us-central1.
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

// AzureLocation checks the shape of an Azure location such as centralus.
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
// supported range; patch versions are refused where minorOnly is set (EKS).
func KubernetesVersion(v string, minorOnly bool) error {
	m := k8sVersion.FindStringSubmatch(v)
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

// NodeCounts checks a node pool's sizes: 1 <= minCount <= count <= maxCount <= MaxNodes.
func NodeCounts(minCount, count, maxCount int) error {
	if !(1 <= minCount && minCount <= count && count <= maxCount && maxCount <= MaxNodes) {
		return fmt.Errorf("must satisfy 1 <= min <= count <= max <= %d", MaxNodes)
	}
	return nil
}

// NodeCountsValue shows node pool sizes as a problem's value.
func NodeCountsValue(minCount, count, maxCount int) string {
	return fmt.Sprintf("min %d, count %d, max %d", minCount, count, maxCount)
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

// MachineType checks that a node machine type is given as one word; example names a
// valid one for the message.
func MachineType(v, example string) error {
	if strings.TrimSpace(v) == "" || strings.ContainsAny(v, " \t") {
		return fmt.Errorf("must be a machine type such as %s", example)
	}
	return nil
}
