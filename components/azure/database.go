package azure

import (
	"fmt"
	"regexp"

	"github.com/pachdeploy/pachdeploy/components/azure/internal/native"
	"github.com/pachdeploy/pachdeploy/components/azure/settings"
	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Managed database defaults.
const (
	// DefaultDatabaseSubnetCIDR is the delegated subnet's range: inside
	// DefaultAddressSpace, clear of DefaultNodeSubnetCIDR and of AKS's service
	// (10.0.0.0/16) and pod (10.244.0.0/16) ranges. A /24, as Azure's own examples use,
	// leaves room for a standby and later servers.
	DefaultDatabaseSubnetCIDR = "10.225.0.0/24"
	// DefaultDatabaseAdministrator is the server's administrator, the role pachd and dex
	// connect as. Azure refuses admin, administrator, root, guest, public,
	// azure_superuser, azure_pg_admin and names starting with pg_.
	DefaultDatabaseAdministrator = "pachyderm"
	// DatabasePort is PostgreSQL's port; a flexible server has no other.
	DatabasePort = 5432
	// DatabaseDelegation is the service the database subnet is delegated to.
	DatabaseDelegation = "Microsoft.DBforPostgreSQL/flexibleServers"
)

// The server parameters pachdeploy pins: Azure's defaults today, set explicitly so a
// change of default, or a hand edit, shows as drift and policy can read them.
var databaseParameters = []struct{ name, value string }{
	// Refuse clients that do not use TLS.
	{"require_secure_transport", "on"},
	// Refuse TLS older than 1.2.
	{"ssl_min_protocol_version", "TLSv1.2"},
}

// DatabaseArgs are the inputs of NewDatabase.
type DatabaseArgs struct {
	// ResourceGroupName holds the server, its DNS zone and its subnet. Required; pass
	// the group's output so they wait for it.
	ResourceGroupName pulumi.StringInput
	// Location of the server; keep it the cluster's. Required.
	Location string
	// ServerName is the server's name, the first label of its DNS name: 3-63 lowercase
	// letters, digits and hyphens, unique across Azure. Required.
	ServerName string
	// VirtualNetworkName is the VNet the delegated subnet goes into: pachdeploy's own
	// (Network.VirtualNetworkName, which waits for the node subnet). Required.
	VirtualNetworkName pulumi.StringInput
	// VirtualNetworkID is that VNet's resource id, which the private DNS zone is linked
	// to (Network.VirtualNetworkID). Required.
	VirtualNetworkID pulumi.StringInput
	// SubnetCIDR is the delegated subnet's range, inside the VNet and clear of its other
	// subnets. Default DefaultDatabaseSubnetCIDR.
	SubnetCIDR string
	// Version is the PostgreSQL major version, 15 or 16. Default
	// config.DefaultDatabaseVersion.
	Version string
	// SKU is the compute size; its series sets the tier (B Burstable, D General
	// Purpose, E Memory Optimized). Default settings.DefaultDatabaseInstanceType, a
	// 2-vCore General Purpose size (Burstable has no high availability).
	SKU string
	// StorageGB is the disk, one of Azure's sizes; it grows by itself before it fills.
	// Default settings.DefaultDatabaseStorageGB, the smallest.
	StorageGB int
	// HighAvailability keeps a standby in another zone (ZoneRedundant), which takes over
	// on failure; the location must have availability zones. Default false: it doubles
	// the compute and storage bill.
	HighAvailability bool
	// BackupDays is how long automated backups are kept, 7 to 35. Default
	// config.DefaultDatabaseBackupDays.
	BackupDays int
	// AdministratorLogin is the role Pachyderm connects as. Default
	// DefaultDatabaseAdministrator.
	AdministratorLogin string
	// DeleteDataOnDestroy lets destroy delete the server with Pachyderm's metadata, its
	// databases, subnet and DNS zone. Default false: they outlive the stack like the
	// storage account, and the server stays resolvable in the VNet (which the caller
	// keeps too: see NetworkArgs.RetainOnDelete).
	DeleteDataOnDestroy bool
	// Tags go on the server, its subnet's zone and the zone's link. Default none.
	Tags map[string]string
}

func (a DatabaseArgs) withDefaults() DatabaseArgs {
	if a.SubnetCIDR == "" {
		a.SubnetCIDR = DefaultDatabaseSubnetCIDR
	}
	if a.Version == "" {
		a.Version = config.DefaultDatabaseVersion
	}
	if a.SKU == "" {
		a.SKU = settings.DefaultDatabaseInstanceType
	}
	if a.StorageGB == 0 {
		a.StorageGB = settings.DefaultDatabaseStorageGB
	}
	if a.BackupDays == 0 {
		a.BackupDays = config.DefaultDatabaseBackupDays
	}
	if a.AdministratorLogin == "" {
		a.AdministratorLogin = DefaultDatabaseAdministrator
	}
	return a
}

var (
	serverName    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)
	postgresLogin = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)
	reservedLogin = regexp.MustCompile(`^(admin|administrator|root|guest|public|azure_superuser|azure_pg_admin|pg_.*)$`)
)

func (a DatabaseArgs) validate() (tier string, err error) {
	var p rules.Problems
	if a.ResourceGroupName == nil {
		p.Addf("ResourceGroupName", "", "is required")
	}
	if a.VirtualNetworkName == nil {
		p.Addf("VirtualNetworkName", "", "is required")
	}
	if a.VirtualNetworkID == nil {
		p.Addf("VirtualNetworkID", "", "is required")
	}
	p.Add("Location", a.Location, rules.AzureLocation(a.Location))
	if !serverName.MatchString(a.ServerName) {
		p.Addf("ServerName", a.ServerName, "flexible server names are 3-63 lowercase letters, digits and hyphens, "+
			"not starting or ending with a hyphen")
	}
	p.Add("SubnetCIDR", a.SubnetCIDR, rules.CIDR(a.SubnetCIDR))
	p.Add("Version", a.Version, settings.DatabaseVersion(a.Version))
	tier, tierErr := settings.DatabaseTier(a.SKU)
	p.Add("SKU", a.SKU, tierErr)
	if tier == settings.TierBurstable && a.HighAvailability {
		p.Addf("HighAvailability", "true", "Burstable servers have no high availability")
	}
	p.Add("StorageGB", fmt.Sprint(a.StorageGB), settings.DatabaseStorageGB(a.StorageGB))
	if a.BackupDays < 7 || a.BackupDays > 35 {
		p.Addf("BackupDays", fmt.Sprint(a.BackupDays), "flexible servers keep backups 7 to 35 days")
	}
	if !postgresLogin.MatchString(a.AdministratorLogin) || reservedLogin.MatchString(a.AdministratorLogin) {
		p.Addf("AdministratorLogin", a.AdministratorLogin, "must be a lowercase PostgreSQL role name that Azure does not "+
			"reserve (admin, administrator, root, guest, public, azure_superuser, azure_pg_admin, pg_...)")
	}
	p = append(p, rules.AzureTags("Tags", a.Tags)...)
	return tier, p.Err()
}

// Database is Pachyderm's metadata database on Azure: an Azure Database for PostgreSQL
// flexible server with private access only, in a subnet of pachdeploy's VNet delegated
// to it, named in a private DNS zone linked to that VNet, with TLS 1.2 or newer
// required, and the pachyderm and dex databases made through Azure's API.
type Database struct {
	pulumi.ResourceState

	// ServerName is the server's name.
	ServerName pulumi.StringOutput `pulumi:"serverName"`
	// Host is the server's DNS name, which resolves to its private address inside the
	// VNet only.
	Host pulumi.StringOutput `pulumi:"host"`

	external *pachyderm.ExternalDatabase
}

// ExternalDatabase describes the server to the Pachyderm release: the databases exist
// already, and the password is a secret.
func (d *Database) ExternalDatabase() *pachyderm.ExternalDatabase {
	e := *d.external
	e.DependsOn = append([]pulumi.Resource(nil), d.external.DependsOn...)
	return &e
}

// NewDatabase creates the delegated subnet, the private DNS zone and its VNet link, the
// flexible server with a random administrator password, its pinned TLS parameters and
// Pachyderm's two databases. The server, its parameters and databases, subnet, zone and
// link are kept on destroy unless DeleteDataOnDestroy: a kept server stays as it was and
// resolvable in the VNet.
// Each change to the server waits for the one before it, as a flexible server takes
// one operation at a time.
func NewDatabase(ctx *pulumi.Context, name string, args *DatabaseArgs, opts ...pulumi.ResourceOption) (*Database, error) {
	if args == nil {
		return nil, fmt.Errorf("azure database %q: %w", name, rules.ErrNilArgs)
	}
	a := args.withDefaults()
	tier, err := a.validate()
	if err != nil {
		return nil, fmt.Errorf("azure database %q: %w", name, err)
	}
	d := &Database{}
	if err := ctx.RegisterComponentResource("pachdeploy:azure:Database", name, d, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(d)
	keep := pulumi.RetainOnDelete(!a.DeleteDataOnDestroy)
	tags := pulumi.ToStringMap(a.Tags)

	subnet, err := native.NewSubnet(ctx, name, &native.SubnetArgs{
		ResourceGroupName:  a.ResourceGroupName,
		VirtualNetworkName: a.VirtualNetworkName,
		SubnetName:         pulumi.String("postgres"),
		AddressPrefix:      pulumi.String(a.SubnetCIDR),
		Delegations:        []native.DelegationArgs{{Name: pulumi.String("postgres"), ServiceName: pulumi.String(DatabaseDelegation)}},
	}, parent, keep)
	if err != nil {
		return nil, err
	}
	// Azure names the server in a private zone ending in postgres.database.azure.com;
	// one per server, so a kept server keeps its own.
	zone, err := native.NewPrivateZone(ctx, name, &native.PrivateZoneArgs{
		ResourceGroupName: a.ResourceGroupName,
		PrivateZoneName:   pulumi.String(a.ServerName + ".private.postgres.database.azure.com"),
		Location:          pulumi.String("global"),
		Tags:              tags,
	}, parent, keep)
	if err != nil {
		return nil, err
	}
	link, err := native.NewVirtualNetworkLink(ctx, name, &native.VirtualNetworkLinkArgs{
		ResourceGroupName:      a.ResourceGroupName,
		PrivateZoneName:        zone.Name,
		VirtualNetworkLinkName: pulumi.String(a.ServerName),
		Location:               pulumi.String("global"),
		VirtualNetwork:         &native.SubResourceArgs{Id: a.VirtualNetworkID},
		RegistrationEnabled:    pulumi.Bool(false),
		Tags:                   tags,
	}, parent, keep)
	if err != nil {
		return nil, err
	}
	password, err := random.NewRandomPassword(ctx, name+"-admin", &random.RandomPasswordArgs{
		// Azure wants three of upper case, lower case, digits and symbols; no symbols
		// keeps the password safe in connection strings.
		Length: pulumi.Int(32), Special: pulumi.Bool(false),
		MinUpper: pulumi.Int(1), MinLower: pulumi.Int(1), MinNumeric: pulumi.Int(1),
	}, parent)
	if err != nil {
		return nil, err
	}
	// pulumi-random marks the result secret.
	adminPassword := password.Result

	haMode := "Disabled"
	if a.HighAvailability {
		haMode = "ZoneRedundant"
	}
	server, err := native.NewServer(ctx, name, &native.ServerArgs{
		ResourceGroupName:          a.ResourceGroupName,
		ServerName:                 pulumi.String(a.ServerName),
		Location:                   pulumi.String(a.Location),
		Version:                    pulumi.String(a.Version),
		AdministratorLogin:         pulumi.String(a.AdministratorLogin),
		AdministratorLoginPassword: adminPassword,
		Sku:                        &native.ServerSkuArgs{Name: pulumi.String(a.SKU), Tier: pulumi.String(tier)},
		Storage:                    &native.ServerStorageArgs{StorageSizeGB: pulumi.Int(a.StorageGB), AutoGrow: pulumi.String("Enabled")},
		Backup: &native.ServerBackupArgs{
			BackupRetentionDays: pulumi.Int(a.BackupDays),
			// Backups stay in the server's region (zone-redundant storage where the
			// region has zones): a geo-redundant copy doubles the backup bill, needs a
			// paired region, and can only be chosen when the server is made
			// (PD-AZURE-DATABASE-GEO-BACKUP says so).
			GeoRedundantBackup: pulumi.String("Disabled"),
		},
		HighAvailability: &native.HighAvailabilityArgs{Mode: pulumi.String(haMode)},
		Network: &native.ServerNetworkArgs{
			DelegatedSubnetResourceId:   subnet.ID(),
			PrivateDnsZoneArmResourceId: zone.ID(),
			PublicNetworkAccess:         pulumi.String("Disabled"),
		},
		// pachd and dex sign in with the password; Entra ID sign-in would need an
		// Entra administrator and tokens neither can fetch.
		AuthConfig: &native.AuthConfigArgs{PasswordAuth: pulumi.String("Enabled"), ActiveDirectoryAuth: pulumi.String("Disabled")},
		Tags:       tags,
	}, parent, keep, pulumi.DependsOn([]pulumi.Resource{subnet, link}))
	if err != nil {
		return nil, err
	}

	// The parameters and databases name the server by its known name, so policy can
	// match them to it before it exists, and wait for it and for each other.
	deps := []pulumi.Resource{server, link}
	previous := pulumi.Resource(server)
	for _, param := range databaseParameters {
		c, err := native.NewConfiguration(ctx, name+"-"+param.name, &native.ConfigurationArgs{
			ResourceGroupName: a.ResourceGroupName,
			ServerName:        pulumi.String(a.ServerName),
			ConfigurationName: pulumi.String(param.name),
			Value:             pulumi.String(param.value),
			Source:            pulumi.String("user-override"),
		}, parent, keep, pulumi.DependsOn([]pulumi.Resource{previous}))
		if err != nil {
			return nil, err
		}
		deps, previous = append(deps, c), c
	}
	for _, db := range []string{pachyderm.PachydermDatabase, pachyderm.DexDatabase} {
		r, err := native.NewDatabase(ctx, name+"-"+db, &native.DatabaseArgs{
			ResourceGroupName: a.ResourceGroupName,
			ServerName:        pulumi.String(a.ServerName),
			DatabaseName:      pulumi.String(db),
			Charset:           pulumi.String("UTF8"),
			Collation:         pulumi.String("en_US.utf8"),
		}, parent, keep, pulumi.DependsOn([]pulumi.Resource{previous}))
		if err != nil {
			return nil, err
		}
		deps, previous = append(deps, r), r
	}

	d.ServerName = server.Name
	d.Host = server.FullyQualifiedDomainName
	d.external = &pachyderm.ExternalDatabase{
		Host:            d.Host,
		Port:            DatabasePort,
		User:            a.AdministratorLogin,
		Password:        adminPassword,
		CreateDatabases: false,
		DependsOn:       deps,
	}
	if err := ctx.RegisterResourceOutputs(d, pulumi.Map{
		"serverName": d.ServerName,
		"host":       d.Host,
	}); err != nil {
		return nil, err
	}
	return d, nil
}
