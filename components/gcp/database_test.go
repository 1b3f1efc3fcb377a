package gcp

import (
	"slices"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/components/gcp/settings"
	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Resource types of the database.
const (
	tSQLInstance   = "gcp:sql/databaseInstance:DatabaseInstance"
	tSQLDatabase   = "gcp:sql/database:Database"
	tSQLUser       = "gcp:sql/user:User"
	tGlobalAddress = "gcp:compute/globalAddress:GlobalAddress"
	tConnection    = "gcp:servicenetworking/connection:Connection"
	tService       = "gcp:projects/service:Service"
	tPassword      = "random:index/randomPassword:RandomPassword"
)

// validDatabaseArgs is a database on a network self link, with the defaults.
func validDatabaseArgs() *DatabaseArgs {
	return &DatabaseArgs{
		Project: "acme-data", Region: "us-central1", Name: "pachdeploy-dev",
		Network:      pulumi.String("https://www.googleapis.com/compute/v1/projects/acme-data/global/networks/pachdeploy-dev-net"),
		NetworkCIDRs: []string{DefaultNodesCIDR, DefaultPodsCIDR, DefaultServicesCIDR},
	}
}

// databaseRun is what a NewDatabase run recorded, and what its ExternalDatabase said.
type databaseRun struct {
	cloud    *offline.Cloud
	external *pachyderm.ExternalDatabase
	host     string
	secret   bool
	depends  []string // URNs of external.DependsOn
}

// runDatabase runs NewDatabase with args.
func runDatabase(t *testing.T, args *DatabaseArgs) databaseRun {
	t.Helper()
	var res databaseRun
	res.cloud = mocktest.Run(t, func(ctx *pulumi.Context) error {
		db, err := NewDatabase(ctx, "db", args)
		if err != nil {
			return err
		}
		res.external = db.ExternalDatabase()
		res.secret = pulumi.IsSecret(res.external.Password.ToStringOutput())
		hosts := make(chan string, 1)
		res.external.Host.ToStringOutput().ApplyT(func(h string) string { hosts <- h; return h })
		res.host = <-hosts
		for _, r := range res.external.DependsOn {
			urns := make(chan pulumi.URN, 1)
			r.URN().ApplyT(func(u pulumi.URN) pulumi.URN { urns <- u; return u })
			res.depends = append(res.depends, string(<-urns))
		}
		return nil
	}, standIns)
	return res
}

// TestDatabase_CKV_GCP_6_60_14_PrivateTLSOnlyBackedUp: the instance has no public IP
// (CKV_GCP_60), only a private one on the network and the reserved range, takes TLS only
// (CKV_GCP_6), keeps the backups asked for with point-in-time recovery (CKV_GCP_14),
// sets the PostgreSQL logging flags, runs the Enterprise edition a db-custom tier needs,
// and grows its SSD on its own.
func TestDatabase_CKV_GCP_6_60_14_PrivateTLSOnlyBackedUp(t *testing.T) {
	res := runDatabase(t, validDatabaseArgs())
	instance := mocktest.One(t, res.cloud, tSQLInstance)
	address := mocktest.One(t, res.cloud, tGlobalAddress)
	wantInputs(t, instance, map[string]any{
		"name":                                        "pachdeploy-dev-postgres",
		"region":                                      "us-central1",
		"databaseVersion":                             "POSTGRES_" + "16",
		"settings.tier":                               settings.DefaultDatabaseInstanceType,
		"settings.edition":                            settings.EditionEnterprise,
		"settings.availabilityType":                   "ZONAL",
		"settings.diskType":                           "PD_SSD",
		"settings.diskSize":                           float64(settings.DefaultDatabaseStorageGB),
		"settings.diskAutoresize":                     true,
		"settings.ipConfiguration.ipv4Enabled":        false,
		"settings.ipConfiguration.sslMode":            "ENCRYPTED_ONLY",
		"settings.ipConfiguration.privateNetwork":     "https://www.googleapis.com/compute/v1/projects/acme-data/global/networks/pachdeploy-dev-net",
		"settings.ipConfiguration.allocatedIpRange":   "pachdeploy-dev-psa",
		"settings.ipConfiguration.authorizedNetworks": nil,
		"settings.backupConfiguration.enabled":        true,
		"settings.backupConfiguration.pointInTimeRecoveryEnabled":              true,
		"settings.backupConfiguration.transactionLogRetentionDays":             float64(6),
		"settings.backupConfiguration.backupRetentionSettings.retainedBackups": float64(7),
		"settings.ipConfiguration.enablePrivatePathForGoogleCloudServices":     false,
	})
	flags := map[string]string{}
	for _, f := range mocktest.MustInput(t, instance, "settings.databaseFlags").ArrayValue() {
		flags[f.ObjectValue()["name"].StringValue()] = f.ObjectValue()["value"].StringValue()
	}
	for _, f := range pgLogFlags {
		if flags[f.name] != f.value {
			t.Errorf("flag %s = %q, want %q", f.name, flags[f.name], f.value)
		}
	}
	wantInputs(t, address, map[string]any{
		"purpose": "VPC_PEERING", "addressType": "INTERNAL", "address": "10.16.0.0", "prefixLength": float64(16),
	})
	if !strings.HasSuffix(res.host, "private IP "+offline.Marker+">") {
		t.Errorf("host %q, want the instance's private IP", res.host)
	}
}

// TestDatabase_APIsAndPeeringBeforeTheInstance: the Service Networking and Cloud SQL
// Admin APIs are enabled (and left on at destroy), the connection peers the reserved
// range with servicenetworking.googleapis.com, and the instance waits for it.
func TestDatabase_APIsAndPeeringBeforeTheInstance(t *testing.T) {
	res := runDatabase(t, validDatabaseArgs())
	var services []string
	for _, s := range res.cloud.OfType(tService) {
		services = append(services, mocktest.MustString(t, s, "service"))
		wantInputs(t, s, map[string]any{"disableOnDestroy": false})
	}
	slices.Sort(services)
	if want := []string{"servicenetworking.googleapis.com", "sqladmin.googleapis.com"}; !slices.Equal(services, want) {
		t.Errorf("APIs %v, want %v", services, want)
	}
	connection := mocktest.One(t, res.cloud, tConnection)
	wantInputs(t, connection, map[string]any{"service": "servicenetworking.googleapis.com"})
	if got := mocktest.MustString(t, connection, "reservedPeeringRanges[0]"); got != "pachdeploy-dev-psa" {
		t.Errorf("reserved range %q, want pachdeploy-dev-psa", got)
	}
	instance := mocktest.One(t, res.cloud, tSQLInstance)
	if !mocktest.DependsOn(instance, connection.URN) {
		t.Errorf("the instance does not wait for the service networking connection: %v", instance.DependsOn)
	}
}

// TestDatabase_RetainedUnlessDeleteDataOnDestroy: the instance, its databases and user,
// the reserved range and the peering are kept on destroy, with deletion protection on
// (Pulumi's and the API's), unless DeleteDataOnDestroy; the password never is kept.
func TestDatabase_RetainedUnlessDeleteDataOnDestroy(t *testing.T) {
	for _, deleteData := range []bool{false, true} {
		args := validDatabaseArgs()
		args.DeleteDataOnDestroy = deleteData
		res := runDatabase(t, args)
		for _, typ := range []string{tSQLInstance, tSQLDatabase, tSQLUser, tGlobalAddress, tConnection} {
			for _, r := range res.cloud.OfType(typ) {
				if r.RetainOnDelete != !deleteData {
					t.Errorf("DeleteDataOnDestroy=%v: %s %s retainOnDelete = %v", deleteData, typ, r.Name, r.RetainOnDelete)
				}
			}
		}
		wantInputs(t, mocktest.One(t, res.cloud, tSQLInstance), map[string]any{
			"deletionProtection":                 !deleteData,
			"settings.deletionProtectionEnabled": !deleteData,
		})
		if mocktest.One(t, res.cloud, tPassword).RetainOnDelete {
			t.Errorf("DeleteDataOnDestroy=%v: the password is retained", deleteData)
		}
	}
}

// TestDatabase_PasswordIsSecret: the user's password and the one handed to the release
// are secrets.
func TestDatabase_PasswordIsSecret(t *testing.T) {
	res := runDatabase(t, validDatabaseArgs())
	user := mocktest.One(t, res.cloud, tSQLUser)
	if f := mocktest.Find(t, user.Inputs, "password"); !f.Set || !f.Secret {
		t.Errorf("user password set=%v secret=%v, want a secret", f.Set, f.Secret)
	}
	if !res.secret {
		t.Error("ExternalDatabase.Password is not a secret")
	}
}

// TestDatabase_ExternalDatabaseForTheRelease: the release gets the private IP, port
// 5432, the built-in user, and databases Cloud SQL made (it creates none), and waits
// for the instance, both databases and the user.
func TestDatabase_ExternalDatabaseForTheRelease(t *testing.T) {
	res := runDatabase(t, validDatabaseArgs())
	e := res.external
	if e.Port != 5432 || e.User != DatabaseUser || e.CreateDatabases {
		t.Errorf("port %d user %q createDatabases %v, want 5432 %q false", e.Port, e.User, e.CreateDatabases, DatabaseUser)
	}
	var dbs []string
	for _, d := range res.cloud.OfType(tSQLDatabase) {
		dbs = append(dbs, mocktest.MustString(t, d, "name"))
	}
	slices.Sort(dbs)
	if want := []string{pachyderm.DexDatabase, pachyderm.PachydermDatabase}; !slices.Equal(dbs, want) {
		t.Errorf("databases %v, want %v", dbs, want)
	}
	wantInputs(t, mocktest.One(t, res.cloud, tSQLUser), map[string]any{"name": DatabaseUser, "type": "BUILT_IN"})
	want := []string{mocktest.One(t, res.cloud, tSQLInstance).URN, mocktest.One(t, res.cloud, tSQLUser).URN}
	for _, d := range res.cloud.OfType(tSQLDatabase) {
		want = append(want, d.URN)
	}
	slices.Sort(want)
	got := slices.Sorted(slices.Values(res.depends))
	if !slices.Equal(got, want) {
		t.Errorf("DependsOn %v, want %v", got, want)
	}
}

// TestDatabase_SizeEditionAndHA: the tier picks the edition, HA a regional instance,
// and the days of transaction logs stay below the backups kept and within the
// edition's most.
func TestDatabase_SizeEditionAndHA(t *testing.T) {
	tests := []struct {
		name     string
		tier     string
		ha       bool
		days     int
		edition  string
		avail    string
		logDays  float64
		backups  float64
		version  string
		wantName string
	}{
		{"defaults", "", false, 0, settings.EditionEnterprise, "ZONAL", 6, 7, "16", "POSTGRES_16"},
		{"HA, a month of backups", "db-custom-4-15360", true, 30, settings.EditionEnterprise, "REGIONAL", 7, 30, "17", "POSTGRES_17"},
		{"Enterprise Plus keeps more logs", "db-perf-optimized-N-4", false, 30, settings.EditionEnterprisePlus, "ZONAL", 29, 30, "15", "POSTGRES_15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := validDatabaseArgs()
			args.Tier, args.HighAvailability, args.BackupDays, args.Version = tt.tier, tt.ha, tt.days, tt.version
			res := runDatabase(t, args)
			wantInputs(t, mocktest.One(t, res.cloud, tSQLInstance), map[string]any{
				"databaseVersion":           tt.wantName,
				"settings.edition":          tt.edition,
				"settings.availabilityType": tt.avail,
				"settings.backupConfiguration.transactionLogRetentionDays":             tt.logDays,
				"settings.backupConfiguration.backupRetentionSettings.retainedBackups": tt.backups,
			})
		})
	}
}

// TestDatabase_InvalidArgsListEveryProblem: every bad argument is named at once, before
// anything is registered; a peering range may not overlap the network's own.
func TestDatabase_InvalidArgsListEveryProblem(t *testing.T) {
	tests := []struct {
		name   string
		args   *DatabaseArgs
		fields []string
	}{
		{"everything wrong", &DatabaseArgs{Project: "X", Region: "nowhere", Name: "Bad_Name", PeeringCIDR: "10.0.0.0/28",
			Version: "14", Tier: "db-f1-micro", StorageGB: 5, BackupDays: 1, Labels: map[string]string{"Bad": "x"}},
			[]string{"Project", "Region", "Name", "Network", "PeeringCIDR", "Version", "Tier", "StorageGB", "BackupDays", "Labels"}},
		{"peering range over the pods", func() *DatabaseArgs {
			a := validDatabaseArgs()
			a.PeeringCIDR = "10.4.0.0/16"
			return a
		}(), []string{"PeeringCIDR"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cloud := offline.New("p", "s", standIns)
			mocktest.WantProblems(t, cloud.Run(func(ctx *pulumi.Context) error {
				_, err := NewDatabase(ctx, "db", tt.args)
				return err
			}), tt.fields...)
			if n := len(cloud.Resources()); n != 0 {
				t.Errorf("%d resources registered before validation failed", n)
			}
		})
	}
}

// TestDatabase_DefaultPeeringRangeClearOfTheNetwork: the default reserved range
// overlaps none of the network's default ranges.
func TestDatabase_DefaultPeeringRangeClearOfTheNetwork(t *testing.T) {
	if err := peeringRange(DefaultPeeringCIDR, []string{DefaultNodesCIDR, DefaultPodsCIDR, DefaultServicesCIDR}); err != nil {
		t.Error(err)
	}
}
