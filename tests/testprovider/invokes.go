package main

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// invokes is the table of data-source functions the fake cloud answers. Unknown tokens return
// an empty object (and are logged with "unknown": true).
var invokes = map[string]func(args resource.PropertyMap, cfg cloudConfig) map[string]any{
	"aws:index/getCallerIdentity:getCallerIdentity": func(_ resource.PropertyMap, _ cloudConfig) map[string]any {
		return map[string]any{"accountId": awsAccountID, "arn": "arn:aws:iam::" + awsAccountID + ":user/pachdeploy-test",
			"userId": "AIDAPACHDEPLOYTEST0001", "id": awsAccountID}
	},
	"aws:index/getRegion:getRegion": func(args resource.PropertyMap, cfg cloudConfig) map[string]any {
		region := str(args, "name", cfg.awsRegion)
		return map[string]any{"name": region, "id": region, "endpoint": "ec2." + region + ".amazonaws.com",
			"description": region}
	},
	"aws:index/getPartition:getPartition": func(_ resource.PropertyMap, _ cloudConfig) map[string]any {
		return map[string]any{"partition": "aws", "id": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws"}
	},
	"aws:index/getAvailabilityZones:getAvailabilityZones": func(_ resource.PropertyMap, cfg cloudConfig) map[string]any {
		r := cfg.awsRegion
		short := strings.NewReplacer("us-", "us", "eu-", "eu", "ap-", "ap", "west-", "w", "east-", "e", "central-", "c",
			"north-", "n", "south-", "s").Replace(r)
		return map[string]any{"id": r, "names": []any{r + "a", r + "b", r + "c"},
			"zoneIds": []any{short + "-az1", short + "-az2", short + "-az3"}, "groupNames": []any{r, r, r}}
	},
	"gcp:organizations/getClientConfig:getClientConfig": func(_ resource.PropertyMap, cfg cloudConfig) map[string]any {
		return map[string]any{"id": "projects/" + cfg.gcpProject + "/regions/" + cfg.gcpRegion, "project": cfg.gcpProject,
			"region": cfg.gcpRegion, "zone": cfg.gcpRegion + "-a", "accessToken": "ya29.stand-in-token"}
	},
	"azure-native:authorization:getClientConfig": func(_ resource.PropertyMap, cfg cloudConfig) map[string]any {
		return map[string]any{"subscriptionId": cfg.subscriptionID, "tenantId": cfg.tenantID,
			"objectId": "00000000-0000-4000-a000-00000000a11c", "clientId": "00000000-0000-4000-a000-0000000c11e7"}
	},
	"azure-native:storage:listStorageAccountKeys": func(args resource.PropertyMap, _ cloudConfig) map[string]any {
		sum := sha256.Sum256([]byte("storage-key|" + str(args, "accountName", "")))
		key := base64.StdEncoding.EncodeToString(append(sum[:], sum[:]...)) // 64 bytes, like Azure's keys
		return map[string]any{"keys": []any{map[string]any{"keyName": "key1", "value": key, "permissions": "FULL",
			"creationTime": createDate}}}
	},
	// Lookups of running clusters (existingCluster): any name is a running cluster, with
	// the add-ons and identity features pachdeploy needs, answered the same way each time.
	"aws:eks/getCluster:getCluster": func(args resource.PropertyMap, cfg cloudConfig) map[string]any {
		name := str(args, "name", "")
		r := &res{typ: "aws:eks/cluster:Cluster", cfg: cfg, id: name}
		return map[string]any{"name": name, "id": name, "arn": "arn:aws:eks:" + cfg.awsRegion + ":" + awsAccountID + ":cluster/" + name,
			"status": "ACTIVE", "version": "1.33", "endpoint": "https://" + r.hex("ep", 32) + ".gr7." + cfg.awsRegion + ".eks.amazonaws.com",
			"certificateAuthorities": []any{map[string]any{"data": fakeCACert(r.hex("ca", 32))}},
			"identities": []any{map[string]any{"oidcs": []any{map[string]any{
				"issuer": "https://oidc.eks." + cfg.awsRegion + ".amazonaws.com/id/" + strings.ToUpper(r.hex("oidc", 32))}}}}}
	},
	"aws:eks/getAddon:getAddon": func(args resource.PropertyMap, _ cloudConfig) map[string]any {
		return map[string]any{"addonName": str(args, "addonName", ""), "clusterName": str(args, "clusterName", ""),
			"addonVersion": "v1.40.0-eksbuild.1", "id": str(args, "clusterName", "") + ":" + str(args, "addonName", "")}
	},
	"aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider": func(args resource.PropertyMap, _ cloudConfig) map[string]any {
		url := strings.TrimPrefix(str(args, "url", ""), "https://")
		return map[string]any{"url": url, "arn": "arn:aws:iam::" + awsAccountID + ":oidc-provider/" + url,
			"clientIdLists": []any{"sts.amazonaws.com"}, "tags": map[string]any{}}
	},
	"gcp:container/getCluster:getCluster": func(args resource.PropertyMap, cfg cloudConfig) map[string]any {
		project := str(args, "project", cfg.gcpProject)
		r := &res{typ: "gcp:container/cluster:Cluster", cfg: cfg, id: str(args, "name", "")}
		return map[string]any{"name": str(args, "name", ""), "location": str(args, "location", cfg.gcpRegion),
			"endpoint": r.ip("endpoint"), "masterAuths": []any{map[string]any{"clusterCaCertificate": fakeCACert(r.hex("ca", 32))}},
			"workloadIdentityConfigs": []any{map[string]any{"workloadPool": project + ".svc.id.goog"}}}
	},
	"azure-native:containerservice:getManagedCluster": func(args resource.PropertyMap, cfg cloudConfig) map[string]any {
		name := str(args, "resourceName", "")
		return map[string]any{"name": name, "location": cfg.azureLocation, "provisioningState": "Succeeded",
			"oidcIssuerProfile": map[string]any{"enabled": true, "issuerURL": "https://" + cfg.azureLocation + ".oic.prod-aks.azure.com/" +
				cfg.tenantID + "/" + name + "/"}}
	},
	"azure-native:containerservice:listManagedClusterUserCredentials": func(args resource.PropertyMap, cfg cloudConfig) map[string]any {
		r := &res{typ: "azure-native:containerservice:ManagedCluster", cfg: cfg, in: resource.PropertyMap{
			"resourceGroupName": resource.NewStringProperty(str(args, "resourceGroupName", "")),
			"resourceName":      resource.NewStringProperty(str(args, "resourceName", "")),
		}}
		r.id = azID("Microsoft.ContainerService/managedClusters", "resourceName")(r)
		server := "https://" + str(args, "resourceName", "aks") + "-" + r.hex("fqdn", 8) + ".hcp." + cfg.azureLocation + ".azmk8s.io:443"
		kc := kubeconfigYAML(str(args, "resourceName", "aks"), server, fakeCACert(r.hex("ca", 32)),
			"clusterUser_"+str(args, "resourceGroupName", "")+"_"+str(args, "resourceName", ""),
			map[string]any{"token": r.hex("token", 64)})
		return map[string]any{"kubeconfigs": []any{map[string]any{"name": "clusterUser",
			"value": base64.StdEncoding.EncodeToString([]byte(kc))}}}
	},
}

// str is args[key] as a string, or def.
func str(args resource.PropertyMap, key, def string) string {
	if v := deepUnwrap(args[resource.PropertyKey(key)]); v.IsString() && v.StringValue() != "" {
		return v.StringValue()
	}
	return def
}
