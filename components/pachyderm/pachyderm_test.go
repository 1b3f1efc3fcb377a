package pachyderm

import (
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	releaseType   = "kubernetes:helm.sh/v3:Release"
	secretType    = "kubernetes:core/v1:Secret"
	namespaceType = "kubernetes:core/v1:Namespace"
	passwordType  = "random:index/randomPassword:RandomPassword"
)

// storages is one Storage per backend, with inline credentials where the cloud has them.
var storages = map[Backend]Storage{
	Amazon: {Backend: Amazon, Bucket: "pach-data", Region: "us-west-2",
		AmazonAccessKey: &AmazonAccessKey{ID: pulumi.String("AKIAEXAMPLE"), Secret: pulumi.String("aws-secret-value")}},
	Google:    {Backend: Google, Bucket: "pach-data", GoogleCredentials: pulumi.String(`{"type":"service_account"}`)},
	Microsoft: {Backend: Microsoft, Bucket: "pach-data", MicrosoftAccount: &MicrosoftAccount{Name: "pachacct", Key: pulumi.String("azure-key-value")}},
}

// deploy runs NewPachyderm under the mock cloud with a cluster provider and a node
// group stand-in, as a cloud component would pass them.
func deploy(t *testing.T, mutate func(*PachydermArgs)) *offline.Cloud {
	t.Helper()
	return mocktest.Run(t, program(func(_ *pulumi.Context, a *PachydermArgs) error {
		if mutate != nil {
			mutate(a)
		}
		return nil
	}))
}

// program is the Pulumi program deploy runs; mutate changes the arguments and may
// create resources they refer to; inspect sees the component made.
func program(mutate func(*pulumi.Context, *PachydermArgs) error, inspect ...func(*Pachyderm)) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		k8s, err := kubernetes.NewProvider(ctx, "cluster", &kubernetes.ProviderArgs{})
		if err != nil {
			return err
		}
		nodes, err := kubernetes.NewProvider(ctx, "nodegroup-stand-in", &kubernetes.ProviderArgs{})
		if err != nil {
			return err
		}
		args := &PachydermArgs{
			KubernetesProvider:        k8s,
			DependsOn:                 []pulumi.Resource{nodes},
			Storage:                   storages[Amazon],
			StorageClass:              "gp3",
			ServiceAccountAnnotations: pulumi.StringMap{"eks.amazonaws.com/role-arn": pulumi.String("arn:aws:iam::1:role/pach")},
			EnterpriseLicenseKey:      pulumi.String("license-value"),
		}
		if err := mutate(ctx, args); err != nil {
			return err
		}
		p, err := NewPachyderm(ctx, "pachyderm", args)
		if err != nil {
			return err
		}
		for _, f := range inspect {
			f(p)
		}
		return nil
	}
}

func TestRelease_R10_HelmSafety(t *testing.T) {
	cloud := deploy(t, nil)
	r := mocktest.One(t, cloud, releaseType)
	for path, want := range map[string]any{
		"atomic": true, "cleanupOnFail": true, "timeout": float64(DefaultTimeoutSeconds),
		"version": DefaultChartVersion, "chart": ChartName, "repositoryOpts.repo": DefaultChartRepo,
		"name": ReleaseName, "values.pachd.externalService.enabled": false,
	} {
		if got := mocktest.MustFind(t, r.Inputs, path).Raw.V; got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
}

func TestRelease_R11_ExplicitProviderAndDependsOn(t *testing.T) {
	cloud := deploy(t, nil)
	nodes := mocktest.Named(t, cloud, "pulumi:providers:kubernetes", "nodegroup-stand-in")
	for _, r := range cloud.Resources() {
		if !strings.HasPrefix(r.Type, "kubernetes:") {
			continue
		}
		if !strings.Contains(r.Provider, "pulumi:providers:kubernetes::cluster") {
			t.Errorf("%s %s uses provider %q, want the cluster's", r.Type, r.Name, r.Provider)
		}
		found := false
		for _, d := range r.DependsOn {
			found = found || d == nodes.URN
		}
		if !found {
			t.Errorf("%s %s does not depend on the node group: %v", r.Type, r.Name, r.DependsOn)
		}
	}
}

func TestRelease_R8_InstallSecretsByName(t *testing.T) {
	cloud := deploy(t, nil)
	r := mocktest.One(t, cloud, releaseType)
	for _, path := range []string{
		"values.pachd.rootTokenSecretName", "values.pachd.enterpriseSecretSecretName",
		"values.pachd.oauthClientSecretSecretName", "values.pachd.enterpriseLicenseKeySecretName",
		"values.console.config.oauthClientSecretSecretName",
	} {
		if got := mocktest.MustFind(t, r.Inputs, path).Raw.V; got != bootstrapSecretName {
			t.Errorf("%s = %v, want %q", path, got, bootstrapSecretName)
		}
	}
	pachd := mocktest.MustFind(t, r.Inputs, "values.pachd").Raw.ObjectValue()
	for _, k := range []string{"rootToken", "enterpriseSecret", "oauthClientSecret", "enterpriseLicenseKey"} {
		if _, inline := pachd[resource.PropertyKey(k)]; inline {
			t.Errorf("pachd.%s is set inline", k)
		}
	}
	if mocktest.Holds(resource.NewObjectProperty(r.Inputs), "license-value") {
		t.Error("the license key is inline in the release values")
	}

	s := mocktest.One(t, cloud, secretType)
	data := s.Inputs["stringData"]
	if !data.ContainsSecrets() {
		t.Fatal("bootstrap secret data is not a Pulumi secret")
	}
	keys := mocktest.MustFind(t, s.Inputs, "stringData").Value.ObjectValue()
	for _, k := range []string{keyRootToken, keyEnterpriseSecret, keyPachdOAuthSecret, keyConsoleOAuthSecret, keyLicense} {
		if _, ok := keys[resource.PropertyKey(k)]; !ok {
			t.Errorf("bootstrap secret lacks key %q", k)
		}
	}
	if got := mocktest.MustFind(t, s.Inputs, "metadata.name").Raw.V; got != bootstrapSecretName {
		t.Errorf("secret name %v", got)
	}
}

// TestRelease_PostgresPasswordsOnlyInTheBootstrapSecret: the generated postgres
// passwords reach the chart by Secret name (postgresqlExistingSecretName/Key for pachd
// and pgbouncer, global.postgresql.existingSecret for the postgresql subchart), never
// inline in the values, which Helm keeps in its release record in the cluster; the
// chart's well-known defaults are blanked.
func TestRelease_PostgresPasswordsOnlyInTheBootstrapSecret(t *testing.T) {
	cloud := deploy(t, nil)
	r := mocktest.One(t, cloud, releaseType)
	for path, want := range map[string]string{
		"values.global.postgresql.postgresqlPassword":           "",
		"values.global.postgresql.postgresqlPostgresPassword":   "",
		"values.global.postgresql.postgresqlExistingSecretName": bootstrapSecretName,
		"values.global.postgresql.postgresqlExistingSecretKey":  keyPostgresPassword,
		"values.global.postgresql.existingSecret":               bootstrapSecretName,
	} {
		if got := mocktest.MustFind(t, r.Inputs, path).Raw.V; got != want {
			t.Errorf("%s = %v, want %q", path, got, want)
		}
	}
	s := mocktest.One(t, cloud, secretType)
	if !s.Inputs["stringData"].ContainsSecrets() {
		t.Fatal("bootstrap secret data is not a Pulumi secret")
	}
	data := mocktest.MustFind(t, s.Inputs, "stringData").Value.ObjectValue()
	for _, k := range []string{keyPostgresPassword, keyPostgresRootPassword} {
		if _, ok := data[resource.PropertyKey(k)]; !ok {
			t.Errorf("bootstrap secret lacks the subchart's key %q", k)
		}
	}
	// Six generated passwords: root token, enterprise secret, two OAuth secrets, two postgres.
	if n := len(cloud.OfType(passwordType)); n != 6 {
		t.Errorf("%d random passwords, want 6", n)
	}
	if got := mocktest.MustFind(t, r.Inputs, "values.pachd.clusterDeploymentID").Raw.V; got == "" || got == nil {
		t.Error("clusterDeploymentID is not pinned")
	}
}

func TestRelease_StorageCredentialsAreSecret(t *testing.T) {
	cases := map[Backend]string{
		Amazon:    "values.pachd.storage.amazon.secret",
		Google:    "values.pachd.storage.google.cred",
		Microsoft: "values.pachd.storage.microsoft.secret",
	}
	for backend, path := range cases {
		t.Run(string(backend), func(t *testing.T) {
			cloud := deploy(t, func(a *PachydermArgs) { a.Storage = storages[backend] })
			r := mocktest.One(t, cloud, releaseType)
			if v := mocktest.MustFind(t, r.Inputs, path).Raw; !v.ContainsSecrets() {
				t.Errorf("%s is not a secret", path)
			}
			if got := mocktest.MustFind(t, r.Inputs, "values.deployTarget").Raw.V; got != string(backend) {
				t.Errorf("deployTarget = %v", got)
			}
			if got := mocktest.MustFind(t, r.Inputs, "values.pachd.storage.storageURL").Raw.V; got != StorageURL(storages[backend]) {
				t.Errorf("storageURL = %v", got)
			}
		})
	}
}

func TestStorageURL(t *testing.T) {
	for s, want := range map[*Storage]string{
		{Backend: Amazon, Bucket: "b", Region: "eu-west-1"}: "s3://b?region=eu-west-1",
		{Backend: Google, Bucket: "b"}:                      "gs://b",
		{Backend: Microsoft, Bucket: "c"}:                   "azblob://c",
	} {
		if got := StorageURL(*s); got != want {
			t.Errorf("StorageURL(%+v) = %q, want %q", *s, got, want)
		}
	}
}

func TestRelease_BothServiceAccountsAnnotated(t *testing.T) {
	cloud := deploy(t, nil)
	r := mocktest.One(t, cloud, releaseType)
	for _, path := range []string{
		"values.pachd.serviceAccount.additionalAnnotations.eks.amazonaws.com/role-arn",
		"values.pachd.worker.serviceAccount.additionalAnnotations.eks.amazonaws.com/role-arn",
	} {
		parts := strings.SplitN(path, ".additionalAnnotations.", 2)
		ann := mocktest.MustFind(t, r.Inputs, parts[0]+".additionalAnnotations").Raw.ObjectValue()
		if got := ann[resource.PropertyKey(parts[1])].V; got != "arn:aws:iam::1:role/pach" {
			t.Errorf("%s = %v", path, got)
		}
	}
}

func TestRelease_StorageClassOnEveryVolume(t *testing.T) {
	cloud := deploy(t, nil)
	r := mocktest.One(t, cloud, releaseType)
	for _, path := range []string{
		"values.etcd.storageClass", "values.postgresql.persistence.storageClass",
		"values.loki-stack.loki.persistence.storageClassName",
	} {
		if got := mocktest.MustFind(t, r.Inputs, path).Raw.V; got != "gp3" {
			t.Errorf("%s = %v, want gp3", path, got)
		}
	}
}

func TestRelease_UserValuesMergeOver(t *testing.T) {
	cloud := deploy(t, func(a *PachydermArgs) {
		a.Values = map[string]any{"pachd": map[string]any{"logLevel": "debug", "externalService": map[string]any{"loadBalancerIP": "203.0.113.7"}}}
	})
	r := mocktest.One(t, cloud, releaseType)
	if got := mocktest.MustFind(t, r.Inputs, "values.pachd.logLevel").Raw.V; got != "debug" {
		t.Errorf("user value lost: %v", got)
	}
	if got := mocktest.MustFind(t, r.Inputs, "values.pachd.externalService.loadBalancerIP").Raw.V; got != "203.0.113.7" {
		t.Errorf("user value lost: %v", got)
	}
	if got := mocktest.MustFind(t, r.Inputs, "values.pachd.externalService.enabled").Raw.V; got != false {
		t.Errorf("generated sibling lost in merge: %v", got)
	}
	if got := mocktest.MustFind(t, r.Inputs, "values.pachd.rootTokenSecretName").Raw.V; got != bootstrapSecretName {
		t.Errorf("generated sibling lost in merge: %v", got)
	}
}

func TestConsoleAndExternalService(t *testing.T) {
	cloud := deploy(t, func(a *PachydermArgs) { a.DisableConsole = true; a.ExternalService = true })
	r := mocktest.One(t, cloud, releaseType)
	if got := mocktest.MustFind(t, r.Inputs, "values.console.enabled").Raw.V; got != false {
		t.Errorf("console.enabled = %v", got)
	}
	if got := mocktest.MustFind(t, r.Inputs, "values.pachd.externalService.enabled").Raw.V; got != true {
		t.Errorf("externalService = %v", got)
	}
	svc := cloud.OfType("kubernetes:core/v1:Service")
	if len(svc) != 1 || svc[0].ID != "pachyderm/pachd-lb" {
		t.Fatalf("want a read of the pachd-lb service, got %+v", svc)
	}
}

func TestNamespaceIsCreated(t *testing.T) {
	cloud := deploy(t, func(a *PachydermArgs) { a.Namespace = "data" })
	ns := mocktest.One(t, cloud, namespaceType)
	if got := mocktest.MustFind(t, ns.Inputs, "metadata.name").Raw.V; got != "data" {
		t.Errorf("namespace = %v", got)
	}
	if got := mocktest.MustFind(t, mocktest.One(t, cloud, releaseType).Inputs, "namespace").Raw.V; got != "data" {
		t.Errorf("release namespace = %v", got)
	}
}

func TestNewPachyderm_InvalidArgsListsAll(t *testing.T) {
	cloud := offline.New("p", "s")
	err := cloud.Run(func(ctx *pulumi.Context) error {
		_, err := NewPachyderm(ctx, "pachyderm", &PachydermArgs{
			Namespace: "default", ChartVersion: "latest",
			Storage: Storage{Backend: "MINIO", GoogleCredentials: pulumi.String("x")},
		})
		return err
	})
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"KubernetesProvider", "Namespace", "ChartVersion", "Storage.Bucket", "Storage.Backend", "Storage.GoogleCredentials"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %s: %v", want, err)
		}
	}
	if len(cloud.Resources()) != 0 {
		t.Errorf("resources registered despite invalid args: %d", len(cloud.Resources()))
	}
}

func TestNilArgsAreRefused(t *testing.T) {
	mocktest.NilArgsRefused(t, map[string]func(*pulumi.Context) error{
		"NewPachyderm": func(ctx *pulumi.Context) error { _, err := NewPachyderm(ctx, "pachyderm", nil); return err },
	})
}

// TestRelease_UserValuesNeverOverrideManagedValues: values that would point Pachyderm at
// another bucket, or put a password in plain text, are refused with the setting to use.
func TestRelease_UserValuesNeverOverrideManagedValues(t *testing.T) {
	err := offline.New(mocktest.Project, mocktest.Stack).Run(func(ctx *pulumi.Context) error {
		k8s, err := kubernetes.NewProvider(ctx, "cluster", &kubernetes.ProviderArgs{})
		if err != nil {
			return err
		}
		_, err = NewPachyderm(ctx, "pachyderm", &PachydermArgs{KubernetesProvider: k8s, Storage: storages[Amazon],
			Values: map[string]any{"pachd": map[string]any{"storage": map[string]any{"amazon": map[string]any{"bucket": "other"}}}}})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), `Values = "pachd.storage.amazon": is set by pachdeploy`) {
		t.Fatalf("err = %v", err)
	}
}

// TestRelease_UserSecretValuesStaySecret: a values file's passwords and tokens are Pulumi
// secrets in the release inputs, so they never sit in plain text in the state.
func TestRelease_UserSecretValuesStaySecret(t *testing.T) {
	cloud := deploy(t, func(a *PachydermArgs) {
		a.Values = map[string]any{
			"pachd":   map[string]any{"enterpriseRootToken": "root-tok", "logLevel": "info"},
			"global":  map[string]any{"postgresql": map[string]any{"postgresqlSSLCACert": "-----BEGIN"}},
			"ingress": map[string]any{"tls": map[string]any{"secretName": "pach-tls"}},
		}
	})
	r := mocktest.One(t, cloud, releaseType)
	for path, secret := range map[string]bool{
		"values.pachd.enterpriseRootToken":             true,
		"values.global.postgresql.postgresqlSSLCACert": true,
		"values.ingress.tls.secretName":                true,
		"values.pachd.logLevel":                        false,
	} {
		f := mocktest.MustFind(t, r.Inputs, path)
		if f.Secret != secret {
			t.Errorf("%s: secret = %v, want %v", path, f.Secret, secret)
		}
	}
}

// TestRelease_KubeconfigMakesItsOwnProvider: without a provider object (the Pulumi
// package), Kubeconfig makes one under the component, kept secret, and every
// Kubernetes object uses it.
func TestRelease_KubeconfigMakesItsOwnProvider(t *testing.T) {
	const kubeconfig = "apiVersion: v1\nkind: Config\n# token-e2e"
	cloud := deploy(t, func(a *PachydermArgs) {
		a.KubernetesProvider = nil
		a.Kubeconfig = pulumi.String(kubeconfig)
	})
	own := mocktest.Named(t, cloud, "pulumi:providers:kubernetes", "pachyderm")
	if !strings.Contains(own.Parent, "pachdeploy:pachyderm:Pachyderm") {
		t.Errorf("the provider's parent is %q, want the component", own.Parent)
	}
	if v := own.Inputs["kubeconfig"]; !v.IsSecret() || !mocktest.Holds(v, "token-e2e") {
		t.Errorf("the provider's kubeconfig = %v, want the kubeconfig as a secret", v)
	}
	for _, r := range cloud.Resources() {
		if strings.HasPrefix(r.Type, "kubernetes:") && !strings.Contains(r.Provider, "pulumi:providers:kubernetes::pachyderm") {
			t.Errorf("%s %s uses provider %q, want the component's own", r.Type, r.Name, r.Provider)
		}
	}
}
