package native

import (
	"errors"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Workspace mirrors operationalinsights.Workspace: a Log Analytics workspace.
type Workspace struct {
	pulumi.CustomResourceState

	// Name of the workspace.
	Name pulumi.StringOutput `pulumi:"name"`
}

// WorkspaceSkuArgs mirrors operationalinsights.WorkspaceSkuArgs.
type WorkspaceSkuArgs struct {
	// Name is the pricing tier, such as PerGB2018.
	Name pulumi.StringInput
}

// WorkspaceArgs mirrors the operationalinsights.WorkspaceArgs pachdeploy sets.
type WorkspaceArgs struct {
	// ResourceGroupName holds the workspace.
	ResourceGroupName pulumi.StringInput
	// WorkspaceName is the workspace's name.
	WorkspaceName pulumi.StringPtrInput
	// Location of the workspace.
	Location pulumi.StringPtrInput
	// Sku is the pricing tier.
	Sku *WorkspaceSkuArgs
	// RetentionInDays is how long logs are kept.
	RetentionInDays pulumi.IntPtrInput
	// Tags go on the workspace.
	Tags pulumi.StringMapInput
}

// NewWorkspace mirrors operationalinsights.NewWorkspace.
func NewWorkspace(ctx *pulumi.Context, name string, args *WorkspaceArgs, opts ...pulumi.ResourceOption) (*Workspace, error) {
	if args == nil || args.ResourceGroupName == nil {
		return nil, errors.New("missing one or more required arguments")
	}
	var sku pulumi.Input
	if args.Sku != nil {
		sku = pulumi.Map{"name": args.Sku.Name}
	}
	var r Workspace
	err := ctx.RegisterResource("azure-native:operationalinsights:Workspace", name, inputs(map[string]pulumi.Input{
		"resourceGroupName": args.ResourceGroupName,
		"workspaceName":     args.WorkspaceName,
		"location":          args.Location,
		"sku":               sku,
		"retentionInDays":   args.RetentionInDays,
		"tags":              args.Tags,
	}), &r, nativeOpts(opts)...)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// DataCollectionRule mirrors insights.DataCollectionRule: what an Azure Monitor agent
// collects and where it sends it.
type DataCollectionRule struct {
	pulumi.CustomResourceState

	// Name of the rule.
	Name pulumi.StringOutput `pulumi:"name"`
}

// DataCollectionRuleArgs mirrors the insights.DataCollectionRuleArgs pachdeploy sets.
type DataCollectionRuleArgs struct {
	// ResourceGroupName holds the rule.
	ResourceGroupName pulumi.StringInput
	// DataCollectionRuleName is the rule's name.
	DataCollectionRuleName pulumi.StringPtrInput
	// Location of the rule.
	Location pulumi.StringPtrInput
	// Kind is the agents' platform, such as Linux.
	Kind pulumi.StringPtrInput
	// DataSources are what the agents collect.
	DataSources *DataCollectionRuleDataSourcesArgs
	// DataFlows send streams to destinations.
	DataFlows []DataFlowArgs
	// Destinations are where the data goes.
	Destinations *DataCollectionRuleDestinationsArgs
	// Tags go on the rule.
	Tags pulumi.StringMapInput
}

// DataCollectionRuleDataSourcesArgs mirrors the insights.DataCollectionRuleDataSourcesArgs
// pachdeploy sets.
type DataCollectionRuleDataSourcesArgs struct {
	// Extensions are agent extensions' data sources, such as Container Insights'.
	Extensions []ExtensionDataSourceArgs
}

// ExtensionDataSourceArgs mirrors insights.ExtensionDataSourceArgs.
type ExtensionDataSourceArgs struct {
	// Name names the data source within the rule.
	Name pulumi.StringPtrInput
	// ExtensionName is the agent extension, such as ContainerInsights.
	ExtensionName pulumi.StringInput
	// ExtensionSettings are the extension's own settings.
	ExtensionSettings pulumi.Input
	// Streams are the streams the source feeds.
	Streams pulumi.StringArrayInput
}

// DataFlowArgs mirrors insights.DataFlowArgs.
type DataFlowArgs struct {
	// Streams are the streams that flow.
	Streams pulumi.StringArrayInput
	// Destinations name the destinations they flow to.
	Destinations pulumi.StringArrayInput
}

// DataCollectionRuleDestinationsArgs mirrors the insights.DataCollectionRuleDestinationsArgs
// pachdeploy sets.
type DataCollectionRuleDestinationsArgs struct {
	// LogAnalytics are Log Analytics workspaces.
	LogAnalytics []LogAnalyticsDestinationArgs
}

// LogAnalyticsDestinationArgs mirrors insights.LogAnalyticsDestinationArgs.
type LogAnalyticsDestinationArgs struct {
	// Name names the destination within the rule.
	Name pulumi.StringPtrInput
	// WorkspaceResourceId is the workspace's resource id.
	WorkspaceResourceId pulumi.StringPtrInput
}

// NewDataCollectionRule mirrors insights.NewDataCollectionRule.
func NewDataCollectionRule(ctx *pulumi.Context, name string, args *DataCollectionRuleArgs, opts ...pulumi.ResourceOption) (*DataCollectionRule, error) {
	if args == nil || args.ResourceGroupName == nil {
		return nil, errors.New("missing one or more required arguments")
	}
	var sources, destinations pulumi.Input
	if args.DataSources != nil {
		extensions := pulumi.Array{}
		for _, e := range args.DataSources.Extensions {
			extensions = append(extensions, inputs(map[string]pulumi.Input{
				"name": e.Name, "extensionName": e.ExtensionName, "extensionSettings": e.ExtensionSettings, "streams": e.Streams,
			}))
		}
		sources = pulumi.Map{"extensions": extensions}
	}
	flows := pulumi.Array{}
	for _, f := range args.DataFlows {
		flows = append(flows, inputs(map[string]pulumi.Input{"streams": f.Streams, "destinations": f.Destinations}))
	}
	if args.Destinations != nil {
		workspaces := pulumi.Array{}
		for _, w := range args.Destinations.LogAnalytics {
			workspaces = append(workspaces, inputs(map[string]pulumi.Input{"name": w.Name, "workspaceResourceId": w.WorkspaceResourceId}))
		}
		destinations = pulumi.Map{"logAnalytics": workspaces}
	}
	var r DataCollectionRule
	err := ctx.RegisterResource("azure-native:insights:DataCollectionRule", name, inputs(map[string]pulumi.Input{
		"resourceGroupName":      args.ResourceGroupName,
		"dataCollectionRuleName": args.DataCollectionRuleName,
		"location":               args.Location,
		"kind":                   args.Kind,
		"dataSources":            sources,
		"dataFlows":              flows,
		"destinations":           destinations,
		"tags":                   args.Tags,
	}), &r, nativeOpts(opts)...)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// DataCollectionRuleAssociation mirrors insights.DataCollectionRuleAssociation: it
// applies a rule to a resource's agents.
type DataCollectionRuleAssociation struct {
	pulumi.CustomResourceState
}

// DataCollectionRuleAssociationArgs mirrors the insights.DataCollectionRuleAssociationArgs
// pachdeploy sets.
type DataCollectionRuleAssociationArgs struct {
	// ResourceUri is the resource whose agents follow the rule.
	ResourceUri pulumi.StringInput
	// AssociationName is the association's name.
	AssociationName pulumi.StringPtrInput
	// DataCollectionRuleId is the rule's resource id.
	DataCollectionRuleId pulumi.StringPtrInput
	// Description says what the association is for.
	Description pulumi.StringPtrInput
}

// NewDataCollectionRuleAssociation mirrors insights.NewDataCollectionRuleAssociation.
func NewDataCollectionRuleAssociation(ctx *pulumi.Context, name string, args *DataCollectionRuleAssociationArgs,
	opts ...pulumi.ResourceOption) (*DataCollectionRuleAssociation, error) {
	if args == nil || args.ResourceUri == nil {
		return nil, errors.New("missing one or more required arguments")
	}
	var r DataCollectionRuleAssociation
	err := ctx.RegisterResource("azure-native:insights:DataCollectionRuleAssociation", name, inputs(map[string]pulumi.Input{
		"resourceUri":          args.ResourceUri,
		"associationName":      args.AssociationName,
		"dataCollectionRuleId": args.DataCollectionRuleId,
		"description":          args.Description,
	}), &r, nativeOpts(opts)...)
	if err != nil {
		return nil, err
	}
	return &r, nil
}
