package main

import (
	"encoding/json"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
)

// Remote components (eks:index:*) are built as the real eks provider builds them: the component
// is registered with the engine's resource monitor and its children are real custom resources,
// which the engine creates through the aws plugin (this same binary, run as pulumi-resource-aws).

type component struct{ pulumi.ResourceState }

// awsEksCluster is the child aws:eks/cluster:Cluster; the fields are the outputs we read.
type awsEksCluster struct {
	pulumi.CustomResourceState
	Name                 pulumi.StringOutput `pulumi:"name"`
	Arn                  pulumi.StringOutput `pulumi:"arn"`
	Endpoint             pulumi.StringOutput `pulumi:"endpoint"`
	CertificateAuthority pulumi.AnyOutput    `pulumi:"certificateAuthority"`
	Identities           pulumi.AnyOutput    `pulumi:"identities"`
	VpcConfig            pulumi.AnyOutput    `pulumi:"vpcConfig"`
}

type awsResource struct {
	pulumi.CustomResourceState
	Arn pulumi.StringOutput `pulumi:"arn"`
	URL pulumi.StringOutput `pulumi:"url"`
}

// constructFunc dispatches on the component type; raw holds the inputs as sent (for the few
// plain values, such as createOidcProvider, that decide which children exist).
func (p *server) constructFunc(raw resource.PropertyMap) provider.ConstructFunc {
	return func(ctx *pulumi.Context, typ, name string, inputs provider.ConstructInputs,
		opts pulumi.ResourceOption,
	) (*provider.ConstructResult, error) {
		in, err := inputs.Map()
		if err != nil {
			return nil, err
		}
		comp := &component{}
		if err := ctx.RegisterComponentResource(typ, name, comp, opts); err != nil {
			return nil, err
		}
		var state pulumi.Map
		switch typ {
		case "eks:index:Cluster":
			state, err = p.eksCluster(ctx, comp, name, raw, in)
		case "eks:index:ManagedNodeGroup":
			state, err = p.eksManagedNodeGroup(ctx, comp, name, in)
		case "eks:index:VpcCniAddon":
			state, err = p.eksVpcCni(ctx, comp, name, in)
		default: // unknown component: no children, its inputs as outputs
			state = in
		}
		if err != nil {
			return nil, err
		}
		if err := ctx.RegisterResourceOutputs(comp, state); err != nil {
			return nil, err
		}
		return &provider.ConstructResult{URN: comp.URN(), State: state}, nil
	}
}

func (p *server) childOpts(comp pulumi.Resource) []pulumi.ResourceOption {
	return []pulumi.ResourceOption{pulumi.Parent(comp), pulumi.Version(pinnedVersion("aws"))}
}

func (p *server) eksCluster(ctx *pulumi.Context, comp *component, name string, raw resource.PropertyMap,
	in pulumi.Map,
) (pulumi.Map, error) {
	vpcConfig := pulumi.Map{"endpointPublicAccess": pulumi.Bool(true), "endpointPrivateAccess": pulumi.Bool(false)}
	for _, k := range []string{"subnetIds", "privateSubnetIds", "publicSubnetIds"} {
		if v, ok := in[k]; ok {
			vpcConfig["subnetIds"] = v
			break
		}
	}
	// As pulumi-eks passes them to the cluster's vpcConfig.
	for _, k := range []string{"endpointPublicAccess", "endpointPrivateAccess", "publicAccessCidrs"} {
		if v, ok := in[k]; ok {
			vpcConfig[k] = v
		}
	}
	args := pulumi.Map{
		"roleArn":   pulumi.String("arn:aws:iam::" + awsAccountID + ":role/" + name + "-eksRole"),
		"vpcConfig": vpcConfig,
	}
	for _, k := range []string{"name", "version", "tags"} {
		if v, ok := in[k]; ok {
			args[k] = v
		}
	}
	cluster := &awsEksCluster{}
	if err := ctx.RegisterResource("aws:eks/cluster:Cluster", name+"-eksCluster", args, cluster, p.childOpts(comp)...); err != nil {
		return nil, err
	}

	nodeSGArgs := pulumi.Map{"description": pulumi.String("Managed by Pulumi")}
	if v, ok := in["vpcId"]; ok {
		nodeSGArgs["vpcId"] = v
	}
	nodeSG := &awsResource{}
	if err := ctx.RegisterResource("aws:ec2/securityGroup:SecurityGroup", name+"-nodeSecurityGroup", nodeSGArgs, nodeSG,
		p.childOpts(comp)...); err != nil {
		return nil, err
	}

	issuer := cluster.Identities.ApplyT(func(v any) string {
		ids, _ := v.([]any)
		if len(ids) == 0 {
			return ""
		}
		oidcs, _ := ids[0].(map[string]any)["oidcs"].([]any)
		if len(oidcs) == 0 {
			return ""
		}
		s, _ := oidcs[0].(map[string]any)["issuer"].(string)
		return s
	}).(pulumi.StringOutput)

	kubeconfig := pulumi.All(cluster.Name, cluster.Endpoint, cluster.CertificateAuthority).ApplyT(func(xs []any) map[string]any {
		clusterName, endpoint := xs[0].(string), xs[1].(string)
		ca, _ := xs[2].(map[string]any)["data"].(string)
		return kubeconfigObject(clusterName, endpoint, ca, "aws", map[string]any{"exec": map[string]any{
			"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "aws",
			"args": []any{"eks", "get-token", "--cluster-name", clusterName, "--output", "json"},
			"env":  []any{map[string]any{"name": "KUBERNETES_EXEC_INFO", "value": `{"apiVersion": "client.authentication.k8s.io/v1beta1"}`}},
		}})
	}).(pulumi.MapOutput)
	kubeconfigJSON := kubeconfig.ApplyT(func(m map[string]any) (string, error) {
		b, err := json.Marshal(m)
		return string(b), err
	}).(pulumi.StringOutput)
	clusterSGID := cluster.VpcConfig.ApplyT(func(v any) string {
		s, _ := v.(map[string]any)["clusterSecurityGroupId"].(string)
		return s
	}).(pulumi.StringOutput)

	core := pulumi.Map{
		"cluster":           pulumi.NewResourceOutput(cluster),
		"endpoint":          cluster.Endpoint,
		"kubeconfig":        kubeconfig,
		"nodeSecurityGroup": pulumi.NewResourceOutput(nodeSG),
	}
	for _, k := range []string{"vpcId", "subnetIds", "privateSubnetIds", "publicSubnetIds", "tags"} {
		if v, ok := in[k]; ok {
			core[k] = v
		}
	}
	state := pulumi.Map{
		"kubeconfig":             kubeconfig,
		"kubeconfigJson":         kubeconfigJSON,
		"eksCluster":             pulumi.NewResourceOutput(cluster),
		"clusterSecurityGroupId": clusterSGID,
		"nodeSecurityGroup":      pulumi.NewResourceOutput(nodeSG),
		"nodeSecurityGroupId":    nodeSG.ID().ToStringOutput(),
		"oidcIssuer":             issuer.ApplyT(func(s string) string { return strings.TrimPrefix(s, "https://") }),
		"core":                   core,
	}

	// As in pulumi-eks, the IAM OIDC provider exists only with createOidcProvider: true.
	if b := deepUnwrap(raw["createOidcProvider"]); b.IsBool() && b.BoolValue() {
		oidc := &awsResource{}
		if err := ctx.RegisterResource("aws:iam/openIdConnectProvider:OpenIdConnectProvider", name+"-oidcProvider", pulumi.Map{
			"url":             issuer,
			"clientIdLists":   pulumi.StringArray{pulumi.String("sts.amazonaws.com")},
			"thumbprintLists": pulumi.StringArray{pulumi.String("9e99a48a9960b14926bb7f3b02e22da2b0ab7280")},
		}, oidc, p.childOpts(comp)...); err != nil {
			return nil, err
		}
		state["oidcProviderArn"] = oidc.Arn
		state["oidcProviderUrl"] = issuer
		core["oidcProvider"] = pulumi.NewResourceOutput(oidc)
	}
	return state, nil
}

// eksManagedNodeGroup registers the aws:eks/nodeGroup:NodeGroup child. Its clusterName is the
// clusterName input, else the component's own name (a `cluster` reference is not followed).
func (p *server) eksManagedNodeGroup(ctx *pulumi.Context, comp *component, name string, in pulumi.Map) (pulumi.Map, error) {
	args := pulumi.Map{}
	for _, k := range []string{"clusterName", "nodeGroupName", "nodeRoleArn", "subnetIds", "scalingConfig", "instanceTypes",
		"labels", "taints", "amiType", "capacityType", "diskSize", "version", "tags"} {
		if v, ok := in[k]; ok {
			args[k] = v
		}
	}
	if _, ok := args["clusterName"]; !ok {
		args["clusterName"] = pulumi.String(name)
	}
	if _, ok := args["nodeRoleArn"]; !ok {
		args["nodeRoleArn"] = pulumi.String("arn:aws:iam::" + awsAccountID + ":role/" + name + "-nodeRole")
	}
	ng := &awsResource{}
	if err := ctx.RegisterResource("aws:eks/nodeGroup:NodeGroup", name, args, ng, p.childOpts(comp)...); err != nil {
		return nil, err
	}
	return pulumi.Map{"nodeGroup": pulumi.NewResourceOutput(ng)}, nil
}

func (p *server) eksVpcCni(ctx *pulumi.Context, comp *component, name string, in pulumi.Map) (pulumi.Map, error) {
	args := pulumi.Map{"addonName": pulumi.String("vpc-cni")}
	for _, k := range []string{"clusterName", "addonVersion"} {
		if v, ok := in[k]; ok {
			args[k] = v
		}
	}
	addon := &awsResource{}
	if err := ctx.RegisterResource("aws:eks/addon:Addon", name, args, addon, p.childOpts(comp)...); err != nil {
		return nil, err
	}
	return pulumi.Map{}, nil
}

// kubeconfigObject is a one-cluster kubeconfig.
func kubeconfigObject(cluster, server, caData, user string, userSpec map[string]any) map[string]any {
	return map[string]any{
		"apiVersion": "v1", "kind": "Config", "current-context": cluster, "preferences": map[string]any{},
		"clusters": []any{map[string]any{"name": cluster, "cluster": map[string]any{"server": server, "certificate-authority-data": caData}}},
		"contexts": []any{map[string]any{"name": cluster, "context": map[string]any{"cluster": cluster, "user": user}}},
		"users":    []any{map[string]any{"name": user, "user": userSpec}},
	}
}

// kubeconfigYAML renders kubeconfigObject as JSON, which is valid YAML.
func kubeconfigYAML(cluster, server, caData, user string, userSpec map[string]any) string {
	b, _ := json.MarshalIndent(kubeconfigObject(cluster, server, caData, user, userSpec), "", "  ")
	return string(b)
}
