package aws

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pachdeploy/pachdeploy/components/aws/settings"
	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// PostgreSQL on RDS.
const (
	// DatabasePort is PostgreSQL's port, which RDS keeps unless told otherwise.
	DatabasePort = 5432
	// DatabaseUser is the master user Pachyderm connects as: it owns the databases
	// the release creates (pachyderm, dex).
	DatabaseUser = "pachyderm"
	// DatabaseStorageGrowth is how far storage autoscaling may grow the volume: ten
	// times the configured size. Pachyderm's metadata grows with every commit and a
	// full volume stops pachd; RDS grows it (in place, online) before that happens.
	DatabaseStorageGrowth = 10
	// maxRDSStorageGB is the largest gp3 volume RDS for PostgreSQL takes (64 TiB).
	maxRDSStorageGB = 65536
	// PerformanceInsightsRetentionDays is Performance Insights' free retention.
	PerformanceInsightsRetentionDays = 7
)

// DatabaseLogExports are the PostgreSQL logs RDS sends to CloudWatch Logs: all it
// offers for PostgreSQL (CKV_AWS_129).
var DatabaseLogExports = []string{"postgresql", "upgrade"}

// postgresMajors are the PostgreSQL major versions the component deploys: the ones
// the chart supports (15 and newer) that RDS offers in standard support.
var postgresMajors = []string{"15", "16", "17"}

// DatabaseArgs are the inputs of NewDatabase.
type DatabaseArgs struct {
	// Identifier is the RDS instance's name (rules.RDSInstanceIdentifier). Required:
	// a fixed name keeps an accidental replacement from creating a second, empty
	// database beside the first (RDS refuses the duplicate name), and names the
	// final snapshot.
	Identifier string
	// VpcID is the VPC of the database's security group. Required.
	VpcID pulumi.StringInput
	// SubnetIDs are the private subnets, in at least two zones, the database's subnet
	// group spans. Required.
	SubnetIDs pulumi.StringArrayInput
	// NodeSecurityGroupIDs are the security groups of the cluster's nodes: only they
	// may reach the database, on DatabasePort. Required: with EKS managed node groups
	// that is the cluster security group EKS makes.
	NodeSecurityGroupIDs []pulumi.StringInput
	// EngineVersion is the PostgreSQL major version: 15, 16 or 17. Default
	// config.DefaultDatabaseVersion. RDS picks its current minor version and upgrades
	// minors by itself; the major version never changes on its own.
	EngineVersion string
	// InstanceClass is the RDS instance class. Default
	// settings.DefaultDatabaseInstanceType, a small Graviton burstable class.
	InstanceClass string
	// StorageGB is the gp3 volume's initial size, 20-65536 GB. Default
	// settings.DefaultDatabaseStorageGB; it grows up to DatabaseStorageGrowth times.
	StorageGB int
	// MultiAZ keeps a synchronous standby in a second zone (CKV_AWS_157). Default
	// false: it doubles the instance's cost.
	MultiAZ bool
	// BackupDays is how long automated backups (point-in-time recovery) are kept,
	// 7-35. Default config.DefaultDatabaseBackupDays (CKV_AWS_133).
	BackupDays int
	// DeleteDataOnDestroy lets destroy delete the database without a final snapshot.
	// Default false: the instance, its key, subnet group, parameter group and security
	// group are retained on destroy and the instance has deletion protection, so
	// Pachyderm's metadata outlives the stack, still encrypted and TLS-only.
	DeleteDataOnDestroy bool
	// Tags go on every resource beside the provider's default tags. Default none.
	Tags map[string]string
}

// Database is an RDS for PostgreSQL instance for Pachyderm's metadata: in private
// subnets, not publicly accessible (CKV_AWS_17), reachable only from the nodes'
// security group, encrypted with a rotating key of its own (CKV_AWS_16), TLS only
// through its parameter group (CKV2_AWS_69), with backups (CKV_AWS_133), deletion
// protection (CKV_AWS_293), logs in CloudWatch (CKV_AWS_129), automatic minor upgrades
// (CKV_AWS_226), tags on snapshots (CKV2_AWS_60), IAM authentication (CKV_AWS_161) and
// Performance Insights encrypted with the same key.
type Database struct {
	pulumi.ResourceState

	// Address is the instance's private DNS name.
	Address pulumi.StringOutput `pulumi:"address"`
	// Arn is the instance's ARN.
	Arn pulumi.StringOutput `pulumi:"arn"`
	// KeyArn is the KMS key that encrypts the instance, its snapshots and its
	// Performance Insights data.
	KeyArn pulumi.StringOutput `pulumi:"keyArn"`
	// SecurityGroupID is the database's security group.
	SecurityGroupID pulumi.StringOutput `pulumi:"securityGroupId"`

	external pachyderm.ExternalDatabase
}

// ExternalDatabase describes the instance to the Pachyderm release: its address, the
// master user and password, and what must exist before pachd connects. The release
// creates the pachyderm and dex databases (RDS makes only one, and not from a private
// network the deploying machine cannot reach).
func (d *Database) ExternalDatabase() *pachyderm.ExternalDatabase {
	e := d.external
	e.DependsOn = slices.Clone(e.DependsOn)
	return &e
}

func (a *DatabaseArgs) withDefaults() DatabaseArgs {
	out := *a
	if out.EngineVersion == "" {
		out.EngineVersion = config.DefaultDatabaseVersion
	}
	if out.InstanceClass == "" {
		out.InstanceClass = settings.DefaultDatabaseInstanceType
	}
	if out.StorageGB == 0 {
		out.StorageGB = settings.DefaultDatabaseStorageGB
	}
	if out.BackupDays == 0 {
		out.BackupDays = config.DefaultDatabaseBackupDays
	}
	return out
}

func (a DatabaseArgs) validate() error {
	var p rules.Problems
	p.Add("Identifier", a.Identifier, rules.RDSInstanceIdentifier(a.Identifier))
	if a.VpcID == nil {
		p.Addf("VpcID", "", "is required")
	}
	if a.SubnetIDs == nil {
		p.Addf("SubnetIDs", "", "is required")
	}
	if len(a.NodeSecurityGroupIDs) == 0 {
		p.Addf("NodeSecurityGroupIDs", "", "is required: without it nothing may reach the database")
	}
	for i, sg := range a.NodeSecurityGroupIDs {
		if sg == nil {
			p.Addf(fmt.Sprintf("NodeSecurityGroupIDs[%d]", i), "", "is nil")
		}
	}
	if !slices.Contains(postgresMajors, a.EngineVersion) {
		p.Addf("EngineVersion", a.EngineVersion, "must be a PostgreSQL major version: %s", strings.Join(postgresMajors, ", "))
	}
	p.Add("InstanceClass", a.InstanceClass, rules.RDSInstanceClass(a.InstanceClass, settings.DefaultDatabaseInstanceType))
	if a.StorageGB < 20 || a.StorageGB > maxRDSStorageGB {
		p.Addf("StorageGB", fmt.Sprint(a.StorageGB), "must be 20 to %d (RDS gp3 volumes)", maxRDSStorageGB)
	}
	if a.BackupDays < 7 || a.BackupDays > 35 {
		p.Addf("BackupDays", fmt.Sprint(a.BackupDays), "must be 7 to 35: a week of backups at least (CKV_AWS_133), 35 the most RDS keeps")
	}
	p = append(p, rules.AWSTags("Tags", a.Tags)...)
	return p.Err()
}

// performanceInsights reports whether to ask for Performance Insights on an instance
// class: not on the two smallest burstable sizes, which RDS documents as lacking it
// (for MySQL and MariaDB; asking would fail the create where it is missing).
func performanceInsights(class string) bool {
	return !strings.HasSuffix(class, ".micro") && !strings.HasSuffix(class, ".small")
}

// NewDatabase creates the instance, its key, subnet group, parameter group, security
// group and master password.
func NewDatabase(ctx *pulumi.Context, name string, args *DatabaseArgs, opts ...pulumi.ResourceOption) (*Database, error) {
	if args == nil {
		return nil, fmt.Errorf("aws database %q: %w", name, rules.ErrNilArgs)
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("aws database %q: %w", name, err)
	}
	c := &Database{}
	if err := ctx.RegisterComponentResource("pachdeploy:aws:Database", name, c, opts...); err != nil {
		return nil, err
	}
	acct, err := accountOf(ctx, c)
	if err != nil {
		return nil, err
	}
	in := pulumi.Parent(c)
	// What a kept instance needs is kept with it: its key (its data and snapshots are
	// unreadable without it), and the subnet group, parameter group and security
	// group it cannot run without.
	keep := []pulumi.ResourceOption{in, pulumi.RetainOnDelete(!a.DeleteDataOnDestroy)}
	tags := func(suffix string) pulumi.StringMap {
		m := pulumi.ToStringMap(a.Tags)
		m["Name"] = pulumi.String(a.Identifier + suffix)
		return m
	}

	key, err := newKey(ctx, name, pulumi.Sprintf("Encryption of Pachyderm's metadata in RDS instance %s", a.Identifier),
		keyPolicy(acct), keep...)
	if err != nil {
		return nil, err
	}
	subnets, err := rds.NewSubnetGroup(ctx, name, &rds.SubnetGroupArgs{
		Name:        pulumi.String(a.Identifier),
		Description: pulumi.Sprintf("Private subnets of RDS instance %s", a.Identifier),
		SubnetIds:   a.SubnetIDs,
		Tags:        tags(""),
	}, keep...)
	if err != nil {
		return nil, err
	}
	family := "postgres" + a.EngineVersion
	// The name carries the family, which cannot change in place: a new major version
	// gets a new group instead of colliding with the old one.
	params, err := rds.NewParameterGroup(ctx, name, &rds.ParameterGroupArgs{
		Name:        pulumi.String(a.Identifier + "-" + family),
		Family:      pulumi.String(family),
		Description: pulumi.Sprintf("TLS-only PostgreSQL %s for RDS instance %s", a.EngineVersion, a.Identifier),
		Parameters: rds.ParameterGroupParameterArray{
			// Refuse every connection without TLS (CKV2_AWS_69).
			&rds.ParameterGroupParameterArgs{Name: pulumi.String("rds.force_ssl"), Value: pulumi.String("1")},
		},
		Tags: tags("-" + family),
	}, keep...)
	if err != nil {
		return nil, err
	}
	// No egress rules: the database starts no connections. Pulumi drops the allow-all
	// egress rule AWS adds to a new group.
	sg, err := ec2.NewSecurityGroup(ctx, name, &ec2.SecurityGroupArgs{
		VpcId:       a.VpcID,
		Description: pulumi.Sprintf("RDS instance %s: PostgreSQL from the cluster's nodes only", a.Identifier),
		Tags:        tags("-postgres"),
	}, keep...)
	if err != nil {
		return nil, err
	}
	// The rules name the nodes' group, which goes with the cluster: they go too (a
	// rule naming a group keeps AWS from deleting that group), and are not retained.
	var access []pulumi.Resource
	for i, nodes := range a.NodeSecurityGroupIDs {
		rule, err := vpc.NewSecurityGroupIngressRule(ctx, fmt.Sprintf("%s-from-nodes-%d", name, i), &vpc.SecurityGroupIngressRuleArgs{
			SecurityGroupId:           sg.ID(),
			ReferencedSecurityGroupId: nodes,
			IpProtocol:                pulumi.String("tcp"),
			FromPort:                  pulumi.Int(DatabasePort),
			ToPort:                    pulumi.Int(DatabasePort),
			Description:               pulumi.String("PostgreSQL from the cluster's nodes"),
			Tags:                      tags("-from-nodes"),
		}, in)
		if err != nil {
			return nil, err
		}
		access = append(access, rule)
	}
	password, err := random.NewRandomPassword(ctx, name, &random.RandomPasswordArgs{
		// Letters and digits only: RDS refuses '/', '@', '"' and spaces, and the
		// password travels in connection strings.
		Length: pulumi.Int(32), Special: pulumi.Bool(false),
	}, in)
	if err != nil {
		return nil, err
	}

	instanceArgs := &rds.InstanceArgs{
		Identifier: pulumi.String(a.Identifier),
		Engine:     pulumi.String("postgres"),
		// The major version only: RDS picks its current minor and upgrades it in the
		// maintenance window. A pinned minor would read as drift after each automatic
		// upgrade, an up would then try to downgrade (which RDS refuses), and RDS stops
		// creating instances of old minors.
		EngineVersion:                    pulumi.String(a.EngineVersion),
		AllowMajorVersionUpgrade:         pulumi.Bool(false),
		AutoMinorVersionUpgrade:          pulumi.Bool(true),
		InstanceClass:                    pulumi.String(a.InstanceClass),
		StorageType:                      pulumi.String("gp3"),
		AllocatedStorage:                 pulumi.Int(a.StorageGB),
		MaxAllocatedStorage:              pulumi.Int(min(a.StorageGB*DatabaseStorageGrowth, maxRDSStorageGB)),
		StorageEncrypted:                 pulumi.Bool(true),
		KmsKeyId:                         key.Arn,
		DbName:                           pulumi.String(pachyderm.PachydermDatabase),
		Username:                         pulumi.String(DatabaseUser),
		Password:                         password.Result,
		Port:                             pulumi.Int(DatabasePort),
		DbSubnetGroupName:                subnets.Name,
		VpcSecurityGroupIds:              pulumi.StringArray{sg.ID()},
		ParameterGroupName:               params.Name,
		PubliclyAccessible:               pulumi.Bool(false),
		MultiAz:                          pulumi.Bool(a.MultiAZ),
		BackupRetentionPeriod:            pulumi.Int(a.BackupDays),
		CopyTagsToSnapshot:               pulumi.Bool(true),
		DeletionProtection:               pulumi.Bool(!a.DeleteDataOnDestroy),
		SkipFinalSnapshot:                pulumi.Bool(a.DeleteDataOnDestroy),
		EnabledCloudwatchLogsExports:     pulumi.ToStringArray(DatabaseLogExports),
		IamDatabaseAuthenticationEnabled: pulumi.Bool(true),
		Tags:                             tags(""),
	}
	if !a.DeleteDataOnDestroy {
		instanceArgs.FinalSnapshotIdentifier = pulumi.String(a.Identifier + "-final")
	}
	if performanceInsights(a.InstanceClass) {
		instanceArgs.PerformanceInsightsEnabled = pulumi.Bool(true)
		instanceArgs.PerformanceInsightsKmsKeyId = key.Arn
		instanceArgs.PerformanceInsightsRetentionPeriod = pulumi.Int(PerformanceInsightsRetentionDays)
		// Standard mode: Advanced is billed per vCPU-hour.
		instanceArgs.DatabaseInsightsMode = pulumi.String("standard")
	}
	instance, err := rds.NewInstance(ctx, name, instanceArgs, keep...)
	if err != nil {
		return nil, err
	}

	c.Address = instance.Address
	c.Arn = instance.Arn
	c.KeyArn = key.Arn
	c.SecurityGroupID = sg.ID().ToStringOutput()
	c.external = pachyderm.ExternalDatabase{
		Host:            instance.Address,
		Port:            DatabasePort,
		User:            DatabaseUser,
		Password:        password.Result,
		CreateDatabases: true,
		DependsOn:       append([]pulumi.Resource{instance}, access...),
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"address": c.Address, "arn": c.Arn, "keyArn": c.KeyArn, "securityGroupId": c.SecurityGroupID,
	}); err != nil {
		return nil, err
	}
	return c, nil
}
