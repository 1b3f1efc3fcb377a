package rules

import (
	"fmt"
	"slices"
	"strings"
)

// The regions each cloud publishes, as data: a typo in a region fails before any
// resource is registered instead of minutes into a deploy. The lists go stale as clouds
// open regions; allowUnknownRegion skips them and checks only the shape. Each list
// starts with the regions shown as examples in messages.

// awsRegions are the regions of every AWS partition: commercial, China, GovCloud, the
// isolated (ISO) partitions and the European Sovereign Cloud (the AWS SDKs' partition
// data). A test in components/aws ties this list to the pinned pulumi-aws SDK's Region
// constants.
var awsRegions = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2",
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
	"ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
	"eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1",
	"me-south-1", "mx-central-1", "sa-east-1",
	"cn-north-1", "cn-northwest-1",
	"us-gov-east-1", "us-gov-west-1",
	"us-iso-east-1", "us-iso-west-1", "us-isob-east-1", "us-isob-west-1", "us-isof-east-1",
	"us-isof-south-1", "eu-isoe-west-1",
	"eusc-de-east-1",
}

// gcpRegions are Google Cloud's public regions (Compute Engine "Regions and zones").
var gcpRegions = []string{
	"us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1", "us-west2",
	"us-west3", "us-west4",
	"africa-south1", "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2",
	"asia-northeast3", "asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2",
	"asia-southeast3", "australia-southeast1", "australia-southeast2", "europe-central2",
	"europe-north1", "europe-north2", "europe-southwest1", "europe-west1", "europe-west2",
	"europe-west3", "europe-west4", "europe-west6", "europe-west8", "europe-west9",
	"europe-west10", "europe-west12", "me-central1", "me-central2", "me-west1",
	"northamerica-northeast1", "northamerica-northeast2", "northamerica-south1",
	"southamerica-east1", "southamerica-west1",
}

// azureLocations are the physical locations of Azure's public cloud as
// `az account list-locations` names them, including the restricted ones (Jio India,
// Sweden South, the EUAP canaries); the logical ones (europe, global, ...) and the
// staging ones are left out, as no cluster runs there.
var azureLocations = []string{
	"centralus", "eastus", "eastus2", "northcentralus", "southcentralus", "westcentralus",
	"westus", "westus2", "westus3",
	"australiacentral", "australiacentral2", "australiaeast", "australiasoutheast",
	"austriaeast", "belgiumcentral", "brazilsouth", "brazilsoutheast", "canadacentral",
	"canadaeast", "centralindia", "chilecentral", "denmarkeast", "eastasia", "francecentral",
	"francesouth", "germanynorth", "germanywestcentral", "indonesiacentral", "israelcentral",
	"italynorth", "japaneast", "japanwest", "jioindiacentral", "jioindiawest", "koreacentral",
	"koreasouth", "malaysiawest", "mexicocentral", "newzealandnorth", "northeurope",
	"norwayeast", "norwaywest", "polandcentral", "qatarcentral", "southafricanorth",
	"southafricawest", "southeastasia", "southindia", "spaincentral", "swedencentral",
	"swedensouth", "switzerlandnorth", "switzerlandwest", "uaecentral", "uaenorth", "uksouth",
	"ukwest", "westeurope", "westindia",
	"centraluseuap", "eastus2euap",
}

// KnownAWSRegion checks an AWS region: its shape (AWSRegion) and, unless allowUnknown,
// that it is one of the regions AWS publishes.
func KnownAWSRegion(v string, allowUnknown bool) error {
	if err := AWSRegion(v); err != nil {
		return err
	}
	return knownRegion(v, fmt.Sprintf("%q", v), "an AWS region", "region", awsRegions, allowUnknown)
}

// KnownGCPRegion checks a Google Cloud region: its shape (GCPRegion) and, unless
// allowUnknown, that it is one of the regions Google Cloud publishes.
func KnownGCPRegion(v string, allowUnknown bool) error {
	if err := GCPRegion(v); err != nil {
		return err
	}
	return knownRegion(v, fmt.Sprintf("%q", v), "a GCP region", "region", gcpRegions, allowUnknown)
}

// KnownGCPZone checks a Google Cloud zone: its shape and region as GCPZone does and,
// unless allowUnknown, that the zone's region is one Google Cloud publishes.
func KnownGCPZone(v, region string, allowUnknown bool) error {
	if err := GCPZone(v, region); err != nil {
		return err
	}
	zoneRegion := v[:strings.LastIndexByte(v, '-')]
	return knownRegion(zoneRegion, fmt.Sprintf("its region %q", zoneRegion), "a GCP region", "region", gcpRegions, allowUnknown)
}

// KnownAzureLocation checks an Azure location: its shape (AzureLocation) and, unless
// allowUnknown, that it is one of the locations of Azure's public cloud. A display
// name such as "Central US" is answered with the location's name.
func KnownAzureLocation(v string, allowUnknown bool) error {
	if err := AzureLocation(v); err != nil {
		if name := strings.ToLower(strings.ReplaceAll(v, " ", "")); slices.Contains(azureLocations, name) {
			return fmt.Errorf("Azure locations are lowercase without spaces: did you mean %s?", name)
		}
		return err
	}
	return knownRegion(v, fmt.Sprintf("%q", v), "an Azure location", "location", azureLocations, allowUnknown)
}

// knownRegion checks that v is in known unless allowUnknown, suggesting the closest
// known names. The message says subject (v quoted, or "its region ...") is not what
// ("an AWS region") and names the override for a noun ("region") newer than the list.
func knownRegion(v, subject, what, noun string, known []string, allowUnknown bool) error {
	if allowUnknown || slices.Contains(known, v) {
		return nil
	}
	hint := strings.Join(known[:2], ", ") + ", ..."
	if near := closest(v, known); len(near) > 0 {
		hint = "did you mean " + strings.Join(near, " or ") + "?"
	}
	return fmt.Errorf("%s is not %s pachdeploy knows (%s); for a %s newer than this release, set allowUnknownRegion: true",
		subject, what, hint, noun)
}

// closest returns the one or two names of known nearest to v by edit distance, if
// any is close: at most a quarter of v's length (and at least one edit) away.
func closest(v string, known []string) []string {
	limit := max(1, len(v)/4)
	type candidate struct {
		name string
		dist int
	}
	var near []candidate
	for _, k := range known {
		if d := EditDistance(v, k); d <= limit {
			near = append(near, candidate{k, d})
		}
	}
	slices.SortStableFunc(near, func(a, b candidate) int { return a.dist - b.dist })
	var out []string
	for _, c := range near[:min(2, len(near))] {
		out = append(out, c.name)
	}
	return out
}

// EditDistance is the Levenshtein distance between a and b, in bytes (names checked
// here are ASCII): how suggestions find the name meant.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
