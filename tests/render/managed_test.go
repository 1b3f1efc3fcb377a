package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/stacks/plan"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The managed server the managed-database case points Pachyderm at.
const (
	managedHost     = "pachdeploy-dev.cluster-abc.us-west-2.rds.amazonaws.com"
	managedUser     = "pachyderm_admin"
	managedPassword = "canary-managed-db-password-71d0"
	managedClass    = "gp3"
)

// TestHelmRenderManagedDatabase renders the chart with the values the release sends on
// a managed PostgreSQL (the component run under mocks: the stack settings do not reach
// it yet) and checks that the in-cluster PostgreSQL is gone, that pachd and pg-bouncer
// connect to the managed server with TLS, and that the Secret they read the password
// from is the one the component creates.
func TestHelmRenderManagedDatabase(t *testing.T) {
	helm, chart := renderTools(t)
	cloud := mocktest.Run(t, func(ctx *pulumi.Context) error {
		k8s, err := kubernetes.NewProvider(ctx, "cluster", &kubernetes.ProviderArgs{})
		if err != nil {
			return err
		}
		_, err = pachyderm.NewPachyderm(ctx, "pachyderm", &pachyderm.PachydermArgs{
			KubernetesProvider: k8s,
			Storage:            pachyderm.Storage{Backend: pachyderm.Amazon, Bucket: "pach-data", Region: "us-west-2"},
			StorageClass:       managedClass,
			Database: &pachyderm.ExternalDatabase{
				Host:            pulumi.String(managedHost).ToStringOutput(),
				User:            managedUser,
				Password:        pulumi.ToSecret(pulumi.String(managedPassword)).(pulumi.StringOutput),
				CreateDatabases: true,
			},
		})
		return err
	})
	rel := mocktest.One(t, cloud, typeRelease)
	values := planValue(rel.Inputs["values"]).(map[string]any)
	ns := mocktest.MustFind(t, rel.Inputs, "namespace").Value.StringValue()

	for _, msg := range policy.PlaintextSecrets(values) {
		t.Errorf("release values: %s", msg)
	}
	for _, msg := range checkCanaries(values, []string{managedPassword}) {
		t.Errorf("release values: %s", msg)
	}
	if msgs := policy.ExternalDatabaseTLS(map[string]any{"values": values}); len(msgs) > 0 {
		t.Errorf("release values: %s", strings.Join(msgs, "; "))
	}

	objs := render(t, helm, chart, ns, renderable(values))
	for _, o := range objs {
		if strings.Contains(o.source, "/charts/postgresql/") || kindOf(o.m) == "StatefulSet" && metaName(o.m) == "postgres" {
			t.Errorf("%s is rendered: the in-cluster PostgreSQL should be off", o)
		}
		if kindOf(o.m) == "PersistentVolumeClaim" || kindOf(o.m) == "StatefulSet" {
			if n, _ := str(o.m, "metadata", "name"); strings.Contains(n, "postgres") {
				t.Errorf("%s is rendered: a volume for the in-cluster PostgreSQL", o)
			}
		}
	}
	for _, msg := range checkStorageClasses(objs, managedClass) {
		t.Errorf("%s", msg)
	}

	var secrets []secretObj
	for _, s := range cloud.OfType(typeSecret) {
		secret := secretObj{namespace: mocktest.MustFind(t, s.Inputs, "metadata.namespace").Value.StringValue(),
			name: mocktest.MustFind(t, s.Inputs, "metadata.name").Value.StringValue(), origin: "component resource " + s.Name}
		// Under mocks the Secret's keys are known (a plan hides them), so each key a pod
		// reads is checked too.
		secret.keys, secret.keysKnown = secretKeys(mocktest.Plain(resource.NewObjectProperty(s.Inputs)).(map[string]any))
		secrets = append(secrets, secret)
	}
	for _, msg := range checkSecretRefs(objs, ns, secrets) {
		t.Errorf("%s", msg)
	}

	password := map[string]any{"secretKeyRef": map[string]any{"name": "pachdeploy-bootstrap", "key": "postgresql-password"}}
	for _, tt := range []struct {
		kind, name, container string
		env                   map[string]any // a string value, or a valueFrom map
	}{
		{"Deployment", "pachd", "pachd", map[string]any{
			"POSTGRES_HOST": managedHost, "POSTGRES_PORT": "5432", "POSTGRES_USER": managedUser,
			"POSTGRES_DATABASE": "pachyderm", "POSTGRES_SSL": "require", "IDENTITY_SERVER_DATABASE": "dex",
			"POSTGRES_PASSWORD": password,
		}},
		{"Deployment", "pg-bouncer", "pg-bouncer", map[string]any{
			"POSTGRESQL_HOST": managedHost, "POSTGRESQL_PORT": "5432", "POSTGRESQL_USERNAME": managedUser,
			"POSTGRESQL_DATABASE": "pachyderm", "PGBOUNCER_SERVER_TLS_SSLMODE": "require",
			"POSTGRESQL_PASSWORD": password,
		}},
	} {
		env, err := containerEnv(objs, tt.kind, tt.name, tt.container)
		if err != nil {
			t.Error(err)
			continue
		}
		for name, want := range tt.env {
			got, ok := env[name]
			if !ok {
				t.Errorf("%s %s container %s has no env %s; want %v", tt.kind, tt.name, tt.container, name, want)
				continue
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s %s container %s env %s = %v, want %v", tt.kind, tt.name, tt.container, name, got, want)
			}
		}
	}
	t.Logf("rendered %d objects; checked %d volume claims and %d Secret reads (of %v)",
		len(objs), countClaims(objs), len(allRefs(objs)), refNames(objs))
}

// containerEnv is a rendered workload's container's env: each variable's value, or
// its valueFrom map.
func containerEnv(objs []object, kind, name, container string) (map[string]any, error) {
	for _, o := range objs {
		if kindOf(o.m) != kind || metaName(o.m) != name {
			continue
		}
		containers, _ := get(podSpec(o.m), "containers").([]any)
		for _, c := range containers {
			if cname, _ := get(c, "name").(string); cname != container {
				continue
			}
			out := map[string]any{}
			list, _ := get(c, "env").([]any)
			for _, e := range list {
				ename, _ := get(e, "name").(string)
				if v := get(e, "valueFrom"); v != nil {
					out[ename] = v
				} else {
					out[ename] = get(e, "value")
				}
			}
			return out, nil
		}
		return nil, fmt.Errorf("%s has no container %q", o, container)
	}
	return nil, fmt.Errorf("the render has no %s %s", kind, name)
}

// planValue is v as the offline plan shows it: plain values with every secret as
// plan.Secret, so the render sees what a plan-based case would.
func planValue(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return plan.Secret
	case v.IsObject():
		m := map[string]any{}
		for k, e := range v.ObjectValue() {
			m[string(k)] = planValue(e)
		}
		return m
	case v.IsArray():
		l := []any{}
		for _, e := range v.ArrayValue() {
			l = append(l, planValue(e))
		}
		return l
	}
	return v.V
}
