package aws

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"sigs.k8s.io/yaml"
)

// standInAccountID stands in for the AWS account id in ARNs, marked like every value
// only the cloud knows.
var standInAccountID = offline.Later("account id")

// AWS stand-ins: ARNs are built from the resource's name inputs and standInAccountID,
// in the aws partition; regional ARNs leave the region out, as IAM ones do.

// awsARN is a stand-in ARN of service svc for the resource path.
func awsARN(svc, path string) string {
	return fmt.Sprintf("arn:aws:%s::%s:%s", svc, standInAccountID, path)
}

// autoName is a resource's physical name where the program lets Pulumi choose it.
func autoName(a offline.Answer) string {
	return a.Str("name", a.Name()+"-"+offline.Later("suffix"))
}

// standIns answer for AWS in the offline plan: what only the cloud assigns.
var standIns = offline.StandIns{
	Outputs: map[string]func(offline.Answer){
		"aws:iam/role:Role": func(a offline.Answer) {
			name := autoName(a)
			a.Set("name", name)
			a.Set("arn", awsARN("iam", "role/"+name))
		},
		"aws:iam/user:User": func(a offline.Answer) {
			name := autoName(a)
			a.Set("name", name)
			a.Set("arn", awsARN("iam", "user/"+name))
		},
		"aws:iam/accessKey:AccessKey": func(a offline.Answer) {
			a.Set("status", "Active")
			a.SetSecret("secret", offline.Later("secret access key"))
		},
		"aws:cloudwatch/logGroup:LogGroup": func(a offline.Answer) {
			a.Set("arn", fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", a.Region(), standInAccountID, a.Str("name", autoName(a))))
		},
		"aws:kms/key:Key": func(a offline.Answer) {
			a.Set("keyId", a.ID())
			a.Set("arn", awsARN("kms", "key/"+a.ID()))
		},
		"aws:s3/bucketV2:BucketV2": func(a offline.Answer) {
			bucket := a.Str("bucket", autoName(a))
			a.Set("bucket", bucket)
			a.Set("arn", "arn:aws:s3:::"+bucket)
		},
		"aws:ec2/launchTemplate:LaunchTemplate": func(a offline.Answer) {
			a.Set("latestVersion", 1)
			a.Set("arn", awsARN("ec2", "launch-template/"+a.ID()))
		},
		"aws:ec2/eip:Eip": func(a offline.Answer) {
			a.Set("allocationId", a.ID())
			a.Set("publicIp", offline.Later("elastic ip"))
		},
		"aws:eks/nodeGroup:NodeGroup": func(a offline.Answer) {
			a.Set("arn", awsARN("eks", "nodegroup/"+a.Str("clusterName", "")+"/"+a.Name()))
			a.Set("status", "ACTIVE")
			// The Auto Scaling group EKS makes for the group (the GPU pool tags it).
			a.Set("resources", []any{map[string]any{"autoscalingGroups": []any{map[string]any{
				"name": "eks-" + a.Name() + "-" + offline.Later("asg suffix")}}}})
		},
		"aws:eks/addon:Addon": func(a offline.Answer) {
			a.Set("arn", awsARN("eks", "addon/"+a.Str("clusterName", "")+"/"+a.Str("addonName", a.Name())))
			a.Set("addonVersion", offline.Later("addon version"))
		},
		// The instance's private DNS name is identifier.<random>.<region>.rds.amazonaws.com.
		"aws:rds/instance:Instance": func(a offline.Answer) {
			id := a.Str("identifier", autoName(a))
			address := fmt.Sprintf("%s.%s.%s.rds.amazonaws.com", id, offline.Later("rds host id"), a.Region())
			a.Set("identifier", id)
			a.Set("address", address)
			a.Set("endpoint", fmt.Sprintf("%s:%d", address, DatabasePort))
			a.Set("arn", fmt.Sprintf("arn:aws:rds:%s:%s:db:%s", a.Region(), standInAccountID, id))
			a.Set("engineVersionActual", offline.Later("engine version"))
		},
		// IAM names the provider by its URL without https://.
		"aws:iam/openIdConnectProvider:OpenIdConnectProvider": func(a offline.Answer) {
			a.Set("arn", awsARN("iam", "oidc-provider/"+strings.TrimPrefix(a.Str("url", ""), "https://")))
		},
		"eks:index:Cluster": eksCluster,
	},
	Invokes: map[string]func(resource.PropertyMap, string) map[string]any{
		"aws:index/getAvailabilityZones:getAvailabilityZones": availabilityZones,
		"aws:index/getCallerIdentity:getCallerIdentity": func(resource.PropertyMap, string) map[string]any {
			return map[string]any{
				"accountId": standInAccountID,
				"arn":       awsARN("iam", "user/"+offline.Later("caller")),
				"userId":    offline.Later("caller user id"),
				"id":        standInAccountID,
			}
		},
		"aws:index/getPartition:getPartition": func(resource.PropertyMap, string) map[string]any {
			return map[string]any{
				"partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws", "id": "aws",
			}
		},
		"aws:eks/getCluster:getCluster": func(args resource.PropertyMap, region string) map[string]any {
			name := args["name"].StringValue()
			return map[string]any{
				"name": name, "status": "ACTIVE", "version": offline.Later("Kubernetes version"),
				"endpoint":               "https://" + offline.Later(name+" API server"),
				"certificateAuthorities": []any{map[string]any{"data": offline.Later("cluster CA certificate")}},
				"identities": []any{map[string]any{"oidcs": []any{map[string]any{
					"issuer": "https://" + standInIssuer(region),
				}}}},
			}
		},
		"aws:eks/getAddon:getAddon": func(args resource.PropertyMap, _ string) map[string]any {
			return map[string]any{"addonName": args["addonName"].StringValue(), "clusterName": args["clusterName"].StringValue(),
				"addonVersion": offline.Later("addon version")}
		},
		// The account is taken to have the cluster's OIDC provider already, as clusters
		// made by eksctl or the console do; one pachdeploy made carries its tag.
		"aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider": func(args resource.PropertyMap, _ string) map[string]any {
			url := strings.TrimPrefix(args["url"].StringValue(), "https://")
			return map[string]any{"url": url, "arn": awsARN("iam", "oidc-provider/"+url), "tags": map[string]any{}}
		},
		// The region is the one the provider is configured with.
		"aws:index/getRegion:getRegion": func(_ resource.PropertyMap, region string) map[string]any {
			return map[string]any{"name": region, "id": region, "description": offline.Later("region description")}
		},
	},
}

// eksCluster answers for the pulumi-eks Cluster component: its kubeconfig (object and
// JSON) and OIDC issuer, in the region of the AWS provider given to the component (the
// IAM OIDC provider is pachdeploy's own, see newOIDCProvider). Outputs that are resource
// references (eksCluster, core, security groups) are left out: the mock monitor could
// not rehydrate resources the remote component creates inside its provider.
func eksCluster(a offline.Answer) {
	var kubeconfig map[string]any
	if err := yaml.Unmarshal([]byte(offline.Kubeconfig), &kubeconfig); err != nil {
		panic(err) // offline.Kubeconfig is a constant; a parse error is a bug here.
	}
	kubeconfigJSON, _ := json.Marshal(kubeconfig)
	issuer := standInIssuer(a.Region())
	a.Set("kubeconfig", kubeconfig)
	a.Set("kubeconfigJson", string(kubeconfigJSON))
	a.Set("oidcIssuer", issuer)
	a.Set("oidcProviderUrl", "https://"+issuer)
	a.Set("clusterSecurityGroupId", offline.Later(a.Name()+" cluster security group id"))
	a.Set("nodeSecurityGroupId", offline.Later(a.Name()+" node security group id"))
}

// availabilityZones answers getAvailabilityZones with zones a, b and c of the region
// named by a "region-name" filter, else of a stand-in region.
func availabilityZones(args resource.PropertyMap, _ string) map[string]any {
	region := offline.Later("region")
	if f, ok := args["filters"]; ok && f.IsArray() {
		for _, e := range f.ArrayValue() {
			if !e.IsObject() {
				continue
			}
			o := e.ObjectValue()
			if o["name"].IsString() && o["name"].StringValue() == "region-name" &&
				o["values"].IsArray() && len(o["values"].ArrayValue()) > 0 && o["values"].ArrayValue()[0].IsString() {
				region = o["values"].ArrayValue()[0].StringValue()
			}
		}
	}
	names := []any{region + "a", region + "b", region + "c"}
	return map[string]any{"names": names, "id": region}
}

// standInIssuer is an EKS cluster's OIDC issuer (without https://) in region.
func standInIssuer(region string) string {
	if region == "" {
		region = offline.Later("region")
	}
	return "oidc.eks." + region + ".amazonaws.com/id/" + offline.Later("oidc id")
}
