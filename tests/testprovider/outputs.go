package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/bcrypt"
)

// typeSpec is how the fake cloud treats one resource type.
type typeSpec struct {
	// autoname is an input key (dotted for nested, e.g. "metadata.name") that Check fills with
	// "<name>-<7 hex>" when the program left it out, as the real providers' autonaming does.
	autoname string
	// compactName: the autoname has no dashes and is lower case (storage accounts, containers);
	// uuidName: the autoname is a UUID (role assignments).
	compactName, uuidName bool
	// id returns the physical id at Create; nil means "<name>-<8 hex>".
	id func(r *res) string
	// outputs returns the outputs the cloud computes; they are laid over the inputs. In preview
	// each such key that is not also an input is unknown, as with a real provider.
	outputs func(r *res) map[string]any
}

// computeV1 prefixes Compute Engine self links.
const computeV1 = "https://www.googleapis.com/compute/v1/"

// types is THE table of what each type computes. Lookup: the exact token, then "<pkg>:*",
// then nothing (unknown types echo their inputs plus an id).
var types = map[string]typeSpec{
	// ---- aws ----
	"aws:ec2/vpc:Vpc": {id: awsID("vpc"), outputs: func(r *res) map[string]any {
		return map[string]any{"arn": r.awsArn("ec2", "vpc/"+r.id), "ownerId": awsAccountID,
			"defaultSecurityGroupId": "sg-" + r.hex("sg", 17), "mainRouteTableId": "rtb-" + r.hex("rtb", 17),
			"defaultRouteTableId": "rtb-" + r.hex("rtb", 17), "defaultNetworkAclId": "acl-" + r.hex("acl", 17)}
	}},
	"aws:cloudwatch/logGroup:LogGroup": {autoname: "name", id: func(r *res) string { return r.s("name") },
		outputs: func(r *res) map[string]any {
			return map[string]any{"arn": "arn:aws:logs:" + r.cfg.awsRegion + ":" + awsAccountID + ":log-group:" + r.s("name"),
				"name": r.s("name")}
		}},
	"aws:ec2/flowLog:FlowLog": {id: func(r *res) string { return "fl-" + r.hex("fl", 17) },
		outputs: func(r *res) map[string]any {
			return map[string]any{"arn": "arn:aws:ec2:" + r.cfg.awsRegion + ":" + awsAccountID + ":vpc-flow-log/" + r.id}
		}},
	"aws:ec2/subnet:Subnet": {id: awsID("subnet"), outputs: func(r *res) map[string]any {
		return map[string]any{"arn": r.awsArn("ec2", "subnet/"+r.id), "ownerId": awsAccountID,
			"availabilityZone": r.or("availabilityZone", r.cfg.awsRegion+"a")}
	}},
	"aws:ec2/routeTable:RouteTable": {id: awsID("rtb"), outputs: func(r *res) map[string]any {
		return map[string]any{"arn": r.awsArn("ec2", "route-table/"+r.id), "ownerId": awsAccountID}
	}},
	"aws:ec2/internetGateway:InternetGateway": {id: awsID("igw"), outputs: func(r *res) map[string]any {
		return map[string]any{"arn": r.awsArn("ec2", "internet-gateway/"+r.id), "ownerId": awsAccountID}
	}},
	"aws:ec2/natGateway:NatGateway": {id: awsID("nat"), outputs: func(r *res) map[string]any {
		return map[string]any{"publicIp": r.ip("public"), "privateIp": r.privateIP(),
			"networkInterfaceId": "eni-" + r.hex("eni", 17)}
	}},
	"aws:ec2/eip:Eip": {id: awsID("eipalloc"), outputs: func(r *res) map[string]any {
		return map[string]any{"arn": r.awsArn("ec2", "elastic-ip/"+r.id), "allocationId": r.id,
			"publicIp": r.ip("public"), "publicDns": "ec2-" + strings.ReplaceAll(r.ip("public"), ".", "-") + ".compute.amazonaws.com",
			"domain": "vpc"}
	}},
	"aws:ec2/securityGroup:SecurityGroup": {autoname: "name", id: awsID("sg"), outputs: func(r *res) map[string]any {
		return map[string]any{"arn": r.awsArn("ec2", "security-group/"+r.id), "ownerId": awsAccountID, "name": r.s("name")}
	}},
	"aws:ec2/launchTemplate:LaunchTemplate": {autoname: "name", id: awsID("lt"), outputs: func(r *res) map[string]any {
		latest := 1.0 // each update is a new template version
		if v, ok := r.old["latestVersion"]; ok && v.IsNumber() {
			latest = v.NumberValue() + 1
		}
		return map[string]any{"arn": r.awsArn("ec2", "launch-template/"+r.id), "name": r.s("name"),
			"latestVersion": latest, "defaultVersion": 1}
	}},
	"aws:iam/role:Role": {autoname: "name", id: func(r *res) string { return r.s("name") }, outputs: func(r *res) map[string]any {
		return map[string]any{"arn": r.awsArn("iam", "role"+r.or("path", "/")+r.s("name")), "name": r.s("name"),
			"uniqueId": "AROA" + strings.ToUpper(r.hex("uid", 17)), "createDate": createDate}
	}},
	"aws:iam/policy:Policy": {autoname: "name", id: func(r *res) string { return r.awsArn("iam", "policy"+r.or("path", "/")+r.s("name")) },
		outputs: func(r *res) map[string]any {
			return map[string]any{"arn": r.id, "name": r.s("name"), "policyId": "ANPA" + strings.ToUpper(r.hex("uid", 17))}
		}},
	"aws:iam/user:User": {autoname: "name", id: func(r *res) string { return r.s("name") }, outputs: func(r *res) map[string]any {
		return map[string]any{"arn": r.awsArn("iam", "user"+r.or("path", "/")+r.s("name")), "name": r.s("name"),
			"uniqueId": "AIDA" + strings.ToUpper(r.hex("uid", 17))}
	}},
	"aws:iam/accessKey:AccessKey": {id: func(r *res) string { return "AKIA" + strings.ToUpper(randomHex(8)) }, outputs: func(r *res) map[string]any {
		return map[string]any{"secret": secret(r.b64("secret", 30)), "sesSmtpPasswordV4": secret("B" + r.b64("smtp", 32)),
			"status": r.or("status", "Active"), "createDate": createDate}
	}},
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
		id: func(r *res) string {
			return r.awsArn("iam", "oidc-provider/"+strings.TrimPrefix(r.s("url"), "https://"))
		},
		outputs: func(r *res) map[string]any { return map[string]any{"arn": r.id} }},
	"aws:s3/bucketV2:BucketV2": {autoname: "bucket", id: func(r *res) string { return r.s("bucket") }, outputs: func(r *res) map[string]any {
		b := r.s("bucket")
		return map[string]any{"arn": "arn:aws:s3:::" + b, "bucket": b, "bucketDomainName": b + ".s3.amazonaws.com",
			"bucketRegionalDomainName": b + ".s3." + r.cfg.awsRegion + ".amazonaws.com", "region": r.cfg.awsRegion,
			"hostedZoneId": "Z3BJ6K6RIION7M"}
	}},
	"aws:kms/key:Key": {id: func(r *res) string { return uuidFrom(randomHex(16)) }, outputs: func(r *res) map[string]any {
		return map[string]any{"arn": r.awsArn("kms", "key/"+r.id), "keyId": r.id}
	}},
	"aws:rds/instance:Instance": {autoname: "identifier", id: func(r *res) string { return r.s("identifier") },
		outputs: func(r *res) map[string]any {
			addr := r.s("identifier") + "." + r.hex("rds", 12) + "." + r.cfg.awsRegion + ".rds.amazonaws.com"
			return map[string]any{"address": addr, "endpoint": addr + ":5432", "port": 5432.0, "identifier": r.s("identifier"),
				"arn": r.awsArn("rds", "db:"+r.s("identifier")), "engineVersionActual": r.or("engineVersion", "16") + ".11",
				"status": "available"}
		}},
	"aws:rds/parameterGroup:ParameterGroup": {autoname: "name", id: func(r *res) string { return r.s("name") },
		outputs: func(r *res) map[string]any {
			return map[string]any{"name": r.s("name"), "arn": r.awsArn("rds", "pg:"+r.s("name"))}
		}},
	"aws:rds/subnetGroup:SubnetGroup": {autoname: "name", id: func(r *res) string { return r.s("name") },
		outputs: func(r *res) map[string]any {
			return map[string]any{"name": r.s("name"), "arn": r.awsArn("rds", "subgrp:"+r.s("name"))}
		}},
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {id: func(r *res) string { return "sgr-" + r.hex("sgr", 17) },
		outputs: func(r *res) map[string]any {
			return map[string]any{"arn": r.awsArn("ec2", "security-group-rule/"+r.id)}
		}},
	"aws:kms/alias:Alias": {id: func(r *res) string { return r.s("name") }, outputs: func(r *res) map[string]any {
		return map[string]any{"arn": r.awsArn("kms", r.s("name")), "targetKeyArn": r.awsArn("kms", "key/"+r.s("targetKeyId"))}
	}},
	"aws:eks/cluster:Cluster": {autoname: "name", id: func(r *res) string { return r.s("name") }, outputs: func(r *res) map[string]any {
		vpc := r.obj("vpcConfig")
		vpc["clusterSecurityGroupId"] = "sg-" + r.hex("clustersg", 17)
		vpc["vpcId"] = "vpc-" + r.hex("vpc", 17)
		return map[string]any{"arn": r.awsArn("eks", "cluster/"+r.s("name")), "name": r.s("name"),
			"endpoint":             "https://" + strings.ToUpper(r.hex("endpoint", 32)) + ".gr7." + r.cfg.awsRegion + ".eks.amazonaws.com",
			"certificateAuthority": map[string]any{"data": fakeCACert(r.hex("ca", 32))},
			"identities":           []any{map[string]any{"oidcs": []any{map[string]any{"issuer": r.eksIssuer()}}}},
			"vpcConfig":            vpc, "status": "ACTIVE", "version": r.or("version", "1.31"), "platformVersion": "eks.1"}
	}},
	"aws:eks/nodeGroup:NodeGroup": {autoname: "nodeGroupName",
		id: func(r *res) string { return r.s("clusterName") + ":" + r.s("nodeGroupName") }, outputs: func(r *res) map[string]any {
			return map[string]any{"arn": r.awsArn("eks", "nodegroup/"+r.s("clusterName")+"/"+r.s("nodeGroupName")+"/"+uuidFrom(r.hex("ng", 32))),
				"nodeGroupName": r.s("nodeGroupName"), "status": "ACTIVE", "version": r.or("version", "1.31"),
				"resources": []any{map[string]any{"autoscalingGroups": []any{map[string]any{"name": "eks-" + r.s("nodeGroupName") + "-" + r.hex("asg", 8)}}}}}
		}},
	"aws:eks/addon:Addon": {id: func(r *res) string { return r.s("clusterName") + ":" + r.s("addonName") }, outputs: func(r *res) map[string]any {
		return map[string]any{"arn": r.awsArn("eks", "addon/"+r.s("clusterName")+"/"+r.s("addonName")+"/"+uuidFrom(r.hex("addon", 32))),
			"addonVersion": r.or("addonVersion", "v1.19.0-eksbuild.1")}
	}},

	// ---- kubernetes ----
	"kubernetes:*": {autoname: "metadata.name", id: k8sID, outputs: func(r *res) map[string]any {
		return map[string]any{"metadata": r.k8sMetadata()}
	}},
	"kubernetes:core/v1:Namespace": {autoname: "metadata.name", id: k8sID, outputs: func(r *res) map[string]any {
		return map[string]any{"metadata": r.k8sMetadata(), "status": map[string]any{"phase": "Active"}}
	}},
	"kubernetes:storage.k8s.io/v1:StorageClass": {autoname: "metadata.name", id: k8sID, outputs: func(r *res) map[string]any {
		return map[string]any{"metadata": r.k8sMetadata(), "reclaimPolicy": r.or("reclaimPolicy", "Delete"),
			"volumeBindingMode": r.or("volumeBindingMode", "Immediate")}
	}},
	"kubernetes:core/v1:Service": {autoname: "metadata.name", id: k8sID, outputs: func(r *res) map[string]any {
		spec := r.obj("spec")
		spec["clusterIP"] = r.privateIP()
		return map[string]any{"metadata": r.k8sMetadata(), "spec": spec, "status": map[string]any{"loadBalancer": map[string]any{}}}
	}},
	"kubernetes:helm.sh/v3:Release": {autoname: "name", id: func(r *res) string { return r.or("namespace", "default") + "/" + r.s("name") },
		outputs: func(r *res) map[string]any {
			revision := 1.0 // each update is a new helm revision
			if st := lookup(resource.NewObjectProperty(r.old), []string{"status", "revision"}); st.IsNumber() {
				revision = st.NumberValue() + 1
			}
			chart := r.s("chart")
			return map[string]any{"name": r.s("name"), "namespace": r.or("namespace", "default"),
				"status": map[string]any{"name": r.s("name"), "namespace": r.or("namespace", "default"), "status": "deployed",
					"chart": chart, "version": r.or("version", "0.0.0"), "appVersion": r.or("version", "0.0.0"), "revision": revision}}
		}},

	// ---- random ----
	"random:index/randomPassword:RandomPassword": {outputs: func(r *res) map[string]any {
		pw := r.password()
		hash, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
		if err != nil {
			panic(err) // only for passwords over 72 bytes
		}
		return map[string]any{"result": secret(pw), "bcryptHash": secret(string(hash))}
	}},
	"random:index/randomString:RandomString": {id: func(r *res) string { return r.password() }, outputs: func(r *res) map[string]any {
		return map[string]any{"result": r.id}
	}},
	"random:index/randomUuid:RandomUuid": {id: func(*res) string { return uuidFrom(randomHex(16)) }, outputs: func(r *res) map[string]any {
		return map[string]any{"result": r.id}
	}},
	"random:index/randomId:RandomId": {id: func(r *res) string { return randomHex(int(r.num("byteLength", 8))) }, outputs: func(r *res) map[string]any {
		b, _ := hex.DecodeString(r.id)
		dec := new(big.Int).SetBytes(b).String()
		p := r.s("prefix")
		return map[string]any{"hex": p + r.id, "b64Std": p + base64.StdEncoding.EncodeToString(b),
			"b64Url": p + base64.RawURLEncoding.EncodeToString(b), "dec": p + dec}
	}},

	// ---- gcp ----
	"gcp:container/cluster:Cluster": {autoname: "name", id: func(r *res) string {
		return "projects/" + r.project() + "/locations/" + r.location() + "/clusters/" + r.s("name")
	}, outputs: func(r *res) map[string]any {
		auth := r.obj("masterAuth")
		auth["clusterCaCertificate"] = fakeCACert(r.hex("ca", 32))
		return map[string]any{"name": r.s("name"), "location": r.location(), "project": r.project(),
			"endpoint": r.ip("endpoint"), "masterAuth": auth, "masterVersion": "1.31.1-gke.1000",
			"selfLink": "https://container.googleapis.com/v1/" + r.id, "labelFingerprint": r.hex("lf", 8)}
	}},
	"gcp:container/nodePool:NodePool": {autoname: "name", id: func(r *res) string {
		return r.project() + "/" + r.location() + "/" + r.s("cluster") + "/" + r.s("name")
	}, outputs: func(r *res) map[string]any {
		mig := "https://www.googleapis.com/compute/v1/projects/" + r.project() + "/zones/" + r.location() + "-a/instanceGroupManagers/gke-" + r.s("name") + "-" + r.hex("mig", 8) + "-grp"
		return map[string]any{"name": r.s("name"), "location": r.location(), "project": r.project(),
			"instanceGroupUrls": []any{mig}, "managedInstanceGroupUrls": []any{mig}}
	}},
	"gcp:compute/network:Network": {autoname: "name", id: func(r *res) string {
		return "projects/" + r.project() + "/global/networks/" + r.s("name")
	}, outputs: func(r *res) map[string]any {
		return map[string]any{"name": r.s("name"), "project": r.project(), "selfLink": computeV1 + r.id,
			"gatewayIpv4": "", "numericId": r.digits("net", 19)}
	}},
	"gcp:compute/subnetwork:Subnetwork": {autoname: "name", id: func(r *res) string {
		return "projects/" + r.project() + "/regions/" + r.location() + "/subnetworks/" + r.s("name")
	}, outputs: func(r *res) map[string]any {
		return map[string]any{"name": r.s("name"), "project": r.project(), "region": r.location(),
			"selfLink": computeV1 + r.id, "gatewayAddress": r.privateIP(), "fingerprint": r.hex("fp", 8)}
	}},
	"gcp:compute/router:Router": {autoname: "name", id: func(r *res) string {
		return "projects/" + r.project() + "/regions/" + r.location() + "/routers/" + r.s("name")
	}, outputs: func(r *res) map[string]any {
		return map[string]any{"name": r.s("name"), "project": r.project(), "region": r.location(), "selfLink": computeV1 + r.id}
	}},
	"gcp:compute/globalAddress:GlobalAddress": {autoname: "name", id: func(r *res) string {
		return "projects/" + r.project() + "/global/addresses/" + r.s("name")
	}, outputs: func(r *res) map[string]any {
		return map[string]any{"name": r.s("name"), "project": r.project(), "selfLink": computeV1 + r.id}
	}},
	"gcp:servicenetworking/connection:Connection": {outputs: func(r *res) map[string]any {
		return map[string]any{"peering": "servicenetworking-googleapis-com"}
	}},
	"gcp:sql/databaseInstance:DatabaseInstance": {autoname: "name", id: func(r *res) string { return r.s("name") },
		outputs: func(r *res) map[string]any {
			ip := r.privateIP()
			return map[string]any{"name": r.s("name"), "project": r.project(), "region": r.location(),
				"privateIpAddress": ip, "firstIpAddress": ip, "publicIpAddress": "",
				"ipAddresses":    []any{map[string]any{"ipAddress": ip, "type": "PRIVATE"}},
				"connectionName": r.project() + ":" + r.location() + ":" + r.s("name"),
				"selfLink":       "https://sqladmin.googleapis.com/sql/v1beta4/projects/" + r.project() + "/instances/" + r.s("name")}
		}},
	"gcp:storage/bucket:Bucket": {autoname: "name", id: func(r *res) string { return r.s("name") }, outputs: func(r *res) map[string]any {
		return map[string]any{"name": r.s("name"), "url": "gs://" + r.s("name"), "project": r.project(),
			"selfLink": "https://www.googleapis.com/storage/v1/b/" + r.s("name")}
	}},
	"gcp:serviceaccount/account:Account": {id: func(r *res) string { return "projects/" + r.project() + "/serviceAccounts/" + r.saEmail() },
		outputs: func(r *res) map[string]any {
			return map[string]any{"email": r.saEmail(), "name": r.id, "uniqueId": r.digits("uid", 21),
				"member": "serviceAccount:" + r.saEmail(), "project": r.project()}
		}},
	"gcp:serviceaccount/key:Key": {id: func(r *res) string {
		return saPath(r.s("serviceAccountId"), r.project()) + "/keys/" + randomHex(20)
	}, outputs: func(r *res) map[string]any {
		email := saEmailOf(r.s("serviceAccountId"), r.project())
		keyID := r.id[strings.LastIndex(r.id, "/")+1:]
		doc := fmt.Sprintf(`{"type":"service_account","project_id":%q,"private_key_id":%q,"private_key":%q,"client_email":%q,"client_id":%q,"auth_uri":"https://accounts.google.com/o/oauth2/auth","token_uri":"https://oauth2.googleapis.com/token"}`,
			r.project(), keyID, fakePEM("PRIVATE KEY", r.hex("key", 64)), email, r.digits("client", 21))
		return map[string]any{"name": r.id, "privateKey": secret(base64.StdEncoding.EncodeToString([]byte(doc))),
			"publicKey":    base64.StdEncoding.EncodeToString([]byte(fakePEM("CERTIFICATE", r.hex("pub", 64)))),
			"keyAlgorithm": r.or("keyAlgorithm", "KEY_ALG_RSA_2048"), "validAfter": createDate, "validBefore": "9999-12-31T23:59:59Z"}
	}},
	"gcp:projects/service:Service": {id: func(r *res) string { return r.project() + "/" + r.s("service") }, outputs: func(r *res) map[string]any {
		return map[string]any{"project": r.project()}
	}},
	"gcp:*": {outputs: func(r *res) map[string]any { // IAM members/bindings and the rest: an etag
		return map[string]any{"etag": "BwY" + r.b64("etag", 8)}
	}},

	// ---- azure-native ----
	"azure-native:resources:ResourceGroup": {autoname: "resourceGroupName",
		id: func(r *res) string {
			return "/subscriptions/" + r.cfg.subscriptionID + "/resourceGroups/" + r.s("resourceGroupName")
		},
		outputs: func(r *res) map[string]any {
			return map[string]any{"name": r.s("resourceGroupName"), "location": r.azLocation(), "type": "Microsoft.Resources/resourceGroups",
				"properties": map[string]any{"provisioningState": "Succeeded"}, "azureApiVersion": "2022-09-01"}
		}},
	"azure-native:storage:StorageAccount": {autoname: "accountName", compactName: true,
		id: azID("Microsoft.Storage/storageAccounts", "accountName"), outputs: func(r *res) map[string]any {
			a := r.s("accountName")
			ep := func(svc string) string { return "https://" + a + "." + svc + ".core.windows.net/" }
			return map[string]any{"name": a, "location": r.azLocation(), "type": "Microsoft.Storage/storageAccounts",
				"provisioningState": "Succeeded", "primaryLocation": r.azLocation(), "statusOfPrimary": "available",
				"primaryEndpoints": map[string]any{"blob": ep("blob"), "dfs": ep("dfs"), "file": ep("file"), "queue": ep("queue"),
					"table": ep("table"), "web": "https://" + a + ".z22.web.core.windows.net/"}}
		}},
	"azure-native:storage:BlobContainer": {autoname: "containerName", compactName: true,
		id: func(r *res) string {
			return azID("Microsoft.Storage/storageAccounts", "accountName")(r) + "/blobServices/default/containers/" + r.s("containerName")
		}, outputs: func(r *res) map[string]any {
			return map[string]any{"name": r.s("containerName"), "type": "Microsoft.Storage/storageAccounts/blobServices/containers",
				"etag": `"0x8DC` + strings.ToUpper(r.hex("etag", 11)) + `"`}
		}},
	"azure-native:containerservice:ManagedCluster": {autoname: "resourceName",
		id: azID("Microsoft.ContainerService/managedClusters", "resourceName"), outputs: func(r *res) map[string]any {
			n, loc := r.s("resourceName"), r.azLocation()
			oidc := r.obj("oidcIssuerProfile")
			oidc["issuerURL"] = "https://" + loc + ".oic.prod-aks.azure.com/" + r.cfg.tenantID + "/" + r.uuid("oidc") + "/"
			identity := r.obj("identity")
			identity["principalId"], identity["tenantId"] = r.uuid("principal"), r.cfg.tenantID
			fqdn := r.or("dnsPrefix", n) + "-" + r.hex("fqdn", 8) + ".hcp." + loc + ".azmk8s.io"
			return map[string]any{"name": n, "location": loc, "type": "Microsoft.ContainerService/ManagedClusters",
				"fqdn": fqdn, "azurePortalFQDN": strings.Replace(fqdn, ".hcp.", ".portal.hcp.", 1),
				"oidcIssuerProfile": oidc, "identity": identity, "provisioningState": "Succeeded",
				"powerState":               map[string]any{"code": "Running"},
				"currentKubernetesVersion": r.or("kubernetesVersion", "1.31.1"),
				"nodeResourceGroup":        "MC_" + r.s("resourceGroupName") + "_" + n + "_" + loc,
				"identityProfile": map[string]any{"kubeletidentity": map[string]any{"clientId": r.uuid("kubelet-client"),
					"objectId": r.uuid("kubelet-object"), "resourceId": "/subscriptions/" + r.cfg.subscriptionID + "/resourceGroups/MC_" +
						r.s("resourceGroupName") + "_" + n + "_" + loc + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + n + "-agentpool"}}}
		}},
	"azure-native:network:VirtualNetwork": {autoname: "virtualNetworkName",
		id: azID("Microsoft.Network/virtualNetworks", "virtualNetworkName"), outputs: func(r *res) map[string]any {
			return map[string]any{"name": r.s("virtualNetworkName"), "location": r.azLocation(), "type": "Microsoft.Network/virtualNetworks",
				"provisioningState": "Succeeded", "resourceGuid": r.uuid("vnet")}
		}},
	"azure-native:network:Subnet": {autoname: "subnetName",
		id: func(r *res) string {
			return azID("Microsoft.Network/virtualNetworks", "virtualNetworkName")(r) + "/subnets/" + r.s("subnetName")
		}, outputs: func(r *res) map[string]any {
			return map[string]any{"name": r.s("subnetName"), "type": "Microsoft.Network/virtualNetworks/subnets",
				"provisioningState": "Succeeded"}
		}},
	"azure-native:dbforpostgresql/v20240801:Server": {autoname: "serverName",
		id: azID("Microsoft.DBforPostgreSQL/flexibleServers", "serverName"), outputs: func(r *res) map[string]any {
			n := r.s("serverName")
			return map[string]any{"name": n, "location": r.azLocation(), "state": "Ready",
				"fullyQualifiedDomainName": n + ".postgres.database.azure.com"}
		}},
	"azure-native:dbforpostgresql/v20240801:Database": {autoname: "databaseName",
		id: func(r *res) string {
			return azID("Microsoft.DBforPostgreSQL/flexibleServers", "serverName")(r) + "/databases/" + r.s("databaseName")
		}, outputs: func(r *res) map[string]any { return map[string]any{"name": r.s("databaseName")} }},
	"azure-native:dbforpostgresql/v20240801:Configuration": {autoname: "configurationName",
		id: func(r *res) string {
			return azID("Microsoft.DBforPostgreSQL/flexibleServers", "serverName")(r) + "/configurations/" + r.s("configurationName")
		}, outputs: func(r *res) map[string]any {
			return map[string]any{"name": r.s("configurationName"), "value": r.s("value")}
		}},
	"azure-native:network:PrivateZone": {autoname: "privateZoneName",
		id: azID("Microsoft.Network/privateDnsZones", "privateZoneName"), outputs: func(r *res) map[string]any {
			return map[string]any{"name": r.s("privateZoneName"), "location": "global"}
		}},
	"azure-native:network:VirtualNetworkLink": {autoname: "virtualNetworkLinkName",
		id: func(r *res) string {
			return azID("Microsoft.Network/privateDnsZones", "privateZoneName")(r) + "/virtualNetworkLinks/" + r.s("virtualNetworkLinkName")
		}, outputs: func(r *res) map[string]any { return map[string]any{"name": r.s("virtualNetworkLinkName")} }},
	"azure-native:managedidentity:UserAssignedIdentity": {autoname: "resourceName",
		id: azID("Microsoft.ManagedIdentity/userAssignedIdentities", "resourceName"), outputs: func(r *res) map[string]any {
			return map[string]any{"name": r.s("resourceName"), "location": r.azLocation(), "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
				"clientId": r.uuid("client"), "principalId": r.uuid("principal"), "tenantId": r.cfg.tenantID}
		}},
	"azure-native:authorization:RoleAssignment": {autoname: "roleAssignmentName", uuidName: true,
		id: func(r *res) string {
			return strings.TrimSuffix(r.s("scope"), "/") + "/providers/Microsoft.Authorization/roleAssignments/" + r.s("roleAssignmentName")
		}, outputs: func(r *res) map[string]any {
			return map[string]any{"name": r.s("roleAssignmentName"), "type": "Microsoft.Authorization/roleAssignments",
				"principalType": r.or("principalType", "ServicePrincipal")}
		}},
	"azure-native:*": {outputs: func(r *res) map[string]any {
		return map[string]any{"name": r.or("resourceName", r.name), "provisioningState": "Succeeded"}
	}},
}

// specFor finds typ's entry (exact, then package-wide); unknown types get an empty spec.
func specFor(typ string) (typeSpec, bool) {
	if s, ok := types[typ]; ok {
		return s, true
	}
	pkg, _, _ := strings.Cut(typ, ":")
	s, ok := types[pkg+":*"]
	return s, ok
}

const (
	awsAccountID = "123456789012"
	createDate   = "2025-01-01T00:00:00Z"
)

// cloudConfig is what the provider configuration (or the environment) says about where we are.
type cloudConfig struct {
	awsRegion      string
	gcpProject     string
	gcpRegion      string
	azureLocation  string
	subscriptionID string
	tenantID       string
}

// res is one resource as seen by an outputs function.
type res struct {
	typ, name string               // type token and logical name (from the URN)
	id        string               // physical id (set before outputs are computed)
	in        resource.PropertyMap // inputs, as checked
	old       resource.PropertyMap // previous outputs on Update; empty on Create
	cfg       cloudConfig
}

// s is the input key as a string (secrets unwrapped); "" if absent, unknown or not a string.
func (r *res) s(key string) string {
	v := deepUnwrap(r.in[resource.PropertyKey(key)])
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

func (r *res) or(key, def string) string {
	if v := r.s(key); v != "" {
		return v
	}
	return def
}

func (r *res) num(key string, def float64) float64 {
	if v := deepUnwrap(r.in[resource.PropertyKey(key)]); v.IsNumber() {
		return v.NumberValue()
	}
	return def
}

func (r *res) boolean(key string, def bool) bool {
	if v := deepUnwrap(r.in[resource.PropertyKey(key)]); v.IsBool() {
		return v.BoolValue()
	}
	return def
}

// obj is a copy of the input object at key (for merging computed fields into it).
func (r *res) obj(key string) map[string]any {
	out := map[string]any{}
	if v := r.in[resource.PropertyKey(key)]; v.IsObject() || v.IsSecret() {
		if m := deepUnwrap(v); m.IsObject() {
			for k, e := range m.ObjectValue() {
				out[string(k)] = e
			}
		}
	}
	return out
}

// hex is n stable pseudo-random hex digits derived from the resource's id and label.
func (r *res) hex(label string, n int) string {
	var out string
	for i := 0; len(out) < n; i++ {
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%s|%d", r.typ, r.id, label, i)))
		out += hex.EncodeToString(sum[:])
	}
	return out[:n]
}

func (r *res) b64(label string, n int) string {
	return base64.RawStdEncoding.EncodeToString([]byte(r.hex(label, 2*n)))[:n]
}

func (r *res) digits(label string, n int) string {
	d := new(big.Int)
	d.SetString(r.hex(label, 2*n), 16)
	s := "1" + d.String()
	return s[:n]
}

func (r *res) uuid(label string) string { return uuidFrom(r.hex(label, 32)) }

func (r *res) ip(label string) string {
	h, _ := hex.DecodeString(r.hex(label, 6))
	return fmt.Sprintf("34.%d.%d.%d", h[0], h[1], 1+h[2]%254)
}

func (r *res) privateIP() string {
	h, _ := hex.DecodeString(r.hex("private-ip", 4))
	return fmt.Sprintf("10.0.%d.%d", h[0], 1+h[1]%254)
}

func (r *res) awsArn(service, path string) string {
	region := r.cfg.awsRegion
	if service == "iam" {
		region = ""
	}
	return "arn:aws:" + service + ":" + region + ":" + awsAccountID + ":" + path
}

func (r *res) eksIssuer() string {
	return "https://oidc.eks." + r.cfg.awsRegion + ".amazonaws.com/id/" + strings.ToUpper(r.hex("endpoint", 32))
}

func (r *res) project() string  { return r.or("project", r.cfg.gcpProject) }
func (r *res) location() string { return r.or("location", r.or("region", r.cfg.gcpRegion)) }
func (r *res) saEmail() string {
	return r.s("accountId") + "@" + r.project() + ".iam.gserviceaccount.com"
}
func (r *res) azLocation() string { return r.or("location", r.cfg.azureLocation) }

// k8sMetadata is the input metadata plus what the API server fills in.
func (r *res) k8sMetadata() map[string]any {
	md := r.obj("metadata")
	if _, ok := md["namespace"]; !ok && !clusterScoped(r.typ) {
		md["namespace"] = "default"
	}
	md["uid"] = r.uuid("uid")
	md["resourceVersion"] = r.digits("rv", 6)
	md["creationTimestamp"] = createDate
	return md
}

func clusterScoped(typ string) bool {
	for _, t := range []string{"core/v1:Namespace", "storage.k8s.io/v1:StorageClass", "rbac.authorization.k8s.io/v1:ClusterRole",
		"rbac.authorization.k8s.io/v1:ClusterRoleBinding", "apiextensions.k8s.io/v1:CustomResourceDefinition", "core/v1:PersistentVolume"} {
		if typ == "kubernetes:"+t {
			return true
		}
	}
	return false
}

func k8sID(r *res) string {
	name := deepUnwrap(lookup(resource.NewObjectProperty(r.in), []string{"metadata", "name"}))
	ns := deepUnwrap(lookup(resource.NewObjectProperty(r.in), []string{"metadata", "namespace"}))
	n := r.name
	if name.IsString() {
		n = name.StringValue()
	}
	if clusterScoped(r.typ) {
		return n
	}
	if ns.IsString() && ns.StringValue() != "" {
		return ns.StringValue() + "/" + n
	}
	return "default/" + n
}

// password honours random's length/special/upper/lower/numeric/overrideSpecial inputs.
func (r *res) password() string {
	set := ""
	if r.boolean("lower", true) {
		set += "abcdefghijklmnopqrstuvwxyz"
	}
	if r.boolean("upper", true) {
		set += "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	}
	if r.boolean("numeric", r.boolean("number", true)) {
		set += "0123456789"
	}
	if r.boolean("special", true) {
		set += r.or("overrideSpecial", "!@#$%&*()-_=+[]{}<>:?")
	}
	if set == "" {
		set = "abcdefghijklmnopqrstuvwxyz"
	}
	n := int(r.num("length", 16))
	out := make([]byte, n)
	for i := range out {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			panic(err)
		}
		out[i] = set[k.Int64()]
	}
	return string(out)
}

func awsID(prefix string) func(*res) string {
	return func(*res) string { return prefix + "-" + randomHex(17)[:17] }
}

func azID(provider, nameKey string) func(*res) string {
	return func(r *res) string {
		return "/subscriptions/" + r.cfg.subscriptionID + "/resourceGroups/" + r.s("resourceGroupName") +
			"/providers/" + provider + "/" + r.s(nameKey)
	}
}

// saPath turns a serviceAccountId input (full name, email or account id) into its resource name.
func saPath(id, project string) string {
	if strings.HasPrefix(id, "projects/") {
		return id
	}
	return "projects/" + project + "/serviceAccounts/" + saEmailOf(id, project)
}

func saEmailOf(id, project string) string {
	if i := strings.LastIndex(id, "/"); i >= 0 {
		id = id[i+1:]
	}
	if strings.Contains(id, "@") {
		return id
	}
	return id + "@" + project + ".iam.gserviceaccount.com"
}

func secret(v any) resource.PropertyValue { return resource.MakeSecret(resource.NewPropertyValue(v)) }

// randomHex is n truly random bytes, hex encoded (2n digits).
func randomHex(n int) string {
	if n <= 0 {
		n = 8
	}
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func uuidFrom(h string) string {
	for len(h) < 32 {
		h += "0"
	}
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

func fakePEM(kind, body string) string {
	return "-----BEGIN " + kind + "-----\n" + base64.StdEncoding.EncodeToString([]byte(body)) + "\n-----END " + kind + "-----\n"
}

func fakeCACert(seed string) string {
	return base64.StdEncoding.EncodeToString([]byte(fakePEM("CERTIFICATE", "stand-in-ca-"+seed)))
}
