package gcp

import (
	"fmt"

	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi-gcp/sdk/v9/go/gcp/container"
	"github.com/pulumi/pulumi-gcp/sdk/v9/go/gcp/organizations"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	storagev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/storage/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ExistingClusterArgs are the inputs of NewExistingCluster.
type ExistingClusterArgs struct {
	// Project is the cluster's project. Default "": the provider's.
	Project string
	// Location is the cluster's region (regional cluster) or zone (zonal). Required.
	Location string
	// Name is the running GKE cluster. Required.
	Name string
	// NeedsWorkloadIdentity refuses a cluster without Workload Identity, saying how to
	// turn it on. Set it for the WorkloadIdentity mode.
	NeedsWorkloadIdentity bool
	// Kubeconfig reaches the cluster instead of gke-gcloud-auth-plugin with the
	// deployer's credentials. Default nil.
	Kubeconfig pulumi.StringInput
	// StorageClassName names the SSD StorageClass added for Pachyderm's volumes.
	// Default DefaultStorageClassName.
	StorageClassName string
}

// NewExistingCluster describes a running GKE cluster with the accessors of Cluster, so
// the bucket, the identity and Pachyderm go onto it as onto one pachdeploy makes. It
// looks the cluster up, refuses one without Workload Identity when the mode needs it
// (with the command that turns it on), and adds an SSD StorageClass. The cluster itself
// is never managed: destroy leaves it as it was.
func NewExistingCluster(ctx *pulumi.Context, name string, args *ExistingClusterArgs, opts ...pulumi.ResourceOption) (*Cluster, error) {
	if args == nil {
		return nil, fmt.Errorf("gcp existing cluster %q: %w", name, rules.ErrNilArgs)
	}
	a := *args
	if a.StorageClassName == "" {
		a.StorageClassName = DefaultStorageClassName
	}
	var p rules.Problems
	p.Add("Name", a.Name, rules.GKEClusterName(a.Name))
	if a.Location == "" {
		p.Addf("Location", "", "is required: the cluster's region or zone")
	}
	if a.Project != "" {
		p.Add("Project", a.Project, rules.GCPProjectID(a.Project))
	}
	if err := p.Err(); err != nil {
		return nil, fmt.Errorf("gcp existing cluster %q: %w", name, err)
	}
	c := &Cluster{StorageClassName: a.StorageClassName}
	if err := ctx.RegisterComponentResource("pachdeploy:gcp:ExistingCluster", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	invoke := []pulumi.InvokeOption{pulumi.Parent(c)}
	if p := c.GetProvider("gcp::"); p != nil {
		invoke = append(invoke, pulumi.Provider(p))
	}
	project := a.Project
	if project == "" {
		cc, err := organizations.GetClientConfig(ctx, invoke...)
		if err != nil {
			return nil, fmt.Errorf("existingCluster %q: reading the provider's project: %w", a.Name, err)
		}
		project = cc.Project
	}
	gke, err := container.LookupCluster(ctx, &container.LookupClusterArgs{Name: a.Name, Location: &a.Location, Project: &project}, invoke...)
	if err != nil || gke.Endpoint == "" || len(gke.MasterAuths) == 0 {
		return nil, fmt.Errorf("existingCluster %q: no such GKE cluster in %s of project %s (set region, or zone for a zonal cluster): %v",
			a.Name, a.Location, project, err)
	}
	pool := ""
	if len(gke.WorkloadIdentityConfigs) > 0 {
		pool = gke.WorkloadIdentityConfigs[0].WorkloadPool
	}
	if a.NeedsWorkloadIdentity && pool != project+".svc.id.goog" {
		return nil, fmt.Errorf("existingCluster %q has Workload Identity off (workload pool %q), which keyless access needs: "+
			"turn it on with `gcloud container clusters update %s --location %s --project %s --workload-pool=%s.svc.id.goog` "+
			"(and `--workload-metadata=GKE_METADATA` on its node pools), or set identity: %s",
			a.Name, pool, a.Name, a.Location, project, project, ServiceAccountKey)
	}

	kubeconfigIn := a.Kubeconfig
	if kubeconfigIn == nil {
		kubeconfigIn = pulumi.String(kubeconfig(a.Name, gke.Endpoint, gke.MasterAuths[0].ClusterCaCertificate))
	}
	c.Provider, err = pachyderm.NewKubernetesProvider(ctx, name, kubeconfigIn, parent)
	if err != nil {
		return nil, err
	}
	c.StorageClass, err = storagev1.NewStorageClass(ctx, name+"-ssd", &storagev1.StorageClassArgs{
		Metadata:             &metav1.ObjectMetaArgs{Name: pulumi.String(a.StorageClassName)},
		Provisioner:          pulumi.String("pd.csi.storage.gke.io"),
		Parameters:           pulumi.StringMap{"type": pulumi.String("pd-ssd")},
		VolumeBindingMode:    pulumi.String("WaitForFirstConsumer"),
		AllowVolumeExpansion: pulumi.Bool(true),
		ReclaimPolicy:        pulumi.String("Delete"),
	}, parent, pulumi.Provider(c.Provider))
	if err != nil {
		return nil, err
	}
	c.Kubeconfig = pulumi.ToSecret(kubeconfigIn).(pulumi.StringOutput)
	c.WorkloadPool = pulumi.String(pool).ToStringOutput()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"kubeconfig":       c.Kubeconfig,
		"workloadPool":     c.WorkloadPool,
		"storageClassName": pulumi.String(c.StorageClassName),
	}); err != nil {
		return nil, err
	}
	return c, nil
}
