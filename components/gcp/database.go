package gcp

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/pachdeploy/pachdeploy/components/gcp/settings"
	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi-gcp/sdk/v9/go/gcp/compute"
	"github.com/pulumi/pulumi-gcp/sdk/v9/go/gcp/projects"
	"github.com/pulumi/pulumi-gcp/sdk/v9/go/gcp/servicenetworking"
	"github.com/pulumi/pulumi-gcp/sdk/v9/go/gcp/sql"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Managed database defaults and fixed values.
const (
	// DefaultPeeringCIDR is the range reserved in the VPC for private services access:
	// Cloud SQL carves a /24 per region (and edition) out of it. A /16, as Google
	// recommends over the /24 minimum, leaves room for more regions and for other
	// Google services (Memorystore, Filestore) peered the same way; the network is
	// pachdeploy's own, so the space is free. 10.16.0.0/16 lies clear of the node
	// (10.0.0.0/20), pod (10.4.0.0/14) and service (10.8.0.0/20) ranges of network.go.
	DefaultPeeringCIDR = "10.16.0.0/16"
	// DatabasePort is PostgreSQL's port on the instance's private IP.
	DatabasePort = 5432
	// DatabaseUser is the built-in role pachd and dex connect as.
	DatabaseUser = "pachyderm"
	// maxPeeringPrefix is the smallest range private services access takes (a /24).
	maxPeeringPrefix = 24
)

// pgLogFlags are the PostgreSQL flags set for the checkov CKV_GCP_51-57 and
// CKV_GCP_109 logging rules (PD-GCP-SQL-LOG-FLAGS), in Cloud SQL's flag names. Not set,
// by choice: log_hostname (CKV_GCP_108: a reverse DNS lookup per connection, for pod
// addresses that have no names), log_statement (CKV_GCP_107: pachd's own queries would
// fill the logs) and cloudsql.enable_pgaudit (CKV_GCP_110: the flag alone audits
// nothing; pgaudit also needs CREATE EXTENSION in each database and pgaudit.log).
var pgLogFlags = []struct{ name, value string }{
	{"log_checkpoints", "on"},            // CKV_GCP_51
	{"log_connections", "on"},            // CKV_GCP_52
	{"log_disconnections", "on"},         // CKV_GCP_53
	{"log_lock_waits", "on"},             // CKV_GCP_54
	{"log_min_messages", "warning"},      // CKV_GCP_55: PostgreSQL's default, stated
	{"log_temp_files", "0"},              // CKV_GCP_56: every temporary file
	{"log_min_duration_statement", "-1"}, // CKV_GCP_57: no statement text in the logs
	{"log_min_error_statement", "error"}, // CKV_GCP_109
}

// DatabaseArgs are the inputs of NewDatabase.
type DatabaseArgs struct {
	// Project is the Google Cloud project. Default "": the provider's.
	Project string
	// Region holds the instance. Required: the cluster's region.
	Region string
	// Name names the instance (Name-postgres) and the reserved range (Name-psa).
	// Required: a GKE cluster name, so both derived names are valid.
	Name string
	// Network is the VPC (self link or id) the instance gets its private IP in and
	// private services access is set up on. Required: a network pachdeploy made, since
	// the reserved range and the peering change the VPC.
	Network pulumi.StringInput
	// NetworkCIDRs are the ranges already in Network (a Network's CIDRs); PeeringCIDR
	// must overlap none. Default none.
	NetworkCIDRs []string
	// PeeringCIDR is the range reserved for private services access, at most a /24.
	// Default DefaultPeeringCIDR.
	PeeringCIDR string
	// Version is the PostgreSQL major version: 15, 16 or 17. Default
	// config.DefaultDatabaseVersion.
	Version string
	// Tier is the machine type (settings.DatabaseTier). Default
	// settings.DefaultDatabaseInstanceType: 2 dedicated vCPUs, 7.5 GB.
	Tier string
	// StorageGB is the SSD's initial size; it grows on its own (disk autoresize), and a
	// larger StorageGB later changes nothing. Default settings.DefaultDatabaseStorageGB.
	StorageGB int
	// HighAvailability keeps a standby in a second zone (availability type REGIONAL).
	// Default false: ZONAL, half the bill.
	HighAvailability bool
	// BackupDays is how many daily backups are kept. Default
	// config.DefaultDatabaseBackupDays.
	BackupDays int
	// DeleteDataOnDestroy lets destroy delete the instance with Pachyderm's metadata.
	// Default false: the instance, its databases and user, the reserved range and the
	// peering outlive the stack, with deletion protection on.
	DeleteDataOnDestroy bool
	// Labels go on the instance. Default none.
	Labels map[string]string
}

func (a DatabaseArgs) withDefaults() DatabaseArgs {
	if a.PeeringCIDR == "" {
		a.PeeringCIDR = DefaultPeeringCIDR
	}
	if a.Version == "" {
		a.Version = config.DefaultDatabaseVersion
	}
	if a.Tier == "" {
		a.Tier = settings.DefaultDatabaseInstanceType
	}
	if a.StorageGB == 0 {
		a.StorageGB = settings.DefaultDatabaseStorageGB
	}
	if a.BackupDays == 0 {
		a.BackupDays = config.DefaultDatabaseBackupDays
	}
	return a
}

func (a DatabaseArgs) validate() error {
	var p rules.Problems
	if a.Project != "" {
		p.Add("Project", a.Project, rules.GCPProjectID(a.Project))
	}
	p.Add("Region", a.Region, rules.GCPRegion(a.Region))
	p.Add("Name", a.Name, rules.GKEClusterName(a.Name))
	if a.Network == nil {
		p.Addf("Network", "", "is required: the self link of the VPC pachdeploy made")
	}
	p.Add("PeeringCIDR", a.PeeringCIDR, peeringRange(a.PeeringCIDR, a.NetworkCIDRs))
	if !slices.Contains([]string{"15", "16", "17"}, a.Version) {
		p.Addf("Version", a.Version, "must be 15, 16 or 17")
	}
	p.Add("Tier", a.Tier, settings.DatabaseTier(a.Tier))
	// Cloud SQL's limits: 10 GB (SSD) to 64 TB.
	if a.StorageGB < 10 || a.StorageGB > 65536 {
		p.Addf("StorageGB", fmt.Sprint(a.StorageGB), "must be 10 to 65536 (GB)")
	}
	// At least two: Cloud SQL keeps more backups than days of transaction logs, and
	// point-in-time recovery needs a day of those.
	if a.BackupDays < 2 || a.BackupDays > 365 {
		p.Addf("BackupDays", fmt.Sprint(a.BackupDays), "must be 2 to 365")
	}
	p = append(p, rules.GCPLabels("Labels", a.Labels)...)
	return p.Err()
}

// peeringRange checks the reserved range: a CIDR of at least /24 that overlaps none
// of the network's own.
func peeringRange(cidr string, taken []string) error {
	if err := rules.CIDR(cidr); err != nil {
		return err
	}
	r, err := netip.ParsePrefix(cidr)
	if err != nil {
		return err
	}
	if !r.Addr().Is4() || r.Bits() > maxPeeringPrefix {
		return fmt.Errorf("must be an IPv4 range of /%d or larger: private services access takes no less", maxPeeringPrefix)
	}
	for _, t := range taken {
		if other, err := netip.ParsePrefix(t); err == nil && other.Overlaps(r) {
			return fmt.Errorf("overlaps %s, a range the network already uses", t)
		}
	}
	return nil
}

// transactionLogDays is how many days of write-ahead logs point-in-time recovery
// keeps: the edition's most (7 on Enterprise, 35 on Enterprise Plus), and fewer than
// the backups kept, as Cloud SQL requires ("backup retention should be > transaction
// log retention").
func transactionLogDays(edition string, backupDays int) int {
	most := 7
	if edition == settings.EditionEnterprisePlus {
		most = 35
	}
	return min(most, backupDays-1)
}

// Database is a Cloud SQL for PostgreSQL instance with a private IP only, in the
// cluster's VPC, holding Pachyderm's and dex's databases.
type Database struct {
	pulumi.ResourceState

	// PrivateIP is the instance's address in the VPC.
	PrivateIP pulumi.StringOutput `pulumi:"privateIp"`
	// ConnectionName is project:region:instance, for gcloud and the Cloud SQL connectors.
	ConnectionName pulumi.StringOutput `pulumi:"connectionName"`
	// Password is DatabaseUser's password (secret).
	Password pulumi.StringOutput `pulumi:"password"`

	resources []pulumi.Resource
}

// ExternalDatabase describes the instance to the Pachyderm release. pachd and dex
// connect to the private IP directly, with TLS (the instance accepts nothing else), and
// not through a Cloud SQL Auth Proxy sidecar: chart 2.11.6 has no option for one, and
// the private IP is in the VPC the cluster's pods already route in. The databases exist
// already (sql.Database), so the release creates none.
func (d *Database) ExternalDatabase() *pachyderm.ExternalDatabase {
	return &pachyderm.ExternalDatabase{
		Host:            d.PrivateIP,
		Port:            DatabasePort,
		User:            DatabaseUser,
		Password:        d.Password,
		CreateDatabases: false,
		DependsOn:       append([]pulumi.Resource(nil), d.resources...),
	}
}

// NewDatabase enables the Service Networking and Cloud SQL Admin APIs, reserves
// PeeringCIDR in Network and peers it with Google's service network (private services
// access), then creates the instance on a private IP only (TLS required, no public
// IP), with daily backups, point-in-time recovery, the logging flags of pgLogFlags and
// deletion protection, and the pachyderm and dex databases and their user. Unless
// DeleteDataOnDestroy, destroy keeps the instance, its databases and user, and the
// range and peering that keep it reachable.
func NewDatabase(ctx *pulumi.Context, name string, args *DatabaseArgs, opts ...pulumi.ResourceOption) (*Database, error) {
	if args == nil {
		return nil, fmt.Errorf("gcp database %q: %w", name, rules.ErrNilArgs)
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("gcp database %q: %w", name, err)
	}
	d := &Database{}
	if err := ctx.RegisterComponentResource("pachdeploy:gcp:Database", name, d, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(d)
	keep := []pulumi.ResourceOption{parent, pulumi.RetainOnDelete(!a.DeleteDataOnDestroy)}
	project := optional(a.Project)

	var apis []pulumi.Resource
	for _, api := range []struct{ suffix, service string }{
		{"-servicenetworking-api", "servicenetworking.googleapis.com"},
		{"-sqladmin-api", "sqladmin.googleapis.com"},
	} {
		s, err := projects.NewService(ctx, name+api.suffix, &projects.ServiceArgs{
			Project:          project,
			Service:          pulumi.String(api.service),
			DisableOnDestroy: pulumi.Bool(false),
		}, parent)
		if err != nil {
			return nil, err
		}
		apis = append(apis, s)
	}

	peering := netip.MustParsePrefix(a.PeeringCIDR)
	reserved, err := compute.NewGlobalAddress(ctx, name+"-psa", &compute.GlobalAddressArgs{
		Project:      project,
		Name:         pulumi.String(a.Name + "-psa"),
		Purpose:      pulumi.String("VPC_PEERING"),
		AddressType:  pulumi.String("INTERNAL"),
		Address:      pulumi.String(peering.Addr().String()),
		PrefixLength: pulumi.Int(peering.Bits()),
		Network:      a.Network,
		Description:  pulumi.String("Private services access for Pachyderm's Cloud SQL (pachdeploy)"),
	}, append(keep, pulumi.DependsOn(apis))...)
	if err != nil {
		return nil, err
	}
	connection, err := servicenetworking.NewConnection(ctx, name+"-psa", &servicenetworking.ConnectionArgs{
		Network:               a.Network,
		Service:               pulumi.String("servicenetworking.googleapis.com"),
		ReservedPeeringRanges: pulumi.StringArray{reserved.Name},
		// Deleting the connection fails while Cloud SQL still holds resources behind it,
		// which it does for a while after the instance is gone (Error code 9, "Producer
		// services ... are still using this connection": terraform-provider-google#16275,
		// #19908). ABANDON lets a destroy that deletes the data move on; the peering
		// itself then stays until the network goes (see the README's troubleshooting).
		// A kept connection (RetainOnDelete) is never deleted either way.
		DeletionPolicy: pulumi.String("ABANDON"),
	}, append(keep, pulumi.DependsOn(apis))...)
	if err != nil {
		return nil, err
	}

	edition := settings.DatabaseEdition(a.Tier)
	availability := "ZONAL"
	if a.HighAvailability {
		availability = "REGIONAL"
	}
	flags := sql.DatabaseInstanceSettingsDatabaseFlagArray{}
	for _, f := range pgLogFlags {
		flags = append(flags, &sql.DatabaseInstanceSettingsDatabaseFlagArgs{Name: pulumi.String(f.name), Value: pulumi.String(f.value)})
	}
	instance, err := sql.NewDatabaseInstance(ctx, name, &sql.DatabaseInstanceArgs{
		Project: project,
		// A fixed name, like the bucket's: after a destroy that kept the instance, a new
		// up fails on the name instead of quietly starting Pachyderm on an empty
		// database next to the kept one.
		Name:            pulumi.String(a.Name + "-postgres"),
		Region:          pulumi.String(a.Region),
		DatabaseVersion: pulumi.String("POSTGRES_" + a.Version),
		// Provider-level: Pulumi refuses to delete the instance (a replacement too).
		DeletionProtection: pulumi.Bool(!a.DeleteDataOnDestroy),
		Settings: &sql.DatabaseInstanceSettingsArgs{
			Tier: pulumi.String(a.Tier),
			// Explicit: for PostgreSQL 16 and later Cloud SQL defaults to Enterprise Plus,
			// which refuses db-custom tiers.
			Edition:          pulumi.String(edition),
			AvailabilityType: pulumi.String(availability),
			DiskType:         pulumi.String("PD_SSD"),
			DiskSize:         pulumi.Int(a.StorageGB),
			DiskAutoresize:   pulumi.Bool(true),
			// API-level: nobody deletes the instance (console, gcloud, API) without first
			// turning this off.
			DeletionProtectionEnabled: pulumi.Bool(!a.DeleteDataOnDestroy),
			IpConfiguration: &sql.DatabaseInstanceSettingsIpConfigurationArgs{
				// CKV_GCP_60: no public IP; the private one in Network only.
				Ipv4Enabled:      pulumi.Bool(false),
				PrivateNetwork:   a.Network,
				AllocatedIpRange: reserved.Name,
				// CKV_GCP_6: TLS on every connection; no client certificates required.
				SslMode: pulumi.String("ENCRYPTED_ONLY"),
				// No private path for BigQuery and other Google services: nothing of
				// Pachyderm's needs them to read its metadata.
				EnablePrivatePathForGoogleCloudServices: pulumi.Bool(false),
			},
			BackupConfiguration: &sql.DatabaseInstanceSettingsBackupConfigurationArgs{
				Enabled:                     pulumi.Bool(true), // CKV_GCP_14
				PointInTimeRecoveryEnabled:  pulumi.Bool(true),
				TransactionLogRetentionDays: pulumi.Int(transactionLogDays(edition, a.BackupDays)),
				BackupRetentionSettings: &sql.DatabaseInstanceSettingsBackupConfigurationBackupRetentionSettingsArgs{
					RetainedBackups: pulumi.Int(a.BackupDays),
					RetentionUnit:   pulumi.String("COUNT"),
				},
			},
			DatabaseFlags: flags,
			UserLabels:    pulumi.ToStringMap(a.Labels),
		},
	}, append(keep, pulumi.DependsOn([]pulumi.Resource{connection}),
		// The disk grows on its own; sending the initial size again would ask Cloud SQL
		// to shrink it, which the provider does by replacing the instance.
		pulumi.IgnoreChanges([]string{"settings.diskSize"}))...)
	if err != nil {
		return nil, err
	}

	password, err := random.NewRandomPassword(ctx, name+"-password", &random.RandomPasswordArgs{
		Length: pulumi.Int(32), Special: pulumi.Bool(false),
	}, parent)
	if err != nil {
		return nil, err
	}
	d.resources = []pulumi.Resource{instance}
	for _, db := range []string{pachyderm.PachydermDatabase, pachyderm.DexDatabase} {
		r, err := sql.NewDatabase(ctx, name+"-"+db, &sql.DatabaseArgs{
			Project:  project,
			Instance: instance.Name,
			Name:     pulumi.String(db),
			// PostgreSQL refuses to drop a database other roles have objects in; the
			// instance's deletion removes it anyway.
			DeletionPolicy: pulumi.String("ABANDON"),
		}, keep...)
		if err != nil {
			return nil, err
		}
		d.resources = append(d.resources, r)
	}
	user, err := sql.NewUser(ctx, name+"-user", &sql.UserArgs{
		Project:  project,
		Instance: instance.Name,
		Name:     pulumi.String(DatabaseUser),
		Type:     pulumi.String("BUILT_IN"),
		Password: password.Result,
		// PostgreSQL refuses to drop a role that owns tables; the instance's deletion
		// removes it anyway.
		DeletionPolicy: pulumi.String("ABANDON"),
	}, keep...)
	if err != nil {
		return nil, err
	}
	d.resources = append(d.resources, user)

	d.PrivateIP = instance.PrivateIpAddress
	d.ConnectionName = instance.ConnectionName
	d.Password = pulumi.ToSecret(password.Result).(pulumi.StringOutput)
	if err := ctx.RegisterResourceOutputs(d, pulumi.Map{
		"privateIp":      d.PrivateIP,
		"connectionName": d.ConnectionName,
		"password":       d.Password,
	}); err != nil {
		return nil, err
	}
	return d, nil
}
