package gcp

import (
	"path/filepath"

	"github.com/pachdeploy/pachdeploy/components/gcp/settings"
	"github.com/pachdeploy/pachdeploy/target"
)

// Target is everything pachdeploy knows of GCP: settings, the deploy, what holds data,
// the plugins, the credentials, the kubeconfig helper and the offline plan's stand-ins.
var Target = target.Target{
	Settings: settings.Target,
	Deploy:   deployGCP,
	DataBearing: []target.DataBearing{
		{Type: "gcp:storage/bucket:Bucket", Holds: "GCS bucket with Pachyderm's data or its access logs", Kept: true},
		{Type: "gcp:container/cluster:Cluster", Holds: "GKE cluster running Pachyderm and, with the in-cluster database, its metadata"},
		{Type: "gcp:sql/databaseInstance:DatabaseInstance", Holds: "Cloud SQL instance with Pachyderm's metadata database", Kept: true},
	},
	Plugins: []target.Plugin{
		{Name: "gcp", Module: "github.com/pulumi/pulumi-gcp/sdk/v9"},
		target.KubernetesPlugin, target.RandomPlugin,
	},
	Credentials: target.Credentials{
		What:      "Google Cloud credentials (GOOGLE_APPLICATION_CREDENTIALS, GOOGLE_CREDENTIALS, CLOUDSDK_AUTH_ACCESS_TOKEN or gcloud application-default login)",
		EnvGroups: [][]string{{"GOOGLE_APPLICATION_CREDENTIALS"}, {"GOOGLE_CREDENTIALS"}, {"CLOUDSDK_AUTH_ACCESS_TOKEN"}},
		Files:     []string{filepath.Join(".config", "gcloud", "application_default_credentials.json")},
		Fix:       "run `gcloud auth application-default login`, or export GOOGLE_APPLICATION_CREDENTIALS",
	},
	KubeconfigHelper: target.Helper{Command: "gke-gcloud-auth-plugin", Required: true,
		What: "kubeconfig helper `gke-gcloud-auth-plugin`",
		Fix:  "gcloud components install gke-gcloud-auth-plugin"},
	StandIns: standIns,
	Rules:    checks,
}
