package mockcloud

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"sigs.k8s.io/yaml"
)

// AWS stand-ins: ARNs are built from the resource's name inputs and AccountID, in
// the aws partition; regional ARNs leave the region out, as IAM ones do.

// awsARN is a stand-in ARN of service svc for the resource path.
func awsARN(svc, path string) string {
	return fmt.Sprintf("arn:aws:%s::%s:%s", svc, AccountID, path)
}

// autoName is the physical name of a resource the program lets Pulumi name.
func (a outputArgs) autoName() string {
	return a.str("name", a.name+"-"+Later("suffix"))
}

func init() {
	outputs["aws:iam/role:Role"] = func(a outputArgs) {
		name := a.autoName()
		a.set("name", name)
		a.set("arn", awsARN("iam", "role/"+name))
	}
	outputs["aws:iam/user:User"] = func(a outputArgs) {
		name := a.autoName()
		a.set("name", name)
		a.set("arn", awsARN("iam", "user/"+name))
	}
	outputs["aws:iam/accessKey:AccessKey"] = func(a outputArgs) {
		a.set("status", "Active")
		a.setSecret("secret", Later("secret access key"))
	}
	outputs["aws:kms/key:Key"] = func(a outputArgs) {
		a.set("keyId", a.id)
		a.set("arn", awsARN("kms", "key/"+a.id))
	}
	outputs["aws:s3/bucketV2:BucketV2"] = func(a outputArgs) {
		bucket := a.str("bucket", a.autoName())
		a.set("bucket", bucket)
		a.set("arn", "arn:aws:s3:::"+bucket)
	}
	outputs["aws:ec2/launchTemplate:LaunchTemplate"] = func(a outputArgs) {
		a.set("latestVersion", 1)
		a.set("arn", awsARN("ec2", "launch-template/"+a.id))
	}
	outputs["aws:ec2/eip:Eip"] = func(a outputArgs) {
		a.set("allocationId", a.id)
		a.set("publicIp", Later("elastic ip"))
	}
	outputs["aws:eks/nodeGroup:NodeGroup"] = func(a outputArgs) {
		a.set("arn", awsARN("eks", "nodegroup/"+a.str("clusterName", "")+"/"+a.name))
		a.set("status", "ACTIVE")
	}
	outputs["aws:eks/addon:Addon"] = func(a outputArgs) {
		a.set("arn", awsARN("eks", "addon/"+a.str("clusterName", "")+"/"+a.str("addonName", a.name)))
		a.set("addonVersion", Later("addon version"))
	}
	outputs["eks:index:Cluster"] = eksCluster

	invokes["aws:index/getAvailabilityZones:getAvailabilityZones"] = availabilityZones
	invokes["aws:index/getCallerIdentity:getCallerIdentity"] = func(resource.PropertyMap) map[string]any {
		return map[string]any{
			"accountId": AccountID,
			"arn":       awsARN("iam", "user/"+Later("caller")),
			"userId":    Later("caller user id"),
			"id":        AccountID,
		}
	}
	invokes["aws:index/getPartition:getPartition"] = func(resource.PropertyMap) map[string]any {
		return map[string]any{
			"partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws", "id": "aws",
		}
	}
	invokes["aws:index/getRegion:getRegion"] = func(resource.PropertyMap) map[string]any {
		return map[string]any{"name": Later("region"), "id": Later("region"), "description": Later("region")}
	}
}

// eksCluster answers for the pulumi-eks Cluster component: its kubeconfig (object and
// JSON) and the OIDC provider that IAM roles for service accounts trust, in the region
// of the AWS provider given to the component. Outputs that are resource
// references (eksCluster, core, security groups) are left out: the mock monitor could
// not rehydrate resources the remote component creates inside its provider.
func eksCluster(a outputArgs) {
	var kubeconfig map[string]any
	if err := yaml.Unmarshal([]byte(Kubeconfig), &kubeconfig); err != nil {
		panic(err) // Kubeconfig is a constant; a parse error is a bug here.
	}
	kubeconfigJSON, _ := json.Marshal(kubeconfig)
	issuer := "oidc.eks." + a.regionOr() + ".amazonaws.com/id/" + Later("oidc id")
	a.set("kubeconfig", kubeconfig)
	a.set("kubeconfigJson", string(kubeconfigJSON))
	a.set("oidcIssuer", issuer)
	a.set("oidcProviderUrl", "https://"+issuer)
	a.set("oidcProviderArn", awsARN("iam", "oidc-provider/"+issuer))
	a.set("clusterSecurityGroupId", Later(a.name+" cluster security group id"))
	a.set("nodeSecurityGroupId", Later(a.name+" node security group id"))
}

// availabilityZones answers getAvailabilityZones with zones a, b and c of the region
// named by a "region-name" filter, else of a stand-in region.
func availabilityZones(args resource.PropertyMap) map[string]any {
	region := Later("region")
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
