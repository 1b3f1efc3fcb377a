// Package stacks is pachdeploy's one Pulumi program: it reads the typed stack config,
// builds the chosen cloud's cluster, bucket and identity, and installs Pachyderm on it.
package stacks

import (
	"fmt"
	"slices"

	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Targets are the clouds pachdeploy deploys to: the one list of them. A new cloud is
// its own folder under components/ with a Target, and a target_<cloud>.go file here
// (with its target_no<cloud>.go: the build tag no<cloud> leaves the cloud, and its
// provider SDK, out of a binary).
var Targets = slices.Concat(awsTargets, gcpTargets, azureTargets)

// Settings are the targets' settings: what config resolves a stack's settings with.
var Settings = Targets.Settings()

// Run is the Pulumi program: `pulumi up` runs it from the project root, and the
// Automation API runs it inline.
func Run(ctx *pulumi.Context) error {
	cfg, err := Settings.FromContext(ctx)
	if err != nil {
		return err
	}
	outputs, err := Deploy(ctx, cfg)
	if err != nil {
		return err
	}
	for k, v := range outputs {
		ctx.Export(k, v)
	}
	return nil
}

// Deploy builds everything cfg describes and returns the stack outputs. cfg must be
// resolved (Settings.Resolve completes and validates it). opts go on every resource it
// makes at the top: none in the root program, pulumi.Parent in a deployment component
// (package provider).
func Deploy(ctx *pulumi.Context, cfg *config.Config, opts ...pulumi.ResourceOption) (pulumi.Map, error) {
	t, ok := Targets.Lookup(cfg.Cloud)
	if !ok {
		return nil, fmt.Errorf("cloud %q is not supported", cfg.Cloud)
	}
	in, err := t.Deploy(ctx, cfg, opts...)
	if err != nil {
		return nil, err
	}
	args := &pachyderm.PachydermArgs{
		KubernetesProvider:        in.Kubernetes,
		DependsOn:                 in.DependsOn,
		Namespace:                 cfg.Namespace,
		ChartVersion:              cfg.ChartVersion,
		Storage:                   in.Storage,
		Database:                  in.Database,
		ServiceAccountAnnotations: in.Annotations,
		StorageClass:              in.StorageClass,
		DisableConsole:            !cfg.ConsoleEnabled(),
		ExternalService:           cfg.ExternalService,
		Endpoint:                  in.Endpoint,
		Values:                    cfg.Values,
	}
	if cfg.EnterpriseLicenseKey != "" {
		args.EnterpriseLicenseKey = pulumi.ToSecret(pulumi.String(cfg.EnterpriseLicenseKey)).(pulumi.StringOutput)
	}
	pach, err := pachyderm.NewPachyderm(ctx, "pachyderm", args, opts...)
	if err != nil {
		return nil, err
	}
	outputs := pulumi.Map{
		"cloud":          pulumi.String(cfg.Cloud),
		"clusterName":    pulumi.String(cfg.ClusterName),
		"region":         pulumi.String(cfg.Region),
		"bucket":         pulumi.String(cfg.BucketName),
		"kubeconfig":     pulumi.ToSecret(in.Kubeconfig),
		"namespace":      pach.Namespace,
		"pachdAddress":   pach.PachdAddress,
		"pachctlConnect": pach.PachctlConnect,
		"consoleHint":    pach.ConsoleHint,
	}
	// A TLS endpoint adds where the console is and where to point its hostname.
	if in.Endpoint != nil {
		outputs["endpointDns"] = pach.EndpointDNS
		if cfg.ConsoleEnabled() {
			outputs["consoleUrl"] = pach.ConsoleURL
		}
	}
	return outputs, nil
}

// Check evaluates the policy rules of the stack's cloud, and the Kubernetes ones, over
// resources (what a preview would deploy), with the stack's policyWaivers: the
// automation.Program's Check.
func Check(settings map[string]string, rs policy.Resources) (*policy.Report, error) {
	return CheckWith()(settings, rs)
}

// CheckWith is Check with rules of the caller's own added (a team's naming or tagging
// policy): a Go program embedding the driver sets Program.Check to it. Waivers apply to
// them as to pachdeploy's; a rule's Cloud limits it to one cloud.
func CheckWith(extra ...policy.Rule) func(settings map[string]string, rs policy.Resources) (*policy.Report, error) {
	return func(settings map[string]string, rs policy.Resources) (*policy.Report, error) {
		cfg, err := config.Parse(settings)
		if err != nil {
			return nil, err
		}
		rules := append(Targets.Rules(cfg.Cloud), extra...)
		return policy.Evaluate(rules, string(cfg.Cloud), rs, cfg.PolicyWaivers)
	}
}
