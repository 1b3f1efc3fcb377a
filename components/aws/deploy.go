package aws

import (
	"slices"
	"strconv"

	"github.com/pachdeploy/pachdeploy/components/aws/settings"
	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pachdeploy/pachdeploy/target"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// deployAWS builds the EKS cluster (in a new VPC unless vpcId and subnetIds name an
// existing one), the S3 bucket and Pachyderm's identity. Every AWS resource uses one
// explicit provider, so the region comes from the stack config and never from the
// environment, and cfg.Tags go on everything as default tags.
func deployAWS(ctx *pulumi.Context, cfg *config.Config, opts ...pulumi.ResourceOption) (*target.Infra, error) {
	providerArgs := &aws.ProviderArgs{Region: pulumi.String(cfg.Region)}
	if len(cfg.Tags) > 0 {
		providerArgs.DefaultTags = &aws.ProviderDefaultTagsArgs{Tags: pulumi.ToStringMap(cfg.Tags)}
	}
	provider, err := aws.NewProvider(ctx, "aws", providerArgs, opts...)
	if err != nil {
		return nil, err
	}
	withAWS := pulumi.Composite(append(slices.Clip(opts), pulumi.Provider(provider))...)

	cluster, network, err := awsCluster(ctx, cfg, withAWS)
	if err != nil {
		return nil, err
	}
	bucket, err := NewBucket(ctx, "pachyderm-data", &BucketArgs{
		Name:                cfg.BucketName,
		DeleteDataOnDestroy: cfg.DeleteDataOnDestroy,
	}, withAWS)
	if err != nil {
		return nil, err
	}
	identity, err := NewIdentity(ctx, "pachyderm", &IdentityArgs{
		Mode:            cfg.Identity,
		BucketName:      cfg.BucketName,
		Namespace:       cfg.Namespace,
		OIDCProviderArn: cluster.OIDCProviderArn,
		OIDCIssuer:      cluster.OIDCProviderURL,
		NodeRoleName:    cluster.NodeRoleName,
		BucketKeyArn:    bucket.KeyArn,
	}, withAWS)
	if err != nil {
		return nil, err
	}

	dependsOn := append(append(cluster.KubernetesDependencies(), bucket.Resources()...), identity.Resources()...)
	var database *pachyderm.ExternalDatabase
	if cfg.ManagedDatabase() {
		db, err := NewDatabase(ctx, "pachyderm-db", &DatabaseArgs{
			Identifier:           databaseIdentifier(cfg.ClusterName),
			VpcID:                network.vpcID,
			SubnetIDs:            network.nodeSubnetIDs,
			NodeSecurityGroupIDs: []pulumi.StringInput{cluster.NodeSecurityGroupID},
			EngineVersion:        cfg.DatabaseVersion,
			InstanceClass:        cfg.DatabaseInstanceType,
			StorageGB:            cfg.DatabaseStorageGB,
			MultiAZ:              cfg.DatabaseHighAvailability,
			BackupDays:           cfg.DatabaseBackupDays,
			DeleteDataOnDestroy:  cfg.DeleteDataOnDestroy,
		}, withAWS)
		if err != nil {
			return nil, err
		}
		database = db.ExternalDatabase()
	}

	return &target.Infra{
		Storage: pachyderm.Storage{
			Backend:         pachyderm.Amazon,
			Bucket:          cfg.BucketName,
			Region:          cfg.Region,
			AmazonAccessKey: identity.AccessKey,
		},
		Annotations:  identity.Annotations,
		StorageClass: cluster.StorageClassName,
		Kubernetes:   cluster.Provider,
		// pachd starts only once its bucket and policy exist, so it never sees
		// access denied.
		DependsOn:  dependsOn,
		Kubeconfig: cluster.Kubeconfig,
		Database:   database,
		Endpoint:   awsEndpoint(cfg),
	}, nil
}

// The Service annotations of the AWS cloud controller (kubernetes/cloud-provider-aws,
// pkg/providers/v1/aws.go), which EKS runs for LoadBalancer Services; the scheme is
// the AWS Load Balancer Controller's.
const (
	annotationLBType          = "service.beta.kubernetes.io/aws-load-balancer-type"
	annotationLBScheme        = "service.beta.kubernetes.io/aws-load-balancer-scheme"
	annotationSSLCert         = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert"
	annotationSSLPorts        = "service.beta.kubernetes.io/aws-load-balancer-ssl-ports"
	annotationSSLPolicy       = "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy"
	annotationBackendProtocol = "service.beta.kubernetes.io/aws-load-balancer-backend-protocol"
)

// endpointSSLPolicy is the NLB's TLS policy with an ACM certificate: TLS 1.2 and 1.3
// only (the default policy of a listener without one still accepts TLS 1.0).
const endpointSSLPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"

// awsEndpoint is the TLS endpoint of endpoint: tls, or nil: a Network Load Balancer
// made by the AWS cloud controller EKS runs (pachdeploy installs no AWS Load Balancer
// Controller, so only annotations that controller reads do anything; type nlb is one).
// With endpointCertificateArn the NLB terminates TLS on EndpointPort with the ACM
// certificate and forwards plain TCP (backend protocol tcp) to the proxy's HTTP port;
// with endpointTlsSecret it passes TCP through to the proxy, which terminates TLS. The
// cloud controller turns the allowed client ranges into the NLB's security group rules.
// The scheme annotation is for a cluster that has the AWS Load Balancer Controller
// (an existingCluster): its webhook takes over new LoadBalancer Services and would
// make the NLB internal by default; internet-facing is the cloud controller's default.
func awsEndpoint(cfg *config.Config) *pachyderm.Endpoint {
	if cfg.Endpoint != config.EndpointTLS {
		return nil
	}
	annotations := map[string]string{annotationLBType: "nlb", annotationLBScheme: "internet-facing"}
	e := &pachyderm.Endpoint{
		Hostname:           cfg.EndpointHostname,
		TLSSecretName:      cfg.EndpointTLSSecret,
		ServiceAnnotations: annotations,
		AllowedCIDRs:       cfg.EndpointAllowedCIDRs,
	}
	if arn := cfg.EndpointCertificateARN; arn != "" {
		e.LoadBalancerTLS = true
		annotations[annotationSSLCert] = arn
		annotations[annotationSSLPorts] = strconv.Itoa(pachyderm.EndpointPort)
		annotations[annotationSSLPolicy] = endpointSSLPolicy
		annotations[annotationBackendProtocol] = "tcp"
	}
	return e
}

// databaseIdentifier names the managed database after the cluster, within RDS's
// identifier rules (lowercase, single hyphens, 63 characters).
func databaseIdentifier(clusterName string) string {
	const suffix = "-pachyderm"
	return config.Trim(config.Slug(clusterName), 63-len(suffix)) + suffix
}

// clusterNetwork is where a cluster pachdeploy makes runs: its VPC and the subnets of
// its nodes, which the managed database shares.
type clusterNetwork struct {
	vpcID         pulumi.StringInput
	nodeSubnetIDs pulumi.StringArrayInput
}

// awsCluster looks up the running cluster existingCluster names, or makes one (in a
// new VPC unless vpcId and subnetIds name an existing network) and says where it runs.
func awsCluster(ctx *pulumi.Context, cfg *config.Config, withAWS pulumi.ResourceOption) (*Cluster, clusterNetwork, error) {
	if cfg.ExistingCluster != "" {
		args := &ExistingClusterArgs{Name: cfg.ExistingCluster, Region: cfg.Region}
		if cfg.Kubeconfig != "" {
			args.Kubeconfig = pulumi.ToSecret(pulumi.String(cfg.Kubeconfig)).(pulumi.StringOutput)
		}
		cluster, err := NewExistingCluster(ctx, cfg.ExistingCluster, args, withAWS)
		return cluster, clusterNetwork{}, err
	}
	// An existing network's subnets serve both the control plane and the nodes.
	var vpcID pulumi.StringInput = pulumi.String(cfg.AWS.VPCID)
	var subnetIDs, nodeSubnetIDs pulumi.StringArrayInput = pulumi.ToStringArray(cfg.AWS.SubnetIDs), pulumi.ToStringArray(cfg.AWS.SubnetIDs)
	if cfg.AWS.VPCID == "" {
		network, err := NewNetwork(ctx, cfg.ClusterName, &NetworkArgs{
			Region: cfg.Region, ClusterName: cfg.ClusterName,
			RetainPrivateSubnets: cfg.ManagedDatabase() && !cfg.DeleteDataOnDestroy,
		}, withAWS)
		if err != nil {
			return nil, clusterNetwork{}, err
		}
		vpcID = network.VpcID
		subnetIDs = pulumi.All(network.PublicSubnetIDs, network.PrivateSubnetIDs).ApplyT(func(v []any) []string {
			return append(append([]string{}, v[0].([]string)...), v[1].([]string)...)
		}).(pulumi.StringArrayOutput)
		nodeSubnetIDs = network.PrivateSubnetIDs
	}

	cluster, err := NewCluster(ctx, cfg.ClusterName, &ClusterArgs{
		Name:              cfg.ClusterName,
		KubernetesVersion: cfg.KubernetesVersion,
		VpcID:             vpcID,
		SubnetIDs:         subnetIDs,
		NodeSubnetIDs:     nodeSubnetIDs,
		InstanceType:      cfg.NodeInstanceType,
		NodeCount:         cfg.NodeCount,
		NodeMinCount:      cfg.NodeMinCount,
		NodeMaxCount:      cfg.NodeMaxCount,
		APIAllowedCIDRs:   cfg.APIAllowedCIDRs,
		PodsUseNodeRole:   cfg.Identity == settings.IdentityNodeRole,
		GPUInstanceType:   cfg.GPUNodeInstanceType,
		GPUMaxCount:       cfg.GPUNodeMaxCount,
	}, withAWS)
	return cluster, clusterNetwork{vpcID: vpcID, nodeSubnetIDs: nodeSubnetIDs}, err
}
