package azure

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
)

// Resource types of the cluster's monitoring.
const (
	tWorkspace   = "azure-native:operationalinsights:Workspace"
	tRule        = "azure-native:insights:DataCollectionRule"
	tAssociation = "azure-native:insights:DataCollectionRuleAssociation"
)

// TestCluster_CKV_AZURE_4_ContainerInsights: the monitoring add-on sends to a workspace
// of the cluster's own as its managed identity, through a data collection rule
// associated with the cluster.
func TestCluster_CKV_AZURE_4_ContainerInsights(t *testing.T) {
	cloud := runCluster(t, validClusterArgs())
	workspace, rule := mocktest.One(t, cloud, tWorkspace), mocktest.One(t, cloud, tRule)
	aks, association := mocktest.One(t, cloud, tManagedCluster), mocktest.One(t, cloud, tAssociation)
	wantInputs(t, workspace, map[string]any{
		"workspaceName":     "pachdeploy-dev-logs",
		"resourceGroupName": "pachdeploy-dev",
		"location":          "centralus",
		"sku.name":          LogAnalyticsSku,
		"retentionInDays":   float64(LogRetentionDays),
	})
	wantInputs(t, aks, map[string]any{
		"addonProfiles.omsagent.enabled":           true,
		"addonProfiles.omsagent.config.useAADAuth": "true",
	})
	for _, ref := range []struct {
		r    string
		path string
		got  string
		want string
	}{
		{"add-on", "addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID",
			mocktest.MustString(t, aks, "addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID"), workspace.ID},
		{"rule", "destinations.logAnalytics[0].workspaceResourceId",
			mocktest.MustString(t, rule, "destinations.logAnalytics[0].workspaceResourceId"), workspace.ID},
		{"association", "resourceUri", mocktest.MustString(t, association, "resourceUri"), aks.ID},
		{"association", "dataCollectionRuleId", mocktest.MustString(t, association, "dataCollectionRuleId"), rule.ID},
	} {
		if ref.got != ref.want {
			t.Errorf("%s %s = %q, want %q", ref.r, ref.path, ref.got, ref.want)
		}
	}
	wantInputs(t, rule, map[string]any{
		"dataCollectionRuleName": "MSCI-centralus-pachdeploy-dev",
		"kind":                   "Linux",
		"dataSources.extensions[0].extensionName": "ContainerInsights",
		"dataSources.extensions[0].streams[0]":    containerInsightsStreams,
		"dataFlows[0].streams[0]":                 containerInsightsStreams,
		"dataFlows[0].destinations[0]":            workspaceDestination,
		"destinations.logAnalytics[0].name":       workspaceDestination,
	})
	wantInputs(t, association, map[string]any{"associationName": "ContainerInsightsExtension"})
}

func TestCluster_LogsRetainedUnlessDeleteLogsOnDestroy(t *testing.T) {
	for _, deleteLogs := range []bool{false, true} {
		t.Run(fmt.Sprintf("DeleteLogsOnDestroy=%v", deleteLogs), func(t *testing.T) {
			args := validClusterArgs()
			args.DeleteLogsOnDestroy = deleteLogs
			if r := mocktest.One(t, runCluster(t, args), tWorkspace); r.RetainOnDelete == deleteLogs {
				t.Errorf("workspace retainOnDelete = %v, want %v", r.RetainOnDelete, !deleteLogs)
			}
		})
	}
}

func TestMonitoringNames(t *testing.T) {
	long := strings.Repeat("a", 63)
	tests := []struct {
		location, cluster, workspace, rule string
	}{
		{"centralus", "pachdeploy-dev", "pachdeploy-dev-logs", "MSCI-centralus-pachdeploy-dev"},
		{"westeurope", "pach_dev", "pach-dev-logs", "MSCI-westeurope-pach-dev"},
		{"australiasoutheast", long, strings.Repeat("a", 54) + "-logs", ("MSCI-australiasoutheast-" + long)[:64]},
	}
	for _, tt := range tests {
		t.Run(tt.cluster, func(t *testing.T) {
			if got := workspaceName(tt.cluster); got != tt.workspace || len(got) > 63 {
				t.Errorf("workspaceName(%q) = %q, want %q", tt.cluster, got, tt.workspace)
			}
			if got := ruleName(tt.location, tt.cluster); got != tt.rule {
				t.Errorf("ruleName(%q, %q) = %q, want %q", tt.location, tt.cluster, got, tt.rule)
			}
		})
	}
}
