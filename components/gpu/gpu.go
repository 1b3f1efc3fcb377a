// Package gpu holds what every cloud's GPU node pool shares: the taint that keeps
// other pods off the GPU nodes, the label that marks them, and the NVIDIA device
// plugin that advertises their GPUs to Kubernetes. It imports no cloud SDK.
package gpu

import (
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The taint on every GPU node: GKE's own (it taints GPU nodes nvidia.com/gpu=present
// with NoSchedule by itself), used on EKS and AKS too so one toleration in a pipeline
// spec works on every cloud. AKS's docs use sku=gpu instead; nothing in AKS depends on
// that key.
const (
	TaintKey    = "nvidia.com/gpu"
	TaintValue  = "present"
	TaintEffect = "NoSchedule"
)

// Taint is the taint as AKS and kubectl write it: key=value:effect.
const Taint = TaintKey + "=" + TaintValue + ":" + TaintEffect

// Resource is the extended resource the device plugin advertises, which GPU pods
// request (Pachyderm's resource_limits.gpu.type).
const Resource = "nvidia.com/gpu"

// The label on every GPU node pachdeploy makes; the device plugin selects it, and
// pipelines may too (scheduling_spec.node_selector).
const (
	LabelKey   = "pachdeploy.io/gpu"
	LabelValue = "nvidia"
)

// Labels are the Kubernetes labels of a GPU node pool.
func Labels() map[string]string { return map[string]string{LabelKey: LabelValue} }

// DevicePluginImage is NVIDIA's device plugin, pinned: v0.17.4 is the release the
// EKS user guide installs for its AL2023 NVIDIA AMIs ("Install Kubernetes device plugin
// for GPUs"), and AKS's GPU guide deploys the same static DaemonSet.
const DevicePluginImage = "nvcr.io/nvidia/k8s-device-plugin:v0.17.4"

// DevicePluginNamespace is where the DaemonSet runs, as in NVIDIA's static manifest:
// kube-system may use the system-node-critical priority class.
const DevicePluginNamespace = "kube-system"

// NewDevicePlugin deploys NVIDIA's device plugin as NVIDIA's static manifest
// (nvidia-device-plugin.yml) does, on the GPU nodes only: it tolerates the GPU taint,
// selects the GPU label, cannot escalate privileges and drops every capability. It
// only registers with the kubelet through /var/lib/kubelet/device-plugins; the driver
// comes with the node image (EKS's AL2023 NVIDIA AMI, AKS's GPU node image). Pass the
// cluster's Kubernetes provider in opts. While the pool is at zero nodes the
// DaemonSet has no pods.
func NewDevicePlugin(ctx *pulumi.Context, name string, opts ...pulumi.ResourceOption) (*appsv1.DaemonSet, error) {
	podLabels := pulumi.StringMap{"name": pulumi.String("nvidia-device-plugin-ds")}
	return appsv1.NewDaemonSet(ctx, name, &appsv1.DaemonSetArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name:      pulumi.String("nvidia-device-plugin-daemonset"),
			Namespace: pulumi.String(DevicePluginNamespace),
		},
		Spec: &appsv1.DaemonSetSpecArgs{
			Selector:       &metav1.LabelSelectorArgs{MatchLabels: podLabels},
			UpdateStrategy: &appsv1.DaemonSetUpdateStrategyArgs{Type: pulumi.String("RollingUpdate")},
			Template: &corev1.PodTemplateSpecArgs{
				Metadata: &metav1.ObjectMetaArgs{Labels: podLabels},
				Spec: &corev1.PodSpecArgs{
					NodeSelector: pulumi.ToStringMap(Labels()),
					Tolerations: corev1.TolerationArray{&corev1.TolerationArgs{
						Key: pulumi.String(TaintKey), Operator: pulumi.String("Exists"), Effect: pulumi.String(TaintEffect),
					}},
					PriorityClassName: pulumi.String("system-node-critical"),
					Containers: corev1.ContainerArray{&corev1.ContainerArgs{
						Name:  pulumi.String("nvidia-device-plugin-ctr"),
						Image: pulumi.String(DevicePluginImage),
						// A node without a GPU (none is selected) logs and idles rather than crash-looping.
						Env: corev1.EnvVarArray{&corev1.EnvVarArgs{Name: pulumi.String("FAIL_ON_INIT_ERROR"), Value: pulumi.String("false")}},
						SecurityContext: &corev1.SecurityContextArgs{
							AllowPrivilegeEscalation: pulumi.Bool(false),
							Capabilities:             &corev1.CapabilitiesArgs{Drop: pulumi.StringArray{pulumi.String("ALL")}},
						},
						VolumeMounts: corev1.VolumeMountArray{&corev1.VolumeMountArgs{
							Name: pulumi.String("device-plugin"), MountPath: pulumi.String("/var/lib/kubelet/device-plugins"),
						}},
					}},
					Volumes: corev1.VolumeArray{&corev1.VolumeArgs{
						Name:     pulumi.String("device-plugin"),
						HostPath: &corev1.HostPathVolumeSourceArgs{Path: pulumi.String("/var/lib/kubelet/device-plugins")},
					}},
				},
			},
		},
	}, opts...)
}
