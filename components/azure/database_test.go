package azure

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/pachdeploy/pachdeploy/components/azure/internal/native"
	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Resource types the database tests look at.
const (
	tSubnet = "azure-native:network:Subnet"
	tZone   = "azure-native:network:PrivateZone"
	tLink   = "azure-native:network:VirtualNetworkLink"
)

const testVNetID = "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/pachdeploy-dev/providers/" +
	"Microsoft.Network/virtualNetworks/pachdeploy-dev-vnet"

func validDatabaseArgs() *DatabaseArgs {
	return &DatabaseArgs{
		ResourceGroupName: pulumi.String("pachdeploy-dev"), Location: "centralus", ServerName: "pachdeploy-dev-0a1b2c",
		VirtualNetworkName: pulumi.String("pachdeploy-dev-vnet"), VirtualNetworkID: pulumi.String(testVNetID),
	}
}

// runDatabase makes the database and hands back what it describes to the release.
func runDatabase(t *testing.T, args *DatabaseArgs) (*offline.Cloud, *pachyderm.ExternalDatabase) {
	t.Helper()
	var external *pachyderm.ExternalDatabase
	cloud := mocktest.Run(t, func(ctx *pulumi.Context) error {
		d, err := NewDatabase(ctx, "pg", args)
		if err != nil {
			return err
		}
		external = d.ExternalDatabase()
		return nil
	}, standIns)
	return cloud, external
}

// TestDatabase_CKV_AZURE_68_CKV2_AZURE_57_PrivateAccess: the server has no public
// endpoint; it sits in a subnet delegated to flexible servers and is named in a private
// zone linked to the VNet.
func TestDatabase_CKV_AZURE_68_CKV2_AZURE_57_PrivateAccess(t *testing.T) {
	cloud, _ := runDatabase(t, validDatabaseArgs())
	subnet, zone := mocktest.One(t, cloud, tSubnet), mocktest.One(t, cloud, tZone)
	wantInputs(t, subnet, map[string]any{
		"virtualNetworkName":         "pachdeploy-dev-vnet",
		"addressPrefix":              DefaultDatabaseSubnetCIDR,
		"delegations[0].serviceName": DatabaseDelegation,
		"delegations[1]":             nil,
		"serviceEndpoints":           nil,
	})
	wantInputs(t, zone, map[string]any{"privateZoneName": "pachdeploy-dev-0a1b2c.private.postgres.database.azure.com", "location": "global"})
	wantInputs(t, mocktest.One(t, cloud, tLink), map[string]any{
		"privateZoneName":     "pachdeploy-dev-0a1b2c.private.postgres.database.azure.com",
		"virtualNetwork.id":   testVNetID,
		"registrationEnabled": false,
		"location":            "global",
	})
	wantInputs(t, mocktest.One(t, cloud, native.ServerType), map[string]any{
		"network.publicNetworkAccess":         "Disabled",
		"network.delegatedSubnetResourceId":   subnet.ID,
		"network.privateDnsZoneArmResourceId": zone.ID,
	})
}

// TestDatabase_CKV_AZURE_29_147_TLSPinned: require_secure_transport and TLS 1.2 are set
// on the server as user overrides, so drift and policy see them.
func TestDatabase_CKV_AZURE_29_147_TLSPinned(t *testing.T) {
	cloud, _ := runDatabase(t, validDatabaseArgs())
	for _, tt := range []struct{ name, value string }{
		{"require_secure_transport", "on"},
		{"ssl_min_protocol_version", "TLSv1.2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantInputs(t, mocktest.Named(t, cloud, native.ConfigurationType, "pg-"+tt.name), map[string]any{
				"serverName": "pachdeploy-dev-0a1b2c", "configurationName": tt.name, "value": tt.value, "source": "user-override",
			})
		})
	}
}

// TestDatabase_ServerSettings: the settings reach the server; the tier follows the size;
// backups stay in the region; a standby only with HighAvailability.
func TestDatabase_ServerSettings(t *testing.T) {
	tests := []struct {
		name string
		edit func(*DatabaseArgs)
		want map[string]any
	}{
		{"defaults", func(*DatabaseArgs) {}, map[string]any{
			"serverName":                     "pachdeploy-dev-0a1b2c",
			"location":                       "centralus",
			"version":                        "16",
			"sku.name":                       "Standard_D2ds_v5",
			"sku.tier":                       "GeneralPurpose",
			"storage.storageSizeGB":          32.0,
			"storage.autoGrow":               "Enabled",
			"backup.backupRetentionDays":     7.0,
			"backup.geoRedundantBackup":      "Disabled",
			"highAvailability.mode":          "Disabled",
			"authConfig.passwordAuth":        "Enabled",
			"authConfig.activeDirectoryAuth": "Disabled",
			"administratorLogin":             DefaultDatabaseAdministrator,
		}},
		{"HA, memory optimized, 15, 64 GB, 35 days", func(a *DatabaseArgs) {
			a.HighAvailability, a.SKU, a.Version, a.StorageGB, a.BackupDays = true, "Standard_E4ds_v5", "15", 64, 35
		}, map[string]any{
			"highAvailability.mode":      "ZoneRedundant",
			"sku.name":                   "Standard_E4ds_v5",
			"sku.tier":                   "MemoryOptimized",
			"version":                    "15",
			"storage.storageSizeGB":      64.0,
			"backup.backupRetentionDays": 35.0,
		}},
		{"burstable", func(a *DatabaseArgs) { a.SKU = "Standard_B2s" }, map[string]any{"sku.tier": "Burstable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := validDatabaseArgs()
			tt.edit(args)
			cloud, _ := runDatabase(t, args)
			wantInputs(t, mocktest.One(t, cloud, native.ServerType), tt.want)
		})
	}
}

func TestDatabase_RetainedUnlessDeleteDataOnDestroy(t *testing.T) {
	for _, deleteData := range []bool{false, true} {
		t.Run(fmt.Sprintf("deleteDataOnDestroy=%v", deleteData), func(t *testing.T) {
			args := validDatabaseArgs()
			args.DeleteDataOnDestroy = deleteData
			cloud, _ := runDatabase(t, args)
			kept := 0
			for _, r := range cloud.Resources() {
				if r.Type == "random:index/randomPassword:RandomPassword" || !r.Custom {
					continue
				}
				if r.RetainOnDelete == deleteData {
					t.Errorf("%s %s retainOnDelete = %v, want %v", r.Type, r.Name, r.RetainOnDelete, !deleteData)
				}
				kept++
			}
			// subnet, zone, link, server, two parameters, two databases
			if kept != 8 {
				t.Errorf("%d cloud resources, want 8", kept)
			}
		})
	}
}

// TestDatabase_PasswordIsSecret: the administrator password is random, and secret both
// on the server and in what the release gets.
func TestDatabase_PasswordIsSecret(t *testing.T) {
	var secret bool
	var external *pachyderm.ExternalDatabase
	cloud := mocktest.Run(t, func(ctx *pulumi.Context) error {
		d, err := NewDatabase(ctx, "pg", validDatabaseArgs())
		if err != nil {
			return err
		}
		external = d.ExternalDatabase()
		secret = pulumi.IsSecret(external.Password.ToStringOutput())
		return nil
	}, standIns)
	if !secret {
		t.Error("ExternalDatabase.Password is not secret")
	}
	server := mocktest.One(t, cloud, native.ServerType)
	if v, ok := server.Inputs["administratorLoginPassword"]; !ok || !v.IsSecret() {
		t.Errorf("administratorLoginPassword = %v, want a secret", v)
	}
	wantInputs(t, mocktest.One(t, cloud, "random:index/randomPassword:RandomPassword"), map[string]any{
		"length": 32.0, "special": false, "minUpper": 1.0, "minLower": 1.0, "minNumeric": 1.0,
	})
}

// TestDatabase_ExternalDatabase: the release gets the server's private DNS name, the
// administrator, databases it need not make, and everything to wait for.
func TestDatabase_ExternalDatabase(t *testing.T) {
	var host string
	var external *pachyderm.ExternalDatabase
	mocktest.Run(t, func(ctx *pulumi.Context) error {
		d, err := NewDatabase(ctx, "pg", validDatabaseArgs())
		if err != nil {
			return err
		}
		external = d.ExternalDatabase()
		external.Host.ToStringOutput().ApplyT(func(h string) string { host = h; return h })
		return nil
	}, standIns)
	if want := "pachdeploy-dev-0a1b2c.postgres.database.azure.com"; host != want {
		t.Errorf("Host = %q, want the server's FQDN %q", host, want)
	}
	if external.Port != 5432 || external.User != DefaultDatabaseAdministrator || external.CreateDatabases {
		t.Errorf("Port, User, CreateDatabases = %d, %q, %v; want 5432, %q, false", external.Port, external.User,
			external.CreateDatabases, DefaultDatabaseAdministrator)
	}
	counts := map[string]int{}
	for _, r := range external.DependsOn {
		counts[fmt.Sprintf("%T", r)]++
	}
	want := map[string]int{"*native.Server": 1, "*native.Database": 2, "*native.Configuration": 2, "*native.VirtualNetworkLink": 1}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("DependsOn holds %v, want %v", counts, want)
	}
}

// TestDatabase_Ordering: the server waits for its subnet and for the zone's link to the
// VNet (Azure refuses a zone the VNet cannot resolve); parameters and databases wait for
// the server and for each other, as the server takes one change at a time.
func TestDatabase_Ordering(t *testing.T) {
	cloud, _ := runDatabase(t, validDatabaseArgs())
	server := mocktest.One(t, cloud, native.ServerType)
	for _, typ := range []string{tSubnet, tZone, tLink} {
		if r := mocktest.One(t, cloud, typ); !mocktest.DependsOn(server, r.URN) {
			t.Errorf("the server does not wait for the %s", typ)
		}
	}
	if link, zone := mocktest.One(t, cloud, tLink), mocktest.One(t, cloud, tZone); !mocktest.DependsOn(link, zone.URN) {
		t.Error("the link does not wait for the zone")
	}
	chain := []offline.Resource{server}
	for _, name := range []string{"pg-require_secure_transport", "pg-ssl_min_protocol_version"} {
		chain = append(chain, mocktest.Named(t, cloud, native.ConfigurationType, name))
	}
	for _, name := range []string{"pg-" + pachyderm.PachydermDatabase, "pg-" + pachyderm.DexDatabase} {
		chain = append(chain, mocktest.Named(t, cloud, native.DatabaseType, name))
	}
	for i := 1; i < len(chain); i++ {
		if !mocktest.DependsOn(chain[i], chain[i-1].URN) {
			t.Errorf("%s does not wait for %s", chain[i].Name, chain[i-1].Name)
		}
	}
	for _, db := range []string{pachyderm.PachydermDatabase, pachyderm.DexDatabase} {
		wantInputs(t, mocktest.Named(t, cloud, native.DatabaseType, "pg-"+db), map[string]any{
			"databaseName": db, "serverName": "pachdeploy-dev-0a1b2c", "charset": "UTF8",
		})
	}
}

func TestNewDatabase_InvalidArgsListsEveryProblem(t *testing.T) {
	cloud := offline.New("p", "s", standIns)
	err := cloud.Run(func(ctx *pulumi.Context) error {
		_, err := NewDatabase(ctx, "pg", &DatabaseArgs{
			Location: "Central US", ServerName: "-Pg", SubnetCIDR: "10.225.0.0", Version: "17", SKU: "Standard_B2s",
			HighAvailability: true, StorageGB: 100, BackupDays: 40, AdministratorLogin: "admin", Tags: map[string]string{"a/b": "c"},
		})
		return err
	})
	mocktest.WantProblems(t, err, "ResourceGroupName", "VirtualNetworkName", "VirtualNetworkID", "Location", "ServerName",
		"SubnetCIDR", "Version", "HighAvailability", "StorageGB", "BackupDays", "AdministratorLogin", "Tags")
	if n := len(cloud.Resources()); n != 0 {
		t.Errorf("%d resources registered before validation failed", n)
	}
}

// TestDefaultDatabaseSubnetCIDR_FitsTheNetwork: the delegated subnet is inside the VNet,
// clear of the node subnet and of AKS's service and pod ranges.
func TestDefaultDatabaseSubnetCIDR_FitsTheNetwork(t *testing.T) {
	db := netip.MustParsePrefix(DefaultDatabaseSubnetCIDR)
	if space := netip.MustParsePrefix(DefaultAddressSpace); !space.Contains(db.Addr()) || db.Bits() < space.Bits() {
		t.Errorf("%s is outside the VNet's %s", db, space)
	}
	for _, other := range []string{DefaultNodeSubnetCIDR, "10.0.0.0/16", "10.244.0.0/16"} {
		if db.Overlaps(netip.MustParsePrefix(other)) {
			t.Errorf("%s overlaps %s", db, other)
		}
	}
}
