package pachyderm

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// The databases Pachyderm needs on a managed server: pachd's own and the identity
// service's (dex).
const (
	PachydermDatabase = "pachyderm"
	DexDatabase       = "dex"
)

// ExternalDatabase is a managed PostgreSQL server (RDS, Cloud SQL, Azure Database for
// PostgreSQL) that Pachyderm uses instead of the chart's in-cluster one. Each cloud's
// database component describes its server with it; the release turns it into chart
// values and a Kubernetes Secret, so the password never sits in the release values.
type ExternalDatabase struct {
	// Host is the server's private address (DNS name or IP). Required.
	Host pulumi.StringInput
	// Port is the server's port. Default 5432.
	Port int
	// User is the role pachd and dex connect as. Required.
	User string
	// Password is User's password. Required; a Pulumi secret, written only into a
	// Kubernetes Secret that the chart reads by name.
	Password pulumi.StringInput
	// CreateDatabases makes the release create PachydermDatabase and DexDatabase
	// itself, from inside the cluster, before pachd starts (the server is private, so
	// the deploying machine cannot reach it). False when the cloud's API has made them
	// already (Cloud SQL and the flexible server have database resources; RDS makes one).
	CreateDatabases bool
	// DependsOn lists what must exist before anything connects: the server, its
	// databases, the network rules that admit the cluster.
	DependsOn []pulumi.Resource
}
