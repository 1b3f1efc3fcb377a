package pachyderm

import (
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	jobType = "kubernetes:batch/v1:Job"
	// dbPassword is the managed server's password: it must reach the cluster only
	// inside the bootstrap Secret.
	dbPassword = "canary-db-password-5c1e"
	dbHost     = "pachdeploy-dev.abc123.us-west-2.rds.amazonaws.com"
)

// managed is program with a managed database whose DependsOn is a stand-in "server"
// resource; mutate adjusts the database.
func managed(mutate func(*ExternalDatabase)) pulumi.RunFunc {
	return program(func(ctx *pulumi.Context, a *PachydermArgs) error {
		server, err := kubernetes.NewProvider(ctx, "database-stand-in", &kubernetes.ProviderArgs{})
		if err != nil {
			return err
		}
		d := &ExternalDatabase{
			// An output, as a cloud's server address is: known only after it is created.
			Host:            pulumi.String(dbHost).ToStringOutput(),
			User:            "pachyderm_admin",
			Password:        pulumi.ToSecret(pulumi.String(dbPassword)).(pulumi.StringOutput),
			CreateDatabases: true,
			DependsOn:       []pulumi.Resource{server},
		}
		if mutate != nil {
			mutate(d)
		}
		a.Database = d
		return nil
	})
}

// TestRelease_ManagedDatabaseValues: the chart is pointed at the managed server with
// TLS and without its own PostgreSQL; the password is read by Secret name only.
func TestRelease_ManagedDatabaseValues(t *testing.T) {
	cloud := mocktest.Run(t, managed(nil))
	r := mocktest.One(t, cloud, releaseType)
	for path, want := range map[string]any{
		"values.postgresql.enabled":                                 false,
		"values.global.postgresql.postgresqlHost":                   dbHost,
		"values.global.postgresql.postgresqlPort":                   "5432",
		"values.global.postgresql.postgresqlUsername":               "pachyderm_admin",
		"values.global.postgresql.postgresqlDatabase":               PachydermDatabase,
		"values.global.postgresql.postgresqlSSL":                    "require",
		"values.global.postgresql.ssl":                              true,
		"values.global.postgresql.identityDatabaseFullNameOverride": DexDatabase,
		"values.global.postgresql.postgresqlExistingSecretName":     bootstrapSecretName,
		"values.global.postgresql.postgresqlExistingSecretKey":      keyPostgresPassword,
		"values.global.postgresql.postgresqlPassword":               "",
		"values.global.postgresql.postgresqlPostgresPassword":       "",
		"values.etcd.storageClass":                                  "gp3",
		"values.loki-stack.loki.persistence.storageClassName":       "gp3",
	} {
		if got := mocktest.MustFind(t, r.Inputs, path).Value.V; got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	// Gone with the subchart: its volume's class and its own Secret reference.
	for _, path := range []string{"values.postgresql.persistence", "values.global.postgresql.existingSecret"} {
		if mocktest.Find(t, r.Inputs, path).Set {
			t.Errorf("%s is set without the in-cluster PostgreSQL", path)
		}
	}
	if mocktest.Holds(resource.NewObjectProperty(r.Inputs), dbPassword) {
		t.Error("the database password is in the release inputs")
	}
}

// TestRelease_ManagedDatabasePasswordInBootstrapSecret: the password the chart and the
// Job read is the managed server's, kept secret; no in-cluster passwords are made.
func TestRelease_ManagedDatabasePasswordInBootstrapSecret(t *testing.T) {
	cloud := mocktest.Run(t, managed(nil))
	s := mocktest.One(t, cloud, secretType)
	f := mocktest.MustFind(t, s.Inputs, "stringData."+keyPostgresPassword)
	if f.Value.V != dbPassword || !f.Secret {
		t.Errorf("bootstrap %s = %v (secret %v), want the server's password as a secret", keyPostgresPassword, f.Value.V, f.Secret)
	}
	if mocktest.Find(t, s.Inputs, "stringData."+keyPostgresRootPassword).Set {
		t.Errorf("bootstrap Secret keeps %s, the in-cluster server's root password", keyPostgresRootPassword)
	}
	// Four generated secrets: root token, enterprise secret, two OAuth secrets.
	if n := len(cloud.OfType(passwordType)); n != 4 {
		t.Errorf("%d random passwords, want 4", n)
	}
}

// TestCreateDatabasesJob: the Job reaches the server as the release will (host, port,
// user, sslmode require), reads the password from the bootstrap Secret, and runs
// locked down with a pinned image.
func TestCreateDatabasesJob(t *testing.T) {
	cloud := mocktest.Run(t, managed(func(d *ExternalDatabase) { d.Port = 6432 }))
	job := mocktest.One(t, cloud, jobType)
	const pod = "spec.template.spec."
	const c = pod + "containers[0]."
	for path, want := range map[string]any{
		"metadata.name":                                createDatabasesJobName,
		"metadata.namespace":                           DefaultNamespace,
		"spec.backoffLimit":                            float64(2),
		"spec.activeDeadlineSeconds":                   float64(createDatabasesDeadlineSeconds),
		pod + "restartPolicy":                          "Never",
		pod + "automountServiceAccountToken":           false,
		pod + "securityContext.runAsNonRoot":           true,
		pod + "securityContext.runAsUser":              float64(postgresUID),
		pod + "securityContext.seccompProfile.type":    "RuntimeDefault",
		c + "image":                                    "postgres:16.4-alpine",
		c + "securityContext.allowPrivilegeEscalation": false,
		c + "securityContext.readOnlyRootFilesystem":   true,
		c + "securityContext.capabilities.drop[0]":     "ALL",
		c + "resources.requests.memory":                "32Mi",
		c + "resources.limits.memory":                  "64Mi",
		c + "resources.limits.cpu":                     "200m",
	} {
		if got := mocktest.MustFind(t, job.Inputs, path).Value.V; got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	if mocktest.Find(t, job.Inputs, "spec.ttlSecondsAfterFinished").Set {
		t.Error("the Job deletes itself: every refresh would show it as drift and the next up would recreate it")
	}

	env := map[string]resource.PropertyValue{}
	for _, e := range mocktest.MustFind(t, job.Inputs, c+"env").Value.ArrayValue() {
		env[e.ObjectValue()["name"].StringValue()] = e
	}
	for name, want := range map[string]string{
		"PGHOST": dbHost, "PGPORT": "6432", "PGUSER": "pachyderm_admin", "PGDATABASE": "postgres", "PGSSLMODE": "require",
	} {
		if got := mocktest.Plain(env[name].ObjectValue()["value"]); got != want {
			t.Errorf("env %s = %v, want %q", name, got, want)
		}
	}
	ref := mocktest.Plain(resource.NewObjectProperty(env["PGPASSWORD"].ObjectValue()))
	if want := map[string]any{"name": "PGPASSWORD", "valueFrom": map[string]any{"secretKeyRef": map[string]any{
		"name": bootstrapSecretName, "key": keyPostgresPassword}}}; !equalPlain(ref, want) {
		t.Errorf("PGPASSWORD = %v, want a secretKeyRef to %s/%s", ref, bootstrapSecretName, keyPostgresPassword)
	}
	if mocktest.Holds(resource.NewObjectProperty(job.Inputs), dbPassword) {
		t.Error("the database password is in the Job spec")
	}
	script := mocktest.MustFind(t, job.Inputs, c+"command[2]").Value.StringValue()
	for _, want := range []string{
		"until psql", "sleep", "WHERE NOT EXISTS", `\gexec`, "ON_ERROR_STOP=1", "for db in pachyderm dex",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("the script lacks %q:\n%s", want, script)
		}
	}
}

// TestManagedDatabaseOrdering: the Job waits for the server (Database.DependsOn), the
// namespace and the Secret it reads; the release waits for the Job and the server.
func TestManagedDatabaseOrdering(t *testing.T) {
	cloud := mocktest.Run(t, managed(nil))
	server := mocktest.Named(t, cloud, "pulumi:providers:kubernetes", "database-stand-in")
	nodes := mocktest.Named(t, cloud, "pulumi:providers:kubernetes", "nodegroup-stand-in")
	job := mocktest.One(t, cloud, jobType)
	release := mocktest.One(t, cloud, releaseType)
	for _, tt := range []struct {
		r    offline.Resource
		deps []offline.Resource
	}{
		{job, []offline.Resource{server, nodes, mocktest.One(t, cloud, namespaceType), mocktest.One(t, cloud, secretType)}},
		{release, []offline.Resource{server, nodes, job}},
	} {
		for _, d := range tt.deps {
			if !mocktest.DependsOn(tt.r, d.URN) {
				t.Errorf("%s %s does not depend on %s %s: %v", tt.r.Type, tt.r.Name, d.Type, d.Name, tt.r.DependsOn)
			}
		}
	}
	if !strings.Contains(job.Provider, "pulumi:providers:kubernetes::cluster") || job.Parent == "" {
		t.Errorf("the Job uses provider %q, parent %q: want the cluster's, under the component", job.Provider, job.Parent)
	}
}

// TestCreateDatabasesJob_ReplacedCleanlyOnlyOnChange: Jobs are immutable, so a changed
// spec replaces the Job, the old one deleted first (they share a name); Pulumi waits
// longer than the Job's own deadline.
func TestCreateDatabasesJob_ReplacedCleanlyOnlyOnChange(t *testing.T) {
	spy := &optionsSpy{Cloud: offline.New(mocktest.Project, mocktest.Stack), opts: map[string]registered{}}
	if err := pulumi.RunErr(managed(nil), pulumi.WithMocks(mocktest.Project, mocktest.Stack, spy)); err != nil {
		t.Fatal(err)
	}
	got, ok := spy.opts["pachyderm-create-databases"]
	if !ok {
		t.Fatal("no Job registered")
	}
	if !got.deleteBeforeReplace || strings.Join(got.replaceOnChanges, ",") != "spec" || got.createTimeout != createDatabasesTimeout {
		t.Errorf("Job options %+v, want deleteBeforeReplace, replaceOnChanges [spec], create timeout %s", got, createDatabasesTimeout)
	}
	if release := spy.opts["pachyderm"]; release.deleteBeforeReplace || len(release.replaceOnChanges) > 0 {
		t.Errorf("the release is replaced with the Job: %+v", release)
	}
}

// registered is what a resource asked of the engine besides its inputs.
type registered struct {
	deleteBeforeReplace bool
	replaceOnChanges    []string
	createTimeout       string
}

// optionsSpy is the offline mock cloud that also records each resource's options,
// which offline.Resource does not keep.
type optionsSpy struct {
	*offline.Cloud
	opts map[string]registered
}

func (s *optionsSpy) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if rpc := args.RegisterRPC; rpc != nil {
		s.opts[args.Name] = registered{
			deleteBeforeReplace: rpc.GetDeleteBeforeReplace(),
			replaceOnChanges:    rpc.GetReplaceOnChanges(),
			createTimeout:       rpc.GetCustomTimeouts().GetCreate(),
		}
	}
	return s.Cloud.NewResource(args)
}

// TestManagedDatabase_NoJobWithoutCreateDatabases: where the cloud made the databases,
// nothing runs in the cluster, and the release still waits for the server.
func TestManagedDatabase_NoJobWithoutCreateDatabases(t *testing.T) {
	cloud := mocktest.Run(t, managed(func(d *ExternalDatabase) { d.CreateDatabases = false }))
	if jobs := cloud.OfType(jobType); len(jobs) != 0 {
		t.Errorf("%d Jobs, want none", len(jobs))
	}
	server := mocktest.Named(t, cloud, "pulumi:providers:kubernetes", "database-stand-in")
	if r := mocktest.One(t, cloud, releaseType); !mocktest.DependsOn(r, server.URN) {
		t.Errorf("the release does not wait for the server: %v", r.DependsOn)
	}
}

// TestInClusterDatabase_Unchanged: without Database the chart keeps its own PostgreSQL,
// as before: no Job, the subchart on by default, no connection values.
func TestInClusterDatabase_Unchanged(t *testing.T) {
	cloud := deploy(t, nil)
	if jobs := cloud.OfType(jobType); len(jobs) != 0 {
		t.Errorf("%d Jobs, want none", len(jobs))
	}
	r := mocktest.One(t, cloud, releaseType)
	for _, path := range []string{
		"values.postgresql.enabled", "values.global.postgresql.postgresqlHost", "values.global.postgresql.postgresqlSSL",
		"values.global.postgresql.ssl", "values.global.postgresql.identityDatabaseFullNameOverride",
	} {
		if mocktest.Find(t, r.Inputs, path).Set {
			t.Errorf("%s is set for the in-cluster PostgreSQL", path)
		}
	}
}

func TestNewPachyderm_InvalidDatabaseListsAll(t *testing.T) {
	for _, tt := range []struct {
		name   string
		db     ExternalDatabase
		fields []string
	}{
		{"empty", ExternalDatabase{}, []string{"Database.Host", "Database.User", "Database.Password"}},
		{"bad user and port", ExternalDatabase{Host: pulumi.String("h"), Password: pulumi.String("p"), User: "pach admin", Port: 70000},
			[]string{"Database.User", "Database.Port"}},
		{"a YAML boolean", ExternalDatabase{Host: pulumi.String("h"), Password: pulumi.String("p"), User: "Yes"}, []string{"Database.User"}},
		{"too long", ExternalDatabase{Host: pulumi.String("h"), Password: pulumi.String("p"), User: strings.Repeat("u", 64)},
			[]string{"Database.User"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cloud := offline.New(mocktest.Project, mocktest.Stack)
			err := cloud.Run(program(func(_ *pulumi.Context, a *PachydermArgs) error {
				a.Database = &tt.db
				return nil
			}))
			mocktest.WantProblems(t, err, tt.fields...)
			if n := len(cloud.OfType(releaseType)); n != 0 {
				t.Errorf("a release was registered despite invalid args")
			}
		})
	}
}

// TestWithDefaults_DatabasePortWithoutTouchingTheCaller: the default port is filled
// into a copy; the cloud component's ExternalDatabase stays as it was.
func TestWithDefaults_DatabasePortWithoutTouchingTheCaller(t *testing.T) {
	d := &ExternalDatabase{}
	a := PachydermArgs{Database: d}.withDefaults()
	if a.Database.Port != DefaultDatabasePort || d.Port != 0 {
		t.Errorf("defaulted port %d, caller's %d", a.Database.Port, d.Port)
	}
}

// equalPlain compares plain values (maps, lists, scalars) as built by mocktest.Plain.
func equalPlain(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, v := range a {
			if !equalPlain(v, bm[k]) {
				return false
			}
		}
		return true
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			return false
		}
		for i := range a {
			if !equalPlain(a[i], bl[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}
