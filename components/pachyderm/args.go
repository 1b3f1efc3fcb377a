// Package pachyderm installs the official Pachyderm Helm chart as a pinned helm.sh/v3
// Release, fed by any cloud's object storage and identity. It imports no cloud SDK:
// each cloud's components describe their bucket and identity with the plain types here.
package pachyderm

import (
	"fmt"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Chart defaults.
const (
	// DefaultChartRepo is the official Pachyderm Helm repository.
	DefaultChartRepo = "https://helm.pachyderm.com"
	// ChartName is the chart installed from DefaultChartRepo.
	ChartName = "pachyderm"
	// DefaultChartVersion is the chart version pachdeploy is tested against.
	DefaultChartVersion = "2.11.6"
	// DefaultNamespace is the namespace Pachyderm is installed into.
	DefaultNamespace = "pachyderm"
	// DefaultTimeoutSeconds bounds each Kubernetes operation of the Release.
	DefaultTimeoutSeconds = 900
	// ReleaseName is the Helm release name; the chart's objects are named after it.
	ReleaseName = "pachyderm"
	// ServiceAccount and WorkerServiceAccount are the chart's two service accounts,
	// which keyless identity (IRSA, Workload Identity) must trust.
	ServiceAccount       = "pachyderm"
	WorkerServiceAccount = "pachyderm-worker"
)

// Backend is the chart's deployTarget: which object store Pachyderm uses.
type Backend string

// The object stores pachdeploy provisions.
const (
	Amazon    Backend = "AMAZON"
	Google    Backend = "GOOGLE"
	Microsoft Backend = "MICROSOFT"
)

// Storage describes the object store Pachyderm keeps its data in. Leave the credential
// fields nil for keyless identity (service-account annotations or the node's role).
type Storage struct {
	// Backend selects the chart's deployTarget. Required.
	Backend Backend `pulumi:"backend"`
	// Bucket is the S3 or GCS bucket, or the Azure blob container. Required.
	Bucket string `pulumi:"bucket"`
	// Region is the S3 bucket's region (Amazon only; required there), written into the
	// storage URL so pachd needs no AWS_REGION.
	Region string `pulumi:"region,optional"`
	// AmazonAccessKey is an optional static access key (Amazon only). Both values
	// should be Pulumi secrets; they are marked secret again here.
	AmazonAccessKey *AmazonAccessKey `pulumi:"amazonAccessKey,optional"`
	// GoogleCredentials is an optional service-account key JSON (Google only).
	GoogleCredentials pulumi.StringInput `pulumi:"googleCredentials,optional" provider:"secret"`
	// MicrosoftAccount is the storage account holding the container (Microsoft only;
	// required there: the chart has no keyless Azure mode).
	MicrosoftAccount *MicrosoftAccount `pulumi:"microsoftAccount,optional"`
}

// AmazonAccessKey is an IAM access key pair for the chart's pachd.storage.amazon.
type AmazonAccessKey struct {
	// ID is the access key id. Required.
	ID pulumi.StringInput `pulumi:"id" provider:"secret"`
	// Secret is the secret access key. Required.
	Secret pulumi.StringInput `pulumi:"secret" provider:"secret"`
}

// MicrosoftAccount is an Azure storage account name and one of its keys.
type MicrosoftAccount struct {
	// Name is the storage account's name. Required.
	Name string `pulumi:"name"`
	// Key is one of the account's access keys. Required.
	Key pulumi.StringInput `pulumi:"key" provider:"secret"`
}

// Endpoint exposes Pachyderm outside the cluster through its proxy, the chart's one
// entry point for pachctl (gRPC), the console and the S3 gateway, behind the cloud's
// load balancer and TLS only. Either the proxy terminates TLS with a Kubernetes TLS
// Secret (it then redirects cleartext to HTTPS and sets HSTS), or the load balancer
// does with a certificate its ServiceAnnotations name (an ACM certificate on an AWS
// NLB) and hands the proxy plain HTTP inside the cloud's network.
type Endpoint struct {
	// Hostname is the DNS name clients use and the certificate is for. Required. The
	// chart builds its external URLs (OIDC issuer, console and pachd redirect URIs)
	// from it. pachdeploy manages no DNS: the name must be pointed at the load balancer.
	Hostname string `pulumi:"hostname"`
	// TLSSecretName names a Kubernetes TLS Secret (tls.crt, tls.key) in the release's
	// namespace that the proxy serves, e.g. one cert-manager renews (the proxy picks up
	// rotated files). Default "": LoadBalancerTLS must be set instead.
	TLSSecretName string `pulumi:"tlsSecretName,optional"`
	// LoadBalancerTLS says the load balancer terminates TLS with the certificate its
	// ServiceAnnotations name and forwards decrypted traffic to the proxy's plain HTTP
	// port, which the Service then exposes on 443 (no private key in the cluster).
	// Default false. Exactly one of it and TLSSecretName.
	LoadBalancerTLS bool `pulumi:"loadBalancerTls,optional"`
	// ServiceAnnotations go on the proxy's LoadBalancer Service: the cloud's load
	// balancer settings (the AWS NLB and its certificate). Default none: the cloud's
	// default external load balancer.
	ServiceAnnotations map[string]string `pulumi:"serviceAnnotations,optional"`
	// AllowedCIDRs limit the client addresses the load balancer admits. Default none:
	// every address (policy rule PD-K8S-ENDPOINT-OPEN reports it). The chart 2.11 proxy
	// Service has no loadBalancerSourceRanges value, so they go into the
	// service.beta.kubernetes.io/load-balancer-source-ranges annotation, which the
	// AWS, GCE and Azure cloud controllers read in its place.
	AllowedCIDRs []string `pulumi:"allowedCidrs,optional"`
}

// PachydermArgs are the inputs of NewPachyderm.
type PachydermArgs struct {
	// KubernetesProvider is the provider of the target cluster. Required unless
	// Kubeconfig is set: every Kubernetes object uses it explicitly, so nothing lands
	// in the ambient kubeconfig's cluster by accident.
	KubernetesProvider pulumi.ProviderResource
	// Kubeconfig is the target cluster's kubeconfig, for callers that cannot hand over a
	// provider object (the Pulumi package, from other languages and YAML). Used only when
	// KubernetesProvider is nil: the component then makes a Kubernetes provider of its
	// own from it, so nothing lands in the ambient kubeconfig's cluster either. Marked
	// secret: it holds the cluster's credentials.
	Kubeconfig pulumi.StringInput `pulumi:"kubeconfig,optional" provider:"secret"`
	// DependsOn lists resources every Kubernetes object waits for, typically the node
	// group and storage class, so installs never race the nodes and deletes run first.
	DependsOn []pulumi.Resource
	// Namespace is created for the release. Default "pachyderm"; never "default".
	Namespace string `pulumi:"namespace,optional"`
	// ChartVersion pins the chart. Default DefaultChartVersion, the tested release.
	ChartVersion string `pulumi:"chartVersion,optional"`
	// ChartRepo is the Helm repository. Default DefaultChartRepo.
	ChartRepo string `pulumi:"chartRepo,optional"`
	// Storage is where Pachyderm keeps its data. Required.
	Storage Storage `pulumi:"storage"`
	// Database is a managed PostgreSQL server for Pachyderm's metadata. Default nil: the
	// chart's in-cluster PostgreSQL, on a volume of StorageClass (fine for a trial; its
	// data dies with the cluster).
	Database *ExternalDatabase `pulumi:"database,optional"`
	// ServiceAccountAnnotations go on both the pachyderm and pachyderm-worker service
	// accounts (IRSA role ARN, Workload Identity account). Default none.
	ServiceAccountAnnotations pulumi.StringMapInput `pulumi:"serviceAccountAnnotations,optional"`
	// StorageClass names an existing StorageClass for the etcd, postgresql and Loki
	// volumes (no postgresql volume with a managed Database). Default "": the cluster's
	// default class, which on EKS is the in-tree gp2 that fails without the EBS CSI
	// driver, so cloud components always set it.
	StorageClass string `pulumi:"storageClass,optional"`
	// DisableConsole turns off Pachyderm's web console. Default false: chart 2.11
	// serves the console without an enterprise license.
	DisableConsole bool `pulumi:"disableConsole,optional"`
	// ExternalService exposes pachd through the pachd-lb LoadBalancer. Default false:
	// a public load balancer is opt-in; use kubectl port-forward otherwise.
	ExternalService bool `pulumi:"externalService,optional"`
	// Endpoint exposes the proxy through the cloud's load balancer with TLS. Default
	// nil: nothing is exposed (the proxy stays a ClusterIP Service; use kubectl
	// port-forward). Not together with ExternalService, which exposes pachd without TLS.
	Endpoint *Endpoint `pulumi:"endpoint,optional"`
	// EnterpriseLicenseKey activates enterprise features. Optional; stored in a
	// Kubernetes Secret and passed by name, never inline in the release values.
	EnterpriseLicenseKey pulumi.StringInput `pulumi:"enterpriseLicenseKey,optional" provider:"secret"`
	// Values are merged over the generated chart values (a user's values file).
	// Default none. They must not set what pachdeploy manages (the bucket, storage
	// credentials, the license, install-time secrets, database passwords, service
	// account annotations, storage classes: rules.ChartValues lists each with the
	// setting to use instead); values whose names mark them as secrets (password,
	// token, key, ...: rules.SecretName) are kept as Pulumi secrets.
	Values map[string]any `pulumi:"values,optional"`
	// TimeoutSeconds bounds each Kubernetes operation of the Release. Default 900:
	// fresh nodes pull several images; atomic rolls the install back when it expires.
	TimeoutSeconds int `pulumi:"timeoutSeconds,optional"`
}

// withDefaults returns a copy of a with defaults filled in.
func (a PachydermArgs) withDefaults() PachydermArgs {
	if a.Namespace == "" {
		a.Namespace = DefaultNamespace
	}
	if a.ChartVersion == "" {
		a.ChartVersion = DefaultChartVersion
	}
	if a.ChartRepo == "" {
		a.ChartRepo = DefaultChartRepo
	}
	if a.TimeoutSeconds == 0 {
		a.TimeoutSeconds = DefaultTimeoutSeconds
	}
	if a.Database != nil {
		d := *a.Database // the caller's value stays as it was
		if d.Port == 0 {
			d.Port = DefaultDatabasePort
		}
		a.Database = &d
	}
	return a
}

// validate reports every invalid argument at once.
func (a PachydermArgs) validate() error {
	var p rules.Problems
	if a.KubernetesProvider == nil && a.Kubeconfig == nil {
		p.Addf("KubernetesProvider", "", "is required (or Kubeconfig): the provider of the target cluster")
	}
	p.Add("Namespace", a.Namespace, rules.Namespace(a.Namespace))
	p.Add("ChartVersion", a.ChartVersion, rules.Semver(a.ChartVersion))
	if a.StorageClass != "" {
		p.Add("StorageClass", a.StorageClass, rules.DNS1123Subdomain(a.StorageClass))
	}
	p = append(p, rules.ChartValues("Values", a.Values)...)
	if a.TimeoutSeconds < 0 {
		p.Addf("TimeoutSeconds", fmt.Sprint(a.TimeoutSeconds), "must be positive")
	}
	s := a.Storage
	if s.Bucket == "" {
		p.Addf("Storage.Bucket", "", "is required")
	}
	switch s.Backend {
	case Amazon:
		if s.Region == "" {
			p.Addf("Storage.Region", "", "is required for AMAZON")
		}
	case Google:
	case Microsoft:
		if s.MicrosoftAccount == nil || s.MicrosoftAccount.Name == "" || s.MicrosoftAccount.Key == nil {
			p.Addf("Storage.MicrosoftAccount", "", "is required for MICROSOFT: the chart has no keyless Azure mode")
		}
	default:
		p.Addf("Storage.Backend", string(s.Backend), "must be one of AMAZON, GOOGLE, MICROSOFT")
	}
	if s.AmazonAccessKey != nil && s.Backend != Amazon {
		p.Addf("Storage.AmazonAccessKey", "[secret]", "applies only to AMAZON")
	}
	if s.GoogleCredentials != nil && s.Backend != Google {
		p.Addf("Storage.GoogleCredentials", "[secret]", "applies only to GOOGLE")
	}
	if s.MicrosoftAccount != nil && s.Backend != Microsoft {
		p.Addf("Storage.MicrosoftAccount", s.MicrosoftAccount.Name, "applies only to MICROSOFT")
	}
	if d := a.Database; d != nil {
		validateDatabase(&p, d)
	}
	if e := a.Endpoint; e != nil {
		validateEndpoint(&p, e, a.ExternalService)
	}
	return p.Err()
}

// validateEndpoint checks what a TLS endpoint needs: a hostname, exactly one way of
// terminating TLS, and source ranges that are CIDR blocks.
func validateEndpoint(p *rules.Problems, e *Endpoint, externalService bool) {
	if e.Hostname == "" {
		p.Addf("Endpoint.Hostname", "", "is required: the DNS name clients use and the certificate is for")
	} else {
		p.Add("Endpoint.Hostname", e.Hostname, rules.DNS1123Subdomain(e.Hostname))
	}
	switch {
	case e.TLSSecretName != "" && e.LoadBalancerTLS:
		p.Addf("Endpoint.TLSSecretName", e.TLSSecretName, "and LoadBalancerTLS both terminate TLS: set one")
	case e.TLSSecretName != "":
		p.Add("Endpoint.TLSSecretName", e.TLSSecretName, rules.DNS1123Subdomain(e.TLSSecretName))
	case !e.LoadBalancerTLS:
		p.Addf("Endpoint.TLSSecretName", "", "is required unless LoadBalancerTLS: the endpoint serves TLS only")
	}
	for i, cidr := range e.AllowedCIDRs {
		p.Add(fmt.Sprintf("Endpoint.AllowedCIDRs[%d]", i), cidr, rules.CIDR(cidr))
	}
	if v, ok := e.ServiceAnnotations[rules.LoadBalancerSourceRangesAnnotation]; ok {
		p.Addf("Endpoint.ServiceAnnotations", v, "sets %s: use AllowedCIDRs", rules.LoadBalancerSourceRangesAnnotation)
	}
	if externalService {
		p.Addf("ExternalService", "true", "exposes pachd without TLS next to the TLS Endpoint: remove it")
	}
}
