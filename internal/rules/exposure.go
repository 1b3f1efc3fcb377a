package rules

import (
	"fmt"
	"net/netip"
)

// OpenToInternet reports whether an API endpoint restricted to cidrs is reachable from
// any address: no restriction at all, or a block such as 0.0.0.0/0 or ::/0.
func OpenToInternet(cidrs []string) bool {
	if len(cidrs) == 0 {
		return true
	}
	for _, c := range cidrs {
		if p, err := netip.ParsePrefix(c); err == nil && p.Bits() == 0 {
			return true
		}
	}
	return false
}

// OpenAPIWarning is the warning every cloud's cluster gives when its Kubernetes API is
// reachable from any address (ruleID: the checkov rule, CKV_AWS_38 / CKV_GCP_20 /
// CKV_AZURE_6); "" when cidrs restrict it.
func OpenAPIWarning(cluster string, cidrs []string, ruleID string) string {
	if !OpenToInternet(cidrs) {
		return ""
	}
	return fmt.Sprintf("the Kubernetes API of cluster %s is reachable from any address; set apiAllowedCidrs to the "+
		"networks that deploy and administer it, e.g. pulumi config set pachdeploy:apiAllowedCidrs 203.0.113.0/24 (%s)",
		cluster, ruleID)
}
