// Package plan runs the pachdeploy program offline, under the offline engine with the
// chosen target's stand-ins (internal/offline), and reports
// the resources it would create: no cloud, no credentials, no Pulumi CLI, no plugins.
package plan

import (
	"context"
	"sort"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/stacks"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
)

// Project is the Pulumi project name (Pulumi.yaml).
const Project = "pachdeploy"

// Secret replaces every secret value in a plan.
const Secret = "[secret]"

// Plan is the desired state of one stack.
type Plan struct {
	Cloud     string         `json:"cloud"`
	Stack     string         `json:"stack"`
	Resources []Resource     `json:"resources"`
	Outputs   map[string]any `json:"outputs"`

	waivers map[string]string
}

// Check evaluates the cloud's policy rules (and the Kubernetes ones) over the plan's
// resources, with the stack's policyWaivers.
func (p *Plan) Check() (*policy.Report, error) {
	rs := make(policy.Resources, 0, len(p.Resources))
	for _, r := range p.Resources {
		rs = append(rs, policy.Resource{URN: r.URN, Type: r.Type, Name: r.Name, Inputs: r.Inputs})
	}
	return policy.Evaluate(stacks.Targets.Rules(config.Cloud(p.Cloud)), p.Cloud, rs, p.waivers)
}

// Resource is one resource the program asks for.
type Resource struct {
	URN            string         `json:"urn"`
	Type           string         `json:"type"`
	Name           string         `json:"name"`
	Parent         string         `json:"parent"`
	Custom         bool           `json:"custom"`
	Inputs         map[string]any `json:"inputs"`
	Protect        bool           `json:"protect"`
	RetainOnDelete bool           `json:"retainOnDelete"`
	DependsOn      []string       `json:"dependsOn"`
	Provider       string         `json:"provider"`
}

// Build resolves raw pachdeploy settings (key -> text, as in Pulumi config; "cloud"
// is required) for stack and runs the program under the offline engine.
func Build(raw map[string]string, stack string) (*Plan, error) {
	cfg, err := stacks.Settings.Resolve(raw, Project, stack)
	if err != nil {
		return nil, err
	}
	t, _ := stacks.Targets.Lookup(cfg.Cloud)
	cloud := offline.New(Project, stack, t.StandIns)
	var outputs pulumi.Map
	err = cloud.Run(func(ctx *pulumi.Context) error {
		outputs, err = stacks.Deploy(ctx, cfg)
		return err
	})
	if err != nil {
		return nil, err
	}
	p := &Plan{Cloud: string(cfg.Cloud), Stack: stack, Resources: []Resource{}, Outputs: map[string]any{}, waivers: cfg.PolicyWaivers}
	for _, r := range cloud.Resources() {
		p.Resources = append(p.Resources, Resource{
			URN: r.URN, Type: r.Type, Name: r.Name, Parent: r.Parent, Custom: r.Custom,
			Inputs:  plain(resource.NewObjectProperty(r.Inputs)).(map[string]any),
			Protect: r.Protect, RetainOnDelete: r.RetainOnDelete,
			DependsOn: nonNil(r.DependsOn), Provider: providerURN(r.Provider),
		})
	}
	sort.Slice(p.Resources, func(i, j int) bool { return p.Resources[i].URN < p.Resources[j].URN })
	for k, v := range outputs {
		res, err := internals.UnsafeAwaitOutput(context.Background(), pulumi.ToOutput(v))
		if err != nil {
			return nil, err
		}
		switch {
		case res.Secret:
			p.Outputs[k] = Secret
		case !res.Known:
			p.Outputs[k] = offline.Marker
		default:
			p.Outputs[k] = res.Value
		}
	}
	return p, nil
}

// plain converts a property value to JSON-ready Go values, hiding secrets.
func plain(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return Secret
	case v.IsComputed():
		return offline.Marker
	case v.IsOutput():
		o := v.OutputValue()
		if o.Secret {
			return Secret
		}
		if !o.Known {
			return offline.Marker
		}
		return plain(o.Element)
	case v.IsObject():
		m := map[string]any{}
		for k, e := range v.ObjectValue() {
			m[string(k)] = plain(e)
		}
		return m
	case v.IsArray():
		l := []any{}
		for _, e := range v.ArrayValue() {
			l = append(l, plain(e))
		}
		return l
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	case v.IsAsset(), v.IsArchive():
		return "(asset)"
	case v.IsNull():
		return nil
	}
	return v.V
}

// providerURN drops the provider id from a provider reference ("urn::id").
func providerURN(ref string) string {
	if i := strings.LastIndex(ref, "::"); i > 0 && strings.HasPrefix(ref, "urn:") {
		return ref[:i]
	}
	return ref
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
