package main

import (
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// replaceKeys lists, per type token, the input keys the cloud cannot change in place: a change
// to one of them means replacement. "<pkg>:*" entries apply to every type of the package and add
// to the type's own entry. A key "*" means every input key; a dotted key ("metadata.name") names a
// nested value whose change replaces the resource (reported on its top-level key).
var replaceKeys = map[string][]string{
	// aws
	"aws:s3/bucketV2:BucketV2": {"bucket", "bucketPrefix"},
	// every S3 bucket setting resource belongs to one bucket for life
	"aws:s3/bucketPolicy:BucketPolicy":                                                           {"bucket"},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                                     {"bucket"},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":                                     {"bucket"},
	"aws:s3/bucketVersioningV2:BucketVersioningV2":                                               {"bucket", "expectedBucketOwner"},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": {"bucket", "expectedBucketOwner"},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":                       {"bucket", "expectedBucketOwner"},
	"aws:iam/rolePolicy:RolePolicy":                                                              {"role", "name", "namePrefix"},
	"aws:iam/userPolicy:UserPolicy":                                                              {"user", "name", "namePrefix"},
	"aws:eks/cluster:Cluster":                                                                    {"name"},
	"aws:eks/nodeGroup:NodeGroup":                                                                {"clusterName", "nodeGroupName", "nodeGroupNamePrefix", "nodeRoleArn", "subnetIds", "amiType", "capacityType", "diskSize", "instanceTypes"},
	"aws:eks/addon:Addon":                                                                        {"clusterName", "addonName"},
	"aws:ec2/vpc:Vpc":                                                                            {"cidrBlock"},
	"aws:ec2/subnet:Subnet":                                                                      {"vpcId", "cidrBlock", "availabilityZone"},
	"aws:ec2/routeTable:RouteTable":                                                              {"vpcId"},
	"aws:ec2/natGateway:NatGateway":                                                              {"subnetId", "allocationId", "connectivityType"},
	"aws:ec2/securityGroup:SecurityGroup":                                                        {"name", "namePrefix", "vpcId", "description"},
	"aws:iam/role:Role":                                                                          {"name", "namePrefix", "path"},
	"aws:rds/instance:Instance":                                                                  {"identifier", "engine", "dbName", "username", "kmsKeyId", "storageEncrypted", "availabilityZone", "characterSetName"},
	"aws:rds/parameterGroup:ParameterGroup":                                                      {"name", "family", "description"},
	"aws:rds/subnetGroup:SubnetGroup":                                                            {"name"},
	"aws:iam/policy:Policy":                                                                      {"name", "namePrefix", "path", "description"},
	"aws:iam/accessKey:AccessKey":                                                                {"user", "pgpKey"},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment":                                          {"role", "policyArn"},
	"aws:iam/userPolicyAttachment:UserPolicyAttachment":                                          {"user", "policyArn"},
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider":                                        {"url"},
	"aws:cloudwatch/logGroup:LogGroup":                                                           {"name", "namePrefix", "kmsKeyId"},
	"aws:kms/alias:Alias":                                                                        {"name", "namePrefix"},
	// kubernetes
	"kubernetes:*":                              {"metadata.name", "metadata.namespace"},
	"kubernetes:helm.sh/v3:Release":             {"name", "namespace"},
	"kubernetes:core/v1:Secret":                 {"type"},
	"kubernetes:storage.k8s.io/v1:StorageClass": {"provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"},
	// gcp
	"gcp:*":                     {"project"},
	"gcp:storage/bucket:Bucket": {"name", "location"},
	"gcp:sql/databaseInstance:DatabaseInstance":     {"name", "project", "region", "encryptionKeyName"},
	"gcp:sql/database:Database":                     {"name", "instance"},
	"gcp:sql/user:User":                             {"name", "instance", "host"},
	"gcp:compute/globalAddress:GlobalAddress":       {"name", "address", "prefixLength", "network", "purpose", "addressType"},
	"gcp:servicenetworking/connection:Connection":   {"network", "service"},
	"gcp:container/cluster:Cluster":                 {"name", "location", "network", "subnetwork"},
	"gcp:container/nodePool:NodePool":               {"name", "cluster", "location"},
	"gcp:serviceaccount/account:Account":            {"accountId"},
	"gcp:serviceaccount/key:Key":                    {"serviceAccountId", "keyAlgorithm", "privateKeyType", "publicKeyType"},
	"gcp:projects/service:Service":                  {"service"},
	"gcp:projects/iAMMember:IAMMember":              {"role", "member", "condition"},
	"gcp:projects/iAMBinding:IAMBinding":            {"role", "condition"},
	"gcp:storage/bucketIAMMember:BucketIAMMember":   {"bucket", "role", "member", "condition"},
	"gcp:storage/bucketIAMBinding:BucketIAMBinding": {"bucket", "role", "condition"},
	"gcp:serviceaccount/iAMMember:IAMMember":        {"serviceAccountId", "role", "member", "condition"},
	"gcp:serviceaccount/iAMBinding:IAMBinding":      {"serviceAccountId", "role", "condition"},
	// azure-native
	"azure-native:*":                                           {"location", "resourceGroupName"},
	"azure-native:storage:StorageAccount":                      {"accountName", "kind"},
	"azure-native:storage:BlobContainer":                       {"accountName", "containerName"},
	"azure-native:containerservice:ManagedCluster":             {"resourceName", "dnsPrefix"},
	"azure-native:containerservice:AgentPool":                  {"resourceName", "agentPoolName"},
	"azure-native:managedidentity:UserAssignedIdentity":        {"resourceName"},
	"azure-native:managedidentity:FederatedIdentityCredential": {"resourceName", "federatedIdentityCredentialResourceName"},
	"azure-native:network:VirtualNetwork":                      {"virtualNetworkName"},
	"azure-native:network:Subnet":                              {"virtualNetworkName", "subnetName"},
	"azure-native:network:PrivateZone":                         {"privateZoneName"},
	"azure-native:network:VirtualNetworkLink":                  {"privateZoneName", "virtualNetworkLinkName", "virtualNetwork"},
	"azure-native:dbforpostgresql/v20240801:Server":            {"serverName", "administratorLogin", "network", "backup.geoRedundantBackup"},
	"azure-native:dbforpostgresql/v20240801:Database":          {"serverName", "databaseName", "charset", "collation"},
	"azure-native:dbforpostgresql/v20240801:Configuration":     {"serverName", "configurationName"},
	"gcp:compute/network:Network":                              {"name", "autoCreateSubnetworks"},
	"gcp:compute/subnetwork:Subnetwork":                        {"name", "network", "region", "ipCidrRange"},
	"gcp:compute/router:Router":                                {"name", "network", "region"},
	"gcp:compute/routerNat:RouterNat":                          {"name", "router", "region"},
	"azure-native:authorization:RoleAssignment":                {"scope", "roleAssignmentName", "principalId", "roleDefinitionId"},
	// random: every input forces a new value, as in pulumi-random.
	"random:*": {"*"},
}

// immutableFor returns the replace rules for typ: the package-wide ones plus the type's own.
func immutableFor(typ string) []string {
	pkg, _, _ := strings.Cut(typ, ":")
	return append(append([]string(nil), replaceKeys[pkg+":*"]...), replaceKeys[typ]...)
}

// diffResult is the outcome of comparing old and new inputs.
type diffResult struct {
	Changed  []string                           // changed top-level keys, sorted
	Replaces []string                           // the subset that forces replacement, sorted
	Detailed map[string]*pulumirpc.PropertyDiff // per changed key
}

func (d diffResult) response() *pulumirpc.DiffResponse {
	changes := pulumirpc.DiffResponse_DIFF_NONE
	if len(d.Changed) > 0 {
		changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return &pulumirpc.DiffResponse{
		Changes:         changes,
		Diffs:           d.Changed,
		Replaces:        d.Replaces,
		DetailedDiff:    d.Detailed,
		HasDetailedDiff: true,
	}
}

// diffInputs compares two input maps of type typ key by key. Secrets compare by their value;
// an unknown new value always counts as a change; null counts as absent.
func diffInputs(typ string, olds, news resource.PropertyMap) diffResult {
	rules := immutableFor(typ)
	replaceAll := false
	topImmutable := map[string]bool{}
	nested := map[string][][]string{} // top-level key -> nested paths below it
	for _, r := range rules {
		switch {
		case r == "*":
			replaceAll = true
		case strings.Contains(r, "."):
			parts := strings.Split(r, ".")
			nested[parts[0]] = append(nested[parts[0]], parts[1:])
		default:
			topImmutable[r] = true
		}
	}

	res := diffResult{Detailed: map[string]*pulumirpc.PropertyDiff{}}
	keys := map[string]bool{}
	for k := range olds {
		keys[string(k)] = true
	}
	for k := range news {
		keys[string(k)] = true
	}
	for k := range keys {
		if strings.HasPrefix(k, "__") {
			continue
		}
		o, hasOld := present(olds, k)
		n, hasNew := present(news, k)
		var kind pulumirpc.PropertyDiff_Kind
		switch {
		case !hasOld && !hasNew:
			continue
		case !hasOld:
			kind = pulumirpc.PropertyDiff_ADD
		case !hasNew:
			kind = pulumirpc.PropertyDiff_DELETE
		case equalValues(o, n):
			continue
		default:
			kind = pulumirpc.PropertyDiff_UPDATE
		}
		replace := replaceAll || topImmutable[k]
		for _, path := range nested[k] {
			if !equalValues(lookup(o, path), lookup(n, path)) {
				replace = true
			}
		}
		if replace {
			kind = map[pulumirpc.PropertyDiff_Kind]pulumirpc.PropertyDiff_Kind{
				pulumirpc.PropertyDiff_ADD:    pulumirpc.PropertyDiff_ADD_REPLACE,
				pulumirpc.PropertyDiff_DELETE: pulumirpc.PropertyDiff_DELETE_REPLACE,
				pulumirpc.PropertyDiff_UPDATE: pulumirpc.PropertyDiff_UPDATE_REPLACE,
			}[kind]
			res.Replaces = append(res.Replaces, k)
		}
		res.Changed = append(res.Changed, k)
		res.Detailed[k] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	sort.Strings(res.Changed)
	sort.Strings(res.Replaces)
	return res
}

// present returns m[k] unless it is missing or null.
func present(m resource.PropertyMap, k string) (resource.PropertyValue, bool) {
	v, ok := m[resource.PropertyKey(k)]
	if !ok || v.IsNull() {
		return resource.NewNullProperty(), false
	}
	return v, true
}

// lookup follows path through nested objects (and secrets); null when absent.
func lookup(v resource.PropertyValue, path []string) resource.PropertyValue {
	for _, p := range path {
		v = unwrap(v)
		if !v.IsObject() {
			return resource.NewNullProperty()
		}
		next, ok := v.ObjectValue()[resource.PropertyKey(p)]
		if !ok {
			return resource.NewNullProperty()
		}
		v = next
	}
	return v
}

// equalValues compares by value: secret wrappers are ignored at every depth, unknowns never equal.
func equalValues(a, b resource.PropertyValue) bool {
	a, b = deepUnwrap(a), deepUnwrap(b)
	if a.ContainsUnknowns() || b.ContainsUnknowns() {
		return false
	}
	return a.DeepEquals(b)
}

// unwrap removes secret wrappers (and known output-value wrappers) at the top of v.
func unwrap(v resource.PropertyValue) resource.PropertyValue {
	for {
		switch {
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput() && v.OutputValue().Known:
			v = v.OutputValue().Element
		default:
			return v
		}
	}
}

// deepUnwrap removes secret wrappers everywhere in v.
func deepUnwrap(v resource.PropertyValue) resource.PropertyValue {
	v = unwrap(v)
	switch {
	case v.IsArray():
		arr := make([]resource.PropertyValue, len(v.ArrayValue()))
		for i, e := range v.ArrayValue() {
			arr[i] = deepUnwrap(e)
		}
		return resource.NewArrayProperty(arr)
	case v.IsObject():
		obj := resource.PropertyMap{}
		for k, e := range v.ObjectValue() {
			obj[k] = deepUnwrap(e)
		}
		return resource.NewObjectProperty(obj)
	}
	return v
}
