package azure

import (
	"strings"

	"github.com/pachdeploy/pachdeploy/components/azure/internal/native"
	"github.com/pulumi/pulumi-azure-native-sdk/containerservice/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Container Insights (CKV_AZURE_4): AKS's monitoring add-on sends the cluster's
// container logs, events and inventory to a Log Analytics workspace.
const (
	// MonitoringAddon is AKS's name for the Container Insights add-on.
	MonitoringAddon = "omsagent"
	// LogRetentionDays is how long the workspace keeps logs: the 30 days PerGB2018
	// keeps without a retention charge.
	LogRetentionDays = 30
	// LogAnalyticsSku is the pay-per-GB tier.
	LogAnalyticsSku = "PerGB2018"
	// containerInsightsStreams is what the agents collect: Container Insights' default
	// group (logs, events, inventory, performance), as `az aks enable-addons` sets.
	containerInsightsStreams = "Microsoft-ContainerInsights-Group-Default"
	// workspaceDestination names the workspace within the data collection rule.
	workspaceDestination = "la-workspace"
)

// insights is the cluster's monitoring: the workspace and the data collection rule that
// tells the add-on's agents what to send there.
type insights struct {
	workspace *native.Workspace
	rule      *native.DataCollectionRule
}

// newInsights makes the Log Analytics workspace (kept on destroy unless
// DeleteLogsOnDestroy) and the data collection rule. The add-on signs in to the
// workspace with its managed identity (useAADAuth), rather than the workspace's shared
// key; in that mode the agents read what to collect from a data collection rule
// associated with the cluster, which `az aks enable-addons` makes client-side and AKS
// does not, so pachdeploy makes both.
func newInsights(ctx *pulumi.Context, name string, a ClusterArgs, parent pulumi.ResourceOption) (*insights, error) {
	tags := pulumi.ToStringMap(a.Tags)
	workspace, err := native.NewWorkspace(ctx, name+"-logs", &native.WorkspaceArgs{
		ResourceGroupName: a.ResourceGroupName,
		WorkspaceName:     pulumi.String(workspaceName(a.Name)),
		Location:          pulumi.String(a.Location),
		Sku:               &native.WorkspaceSkuArgs{Name: pulumi.String(LogAnalyticsSku)},
		RetentionInDays:   pulumi.Int(LogRetentionDays),
		Tags:              tags,
	}, parent, pulumi.RetainOnDelete(!a.DeleteLogsOnDestroy))
	if err != nil {
		return nil, err
	}
	streams := pulumi.StringArray{pulumi.String(containerInsightsStreams)}
	rule, err := native.NewDataCollectionRule(ctx, name+"-insights", &native.DataCollectionRuleArgs{
		ResourceGroupName:      a.ResourceGroupName,
		DataCollectionRuleName: pulumi.String(ruleName(a.Location, a.Name)),
		Location:               pulumi.String(a.Location),
		Kind:                   pulumi.String("Linux"),
		DataSources: &native.DataCollectionRuleDataSourcesArgs{Extensions: []native.ExtensionDataSourceArgs{{
			Name:          pulumi.String("ContainerInsightsExtension"),
			ExtensionName: pulumi.String("ContainerInsights"),
			ExtensionSettings: pulumi.Map{"dataCollectionSettings": pulumi.Map{
				"enableContainerLogV2": pulumi.Bool(true),
			}},
			Streams: streams,
		}}},
		DataFlows: []native.DataFlowArgs{{Streams: streams, Destinations: pulumi.StringArray{pulumi.String(workspaceDestination)}}},
		Destinations: &native.DataCollectionRuleDestinationsArgs{LogAnalytics: []native.LogAnalyticsDestinationArgs{{
			Name:                pulumi.String(workspaceDestination),
			WorkspaceResourceId: workspace.ID().ToStringOutput(),
		}}},
		Tags: tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	return &insights{workspace: workspace, rule: rule}, nil
}

// addons turns the monitoring add-on on, sending to the workspace as its managed
// identity.
func (i *insights) addons() containerservice.ManagedClusterAddonProfileMap {
	return containerservice.ManagedClusterAddonProfileMap{
		MonitoringAddon: &containerservice.ManagedClusterAddonProfileArgs{
			Enabled: pulumi.Bool(true),
			Config: pulumi.StringMap{
				"logAnalyticsWorkspaceResourceID": i.workspace.ID().ToStringOutput(),
				"useAADAuth":                      pulumi.String("true"),
			},
		},
	}
}

// associate applies the data collection rule to the cluster's agents, under the name
// the add-on looks for.
func (i *insights) associate(ctx *pulumi.Context, name string, cluster *containerservice.ManagedCluster,
	parent pulumi.ResourceOption) (*native.DataCollectionRuleAssociation, error) {
	return native.NewDataCollectionRuleAssociation(ctx, name+"-insights", &native.DataCollectionRuleAssociationArgs{
		ResourceUri:          cluster.ID().ToStringOutput(),
		AssociationName:      pulumi.String("ContainerInsightsExtension"),
		DataCollectionRuleId: i.rule.ID().ToStringOutput(),
		Description:          pulumi.String("sends the cluster's Container Insights data to its Log Analytics workspace"),
	}, parent)
}

// workspaceName is the cluster's workspace: <cluster>-logs, in the workspace name
// rules (4-63 letters, digits and '-', alphanumeric at both ends).
func workspaceName(clusterName string) string {
	return dnsPrefix(clusterName) + "-logs"
}

// ruleName is the data collection rule's name as `az aks enable-addons` makes it,
// MSCI-<location>-<cluster>, cut to the 64 characters a rule name may have.
func ruleName(location, clusterName string) string {
	s := "MSCI-" + location + "-" + dnsPrefix(clusterName)
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.TrimRight(s, "-")
}
