package pachyderm

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	batchv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/batch/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The databases Pachyderm needs on a managed server: pachd's own and the identity
// service's (dex).
const (
	PachydermDatabase = "pachyderm"
	DexDatabase       = "dex"
)

// DefaultDatabasePort is ExternalDatabase.Port when unset: PostgreSQL's port, which
// RDS, Cloud SQL and the flexible server all listen on.
const DefaultDatabasePort = 5432

// ExternalDatabase is a managed PostgreSQL server (RDS, Cloud SQL, Azure Database for
// PostgreSQL) that Pachyderm uses instead of the chart's in-cluster one. Each cloud's
// database component describes its server with it; the release turns it into chart
// values and a Kubernetes Secret, so the password never sits in the release values.
type ExternalDatabase struct {
	// Host is the server's private address (DNS name or IP). Required.
	Host pulumi.StringInput `pulumi:"host"`
	// Port is the server's port. Default 5432.
	Port int `pulumi:"port,optional"`
	// User is the role pachd and dex connect as. Required.
	User string `pulumi:"user"`
	// Password is User's password. Required; a Pulumi secret, written only into a
	// Kubernetes Secret that the chart reads by name.
	Password pulumi.StringInput `pulumi:"password" provider:"secret"`
	// CreateDatabases makes the release create PachydermDatabase and DexDatabase
	// itself, from inside the cluster, before pachd starts (the server is private, so
	// the deploying machine cannot reach it). False when the cloud's API has made them
	// already (Cloud SQL and the flexible server have database resources; RDS makes one).
	CreateDatabases bool `pulumi:"createDatabases,optional"`
	// DependsOn lists what must exist before anything connects: the server, its
	// databases, the network rules that admit the cluster.
	DependsOn []pulumi.Resource
}

// databaseUser is a role name that is safe everywhere the chart writes it: pg-bouncer's
// POSTGRESQL_USERNAME is rendered unquoted (templates/pgbouncer/deployment.yaml), so a
// name YAML reads as something else (a number, a boolean, "x: y") breaks the render or
// the pod. 63 bytes is PostgreSQL's identifier limit.
var databaseUser = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]{0,62}$`)

// yamlNonStrings are the plain YAML 1.1 scalars that are not strings (booleans, null):
// role names the unquoted template would turn into another type.
var yamlNonStrings = map[string]bool{
	"y": true, "yes": true, "n": true, "no": true, "true": true, "false": true,
	"on": true, "off": true, "null": true,
}

// validateDatabase adds to p every invalid field of a managed database, Port defaulted.
func validateDatabase(p *rules.Problems, d *ExternalDatabase) {
	if d.Host == nil {
		p.Addf("Database.Host", "", "is required: the managed server's private address")
	}
	switch {
	case d.User == "":
		p.Addf("Database.User", "", "is required: the role pachd and dex connect as")
	case !databaseUser.MatchString(d.User) || yamlNonStrings[strings.ToLower(d.User)]:
		p.Addf("Database.User", d.User, "must be 1-63 letters, digits, _ or -, start with a letter or _, "+
			"and not be a YAML boolean or null (the chart writes it unquoted)")
	}
	if d.Password == nil {
		p.Addf("Database.Password", "", "is required (a Pulumi secret)")
	}
	if d.Port < 1 || d.Port > 65535 {
		p.Addf("Database.Port", fmt.Sprint(d.Port), "must be 1 to 65535")
	}
}

// The Job that creates the databases on a managed server (CreateDatabases).
const (
	// createDatabasesJobName is the Job's name in the release namespace.
	createDatabasesJobName = "pachdeploy-create-databases"
	// createDatabasesImage pins psql by exact tag: a floating tag (postgres:16-alpine)
	// would run whichever psql a node happens to pull, untested; pinned, the Job's
	// spec, and with it the Job, changes only when pachdeploy bumps the tag on purpose.
	// psql 16 talks to every server version pachdeploy offers (15 to 17); \gexec needs
	// any psql since 9.6. The alpine image is small and has a non-root user (uid 70).
	createDatabasesImage = "postgres:16.4-alpine"
	// postgresUID is the postgres user of the alpine image, so the Job never runs as
	// root.
	postgresUID = 70
	// createDatabasesDeadlineSeconds bounds the whole Job, waiting for the server
	// included: a new server's network rules and DNS can take minutes to apply.
	createDatabasesDeadlineSeconds = 600
	// createDatabasesTimeout is how long Pulumi waits for the Job to complete: longer
	// than its deadline, so a failing Job reports Kubernetes' own reason.
	createDatabasesTimeout = "15m"
)

// createDatabasesScript waits for the server, retrying with exponential backoff (2s
// doubling to 60s, bounded by the Job's activeDeadlineSeconds), then creates each
// database unless it exists: the \gexec query is idempotent, so a re-run (a replaced
// Job, a retried pod) changes nothing. The connection comes from the libpq
// environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGSSLMODE); psql -X reads no
// ~/.psqlrc and, not being interactive, writes no history: the root filesystem can be
// read-only. The SQL is piped rather than a heredoc so the shell needs no temp file.
var createDatabasesScript = fmt.Sprintf(`set -eu
delay=2
until psql -X -q -t -c 'SELECT 1' >/dev/null; do
  echo "waiting for PostgreSQL at $PGHOST:$PGPORT (sslmode $PGSSLMODE); retrying in ${delay}s"
  sleep "$delay"
  delay=$((delay * 2))
  if [ "$delay" -gt 60 ]; then delay=60; fi
done
for db in %s %s; do
  printf '%%s\n' "SELECT 'CREATE DATABASE $db' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$db')\gexec" |
    psql -X -q -v ON_ERROR_STOP=1
  echo "database $db is present"
done
`, PachydermDatabase, DexDatabase)

// newCreateDatabasesJob creates the Kubernetes Job that makes PachydermDatabase and
// DexDatabase on the managed server d from inside the cluster, reading the password
// from the bootstrap Secret. Pulumi's Kubernetes provider waits for a Job to
// complete, so what depends on it starts only once both databases exist.
func newCreateDatabasesJob(ctx *pulumi.Context, name string, d *ExternalDatabase, namespace pulumi.StringInput,
	opts ...pulumi.ResourceOption) (*batchv1.Job, error) {
	labels := pulumi.StringMap{
		"app.kubernetes.io/name":       pulumi.String(createDatabasesJobName),
		"app.kubernetes.io/managed-by": pulumi.String("pachdeploy"),
	}
	env := corev1.EnvVarArray{
		corev1.EnvVarArgs{Name: pulumi.String("PGHOST"), Value: d.Host},
		corev1.EnvVarArgs{Name: pulumi.String("PGPORT"), Value: pulumi.String(fmt.Sprint(d.Port))},
		corev1.EnvVarArgs{Name: pulumi.String("PGUSER"), Value: pulumi.String(d.User)},
		// Every managed server has this maintenance database; CREATE DATABASE runs there.
		corev1.EnvVarArgs{Name: pulumi.String("PGDATABASE"), Value: pulumi.String("postgres")},
		// The same mode as pachd and pg-bouncer (databaseSSLMode says why).
		corev1.EnvVarArgs{Name: pulumi.String("PGSSLMODE"), Value: pulumi.String(databaseSSLMode)},
		// One unreachable attempt must not eat the deadline.
		corev1.EnvVarArgs{Name: pulumi.String("PGCONNECT_TIMEOUT"), Value: pulumi.String("10")},
		corev1.EnvVarArgs{Name: pulumi.String("PGPASSWORD"), ValueFrom: &corev1.EnvVarSourceArgs{
			SecretKeyRef: &corev1.SecretKeySelectorArgs{
				Name: pulumi.String(bootstrapSecretName), Key: pulumi.String(keyPostgresPassword),
			},
		}},
	}
	return batchv1.NewJob(ctx, name+"-create-databases", &batchv1.JobArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name:      pulumi.String(createDatabasesJobName),
			Namespace: namespace,
			Labels:    labels,
		},
		Spec: &batchv1.JobSpecArgs{
			// A pod that fails for another reason than the wait (a refused password) is
			// retried twice; the deadline bounds everything.
			BackoffLimit:          pulumi.Int(2),
			ActiveDeadlineSeconds: pulumi.Int(createDatabasesDeadlineSeconds),
			// No ttlSecondsAfterFinished: a Job the cluster deletes by itself would show
			// as drift in every refresh and be created again by the next up.
			Template: &corev1.PodTemplateSpecArgs{
				Metadata: &metav1.ObjectMetaArgs{Labels: labels},
				Spec: &corev1.PodSpecArgs{
					RestartPolicy: pulumi.String("Never"),
					// psql needs no Kubernetes API access.
					AutomountServiceAccountToken: pulumi.Bool(false),
					SecurityContext: &corev1.PodSecurityContextArgs{
						RunAsNonRoot:   pulumi.Bool(true),
						RunAsUser:      pulumi.Int(postgresUID),
						RunAsGroup:     pulumi.Int(postgresUID),
						SeccompProfile: &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
					},
					Containers: corev1.ContainerArray{corev1.ContainerArgs{
						Name:    pulumi.String("create-databases"),
						Image:   pulumi.String(createDatabasesImage),
						Command: pulumi.StringArray{pulumi.String("/bin/sh"), pulumi.String("-c"), pulumi.String(createDatabasesScript)},
						Env:     env,
						SecurityContext: &corev1.SecurityContextArgs{
							AllowPrivilegeEscalation: pulumi.Bool(false),
							ReadOnlyRootFilesystem:   pulumi.Bool(true),
							Capabilities:             &corev1.CapabilitiesArgs{Drop: pulumi.StringArray{pulumi.String("ALL")}},
						},
						Resources: &corev1.ResourceRequirementsArgs{
							Requests: pulumi.StringMap{"cpu": pulumi.String("10m"), "memory": pulumi.String("32Mi")},
							Limits:   pulumi.StringMap{"cpu": pulumi.String("200m"), "memory": pulumi.String("64Mi")},
						},
					}},
				},
			},
		},
	}, slices.Concat(opts, []pulumi.ResourceOption{
		// A Job's pod template is immutable: any change to the spec replaces the Job,
		// deleting the old one first since both have the same name. Unchanged inputs
		// (the usual up) leave it alone, so it runs once.
		pulumi.ReplaceOnChanges([]string{"spec"}),
		pulumi.DeleteBeforeReplace(true),
		pulumi.Timeouts(&pulumi.CustomTimeouts{Create: createDatabasesTimeout, Update: createDatabasesTimeout}),
	})...)
}
