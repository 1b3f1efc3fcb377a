// Package target describes a cloud pachdeploy deploys to. Each cloud has one Target
// value beside its components (components/aws.Target, components/gcp.Target,
// components/azure.Target) holding everything pachdeploy knows of it; stacks lists
// them in one literal, and config, doctor, the offline plan, the driver's data-at-risk
// warnings and destroy all read from there.
package target

import (
	"sort"

	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Target is one cloud.
type Target struct {
	// Settings are the cloud's config defaults, identity modes and the rules of its keys.
	Settings config.Target
	// Deploy builds the cloud's infrastructure for a resolved cfg: network, cluster,
	// bucket and identity, and what Pachyderm needs of them. opts go on every resource
	// it makes at the top (the provider package parents them to a deployment component).
	Deploy func(ctx *pulumi.Context, cfg *config.Config, opts ...pulumi.ResourceOption) (*Infra, error)
	// DataBearing lists the resource types whose replacement or deletion loses data.
	DataBearing []DataBearing
	// Plugins are the provider plugins a deploy to this cloud uses.
	Plugins []Plugin
	// Credentials tells doctor how to find the cloud's credentials.
	Credentials Credentials
	// KubeconfigHelper is the command the cluster's kubeconfig runs for tokens.
	KubeconfigHelper Helper
	// StandIns answer for the cloud in the offline plan: what only the cloud assigns.
	StandIns offline.StandIns
	// Rules are the cloud's policy rules (pachdeploy check); policy.Kubernetes holds
	// the ones every cloud shares.
	Rules []policy.Rule
}

// Infra is what a cloud hands to the cloud-neutral Pachyderm release.
type Infra struct {
	// Storage describes the bucket (or container) and any inline credentials.
	Storage pachyderm.Storage
	// Database is the cloud's managed PostgreSQL for Pachyderm's metadata (database:
	// managed). Default nil: the chart's in-cluster PostgreSQL.
	Database *pachyderm.ExternalDatabase
	// Annotations go on both Pachyderm service accounts (keyless identity).
	Annotations pulumi.StringMapInput
	// StorageClass names the class etcd, postgresql and Loki volumes use.
	StorageClass string
	// Kubernetes is the provider of the cluster.
	Kubernetes pulumi.ProviderResource
	// DependsOn are what Kubernetes objects wait for (nodes, storage class, bucket,
	// identity).
	DependsOn []pulumi.Resource
	// Kubeconfig is the cluster's kubeconfig, exported as a secret.
	Kubeconfig pulumi.StringOutput
	// Endpoint is the TLS endpoint (endpoint: tls) with the cloud's load balancer
	// annotations. Default nil: nothing is exposed.
	Endpoint *pachyderm.Endpoint
}

// DataBearing is a resource type whose loss loses data.
type DataBearing struct {
	// Type is the resource's type token.
	Type string
	// Holds says what it holds, as the preview shows it.
	Holds string
	// Kept: destroy keeps it unless asked to delete the data (the bucket itself).
	Kept bool
}

// Plugin is a Pulumi provider plugin.
type Plugin struct {
	// Name is the plugin's name (pulumi-resource-NAME).
	Name string
	// Module is the Go SDK module whose version the plugin must have.
	Module string
}

// Credentials is how doctor finds a cloud's credentials: any one group of environment
// variables all set, or any one file under the home directory.
type Credentials struct {
	// What names the credentials and where they may come from.
	What string
	// EnvGroups are sets of variables that together are credentials.
	EnvGroups [][]string
	// Files are paths relative to the home directory that hold credentials.
	Files []string
	// Fix says how to get credentials.
	Fix string
}

// Helper is a command a kubeconfig runs.
type Helper struct {
	// Command is the executable looked up on PATH.
	Command string
	// What describes it; Fix says how to install it.
	What, Fix string
	// Required: without it the cluster cannot be reached.
	Required bool
}

// List is the targets a program supports.
type List []Target

// Lookup returns the target of cloud, or false.
func (l List) Lookup(cloud config.Cloud) (Target, bool) {
	for _, t := range l {
		if t.Settings.Cloud == cloud {
			return t, true
		}
	}
	return Target{}, false
}

// Settings returns each target's settings, in order.
func (l List) Settings() config.Targets {
	out := make(config.Targets, len(l))
	for i, t := range l {
		out[i] = t.Settings
	}
	return out
}

// DataBearing maps the type token of every data-bearing resource of every target to
// what it holds.
func (l List) DataBearing() map[string]string {
	out := map[string]string{}
	for _, t := range l {
		for _, d := range t.DataBearing {
			out[d.Type] = d.Holds
		}
	}
	return out
}

// KeptOnDestroy lists the type tokens destroy keeps unless asked to delete the data,
// sorted.
func (l List) KeptOnDestroy() []string {
	var out []string
	for _, t := range l {
		for _, d := range t.DataBearing {
			if d.Kept {
				out = append(out, d.Type)
			}
		}
	}
	sort.Strings(out)
	return out
}

// The plugins every target uses beside its cloud's.
var (
	// KubernetesPlugin installs Pachyderm's chart and the storage class.
	KubernetesPlugin = Plugin{Name: "kubernetes", Module: "github.com/pulumi/pulumi-kubernetes/sdk/v4"}
	// RandomPlugin makes the database passwords.
	RandomPlugin = Plugin{Name: "random", Module: "github.com/pulumi/pulumi-random/sdk/v4"}
)

// Rules returns the policy rules of cloud: the Kubernetes ones every cloud shares, then
// the cloud's own.
func (l List) Rules(cloud config.Cloud) []policy.Rule {
	out := append([]policy.Rule(nil), policy.Kubernetes...)
	if t, ok := l.Lookup(cloud); ok {
		out = append(out, t.Rules...)
	}
	return out
}
