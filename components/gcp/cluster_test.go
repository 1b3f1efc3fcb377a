package gcp

import (
	"slices"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestNodes_CKV_GCP_69_GKEMetadataServer(t *testing.T) {
	cloud := runCluster(t, validClusterArgs())
	for _, r := range []offline.Resource{mocktest.One(t, cloud, tNodePool), mocktest.One(t, cloud, tCluster)} {
		if got := mocktest.MustString(t, r, "nodeConfig.workloadMetadataConfig.mode"); got != "GKE_METADATA" {
			t.Errorf("%s: workloadMetadataConfig.mode = %q, want GKE_METADATA", r.Type, got)
		}
	}
}

func TestNodes_CKV2_GCP_1_DedicatedServiceAccountNotDefaultCompute(t *testing.T) {
	cloud := runCluster(t, validClusterArgs())
	nodeSA, ok := cloud.Named(tAccount, "gke-nodes")
	if !ok {
		t.Fatal("no node service account gke-nodes")
	}
	email := nodeSA.Outputs["email"].StringValue()
	for _, r := range []offline.Resource{mocktest.One(t, cloud, tNodePool), mocktest.One(t, cloud, tCluster)} {
		got := mocktest.MustString(t, r, "nodeConfig.serviceAccount")
		if got != email || strings.Contains(got, "-compute@developer.gserviceaccount.com") {
			t.Errorf("%s: nodeConfig.serviceAccount = %q, want the dedicated %q", r.Type, got, email)
		}
		if scopes := mocktest.MustString(t, r, "nodeConfig.oauthScopes[0]"); scopes != cloudPlatformScope {
			t.Errorf("%s: oauthScopes = %q, want only cloud-platform (IAM decides)", r.Type, scopes)
		}
	}
}

func TestNodeServiceAccount_OnlyLeastPrivilegeProjectRoles(t *testing.T) {
	cloud := runCluster(t, validClusterArgs())
	nodeSA, _ := cloud.Named(tAccount, "gke-nodes")
	var roles []string
	for _, m := range cloud.OfType(tProjectMember) {
		if got := mocktest.MustString(t, m, "member"); got != nodeSA.Outputs["member"].StringValue() {
			t.Errorf("project role %s granted to %q, want only the node service account", mocktest.MustString(t, m, "role"), got)
		}
		if got := mocktest.MustString(t, m, "project"); got != "acme-data" {
			t.Errorf("project role granted in %q, want acme-data", got)
		}
		roles = append(roles, mocktest.MustString(t, m, "role"))
	}
	slices.Sort(roles)
	want := slices.Sorted(slices.Values(NodeRoles))
	if !slices.Equal(roles, want) {
		t.Errorf("node roles = %v, want exactly %v", roles, want)
	}
}

func TestNodes_CKV_GCP_71_68_ShieldedNodesWithSecureBoot(t *testing.T) {
	cloud := runCluster(t, validClusterArgs())
	if !mocktest.Bool(t, mocktest.One(t, cloud, tCluster).Inputs, "enableShieldedNodes") {
		t.Error("CKV_GCP_71: cluster enableShieldedNodes is not true")
	}
	for _, r := range []offline.Resource{mocktest.One(t, cloud, tNodePool), mocktest.One(t, cloud, tCluster)} {
		for _, path := range []string{
			"nodeConfig.shieldedInstanceConfig.enableSecureBoot",          // CKV_GCP_68
			"nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring", // CKV_GCP_72
		} {
			if !mocktest.Bool(t, r.Inputs, path) {
				t.Errorf("%s: %s is not true", r.Type, path)
			}
		}
	}
}

func TestCluster_Settings(t *testing.T) {
	zonal := validClusterArgs()
	zonal.Zone, zonal.NodeCount, zonal.NodeMaxCount = "us-central1-a", 2, 5
	zonal.APIAllowedCIDRs = []string{"203.0.113.0/24"}
	zonal.DeletionProtection = true
	zonal.ReleaseChannel = "STABLE"
	tests := []struct {
		name string
		args *ClusterArgs
		want map[string]any // input path -> value; nil means unset
	}{
		{"regional default", validClusterArgs(), map[string]any{
			"location":                            "us-central1",
			"removeDefaultNodePool":               true,
			"initialNodeCount":                    1.0,
			"releaseChannel.channel":              "REGULAR",
			"datapathProvider":                    "ADVANCED_DATAPATH", // CKV_GCP_12 via Dataplane V2
			"deletionProtection":                  false,
			"workloadIdentityConfig.workloadPool": "acme-data.svc.id.goog",
			"masterAuthorizedNetworksConfig":      nil,
			"minMasterVersion":                    nil,
		}},
		{"zonal with authorized networks", zonal, map[string]any{
			"location":               "us-central1-a",
			"releaseChannel.channel": "STABLE",
			"deletionProtection":     true,
			"masterAuthorizedNetworksConfig.cidrBlocks[0].cidrBlock": "203.0.113.0/24", // CKV_GCP_18
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cluster := mocktest.One(t, runCluster(t, tt.args), tCluster)
			if v, ok := mocktest.Input(t, cluster, "ipAllocationPolicy"); !ok || !v.IsObject() { // CKV_GCP_23: VPC-native
				t.Errorf("ipAllocationPolicy = %v, want set", v)
			}
			wantInputs(t, cluster, tt.want)
		})
	}
}

// TestCluster_CKV_GCP_25_64_61_13_Hardening: private nodes when asked (the public
// endpoint stays, behind the authorized networks; no private endpoint and no control
// plane range, as a Private Service Connect cluster needs none), public nodes without
// the block otherwise; intranode visibility on and client certificates off either way.
func TestCluster_CKV_GCP_25_64_61_13_Hardening(t *testing.T) {
	private := validClusterArgs()
	private.PrivateNodes = true
	private.APIAllowedCIDRs = []string{"203.0.113.0/24"}
	always := map[string]any{
		"enableIntranodeVisibility":                                 true,  // CKV_GCP_61
		"masterAuth.clientCertificateConfig.issueClientCertificate": false, // CKV_GCP_13
	}
	tests := []struct {
		name string
		args *ClusterArgs
		want map[string]any // input path -> value; nil means unset
	}{
		{"public nodes by default", validClusterArgs(), map[string]any{
			"privateClusterConfig": nil,
		}},
		{"CKV_GCP_25 CKV_GCP_64 private nodes", private, map[string]any{
			"privateClusterConfig.enablePrivateNodes":                true,
			"privateClusterConfig.enablePrivateEndpoint":             nil,
			"privateClusterConfig.masterIpv4CidrBlock":               nil,
			"masterAuthorizedNetworksConfig.cidrBlocks[0].cidrBlock": "203.0.113.0/24",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cluster := mocktest.One(t, runCluster(t, tt.args), tCluster)
			wantInputs(t, cluster, always)
			wantInputs(t, cluster, tt.want)
		})
	}
}

func TestNodePool_SizeAndAutoscaling(t *testing.T) {
	zonal := validClusterArgs()
	zonal.Zone, zonal.NodeCount, zonal.NodeMinCount, zonal.NodeMaxCount = "us-central1-a", 2, 1, 4
	big := validClusterArgs()
	big.NodeCount, big.NodeMaxCount = 7, 10
	tests := []struct {
		name                string
		args                *ClusterArgs
		perZone, minN, maxN float64
	}{
		{"regional default: one node in each of three zones", validClusterArgs(), 1, 1, 3},
		{"regional: NodeCount/3 per zone", big, 2, 1, 10},
		{"zonal: NodeCount in the one zone", zonal, 2, 1, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool := mocktest.One(t, runCluster(t, tt.args), tNodePool)
			for path, want := range map[string]float64{
				"initialNodeCount":              tt.perZone,
				"autoscaling.totalMinNodeCount": tt.minN,
				"autoscaling.totalMaxNodeCount": tt.maxN,
			} {
				if v, _ := mocktest.Input(t, pool, path); !v.IsNumber() || v.NumberValue() != want {
					t.Errorf("%s = %v, want %v", path, v, want)
				}
			}
			if got := mocktest.MustString(t, pool, "nodeConfig.machineType"); got != DefaultMachineType {
				t.Errorf("machineType = %q, want %q", got, DefaultMachineType)
			}
			for _, path := range []string{"management.autoRepair", "management.autoUpgrade"} { // CKV_GCP_9, CKV_GCP_10
				if !mocktest.Bool(t, pool.Inputs, path) {
					t.Errorf("%s is not true", path)
				}
			}
		})
	}
}

func TestCluster_ProjectFromProviderWhenUnset(t *testing.T) {
	args := validClusterArgs()
	args.Project = ""
	cluster := mocktest.One(t, runCluster(t, args), tCluster)
	if got, want := mocktest.MustString(t, cluster, "workloadIdentityConfig.workloadPool"), StandInProject+".svc.id.goog"; got != want {
		t.Errorf("workloadPool = %q, want %q (from getClientConfig)", got, want)
	}
}

func TestCluster_ContainerAPIStaysEnabledOnDestroy(t *testing.T) {
	cloud := runCluster(t, validClusterArgs())
	api := mocktest.One(t, cloud, "gcp:projects/service:Service")
	if got := mocktest.MustString(t, api, "service"); got != "container.googleapis.com" {
		t.Errorf("service = %q", got)
	}
	if v, ok := mocktest.Input(t, api, "disableOnDestroy"); !ok || v.BoolValue() {
		t.Error("disableOnDestroy must be set to false: other clusters in the project need the API")
	}
	if !mocktest.DependsOn(mocktest.One(t, cloud, tCluster), api.URN) {
		t.Error("the cluster does not wait for the container API")
	}
}

func TestCluster_KubeconfigIsSecretAndUsesAuthPlugin(t *testing.T) {
	var secret bool
	var config string
	cloud := mocktest.Run(t, func(ctx *pulumi.Context) error {
		c, err := NewCluster(ctx, "gke", validClusterArgs())
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
	if !strings.Contains(config, "command: gke-gcloud-auth-plugin") ||
		!strings.Contains(config, "server: https://"+offline.Later("cluster endpoint")) ||
		!strings.Contains(config, "certificate-authority-data: "+offline.Later("cluster CA certificate")) {
		t.Errorf("kubeconfig lacks the exec plugin, endpoint or CA:\n%s", config)
	}
	if v := mocktest.One(t, cloud, tK8sProvider).Inputs["kubeconfig"]; !v.IsSecret() {
		t.Error("the Kubernetes provider's kubeconfig input is not secret")
	}
}

func TestCluster_KubernetesObjectsUseClusterProviderAndWaitForNodes(t *testing.T) {
	cloud := runCluster(t, validClusterArgs())
	provider, pool := mocktest.One(t, cloud, tK8sProvider), mocktest.One(t, cloud, tNodePool)
	var n int
	for _, r := range cloud.Resources() {
		if !strings.HasPrefix(r.Type, "kubernetes:") {
			continue
		}
		n++
		if !mocktest.UsesProvider(r, provider.URN) {
			t.Errorf("%s %s uses provider %q, want the cluster's", r.Type, r.Name, r.Provider)
		}
		if !mocktest.DependsOn(r, pool.URN) {
			t.Errorf("%s %s does not wait for the node pool", r.Type, r.Name)
		}
	}
	if n == 0 {
		t.Fatal("no Kubernetes objects registered")
	}
}

func TestCluster_SSDStorageClass(t *testing.T) {
	sc := mocktest.One(t, runCluster(t, validClusterArgs()), "kubernetes:storage.k8s.io/v1:StorageClass")
	for path, want := range map[string]string{
		"metadata.name":     DefaultStorageClassName,
		"provisioner":       "pd.csi.storage.gke.io",
		"parameters.type":   "pd-ssd",
		"volumeBindingMode": "WaitForFirstConsumer",
	} {
		if got := mocktest.MustString(t, sc, path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if !mocktest.Bool(t, sc.Inputs, "allowVolumeExpansion") {
		t.Error("allowVolumeExpansion is not true")
	}
}

func TestNewCluster_InvalidArgsListsEveryProblem(t *testing.T) {
	tests := []struct {
		name   string
		args   ClusterArgs
		fields []string
	}{
		{"everything wrong", ClusterArgs{
			Project: "X", Region: "us_central", Zone: "europe-west1-b", Name: "Pach_Cluster",
			KubernetesVersion: "1.20", ReleaseChannel: "NIGHTLY", MachineType: "n2 standard",
			NodeCount: 5, NodeMinCount: 6, NodeMaxCount: 4, APIAllowedCIDRs: []string{"10.0.0.1/8"},
			StorageClassName: "SSD!", Labels: map[string]string{"Team": "x"},
		}, []string{"Project", "Region", "Zone", "Name", "KubernetesVersion", "ReleaseChannel", "MachineType",
			"NodeMinCount", "NodeCount", "NodeCount", "APIAllowedCIDRs[0]", "StorageClassName", "Labels"}},
		{"regional pool too small for three zones", ClusterArgs{
			Region: "us-central1", Name: "small", NodeCount: 1, NodeMaxCount: 2,
		}, []string{"NodeMaxCount"}},
		{"zone outside region", ClusterArgs{Region: "us-central1", Zone: "us-east1-b", Name: "pach"}, []string{"Zone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cloud := offline.New("p", "s", standIns)
			err := cloud.Run(func(ctx *pulumi.Context) error {
				_, err := NewCluster(ctx, "gke", &tt.args)
				return err
			})
			mocktest.WantProblems(t, err, tt.fields...)
			if n := len(cloud.Resources()); n != 0 {
				t.Errorf("%d resources registered before validation failed", n)
			}
		})
	}
}

func TestCluster_CKV_GCP_20_OpenAPIWarns(t *testing.T) {
	mocktest.OpenAPIWarns(t, "CKV_GCP_20", func(ctx *pulumi.Context, cidrs []string) error {
		args := validClusterArgs()
		args.APIAllowedCIDRs = cidrs
		_, err := NewCluster(ctx, "gke", args)
		return err
	}, standIns)
}

func gpuClusterArgs(machineType string) *ClusterArgs {
	args := validClusterArgs()
	args.GPUMachineType = machineType
	return args
}

func TestCluster_GPUNodePoolOnlyWhenSet(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  *ClusterArgs
		pools int
	}{
		{"no GPU type: one pool", validClusterArgs(), 1},
		{"a GPU type: a second pool", gpuClusterArgs("g2-standard-8"), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cloud := runCluster(t, tc.args)
			if got := len(cloud.OfType(tNodePool)); got != tc.pools {
				t.Errorf("%d node pools, want %d", got, tc.pools)
			}
			// GKE runs the device plugin on GPU nodes itself.
			if got := len(cloud.OfType("kubernetes:apps/v1:DaemonSet")); got != 0 {
				t.Errorf("%d DaemonSets, want none: GKE brings its own device plugin", got)
			}
		})
	}
}

func TestCluster_GPUNodePoolAcceleratorDriverAndScaleFromZero(t *testing.T) {
	for _, tc := range []struct {
		machine, accelerator string
		count                float64
		max                  int
		wantMax              float64
	}{
		{"g2-standard-8", "nvidia-l4", 1, 0, 2},
		{"g2-standard-48", "nvidia-l4", 4, 5, 5},
		{"a2-highgpu-2g", "nvidia-tesla-a100", 2, 0, 2},
		{"a2-ultragpu-1g", "nvidia-a100-80gb", 1, 0, 2},
		{"a3-highgpu-8g", "nvidia-h100-80gb", 8, 0, 2},
		{"a3-megagpu-8g", "nvidia-h100-mega-80gb", 8, 0, 2},
	} {
		t.Run(tc.machine, func(t *testing.T) {
			args := gpuClusterArgs(tc.machine)
			args.GPUMaxCount = tc.max
			pool := mocktest.Named(t, runCluster(t, args), tNodePool, "gke-gpu")
			if got := mocktest.MustString(t, pool, "nodeConfig.machineType"); got != tc.machine {
				t.Errorf("machineType = %q, want %q", got, tc.machine)
			}
			accel := mocktest.MustInput(t, pool, "nodeConfig.guestAccelerators").ArrayValue()
			if len(accel) != 1 {
				t.Fatalf("guestAccelerators = %v, want the machine's one kind", accel)
			}
			a := accel[0].ObjectValue()
			if mocktest.String(t, a, "type") != tc.accelerator || mocktest.Value(t, a, "count").NumberValue() != tc.count {
				t.Errorf("accelerator = %v, want %v x %s", a, tc.count, tc.accelerator)
			}
			if got := mocktest.String(t, a, "gpuDriverInstallationConfig.gpuDriverVersion"); got != "DEFAULT" {
				t.Errorf("gpuDriverVersion = %q, want DEFAULT: GKE installs the driver", got)
			}
			for path, want := range map[string]float64{
				"initialNodeCount": 0, "autoscaling.totalMinNodeCount": 0, "autoscaling.totalMaxNodeCount": tc.wantMax,
			} {
				if v, _ := mocktest.Input(t, pool, path); !v.IsNumber() || v.NumberValue() != want {
					t.Errorf("%s = %v, want %v", path, v, want)
				}
			}
			if got := mocktest.MustString(t, pool, "nodeConfig.labels."+mocktest.Key("pachdeploy.io/gpu")); got != "nvidia" {
				t.Errorf("GPU label = %q, want nvidia", got)
			}
			// GKE taints GPU nodes itself; a second taint of the same key would double it.
			if v, ok := mocktest.Input(t, pool, "nodeConfig.taints"); ok && len(v.ArrayValue()) > 0 {
				t.Errorf("taints = %v, want none of pachdeploy's", v)
			}
		})
	}
}

// The GPU nodes are hardened as the main ones, and come after them, so GKE sees a
// non-GPU pool and taints the GPU nodes.
func TestCluster_GPUNodePoolSharesTheMainPoolsHardening(t *testing.T) {
	cloud := runCluster(t, gpuClusterArgs("g2-standard-8"))
	main := mocktest.Named(t, cloud, tNodePool, "gke-nodes")
	gpuPool := mocktest.Named(t, cloud, tNodePool, "gke-gpu")
	for _, path := range []string{
		"nodeConfig.serviceAccount", "nodeConfig.oauthScopes[0]", "nodeConfig.imageType",
		"nodeConfig.shieldedInstanceConfig.enableSecureBoot", "nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring",
		"nodeConfig.workloadMetadataConfig.mode", "management.autoRepair", "management.autoUpgrade",
	} {
		want, _ := mocktest.Input(t, main, path)
		if got, _ := mocktest.Input(t, gpuPool, path); !got.DeepEquals(want) || want.IsNull() {
			t.Errorf("GPU pool %s = %v, want the main pool's %v", path, got, want)
		}
	}
	if !mocktest.DependsOn(gpuPool, main.URN) {
		t.Error("the GPU pool does not wait for the main pool")
	}
}

func TestNewCluster_GPUArgsValidated(t *testing.T) {
	for _, tc := range []struct {
		name    string
		machine string
		max     int
		want    []string
	}{
		{"an A3 type at the largest pool", "a3-ultragpu-8g", 100, nil},
		{"a CPU type", "n2-standard-4", 2, []string{"GPUMachineType"}},
		{"N1 with an attached T4", "n1-standard-8", 2, []string{"GPUMachineType"}},
		{"a G2 size that does not exist", "g2-standard-6", 2, []string{"GPUMachineType"}},
		{"another cloud's GPU type", "g6.xlarge", 2, []string{"GPUMachineType"}},
		{"too many nodes", "g2-standard-8", 101, []string{"GPUMaxCount"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := gpuClusterArgs(tc.machine)
			args.GPUMaxCount = tc.max
			cloud := offline.New("pachdeploy", "test", standIns)
			err := cloud.Run(func(ctx *pulumi.Context) error {
				_, err := NewCluster(ctx, "gke", args)
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
