package azure

import (
	"path/filepath"

	"github.com/pachdeploy/pachdeploy/components/azure/internal/native"
	"github.com/pachdeploy/pachdeploy/components/azure/settings"
	"github.com/pachdeploy/pachdeploy/target"
)

// Target is everything pachdeploy knows of Azure: settings, the deploy, what holds
// data, the plugins, the credentials, the kubeconfig helper and the offline plan's
// stand-ins. Destroy keeps the storage account, its container, the cluster's Log
// Analytics workspace, a managed database's server and databases (with the subnet, DNS
// zone and VNet that keep it reachable) and the resource group holding them (deleting
// a group deletes everything in it).
var Target = target.Target{
	Settings: settings.Target,
	Deploy:   deployAzure,
	DataBearing: []target.DataBearing{
		{Type: "azure-native:storage:StorageAccount", Holds: "storage account with Pachyderm's data", Kept: true},
		{Type: "azure-native:storage:BlobContainer", Holds: "blob container with Pachyderm's data", Kept: true},
		{Type: "azure-native:operationalinsights:Workspace", Holds: "Log Analytics workspace with the cluster's logs", Kept: true},
		{Type: native.ServerType, Holds: "PostgreSQL flexible server with Pachyderm's metadata database", Kept: true},
		{Type: native.DatabaseType, Holds: "PostgreSQL database with Pachyderm's metadata", Kept: true},
		{Type: "azure-native:containerservice:ManagedCluster", Holds: "AKS cluster running Pachyderm and its metadata database"},
	},
	Plugins: []target.Plugin{
		{Name: "azure-native", Module: "github.com/pulumi/pulumi-azure-native-sdk/v2"},
		target.KubernetesPlugin, target.RandomPlugin,
	},
	Credentials: target.Credentials{
		What: "Azure credentials (ARM_CLIENT_ID/ARM_CLIENT_SECRET, ARM_USE_OIDC, ARM_USE_MSI, AZURE_CLIENT_ID or az login)",
		EnvGroups: [][]string{{"ARM_CLIENT_ID", "ARM_CLIENT_SECRET"}, {"ARM_CLIENT_ID", "ARM_USE_OIDC"},
			{"ARM_CLIENT_ID", "ARM_CLIENT_CERTIFICATE_PATH"}, {"ARM_USE_MSI"}, {"AZURE_CLIENT_ID"}},
		Files: []string{filepath.Join(".azure", "azureProfile.json")},
		Fix:   "run `az login`, or export ARM_CLIENT_ID, ARM_CLIENT_SECRET, ARM_TENANT_ID and ARM_SUBSCRIPTION_ID",
	},
	KubeconfigHelper: target.Helper{Command: "kubelogin",
		What: "kubeconfig helper `kubelogin` (needed with entraIdAuth, and with `az login` as the deploying principal)",
		Fix:  "az aks install-cli"},
	StandIns: standIns,
	Rules:    checks,
}
