package aws

import (
	"slices"
	"testing"

	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	testDBIdentifier = "pach-test-pachyderm"
	testNodesSG      = "sg-0123456789abcdef0"
	dbInstanceType   = "aws:rds/instance:Instance"
	dbIngressType    = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
)

var testDBSubnets = []string{"subnet-a", "subnet-b"}

func testDatabaseArgs() *DatabaseArgs {
	return &DatabaseArgs{
		Identifier:           testDBIdentifier,
		VpcID:                pulumi.String("vpc-0123"),
		SubnetIDs:            pulumi.ToStringArray(testDBSubnets),
		NodeSecurityGroupIDs: []pulumi.StringInput{pulumi.String(testNodesSG)},
	}
}

// databaseResult is what a program learned about a Database.
type databaseResult struct {
	cloud    *offline.Cloud
	external *pachyderm.ExternalDatabase
	// passwordSecret and hostSecret: whether ExternalDatabase's values are secrets.
	passwordSecret, hostSecret bool
}

func runDatabase(t *testing.T, args *DatabaseArgs) databaseResult {
	t.Helper()
	var res databaseResult
	res.cloud = run(t, func(ctx *pulumi.Context, withAWS pulumi.ResourceOption) error {
		db, err := NewDatabase(ctx, "db", args, withAWS)
		if err != nil {
			return err
		}
		res.external = db.ExternalDatabase()
		res.passwordSecret = pulumi.IsSecret(res.external.Password.ToStringOutput())
		res.hostSecret = pulumi.IsSecret(res.external.Host.ToStringOutput())
		return nil
	})
	return res
}

// resolve waits for a string input's value.
func resolve(t *testing.T, in pulumi.StringInput) string {
	t.Helper()
	values := make(chan string, 1)
	in.ToStringOutput().ApplyT(func(v string) string {
		values <- v
		return v
	})
	return <-values
}

func dbInstance(t *testing.T, cloud *offline.Cloud) offline.Resource {
	t.Helper()
	return mocktest.Named(t, cloud, dbInstanceType, "db")
}

func TestDatabase_CKV_AWS_16_EncryptedWithItsOwnKey(t *testing.T) {
	cloud := runDatabase(t, testDatabaseArgs()).cloud
	db := dbInstance(t, cloud)
	key := mocktest.Named(t, cloud, "aws:kms/key:Key", "db")
	keyArn := mocktest.String(t, key.Outputs, "arn")
	if !mocktest.Bool(t, db.Inputs, "storageEncrypted") {
		t.Error("storageEncrypted is not true")
	}
	if got := mocktest.MustString(t, db, "kmsKeyId"); got != keyArn || keyArn == "" {
		t.Errorf("kmsKeyId = %q, want the database's own key %q", got, keyArn)
	}
	if !mocktest.Bool(t, key.Inputs, "enableKeyRotation") {
		t.Error("the database's key does not rotate (CKV_AWS_7)")
	}
	if doc := parsePolicy(t, mocktest.MustInput(t, key, "policy")); len(doc.Statement) != 1 {
		t.Errorf("key policy %+v, want the account's statement only (CKV2_AWS_64)", doc.Statement)
	}
}

// TestDatabase_CKV_AWS_17_PrivateAndReachableOnlyFromTheNodes: no public address,
// the private subnets, one security group whose only rule admits the nodes' group on
// 5432, no CIDR, and no egress.
func TestDatabase_CKV_AWS_17_PrivateAndReachableOnlyFromTheNodes(t *testing.T) {
	cloud := runDatabase(t, testDatabaseArgs()).cloud
	db := dbInstance(t, cloud)
	if v := mocktest.MustInput(t, db, "publiclyAccessible"); !v.IsBool() || v.BoolValue() {
		t.Errorf("publiclyAccessible = %v, want false", v)
	}
	subnets := mocktest.One(t, cloud, "aws:rds/subnetGroup:SubnetGroup")
	if got := mocktest.Plain(mocktest.MustInput(t, subnets, "subnetIds")); !slices.Equal(toStrings(got), testDBSubnets) {
		t.Errorf("subnet group on %v, want %v", got, testDBSubnets)
	}
	if got, want := mocktest.MustString(t, db, "dbSubnetGroupName"), mocktest.String(t, subnets.Outputs, "name"); got != want {
		t.Errorf("dbSubnetGroupName = %q, want %q", got, want)
	}
	sg := mocktest.One(t, cloud, "aws:ec2/securityGroup:SecurityGroup")
	if got := toStrings(mocktest.Plain(mocktest.MustInput(t, db, "vpcSecurityGroupIds"))); !slices.Equal(got, []string{sg.ID}) {
		t.Errorf("vpcSecurityGroupIds = %v, want only the database's group %s", got, sg.ID)
	}
	for _, key := range []string{"ingress", "egress"} {
		if v, ok := mocktest.Input(t, sg, key); ok && len(v.ArrayValue()) > 0 {
			t.Errorf("security group has inline %s rules %v, want none", key, v)
		}
	}
	rule := mocktest.One(t, cloud, dbIngressType)
	for _, tc := range []struct {
		key  string
		want any
	}{
		{"securityGroupId", sg.ID},
		{"referencedSecurityGroupId", testNodesSG},
		{"ipProtocol", "tcp"},
		{"fromPort", float64(5432)},
		{"toPort", float64(5432)},
	} {
		if got := mocktest.Plain(mocktest.MustInput(t, rule, tc.key)); got != tc.want {
			t.Errorf("ingress %s = %v, want %v", tc.key, got, tc.want)
		}
	}
	for _, key := range []string{"cidrIpv4", "cidrIpv6", "prefixListId"} {
		if _, ok := mocktest.Input(t, rule, key); ok {
			t.Errorf("ingress rule sets %s: only the nodes' group may be admitted", key)
		}
	}
	if n := len(cloud.OfType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")); n != 0 {
		t.Errorf("%d egress rules, want none: the database starts no connections", n)
	}
}

func TestDatabase_CKV_AWS_133_BackupsKept(t *testing.T) {
	for _, tc := range []struct {
		days, want int
	}{{0, 7}, {14, 14}, {35, 35}} {
		args := testDatabaseArgs()
		args.BackupDays = tc.days
		db := dbInstance(t, runDatabase(t, args).cloud)
		if got := mocktest.MustInput(t, db, "backupRetentionPeriod").NumberValue(); got != float64(tc.want) {
			t.Errorf("BackupDays %d: backupRetentionPeriod = %v, want %d", tc.days, got, tc.want)
		}
	}
}

// TestDatabase_CKV2_AWS_69_TLSOnly: the instance uses a parameter group of its major
// version's family that forces TLS.
func TestDatabase_CKV2_AWS_69_TLSOnly(t *testing.T) {
	for _, version := range []string{"", "15", "16", "17"} {
		t.Run("version "+version, func(t *testing.T) {
			args := testDatabaseArgs()
			args.EngineVersion = version
			cloud := runDatabase(t, args).cloud
			want := version
			if want == "" {
				want = "16"
			}
			db := dbInstance(t, cloud)
			if got := mocktest.MustString(t, db, "engineVersion"); got != want {
				t.Errorf("engineVersion = %q, want the major version %q", got, want)
			}
			params := mocktest.One(t, cloud, "aws:rds/parameterGroup:ParameterGroup")
			if got := mocktest.MustString(t, params, "family"); got != "postgres"+want {
				t.Errorf("family = %q, want postgres%s", got, want)
			}
			if got, name := mocktest.MustString(t, db, "parameterGroupName"), mocktest.MustString(t, params, "name"); got != name ||
				name != testDBIdentifier+"-postgres"+want {
				t.Errorf("parameterGroupName = %q, group name %q, want both %s-postgres%s", got, name, testDBIdentifier, want)
			}
			in := map[string]any{"parameters": mocktest.Plain(mocktest.MustInput(t, params, "parameters"))}
			if got := parameterValue(in, "rds.force_ssl"); got != "1" {
				t.Errorf("rds.force_ssl = %q, want 1", got)
			}
		})
	}
}

// TestDatabase_InstanceSettings holds the instance's other settings, each with the rule
// or the reason it is there.
func TestDatabase_InstanceSettings(t *testing.T) {
	db := dbInstance(t, runDatabase(t, testDatabaseArgs()).cloud)
	for _, tc := range []struct {
		why, key string
		want     any
	}{
		{"CKV_AWS_129", "enabledCloudwatchLogsExports", []any{"postgresql", "upgrade"}},
		{"CKV_AWS_226", "autoMinorVersionUpgrade", true},
		{"major upgrades only on purpose", "allowMajorVersionUpgrade", false},
		{"CKV2_AWS_60", "copyTagsToSnapshot", true},
		{"CKV_AWS_161", "iamDatabaseAuthenticationEnabled", true},
		{"CKV_AWS_157 is a setting, off by default", "multiAz", false},
		{"PostgreSQL", "engine", "postgres"},
		{"the default class", "instanceClass", "db.t4g.medium"},
		{"gp3", "storageType", "gp3"},
		{"the default size", "allocatedStorage", float64(20)},
		{"storage autoscaling", "maxAllocatedStorage", float64(200)},
		{"the database RDS creates is pachd's", "dbName", "pachyderm"},
		{"the master user", "username", "pachyderm"},
		{"PostgreSQL's port", "port", float64(5432)},
		{"a fixed identifier", "identifier", testDBIdentifier},
	} {
		got := mocktest.Plain(mocktest.MustInput(t, db, tc.key))
		if gotList, ok := got.([]any); ok {
			if !slices.Equal(gotList, tc.want.([]any)) {
				t.Errorf("%s (%s) = %v, want %v", tc.key, tc.why, got, tc.want)
			}
		} else if got != tc.want {
			t.Errorf("%s (%s) = %v, want %v", tc.key, tc.why, got, tc.want)
		}
	}
}

func TestDatabase_CKV_AWS_157_MultiAZWhenAsked(t *testing.T) {
	args := testDatabaseArgs()
	args.MultiAZ = true
	if !mocktest.Bool(t, dbInstance(t, runDatabase(t, args).cloud).Inputs, "multiAz") {
		t.Error("multiAz is not true with MultiAZ")
	}
}

func TestDatabase_StorageAutoscalingStopsAtRDSMaximum(t *testing.T) {
	args := testDatabaseArgs()
	args.StorageGB = 10000
	if got := mocktest.MustInput(t, dbInstance(t, runDatabase(t, args).cloud), "maxAllocatedStorage").NumberValue(); got != 65536 {
		t.Errorf("maxAllocatedStorage = %v, want RDS's 65536", got)
	}
}

// TestDatabase_PerformanceInsightsEncryptedWhereTheClassHasThem: on, with the
// database's key, free retention and the standard (free) Database Insights mode; not
// asked of the smallest burstable classes, which lack it.
func TestDatabase_PerformanceInsightsEncryptedWhereTheClassHasThem(t *testing.T) {
	for _, tc := range []struct {
		class string
		on    bool
	}{{"", true}, {"db.m7g.large", true}, {"db.t4g.small", false}, {"db.t3.micro", false}} {
		t.Run(tc.class, func(t *testing.T) {
			args := testDatabaseArgs()
			args.InstanceClass = tc.class
			cloud := runDatabase(t, args).cloud
			db := dbInstance(t, cloud)
			_, set := mocktest.Input(t, db, "performanceInsightsEnabled")
			if !tc.on {
				if set {
					t.Error("Performance Insights asked of a class without it")
				}
				return
			}
			if !mocktest.Bool(t, db.Inputs, "performanceInsightsEnabled") {
				t.Fatal("performanceInsightsEnabled is not true")
			}
			key := mocktest.String(t, mocktest.Named(t, cloud, "aws:kms/key:Key", "db").Outputs, "arn")
			if got := mocktest.MustString(t, db, "performanceInsightsKmsKeyId"); got != key {
				t.Errorf("performanceInsightsKmsKeyId = %q, want the database's key %q", got, key)
			}
			if got := mocktest.MustInput(t, db, "performanceInsightsRetentionPeriod").NumberValue(); got != 7 {
				t.Errorf("performanceInsightsRetentionPeriod = %v, want 7 (free)", got)
			}
			if got := mocktest.MustString(t, db, "databaseInsightsMode"); got != "standard" {
				t.Errorf("databaseInsightsMode = %q, want standard", got)
			}
		})
	}
}

// TestDatabase_CKV_AWS_293_DeleteDataOnDestroy: by default the instance and what it
// needs are retained, protected against deletion and snapshotted if deleted anyway;
// DeleteDataOnDestroy turns all of that off. The ingress rules are never retained:
// they name the nodes' group, which goes with the cluster.
func TestDatabase_CKV_AWS_293_DeleteDataOnDestroy(t *testing.T) {
	kept := []string{dbInstanceType, "aws:kms/key:Key", "aws:rds/subnetGroup:SubnetGroup",
		"aws:rds/parameterGroup:ParameterGroup", "aws:ec2/securityGroup:SecurityGroup"}
	for _, deleteData := range []bool{false, true} {
		args := testDatabaseArgs()
		args.DeleteDataOnDestroy = deleteData
		cloud := runDatabase(t, args).cloud
		for _, typ := range kept {
			if r := mocktest.One(t, cloud, typ); r.RetainOnDelete == deleteData {
				t.Errorf("DeleteDataOnDestroy %v: %s retainOnDelete = %v", deleteData, typ, r.RetainOnDelete)
			}
		}
		if r := mocktest.One(t, cloud, dbIngressType); r.RetainOnDelete {
			t.Errorf("DeleteDataOnDestroy %v: the ingress rule is retained", deleteData)
		}
		db := dbInstance(t, cloud)
		if got := mocktest.Bool(t, db.Inputs, "deletionProtection"); got == deleteData {
			t.Errorf("DeleteDataOnDestroy %v: deletionProtection = %v", deleteData, got)
		}
		if got := mocktest.Bool(t, db.Inputs, "skipFinalSnapshot"); got != deleteData {
			t.Errorf("DeleteDataOnDestroy %v: skipFinalSnapshot = %v", deleteData, got)
		}
		final, set := mocktest.Input(t, db, "finalSnapshotIdentifier")
		if deleteData && set {
			t.Errorf("DeleteDataOnDestroy: finalSnapshotIdentifier = %v, want none", final)
		}
		if !deleteData && (!set || final.StringValue() != testDBIdentifier+"-final") {
			t.Errorf("finalSnapshotIdentifier = %v, want %s-final", final, testDBIdentifier)
		}
	}
}

func TestDatabase_PasswordIsASecret(t *testing.T) {
	res := runDatabase(t, testDatabaseArgs())
	pw := mocktest.One(t, res.cloud, "random:index/randomPassword:RandomPassword")
	if got := mocktest.MustInput(t, pw, "length").NumberValue(); got < 32 {
		t.Errorf("password length %v, want at least 32", got)
	}
	if f := mocktest.MustFind(t, dbInstance(t, res.cloud).Inputs, "password"); !f.Secret {
		t.Error("the instance's password input is not a secret")
	}
	if !res.passwordSecret {
		t.Error("ExternalDatabase().Password is not a secret")
	}
}

// TestDatabase_ExternalDatabase: what the release gets is the instance's address and
// master user, it creates the dex database itself, and it waits for the instance and
// the rule that admits the nodes.
func TestDatabase_ExternalDatabase(t *testing.T) {
	res := runDatabase(t, testDatabaseArgs())
	e := res.external
	if e.Port != 5432 || e.User != "pachyderm" || !e.CreateDatabases {
		t.Errorf("ExternalDatabase = port %d, user %q, createDatabases %v; want 5432, pachyderm, true", e.Port, e.User, e.CreateDatabases)
	}
	if got, want := resolve(t, e.Host), mocktest.String(t, dbInstance(t, res.cloud).Outputs, "address"); got != want || want == "" {
		t.Errorf("Host = %q, want the instance's address %q", got, want)
	}
	if res.hostSecret {
		t.Error("Host is a secret; only the password is")
	}
	var deps []string
	for _, d := range e.DependsOn {
		deps = append(deps, typeOf(t, d))
	}
	if want := []string{dbInstanceType, dbIngressType}; !slices.Equal(deps, want) {
		t.Errorf("DependsOn %v, want %v", deps, want)
	}
}

// TestDatabase_OneIngressRulePerNodeGroup: every node security group is admitted, by
// a rule of its own.
func TestDatabase_OneIngressRulePerNodeGroup(t *testing.T) {
	args := testDatabaseArgs()
	args.NodeSecurityGroupIDs = []pulumi.StringInput{pulumi.String("sg-a"), pulumi.String("sg-b")}
	var got []string
	for _, r := range runDatabase(t, args).cloud.OfType(dbIngressType) {
		got = append(got, mocktest.MustString(t, r, "referencedSecurityGroupId"))
	}
	slices.Sort(got)
	if want := []string{"sg-a", "sg-b"}; !slices.Equal(got, want) {
		t.Errorf("ingress from %v, want %v", got, want)
	}
}

func TestNewDatabase_InvalidArgsListsAllProblems(t *testing.T) {
	args := DatabaseArgs{
		Identifier:           "Pachyderm--DB",
		NodeSecurityGroupIDs: []pulumi.StringInput{nil},
		EngineVersion:        "14",
		InstanceClass:        "t4g.medium",
		StorageGB:            10,
		BackupDays:           3,
		Tags:                 map[string]string{"aws:reserved": "x"},
	}
	cloud := offline.New("pachdeploy", "test", standIns)
	err := cloud.Run(func(ctx *pulumi.Context) error {
		_, err := NewDatabase(ctx, "db", &args)
		return err
	})
	want := []string{"Identifier", "VpcID", "SubnetIDs", "NodeSecurityGroupIDs[0]", "EngineVersion", "InstanceClass",
		"StorageGB", "BackupDays", "Tags"}
	if got := problemFields(t, err); !slices.Equal(got, want) {
		t.Errorf("problems on %v, want %v", got, want)
	}
	if len(cloud.Resources()) != 0 {
		t.Errorf("registered %d resources before validating", len(cloud.Resources()))
	}
}

func TestNewDatabase_NodeSecurityGroupsRequired(t *testing.T) {
	args := testDatabaseArgs()
	args.NodeSecurityGroupIDs = nil
	err := offline.New("pachdeploy", "test", standIns).Run(func(ctx *pulumi.Context) error {
		_, err := NewDatabase(ctx, "db", args)
		return err
	})
	if got := problemFields(t, err); !slices.Equal(got, []string{"NodeSecurityGroupIDs"}) {
		t.Errorf("problems on %v, want NodeSecurityGroupIDs", got)
	}
}

// toStrings converts a plain list of strings.
func toStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}
