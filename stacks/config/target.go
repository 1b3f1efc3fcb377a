package config

import (
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/rules"
)

// Target is what the settings know of one cloud: its name, its defaults, the identity
// modes it allows and the rules of its own keys. Each cloud's descriptor
// (components/<cloud>.Target) carries one, from components/<cloud>/settings; this
// package holds none of them, so the rules of a cloud live beside its components.
type Target struct {
	// Cloud is the value of the cloud setting that selects this target.
	Cloud Cloud
	// Defaults fill the settings a stack leaves unset.
	Defaults Defaults
	// Identities lists how Pachyderm may reach its bucket on this cloud, the default
	// first.
	Identities []string
	// Complete fills the cloud's own defaults (names derived from project and stack),
	// before the ones every cloud shares. Optional.
	Complete func(c *Config, project, stack string)
	// Validate adds a problem for every rule of the cloud's that c breaks: region,
	// names, machine type, tags and the cloud's own keys. Called after Complete.
	Validate func(c *Config, p *rules.Problems)
}

// Defaults are a cloud's default settings.
type Defaults struct {
	// Region is the region or location (the runbook's).
	Region string
	// KubernetesVersion is MAJOR.MINOR, or "" for the managed service's default.
	KubernetesVersion string
	// MachineType is the node machine type (the runbook's).
	MachineType string
	// NodeCount is the desired node count.
	NodeCount int
	// DatabaseInstanceType and DatabaseStorageGB size a managed database.
	DatabaseInstanceType string
	DatabaseStorageGB    int
}

// Targets are the clouds a program supports, in the order messages list them.
type Targets []Target

// Lookup returns the target of cloud, or false.
func (ts Targets) Lookup(cloud Cloud) (Target, bool) {
	for _, t := range ts {
		if t.Cloud == cloud {
			return t, true
		}
	}
	return Target{}, false
}

// Names returns the clouds' names, joined with ", ".
func (ts Targets) Names() string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = string(t.Cloud)
	}
	return strings.Join(names, ", ")
}
