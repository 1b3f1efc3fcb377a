package azure

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestCluster_CKV_AZURE_5_RBACWithSystemIdentity(t *testing.T) {
	wantInputs(t, mocktest.One(t, runCluster(t, validClusterArgs()), tManagedCluster), map[string]any{
		"enableRBAC":    true,
		"identity.type": "SystemAssigned",
		// Local accounts stay on without EntraIDAuth: the kubeconfig's user is local.
		"disableLocalAccounts": false,
		"aadProfile":           nil,
	})
}

func TestCluster_CKV_AZURE_227_HostEncryption(t *testing.T) {
	tests := []struct {
		on   bool
		want any
	}{
		// Off leaves the input unset, so stacks made before the setting see no change.
		{false, nil},
		{true, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("HostEncryption=%v", tt.on), func(t *testing.T) {
			args := validClusterArgs()
			args.HostEncryption = tt.on
			wantInputs(t, mocktest.One(t, runCluster(t, args), tManagedCluster),
				map[string]any{"agentPoolProfiles[0].enableEncryptionAtHost": tt.want})
		})
	}
}

// TestCluster_CKV_AZURE_141_EntraIDAuth: EntraIDAuth turns local accounts off behind
// managed Entra ID with Azure RBAC, makes the deploying principal cluster admin before
// any Kubernetes object, and hands out a kubeconfig that runs kubelogin; without it the
// cluster keeps local accounts and the user kubeconfig.
func TestCluster_CKV_AZURE_141_EntraIDAuth(t *testing.T) {
	tests := []struct {
		on         bool
		want       map[string]any
		kubeconfig []string
	}{
		{false, map[string]any{"disableLocalAccounts": false, "aadProfile": nil}, []string{"token: stand-in"}},
		{true, map[string]any{
			"disableLocalAccounts":       true,
			"aadProfile.managed":         true,
			"aadProfile.enableAzureRBAC": true,
		}, []string{"command: kubelogin", "args: [get-token, --login, azurecli, --server-id, " + AKSServerAppID + "]",
			"server: https://kubernetes.example.invalid"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("EntraIDAuth=%v", tt.on), func(t *testing.T) {
			var config string
			cloud := mocktest.Run(t, func(ctx *pulumi.Context) error {
				args := validClusterArgs()
				args.EntraIDAuth = tt.on
				c, err := NewCluster(ctx, "aks", args)
				if err != nil {
					return err
				}
				config = mocktest.AwaitString(t, c.Kubeconfig)
				return nil
			}, standIns)
			aks := mocktest.One(t, cloud, tManagedCluster)
			wantInputs(t, aks, tt.want)
			for _, want := range tt.kubeconfig {
				if !strings.Contains(config, want) {
					t.Errorf("kubeconfig lacks %q:\n%s", want, config)
				}
			}
			roles := cloud.OfType("azure-native:authorization:RoleAssignment")
			if !tt.on {
				if len(roles) != 0 {
					t.Errorf("%d role assignments without EntraIDAuth, want none", len(roles))
				}
				return
			}
			if strings.Contains(config, "token:") {
				t.Errorf("the Entra ID kubeconfig holds a static token:\n%s", config)
			}
			admin := mocktest.One(t, cloud, "azure-native:authorization:RoleAssignment")
			wantInputs(t, admin, map[string]any{"principalId": offline.Later("deployer object id"), "principalType": nil})
			if scope := mocktest.MustString(t, admin, "scope"); scope != aks.ID {
				t.Errorf("admin role scope %q, want the cluster %q", scope, aks.ID)
			}
			if def := mocktest.MustString(t, admin, "roleDefinitionId"); !strings.HasSuffix(def, "/"+AKSRBACClusterAdminRole) {
				t.Errorf("admin role %q, want Azure Kubernetes Service RBAC Cluster Admin", def)
			}
			if class := mocktest.One(t, cloud, tStorageClass); !mocktest.DependsOn(class, admin.URN) {
				t.Error("Kubernetes objects do not wait for the deployer's role in the cluster")
			}
		})
	}
}

func TestKubeloginKubeconfig(t *testing.T) {
	tests := []struct {
		name, config string
		want         []string
		err          string
	}{
		{"server and CA kept", "clusters:\n- name: c\n  cluster:\n    server: https://aks.example:443\n" +
			"    certificate-authority-data: Q0E=\nusers:\n- name: u\n  user:\n    exec:\n      command: kubelogin\n" +
			"      args: [get-token, --login, devicecode]\n",
			[]string{"server: https://aks.example:443", "certificate-authority-data: Q0E=", "--login, azurecli", "name: aks"}, ""},
		{"no cluster", "clusters: []\n", nil, "names no API server"},
		{"not YAML", "clusters: [", nil, "reading the AKS kubeconfig"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := kubeloginKubeconfig("aks", tt.config)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("kubeconfig lacks %q:\n%s", w, got)
				}
			}
			if strings.Contains(got, "devicecode") {
				t.Errorf("kubeconfig keeps the interactive login:\n%s", got)
			}
		})
	}
}

func TestCluster_OIDCIssuerAndWorkloadIdentityEnabled(t *testing.T) {
	var issuer string
	cloud := mocktest.Run(t, func(ctx *pulumi.Context) error {
		c, err := NewCluster(ctx, "aks", validClusterArgs())
		if err != nil {
			return err
		}
		issuer = mocktest.AwaitString(t, c.OIDCIssuerURL)
		return nil
	}, standIns)
	wantInputs(t, mocktest.One(t, cloud, tManagedCluster), map[string]any{
		"oidcIssuerProfile.enabled":                true,
		"securityProfile.workloadIdentity.enabled": true,
	})
	if issuer != offline.Later("OIDC issuer URL") {
		t.Errorf("OIDCIssuerURL = %q", issuer)
	}
}

func TestCluster_NetworkPolicyAndAPIAccess(t *testing.T) {
	restricted := validClusterArgs()
	restricted.NetworkPolicy = "azure"
	restricted.APIAllowedCIDRs = []string{"203.0.113.0/24", "198.51.100.7/32"}
	tests := []struct {
		name string
		args *ClusterArgs
		want map[string]any
	}{
		{"default: calico, API open", validClusterArgs(), map[string]any{
			"networkProfile.networkPolicy":     "calico",
			"networkProfile.networkPlugin":     "azure",
			"networkProfile.networkPluginMode": "overlay",
			"apiServerAccessProfile":           nil,
		}},
		{"azure policy, API limited to the CIDRs", restricted, map[string]any{
			"networkProfile.networkPolicy":                 "azure",
			"apiServerAccessProfile.authorizedIPRanges[0]": "203.0.113.0/24",
			"apiServerAccessProfile.authorizedIPRanges[1]": "198.51.100.7/32",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantInputs(t, mocktest.One(t, runCluster(t, tt.args), tManagedCluster), tt.want)
		})
	}
}

func TestCluster_SystemNodePoolAutoscales(t *testing.T) {
	args := validClusterArgs()
	args.KubernetesVersion, args.NodeCount, args.NodeMaxCount, args.NodePoolName = "1.33", 4, 8, "pach1"
	wantInputs(t, mocktest.One(t, runCluster(t, args), tManagedCluster), map[string]any{
		"kubernetesVersion":                      "1.33",
		"resourceName":                           "pachdeploy-dev",
		"dnsPrefix":                              "pachdeploy-dev",
		"autoUpgradeProfile.upgradeChannel":      "patch",
		"agentPoolProfiles[0].name":              "pach1",
		"agentPoolProfiles[0].mode":              "System",
		"agentPoolProfiles[0].vmSize":            DefaultVMSize,
		"agentPoolProfiles[0].count":             4.0,
		"agentPoolProfiles[0].minCount":          1.0,
		"agentPoolProfiles[0].maxCount":          8.0,
		"agentPoolProfiles[0].enableAutoScaling": true,
	})
}

func TestCluster_KubeconfigIsSecretFromUserCredentials(t *testing.T) {
	var secret bool
	var config string
	cloud := mocktest.Run(t, func(ctx *pulumi.Context) error {
		c, err := NewCluster(ctx, "aks", validClusterArgs())
		if err != nil {
			return err
		}
		secret = pulumi.IsSecret(c.Kubeconfig)
		config = mocktest.AwaitString(t, c.Kubeconfig)
		return nil
	}, standIns)
	if !secret {
		t.Error("Kubeconfig output is not secret")
	}
	if config != offline.Kubeconfig {
		t.Errorf("Kubeconfig is not the decoded user credentials:\n%s", config)
	}
	if !mocktest.One(t, cloud, tK8sProvider).Inputs["kubeconfig"].IsSecret() {
		t.Error("the Kubernetes provider's kubeconfig input is not secret")
	}
}

func TestCluster_KubernetesObjectsUseClusterProviderAndWaitForNodes(t *testing.T) {
	cloud := runCluster(t, validClusterArgs())
	provider, cluster := mocktest.One(t, cloud, tK8sProvider), mocktest.One(t, cloud, tManagedCluster)
	var n int
	for _, r := range cloud.Resources() {
		if !strings.HasPrefix(r.Type, "kubernetes:") {
			continue
		}
		n++
		if !strings.HasPrefix(r.Provider, provider.URN+"::") {
			t.Errorf("%s %s uses provider %q, want the cluster's", r.Type, r.Name, r.Provider)
		}
		if !mocktest.DependsOn(r, cluster.URN) {
			t.Errorf("%s %s does not wait for the cluster and its node pool", r.Type, r.Name)
		}
	}
	if n == 0 {
		t.Fatal("no Kubernetes objects registered")
	}
}

func TestCluster_PremiumDiskStorageClass(t *testing.T) {
	wantInputs(t, mocktest.One(t, runCluster(t, validClusterArgs()), tStorageClass), map[string]any{
		"metadata.name":        DefaultStorageClassName,
		"provisioner":          "disk.csi.azure.com",
		"parameters.skuName":   "Premium_LRS",
		"volumeBindingMode":    "WaitForFirstConsumer",
		"allowVolumeExpansion": true,
	})
}

func TestDNSPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"pachdeploy-dev":        "pachdeploy-dev",
		"pach_cluster.prod_":    "pach-cluster-prod",
		strings.Repeat("a", 60): strings.Repeat("a", 54),
	} {
		if got := dnsPrefix(in); got != want {
			t.Errorf("dnsPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewCluster_InvalidArgsListsEveryProblem(t *testing.T) {
	tests := []struct {
		name   string
		args   ClusterArgs
		fields []string
	}{
		{"everything wrong", ClusterArgs{
			Location: "Central US", Name: "-aks", KubernetesVersion: "2.0", VMSize: "Standard DS4",
			NodeCount: 3, NodeMinCount: 4, NodePoolName: "1pool", NetworkPolicy: "cilium",
			APIAllowedCIDRs: []string{"not-a-cidr"}, StorageClassName: "Premium_LRS",
			Tags: map[string]string{"a<b": "c"},
		}, []string{"ResourceGroupName", "Location", "Name", "KubernetesVersion", "VMSize", "NodeCount",
			"NodePoolName", "NetworkPolicy", "APIAllowedCIDRs[0]", "StorageClassName", "Tags"}},
		{"node pool name too long", ClusterArgs{
			ResourceGroupName: pulumi.String("rg"), Location: "centralus", Name: "aks", NodePoolName: "pachydermpool1",
		}, []string{"NodePoolName"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cloud := offline.New("p", "s", standIns)
			err := cloud.Run(func(ctx *pulumi.Context) error {
				_, err := NewCluster(ctx, "aks", &tt.args)
				return err
			})
			mocktest.WantProblems(t, err, tt.fields...)
			if n := len(cloud.Resources()); n != 0 {
				t.Errorf("%d resources registered before validation failed", n)
			}
		})
	}
}

func TestCluster_CKV_AZURE_6_OpenAPIWarns(t *testing.T) {
	mocktest.OpenAPIWarns(t, "CKV_AZURE_6", func(ctx *pulumi.Context, cidrs []string) error {
		args := validClusterArgs()
		args.APIAllowedCIDRs = cidrs
		_, err := NewCluster(ctx, "aks", args)
		return err
	}, standIns)
}

const (
	tAgentPool = "azure-native:containerservice:AgentPool"
	tDaemonSet = "kubernetes:apps/v1:DaemonSet"
)

func gpuClusterArgs() *ClusterArgs {
	args := validClusterArgs()
	args.GPUVMSize = "Standard_NC4as_T4_v3"
	return args
}

func TestCluster_GPUNodePoolOnlyWhenSet(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  *ClusterArgs
		pools int
	}{
		{"no GPU size: the system pool only", validClusterArgs(), 0},
		{"a GPU size: a GPU pool and the device plugin", gpuClusterArgs(), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cloud := runCluster(t, tc.args)
			if got := len(cloud.OfType(tAgentPool)); got != tc.pools {
				t.Errorf("%d agent pools, want %d", got, tc.pools)
			}
			if got := len(cloud.OfType(tDaemonSet)); got != tc.pools {
				t.Errorf("%d device plugin DaemonSets, want %d", got, tc.pools)
			}
			// The GPU pool is never a profile of the cluster: AKS refuses pools added that way.
			if got := len(mocktest.MustInput(t, mocktest.One(t, cloud, tManagedCluster), "agentPoolProfiles").ArrayValue()); got != 1 {
				t.Errorf("%d agent pool profiles on the cluster, want the system pool only", got)
			}
		})
	}
}

func TestCluster_GPUNodePoolScalesFromZeroTainted(t *testing.T) {
	for _, tc := range []struct {
		name    string
		max     int
		wantMax float64
	}{
		{"default maximum", 0, 2},
		{"given maximum", 6, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := gpuClusterArgs()
			args.GPUMaxCount = tc.max
			cloud := runCluster(t, args)
			pool := mocktest.One(t, cloud, tAgentPool)
			wantInputs(t, pool, map[string]any{
				"agentPoolName":     "gpu",
				"resourceName":      mocktest.String(t, mocktest.One(t, cloud, tManagedCluster).Outputs, "name"),
				"mode":              "User",
				"osType":            "Linux",
				"vmSize":            "Standard_NC4as_T4_v3",
				"enableAutoScaling": true,
				"count":             0.0,
				"minCount":          0.0,
				"maxCount":          tc.wantMax,
			})
			if got := mocktest.Plain(mocktest.MustInput(t, pool, "nodeTaints")); !reflect.DeepEqual(got, []any{"nvidia.com/gpu=present:NoSchedule"}) {
				t.Errorf("nodeTaints = %v, want nvidia.com/gpu=present:NoSchedule", got)
			}
			if got := mocktest.MustString(t, pool, "nodeLabels."+mocktest.Key("pachdeploy.io/gpu")); got != "nvidia" {
				t.Errorf("GPU label = %q, want nvidia", got)
			}
		})
	}
}

// The GPU pool is hardened as the system pool: host encryption when asked, and the
// same subnet.
func TestCluster_GPUNodePoolSharesTheSystemPoolsHardening(t *testing.T) {
	for _, on := range []bool{false, true} {
		t.Run(fmt.Sprintf("HostEncryption=%v", on), func(t *testing.T) {
			args := gpuClusterArgs()
			args.HostEncryption = on
			args.NodeSubnetID = pulumi.String("/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/nodes")
			cloud := runCluster(t, args)
			cluster, pool := mocktest.One(t, cloud, tManagedCluster), mocktest.One(t, cloud, tAgentPool)
			for _, field := range []string{"enableEncryptionAtHost", "vnetSubnetID"} {
				want, wantOK := mocktest.Input(t, cluster, "agentPoolProfiles[0]."+field)
				got, ok := mocktest.Input(t, pool, field)
				if ok != wantOK || !got.DeepEquals(want) {
					t.Errorf("GPU pool %s = %v, want the system pool's %v", field, got, want)
				}
			}
		})
	}
}

func TestCluster_GPUDevicePlugin(t *testing.T) {
	cloud := runCluster(t, gpuClusterArgs())
	ds := mocktest.One(t, cloud, tDaemonSet)
	if !strings.HasPrefix(ds.Provider, mocktest.One(t, cloud, tK8sProvider).URN+"::") {
		t.Errorf("device plugin provider %q, want the cluster's", ds.Provider)
	}
	if !mocktest.DependsOn(ds, mocktest.One(t, cloud, tAgentPool).URN) {
		t.Error("the device plugin does not wait for the GPU pool")
	}
	spec := mocktest.MustInput(t, ds, "spec.template.spec").ObjectValue()
	if got := mocktest.String(t, spec, "containers[0].image"); got != "nvcr.io/nvidia/k8s-device-plugin:v0.17.4" {
		t.Errorf("image = %q, want the pinned v0.17.4", got)
	}
	if got := mocktest.Plain(mocktest.Value(t, spec, "tolerations")); !reflect.DeepEqual(got,
		[]any{map[string]any{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}}) {
		t.Errorf("tolerations = %v, want the GPU taint's", got)
	}
	if got := mocktest.String(t, spec, "nodeSelector."+mocktest.Key("pachdeploy.io/gpu")); got != "nvidia" {
		t.Errorf("nodeSelector = %v, want the GPU label", mocktest.Value(t, spec, "nodeSelector"))
	}
}

func TestNewCluster_GPUArgsValidated(t *testing.T) {
	for _, tc := range []struct {
		name, size, poolName string
		max                  int
		want                 []string
	}{
		{"an ND size at the largest pool", "Standard_ND96asr_v4", "", 100, nil},
		{"a lowercase NC size", "standard_nc24ads_a100_v4", "", 2, nil},
		{"a CPU size", "Standard_DS4_v2", "", 2, []string{"GPUVMSize"}},
		{"an AMD NV size", "Standard_NV32as_v4", "", 2, []string{"GPUVMSize"}},
		{"another cloud's GPU type", "g6.xlarge", "", 2, []string{"GPUVMSize"}},
		{"too many nodes", "Standard_NC4as_T4_v3", "", 101, []string{"GPUMaxCount"}},
		{"the system pool named gpu", "Standard_NC4as_T4_v3", "gpu", 2, []string{"NodePoolName"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := validClusterArgs()
			args.GPUVMSize, args.GPUMaxCount, args.NodePoolName = tc.size, tc.max, tc.poolName
			cloud := offline.New("pachdeploy", "test", standIns)
			err := cloud.Run(func(ctx *pulumi.Context) error {
				_, err := NewCluster(ctx, "aks", args)
				return err
			})
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			mocktest.WantProblems(t, err, tc.want...)
		})
	}
}
