package pachyderm

import (
	"fmt"
	"slices"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Pachyderm is the Pachyderm chart installed as a Helm release with its namespace
// and the install-time secrets it needs to stay stable across updates.
type Pachyderm struct {
	pulumi.ResourceState

	// Namespace the release lives in.
	Namespace pulumi.StringOutput `pulumi:"namespace"`
	// ReleaseStatus is Helm's status of the release, "deployed" when healthy.
	ReleaseStatus pulumi.StringOutput `pulumi:"releaseStatus"`
	// AppVersion is the Pachyderm version the chart deploys.
	AppVersion pulumi.StringOutput `pulumi:"appVersion"`
	// PachdAddress is where pachd listens: the TLS Endpoint's hostname, the pachd-lb
	// load balancer with ExternalService, else the in-cluster service.
	PachdAddress pulumi.StringOutput `pulumi:"pachdAddress"`
	// PachctlConnect is the command that points pachctl at this cluster.
	PachctlConnect pulumi.StringOutput `pulumi:"pachctlConnect"`
	// ConsoleHint says how to open the console.
	ConsoleHint pulumi.StringOutput `pulumi:"consoleHint"`
	// ConsoleURL is the console's address behind the TLS Endpoint: "" without an
	// Endpoint or with the console disabled.
	ConsoleURL pulumi.StringOutput `pulumi:"consoleUrl"`
	// EndpointDNS says where to point the Endpoint's hostname (pachdeploy manages no
	// DNS): the proxy load balancer's address once the cloud assigns it. "" without
	// an Endpoint.
	EndpointDNS pulumi.StringOutput `pulumi:"endpointDns"`
	// RootToken is Pachyderm's root auth token (secret).
	RootToken pulumi.StringOutput `pulumi:"rootToken"`
}

// NewPachyderm installs the Pachyderm chart into a new namespace of the cluster that
// args.KubernetesProvider points at.
func NewPachyderm(ctx *pulumi.Context, name string, args *PachydermArgs, opts ...pulumi.ResourceOption) (*Pachyderm, error) {
	if args == nil {
		return nil, fmt.Errorf("pachyderm %q: %w", name, rules.ErrNilArgs)
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("pachyderm %q: %w", name, err)
	}
	c := &Pachyderm{}
	if err := ctx.RegisterComponentResource("pachdeploy:pachyderm:Pachyderm", name, c, opts...); err != nil {
		return nil, err
	}
	provider := a.KubernetesProvider
	if provider == nil {
		p, err := NewKubernetesProvider(ctx, name, a.Kubeconfig, pulumi.Parent(c))
		if err != nil {
			return nil, err
		}
		provider = p
	}
	k8s := []pulumi.ResourceOption{
		pulumi.Parent(c), pulumi.Provider(provider), pulumi.DependsOn(a.DependsOn),
	}

	ns, err := corev1.NewNamespace(ctx, name, &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name:   pulumi.String(a.Namespace),
			Labels: pulumi.StringMap{"app.kubernetes.io/managed-by": pulumi.String("pachdeploy")},
		},
	}, k8s...)
	if err != nil {
		return nil, err
	}

	secretOpts := []pulumi.ResourceOption{pulumi.Parent(c)}
	password := func(suffix string) (*random.RandomPassword, error) {
		return random.NewRandomPassword(ctx, name+"-"+suffix, &random.RandomPasswordArgs{
			Length: pulumi.Int(32), Special: pulumi.Bool(false),
		}, secretOpts...)
	}
	rootToken, err := password("root-token")
	if err != nil {
		return nil, err
	}
	data := pulumi.StringMap{keyRootToken: rootToken.Result}
	for key, suffix := range map[string]string{
		keyEnterpriseSecret:   "enterprise-secret",
		keyPachdOAuthSecret:   "pachd-oauth",
		keyConsoleOAuthSecret: "console-oauth",
	} {
		p, err := password(suffix)
		if err != nil {
			return nil, err
		}
		data[key] = p.Result
	}
	if a.EnterpriseLicenseKey != nil {
		data[keyLicense] = a.EnterpriseLicenseKey
	}
	if a.Database != nil {
		// The managed server's password, read by the chart (and the Job) by name.
		data[keyPostgresPassword] = a.Database.Password
	} else {
		pgPassword, err := password("postgresql")
		if err != nil {
			return nil, err
		}
		pgRoot, err := password("postgresql-root")
		if err != nil {
			return nil, err
		}
		data[keyPostgresPassword], data[keyPostgresRootPassword] = pgPassword.Result, pgRoot.Result
	}
	deploymentID, err := random.NewRandomUuid(ctx, name+"-deployment-id", &random.RandomUuidArgs{}, secretOpts...)
	if err != nil {
		return nil, err
	}

	withNS := append(append([]pulumi.ResourceOption{}, k8s...), pulumi.DependsOn([]pulumi.Resource{ns}))
	bootstrap, err := corev1.NewSecret(ctx, name+"-bootstrap", &corev1.SecretArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name:      pulumi.String(bootstrapSecretName),
			Namespace: ns.Metadata.Name().Elem(),
		},
		Type:       pulumi.String("Opaque"),
		StringData: pulumi.ToSecret(data).(pulumi.StringMapOutput),
	}, withNS...)
	if err != nil {
		return nil, err
	}

	// The release waits for its Secret and, with a managed database, for the server
	// (Database.DependsOn) and the Job that creates its databases: pachd connects at
	// once and crash-loops, failing the atomic install, if either is missing.
	releaseDeps := []pulumi.Resource{bootstrap}
	if d := a.Database; d != nil {
		releaseDeps = append(releaseDeps, d.DependsOn...)
		if d.CreateDatabases {
			job, err := newCreateDatabasesJob(ctx, name, d, ns.Metadata.Name().Elem(),
				slices.Concat(withNS, []pulumi.ResourceOption{pulumi.DependsOn(append([]pulumi.Resource{bootstrap}, d.DependsOn...))})...)
			if err != nil {
				return nil, err
			}
			releaseDeps = append(releaseDeps, job)
		}
	}

	values := chartValues(a, generated{clusterDeploymentID: deploymentID.Result})
	release, err := helmv3.NewRelease(ctx, name, &helmv3.ReleaseArgs{
		Name:           pulumi.String(ReleaseName),
		Namespace:      ns.Metadata.Name().Elem(),
		Chart:          pulumi.String(ChartName),
		Version:        pulumi.String(a.ChartVersion),
		RepositoryOpts: &helmv3.RepositoryOptsArgs{Repo: pulumi.String(a.ChartRepo)},
		Values:         toInput(values).(pulumi.Map),
		Atomic:         pulumi.Bool(true),
		CleanupOnFail:  pulumi.Bool(true),
		Timeout:        pulumi.Int(a.TimeoutSeconds),
		MaxHistory:     pulumi.Int(10),
	}, append(withNS, pulumi.DependsOn(releaseDeps))...)
	if err != nil {
		return nil, err
	}

	c.Namespace = ns.Metadata.Name().Elem()
	c.ReleaseStatus = release.Status.Status()
	c.AppVersion = release.Status.AppVersion().Elem()
	c.RootToken = pulumi.ToSecret(rootToken.Result).(pulumi.StringOutput)
	c.ConsoleHint = c.Namespace.ApplyT(func(ns string) string {
		switch {
		case a.DisableConsole:
			return "console disabled (disableConsole)"
		case a.Endpoint != nil:
			return fmt.Sprintf("open https://%s/ once %s resolves to the load balancer (see endpointDns)",
				a.Endpoint.Hostname, a.Endpoint.Hostname)
		}
		return fmt.Sprintf("kubectl port-forward -n %s svc/pachyderm-proxy 8080:80, then open http://localhost:8080", ns)
	}).(pulumi.StringOutput)
	c.ConsoleURL, c.EndpointDNS = pulumi.String("").ToStringOutput(), pulumi.String("").ToStringOutput()
	outputs := pulumi.Map{}
	switch {
	case a.Endpoint != nil:
		host := a.Endpoint.Hostname
		c.PachdAddress = pulumi.String(fmt.Sprintf("grpcs://%s:%d", host, EndpointPort)).ToStringOutput()
		c.PachctlConnect = pulumi.Sprintf("pachctl connect %s", c.PachdAddress)
		if !a.DisableConsole {
			c.ConsoleURL = pulumi.String(fmt.Sprintf("https://%s/", host)).ToStringOutput()
		}
		lb, err := loadBalancerAddress(ctx, name+"-proxy", proxyService, release, k8s)
		if err != nil {
			return nil, err
		}
		c.EndpointDNS = pulumi.All(lb, c.Namespace).ApplyT(func(v []any) string {
			return fmt.Sprintf("pachdeploy manages no DNS: point %s at %s (a CNAME to a hostname, an A record to an IP); "+
				"kubectl -n %s get svc %s shows the load balancer's address", host, v[0], v[1], proxyService)
		}).(pulumi.StringOutput)
		outputs["consoleUrl"], outputs["endpointDns"] = c.ConsoleURL, c.EndpointDNS
	case a.ExternalService:
		lb, err := loadBalancerAddress(ctx, name+"-pachd-lb", "pachd-lb", release, k8s)
		if err != nil {
			return nil, err
		}
		c.PachdAddress = pulumi.Sprintf("grpc://%s:30650", lb)
		c.PachctlConnect = pulumi.Sprintf("pachctl connect %s", c.PachdAddress)
	default:
		c.PachdAddress = pulumi.Sprintf("grpc://pachd.%s.svc.cluster.local:30650", c.Namespace)
		c.PachctlConnect = pulumi.Sprintf(
			"kubectl port-forward -n %s svc/%s 8080:80 & pachctl connect http://localhost:8080", c.Namespace, proxyService)
	}

	for k, v := range map[string]pulumi.StringOutput{
		"namespace":      c.Namespace,
		"releaseStatus":  c.ReleaseStatus,
		"appVersion":     c.AppVersion,
		"pachdAddress":   c.PachdAddress,
		"pachctlConnect": c.PachctlConnect,
		"consoleHint":    c.ConsoleHint,
		"rootToken":      c.RootToken,
	} {
		outputs[k] = v
	}
	if err := ctx.RegisterResourceOutputs(c, outputs); err != nil {
		return nil, err
	}
	return c, nil
}

// proxyService is the chart's proxy Service (templates/proxy/service.yaml).
const proxyService = "pachyderm-proxy"

// loadBalancerAddress reads the release's LoadBalancer Service svc and returns its
// external hostname or IP, "<pending>" until the cloud assigns one. The read's id is
// derived from the release's status, not just ordered after it: Pulumi ignores
// DependsOn for reads (pulumi/pulumi#16395), so a fixed id would fail the first
// preview on a Service that does not exist yet; with an id unknown until the release
// is deployed, the preview skips the read instead.
func loadBalancerAddress(ctx *pulumi.Context, name, svc string, release *helmv3.Release,
	opts []pulumi.ResourceOption) (pulumi.StringOutput, error) {
	id := release.Status.Namespace().Elem().ApplyT(func(ns string) pulumi.ID {
		return pulumi.ID(ns + "/" + svc)
	}).(pulumi.IDOutput)
	s, err := corev1.GetService(ctx, name, id, nil,
		slices.Concat(opts, []pulumi.ResourceOption{pulumi.DependsOn([]pulumi.Resource{release})})...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return s.Status.LoadBalancer().Ingress().Index(pulumi.Int(0)).ApplyT(func(in corev1.LoadBalancerIngress) string {
		switch {
		case in.Hostname != nil && *in.Hostname != "":
			return *in.Hostname
		case in.Ip != nil && *in.Ip != "":
			return *in.Ip
		}
		return "<pending>"
	}).(pulumi.StringOutput), nil
}
