package native

import (
	"errors"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The flexible server's resources at Azure REST API 2024-08-01 (the SDK's
// dbforpostgresql/v20240801 package). The module's default tokens
// (azure-native:dbforpostgresql:Server and the rest) use API 2022-12-01, whose server
// versions end at PostgreSQL 14, while Pachyderm's chart needs 15 or newer; 2024-08-01 is
// the newest stable API in azure-native 2.81.0 and offers 15 and 16. The SDK's
// versioned resources alias the default tokens, so a later move to them keeps the state.
const (
	// ServerType is the flexible server's type token.
	ServerType = "azure-native:dbforpostgresql/v20240801:Server"
	// DatabaseType is a flexible server database's type token.
	DatabaseType = "azure-native:dbforpostgresql/v20240801:Database"
	// ConfigurationType is a flexible server parameter's type token.
	ConfigurationType = "azure-native:dbforpostgresql/v20240801:Configuration"
)

// Server mirrors dbforpostgresql/v20240801.Server: an Azure Database for PostgreSQL
// flexible server.
type Server struct {
	pulumi.CustomResourceState

	// Name of the server.
	Name pulumi.StringOutput `pulumi:"name"`
	// FullyQualifiedDomainName is the server's DNS name; with private access it
	// resolves, through the private DNS zone, only inside the linked networks.
	FullyQualifiedDomainName pulumi.StringOutput `pulumi:"fullyQualifiedDomainName"`
}

// ServerArgs mirrors the dbforpostgresql/v20240801.ServerArgs pachdeploy sets.
type ServerArgs struct {
	// ResourceGroupName holds the server.
	ResourceGroupName pulumi.StringInput
	// ServerName is the server's globally unique name, the first label of its FQDN.
	ServerName pulumi.StringPtrInput
	// Location of the server.
	Location pulumi.StringPtrInput
	// Version is the PostgreSQL major version, such as 16.
	Version pulumi.StringPtrInput
	// AdministratorLogin is the administrator's name; set only at creation.
	AdministratorLogin pulumi.StringPtrInput
	// AdministratorLoginPassword is the administrator's password.
	AdministratorLoginPassword pulumi.StringPtrInput
	// Sku is the compute size and tier.
	Sku *ServerSkuArgs
	// Storage is the server's disk.
	Storage *ServerStorageArgs
	// Backup is the automated backups' retention and redundancy.
	Backup *ServerBackupArgs
	// HighAvailability keeps a standby.
	HighAvailability *HighAvailabilityArgs
	// Network places the server in a delegated subnet (private access).
	Network *ServerNetworkArgs
	// AuthConfig says how clients sign in.
	AuthConfig *AuthConfigArgs
	// Tags go on the server.
	Tags pulumi.StringMapInput
}

// ServerSkuArgs mirrors dbforpostgresql/v20240801.SkuArgs.
type ServerSkuArgs struct {
	// Name is the compute size, such as Standard_D2ds_v5.
	Name pulumi.StringInput
	// Tier is Burstable, GeneralPurpose or MemoryOptimized; it must match Name's series.
	Tier pulumi.StringInput
}

// ServerStorageArgs mirrors the dbforpostgresql/v20240801.StorageArgs pachdeploy sets.
type ServerStorageArgs struct {
	// StorageSizeGB is the disk's size.
	StorageSizeGB pulumi.IntPtrInput
	// AutoGrow (Enabled or Disabled) grows the disk before it fills.
	AutoGrow pulumi.StringPtrInput
}

// ServerBackupArgs mirrors dbforpostgresql/v20240801.BackupTypeArgs.
type ServerBackupArgs struct {
	// BackupRetentionDays is how long backups are kept, 7 to 35.
	BackupRetentionDays pulumi.IntPtrInput
	// GeoRedundantBackup (Enabled or Disabled) copies backups to the paired region.
	GeoRedundantBackup pulumi.StringPtrInput
}

// HighAvailabilityArgs mirrors the dbforpostgresql/v20240801.HighAvailabilityArgs
// pachdeploy sets.
type HighAvailabilityArgs struct {
	// Mode is Disabled, SameZone or ZoneRedundant.
	Mode pulumi.StringPtrInput
}

// ServerNetworkArgs mirrors dbforpostgresql/v20240801.NetworkArgs.
type ServerNetworkArgs struct {
	// DelegatedSubnetResourceId is the subnet delegated to flexible servers.
	DelegatedSubnetResourceId pulumi.StringPtrInput
	// PrivateDnsZoneArmResourceId is the private DNS zone the server's name goes into.
	PrivateDnsZoneArmResourceId pulumi.StringPtrInput
	// PublicNetworkAccess is Enabled or Disabled.
	PublicNetworkAccess pulumi.StringPtrInput
}

// AuthConfigArgs mirrors the dbforpostgresql/v20240801.AuthConfigArgs pachdeploy sets.
type AuthConfigArgs struct {
	// PasswordAuth (Enabled or Disabled) admits PostgreSQL passwords.
	PasswordAuth pulumi.StringPtrInput
	// ActiveDirectoryAuth (Enabled or Disabled) admits Microsoft Entra tokens.
	ActiveDirectoryAuth pulumi.StringPtrInput
}

// NewServer mirrors dbforpostgresql/v20240801.NewServer.
func NewServer(ctx *pulumi.Context, name string, args *ServerArgs, opts ...pulumi.ResourceOption) (*Server, error) {
	if args == nil || args.ResourceGroupName == nil {
		return nil, errors.New("missing one or more required arguments")
	}
	var sku, storage, backup, ha, network, auth pulumi.Input
	if args.Sku != nil {
		sku = pulumi.Map{"name": args.Sku.Name, "tier": args.Sku.Tier}
	}
	if args.Storage != nil {
		storage = inputs(map[string]pulumi.Input{"storageSizeGB": args.Storage.StorageSizeGB, "autoGrow": args.Storage.AutoGrow})
	}
	if args.Backup != nil {
		backup = inputs(map[string]pulumi.Input{
			"backupRetentionDays": args.Backup.BackupRetentionDays, "geoRedundantBackup": args.Backup.GeoRedundantBackup,
		})
	}
	if args.HighAvailability != nil {
		ha = inputs(map[string]pulumi.Input{"mode": args.HighAvailability.Mode})
	}
	if args.Network != nil {
		network = inputs(map[string]pulumi.Input{
			"delegatedSubnetResourceId":   args.Network.DelegatedSubnetResourceId,
			"privateDnsZoneArmResourceId": args.Network.PrivateDnsZoneArmResourceId,
			"publicNetworkAccess":         args.Network.PublicNetworkAccess,
		})
	}
	if args.AuthConfig != nil {
		auth = inputs(map[string]pulumi.Input{
			"passwordAuth": args.AuthConfig.PasswordAuth, "activeDirectoryAuth": args.AuthConfig.ActiveDirectoryAuth,
		})
	}
	var r Server
	err := ctx.RegisterResource(ServerType, name, inputs(map[string]pulumi.Input{
		"resourceGroupName":          args.ResourceGroupName,
		"serverName":                 args.ServerName,
		"location":                   args.Location,
		"version":                    args.Version,
		"administratorLogin":         args.AdministratorLogin,
		"administratorLoginPassword": args.AdministratorLoginPassword,
		"sku":                        sku,
		"storage":                    storage,
		"backup":                     backup,
		"highAvailability":           ha,
		"network":                    network,
		"authConfig":                 auth,
		"tags":                       args.Tags,
	}), &r, nativeOpts(opts)...)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Database mirrors dbforpostgresql/v20240801.Database: a database on a flexible server.
type Database struct {
	pulumi.CustomResourceState

	// Name of the database.
	Name pulumi.StringOutput `pulumi:"name"`
}

// DatabaseArgs mirrors the dbforpostgresql/v20240801.DatabaseArgs pachdeploy sets.
type DatabaseArgs struct {
	// ResourceGroupName holds the server.
	ResourceGroupName pulumi.StringInput
	// ServerName is the server the database is on.
	ServerName pulumi.StringInput
	// DatabaseName is the database's name.
	DatabaseName pulumi.StringPtrInput
	// Charset is the database's encoding, such as UTF8.
	Charset pulumi.StringPtrInput
	// Collation is the database's collation, such as en_US.utf8.
	Collation pulumi.StringPtrInput
}

// NewDatabase mirrors dbforpostgresql/v20240801.NewDatabase.
func NewDatabase(ctx *pulumi.Context, name string, args *DatabaseArgs, opts ...pulumi.ResourceOption) (*Database, error) {
	if args == nil || args.ResourceGroupName == nil || args.ServerName == nil {
		return nil, errors.New("missing one or more required arguments")
	}
	var r Database
	err := ctx.RegisterResource(DatabaseType, name, inputs(map[string]pulumi.Input{
		"resourceGroupName": args.ResourceGroupName,
		"serverName":        args.ServerName,
		"databaseName":      args.DatabaseName,
		"charset":           args.Charset,
		"collation":         args.Collation,
	}), &r, nativeOpts(opts)...)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Configuration mirrors dbforpostgresql/v20240801.Configuration: one server parameter.
type Configuration struct {
	pulumi.CustomResourceState

	// Value is the parameter's value.
	Value pulumi.StringOutput `pulumi:"value"`
}

// ConfigurationArgs mirrors dbforpostgresql/v20240801.ConfigurationArgs.
type ConfigurationArgs struct {
	// ResourceGroupName holds the server.
	ResourceGroupName pulumi.StringInput
	// ServerName is the server the parameter is on.
	ServerName pulumi.StringInput
	// ConfigurationName is the parameter, such as require_secure_transport.
	ConfigurationName pulumi.StringPtrInput
	// Value is the parameter's value.
	Value pulumi.StringPtrInput
	// Source is user-override: Azure needs it to change a parameter.
	Source pulumi.StringPtrInput
}

// NewConfiguration mirrors dbforpostgresql/v20240801.NewConfiguration.
func NewConfiguration(ctx *pulumi.Context, name string, args *ConfigurationArgs, opts ...pulumi.ResourceOption) (*Configuration, error) {
	if args == nil || args.ResourceGroupName == nil || args.ServerName == nil {
		return nil, errors.New("missing one or more required arguments")
	}
	var r Configuration
	err := ctx.RegisterResource(ConfigurationType, name, inputs(map[string]pulumi.Input{
		"resourceGroupName": args.ResourceGroupName,
		"serverName":        args.ServerName,
		"configurationName": args.ConfigurationName,
		"value":             args.Value,
		"source":            args.Source,
	}), &r, nativeOpts(opts)...)
	if err != nil {
		return nil, err
	}
	return &r, nil
}
