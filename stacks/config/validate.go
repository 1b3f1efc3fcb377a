package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/internal/strictyaml"
	"sigs.k8s.io/yaml"
)

// validate checks every setting against its rule, t's own first, and adds every
// problem to p, each naming the key, the value and the rule. It reads ValuesFile into
// Values. Call it after complete.
func (c *Config) validate(t Target, p *rules.Problems) {
	if t.Validate != nil {
		t.Validate(c, p)
	}
	c.validateOtherClouds(p)
	if !slices.Contains(t.Identities, c.Identity) {
		p.Addf("identity", c.Identity, "must be one of %s for %s", strings.Join(t.Identities, ", "), c.Cloud)
	}
	*p = append(*p, rules.NodeCountProblems(
		"nodeMinCount", c.NodeMinCount, "nodeCount", c.NodeCount, "nodeMaxCount", c.NodeMaxCount)...)
	c.validateDatabase(p)
	c.validateEndpoint(p)
	if c.GPUNodeInstanceType == "" {
		if v, ok := c.Settings()["gpuNodeMaxCount"]; ok {
			p.Addf("gpuNodeMaxCount", v.Value, "sizes the GPU node pool: set gpuNodeInstanceType, or remove gpuNodeMaxCount")
		}
	}
	p.Add("namespace", c.Namespace, rules.Namespace(c.Namespace))
	p.Add("chartVersion", c.ChartVersion, rules.Semver(c.ChartVersion))
	for _, id := range slices.Sorted(maps.Keys(c.PolicyWaivers)) {
		switch {
		case !waiverID.MatchString(id):
			p.Addf("policyWaivers", id, "is not a rule id: ids look like PD-AWS-S3-LOGGING (`pachdeploy check` names them)")
		case strings.TrimSpace(c.PolicyWaivers[id]) == "":
			p.Addf("policyWaivers", id, "has no reason: a waiver says why the finding is accepted, and every report shows it")
		}
	}
	for i, cidr := range c.APIAllowedCIDRs {
		p.Add(fmt.Sprintf("apiAllowedCidrs[%d]", i), cidr, rules.CIDR(cidr))
	}
	if c.ValuesFile != "" {
		values, err := readValuesFile(c.ValuesFile)
		p.Add("valuesFile", c.ValuesFile, err)
		*p = append(*p, rules.ChartValues("valuesFile", values)...)
		c.Values = values
	}
}

// databaseSettings size a managed database; with the in-cluster one they would be
// ignored.
var databaseSettings = []string{"databaseVersion", "databaseInstanceType", "databaseStorageGb",
	"databaseHighAvailability", "databaseBackupDays"}

// validateDatabase checks the database mode and, for a managed database, its size,
// version and backups (the cloud checks the instance type).
func (c *Config) validateDatabase(p *rules.Problems) {
	set := c.Settings()
	switch c.Database {
	case DatabaseInCluster:
		for _, name := range databaseSettings {
			if v, ok := set[name]; ok {
				p.Addf(name, v.Value, "sizes a managed database: set database: %s, or remove %s", DatabaseManaged, name)
			}
		}
		return
	case DatabaseManaged:
	default:
		p.Addf("database", c.Database, "must be %s (the chart's PostgreSQL, for trials) or %s (the cloud's PostgreSQL service)",
			DatabaseInCluster, DatabaseManaged)
		return
	}
	if c.ExistingCluster != "" {
		p.Addf("database", c.Database, "a managed database goes into the network pachdeploy makes for its cluster; "+
			"with existingCluster %q it is not supported yet: use %s", c.ExistingCluster, DatabaseInCluster)
	}
	if !slices.Contains([]string{"15", "16", "17"}, c.DatabaseVersion) {
		p.Addf("databaseVersion", c.DatabaseVersion, "must be a PostgreSQL major version the chart supports and every cloud offers: 15, 16 or 17")
	}
	if c.DatabaseStorageGB < 20 || c.DatabaseStorageGB > 16384 {
		p.Addf("databaseStorageGb", fmt.Sprint(c.DatabaseStorageGB), "must be 20 to 16384 (GB)")
	}
	if c.DatabaseBackupDays < 7 || c.DatabaseBackupDays > 35 {
		p.Addf("databaseBackupDays", fmt.Sprint(c.DatabaseBackupDays), "must be 7 to 35: a week of backups at least, 35 the longest every cloud keeps")
	}
}

// acmCertificateARN is an ACM certificate in any partition.
var acmCertificateARN = regexp.MustCompile(`^arn:aws(-[a-z]+)*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$`)

// endpointSettings shape the TLS endpoint; with endpoint none they would be ignored.
var endpointSettings = []string{"endpointHostname", "endpointTlsSecret", "endpointCertificateArn", "endpointAllowedCidrs"}

// validateEndpoint checks the endpoint mode and what a TLS endpoint needs.
func (c *Config) validateEndpoint(p *rules.Problems) {
	switch c.Endpoint {
	case EndpointNone:
		set := c.Settings()
		for _, name := range endpointSettings {
			if v, ok := set[name]; ok {
				p.Addf(name, v.Value, "shapes the TLS endpoint: set endpoint: %s, or remove %s", EndpointTLS, name)
			}
		}
		return
	case EndpointTLS:
	default:
		p.Addf("endpoint", c.Endpoint, "must be %s (reach Pachyderm with kubectl port-forward) or %s (the proxy behind the cloud's load balancer, TLS only)",
			EndpointNone, EndpointTLS)
		return
	}
	if c.ExternalService {
		p.Addf("externalService", "true", "exposes pachd without TLS next to endpoint: %s: remove externalService", EndpointTLS)
	}
	if c.EndpointHostname == "" {
		p.Addf("endpointHostname", "", "is required with endpoint: %s: the DNS name clients use and the certificate is for", EndpointTLS)
	} else {
		p.Add("endpointHostname", c.EndpointHostname, rules.DNS1123Subdomain(c.EndpointHostname))
	}
	if c.EndpointCertificateARN != "" && !acmCertificateARN.MatchString(c.EndpointCertificateARN) {
		p.Addf("endpointCertificateArn", c.EndpointCertificateARN,
			"must be an ACM certificate ARN like arn:aws:acm:us-west-2:123456789012:certificate/<id> (aws acm list-certificates)")
	}
	if c.EndpointTLSSecret != "" {
		p.Add("endpointTlsSecret", c.EndpointTLSSecret, rules.DNS1123Subdomain(c.EndpointTLSSecret))
	}
	if (c.EndpointTLSSecret == "") == (c.EndpointCertificateARN == "") {
		p.Addf("endpointTlsSecret", c.EndpointTLSSecret, "endpoint: %s needs exactly one certificate: endpointTlsSecret (a Kubernetes TLS Secret) "+
			"or, on AWS, endpointCertificateArn (ACM)", EndpointTLS)
	}
	for i, cidr := range c.EndpointAllowedCIDRs {
		p.Add(fmt.Sprintf("endpointAllowedCidrs[%d]", i), cidr, rules.CIDR(cidr))
	}
}

var waiverID = regexp.MustCompile(`^PD-[A-Z0-9]+(-[A-Z0-9]+)+$`)

// clusterSettings shape a cluster pachdeploy makes; with existingCluster they would be
// ignored.
var clusterSettings = []string{"clusterName", "kubernetesVersion", "nodeInstanceType", "nodeCount", "nodeMinCount",
	"nodeMaxCount", "apiAllowedCidrs", "vpcId", "subnetIds", "network", "subnetwork", "releaseChannel",
	"deletionProtection", "privateNodes", "nodeSubnetId", "nodeSubnetHasStorageEndpoint", "hostEncryption", "entraIdAuth", "gpuNodeInstanceType", "gpuNodeMaxCount"}

// existingClusterProblems reports, for settings as given (before defaults), the ones
// existingCluster makes meaningless, and a kubeconfig without existingCluster.
func existingClusterProblems(c *Config, p *rules.Problems) {
	set := c.Settings()
	if c.ExistingCluster == "" {
		if _, ok := set["kubeconfig"]; ok {
			p.Addf("kubeconfig", secretMark, "applies only with existingCluster: pachdeploy builds the kubeconfig of a cluster it makes")
		}
		return
	}
	if c.Kubeconfig != "" {
		var kc struct {
			Clusters []any `json:"clusters"`
			Users    []any `json:"users"`
		}
		if err := yaml.Unmarshal([]byte(c.Kubeconfig), &kc); err != nil || len(kc.Clusters) == 0 || len(kc.Users) == 0 {
			p.Addf("kubeconfig", secretMark, "is not a kubeconfig: a YAML document with clusters and users, as `kubectl config view --raw --minify` prints")
		}
	}
	for _, name := range clusterSettings {
		if v, ok := set[name]; ok {
			p.Addf(name, v.Value, "shapes a cluster pachdeploy makes; with existingCluster %q the cluster is used as it is: remove %s",
				c.ExistingCluster, name)
		}
	}
}

// validateOtherClouds reports settings of another cloud, which would be ignored.
func (c *Config) validateOtherClouds(p *rules.Problems) {
	set := c.Settings()
	for _, k := range keys {
		if k.cloud == "" || k.cloud == c.Cloud {
			continue
		}
		if v, ok := set[k.name]; ok {
			p.Addf(k.name, v.Value, "applies only to cloud %s", k.cloud)
		}
	}
}

// readValuesFile loads a chart values file: a regular file of at most maxFile bytes,
// strict YAML (see internal/strictyaml) whose top level is a map.
func readValuesFile(path string) (map[string]any, error) {
	b, err := readLimited(path, "a values file")
	if err != nil {
		return nil, err
	}
	n, err := strictyaml.Parse(path, b)
	if err != nil {
		return nil, err
	}
	return strictyaml.Map(n)
}
