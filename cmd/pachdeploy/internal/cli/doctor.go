package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/pachdeploy/pachdeploy/automation"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/spf13/cobra"
)

// doctorOptions are doctor's inputs; tests replace the lookups.
type doctorOptions struct {
	Cloud           string
	Backend         string
	SecretsProvider string
	PulumiPath      string
	Getenv          func(string) (string, bool)
	LookPath        func(string) (string, error)
	Exists          func(string) bool
	FindPulumi      func(string) (automation.PulumiInfo, error)
	Home            string
}

// check is one line of doctor's report.
type check struct {
	ok       bool
	required bool
	what     string
	fix      string
}

func newDoctorCmd(g *globalOptions) *cobra.Command {
	o := &doctorOptions{}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the Pulumi CLI, provider plugins, cloud credentials, kubeconfig helper and passphrase",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			o.Backend, o.SecretsProvider = g.Backend, g.SecretsProvider
			raw, err := g.rawSettings()
			if err != nil {
				return err
			}
			o.Cloud = raw["cloud"]
			o.defaults(g.Deps.Env)
			return runDoctor(g, o)
		},
	}
	cmd.Flags().StringVar(&o.PulumiPath, "pulumi", "", "Pulumi CLI to check (default ./bin/pulumi, else PATH)")
	return cmd
}

func (o *doctorOptions) defaults(env func(string) (string, bool)) {
	o.Getenv = env
	if o.Getenv == nil {
		o.Getenv = os.LookupEnv
	}
	o.LookPath = exec.LookPath
	o.Exists = func(p string) bool { _, err := os.Stat(p); return err == nil }
	o.FindPulumi = automation.FindPulumi
	o.Home, _ = os.UserHomeDir()
}

// errDoctor: something required is missing.
var errDoctor = fmt.Errorf("some required checks failed (see the ✗ lines)")

func runDoctor(g *globalOptions, o *doctorOptions) error {
	if o.Cloud != "" && !isCloud(o.Cloud) {
		return usagef("--cloud %q: must be one of aws, gcp, azure", o.Cloud)
	}
	checks := o.checks()
	failed := false
	for _, c := range checks {
		mark, note := "✓", ""
		if !c.ok {
			mark = "✗"
			if !c.required {
				note = " (optional)"
			}
			failed = failed || c.required
		}
		fmt.Fprintf(g.IO.Out, "%s %s%s\n", mark, c.what, note)
		if !c.ok && c.fix != "" {
			fmt.Fprintf(g.IO.Out, "    %s\n", c.fix)
		}
	}
	if o.Cloud == "" {
		fmt.Fprintln(g.IO.Out, "  (give --cloud aws|gcp|azure to check plugins, credentials and the kubeconfig helper)")
	}
	if failed {
		return errDoctor
	}
	return nil
}

func isCloud(s string) bool {
	for _, c := range config.Clouds {
		if string(c) == s {
			return true
		}
	}
	return false
}

func (o *doctorOptions) checks() []check {
	var out []check
	info, err := o.FindPulumi(o.PulumiPath)
	if err != nil {
		out = append(out, check{required: true, what: "Pulumi CLI", fix: fmt.Sprintf("%v", err)})
	} else {
		out = append(out, check{ok: true, required: true, what: fmt.Sprintf("Pulumi CLI %s at %s (SDK %s)", info.Version, info.Path, info.SDKVersion)})
	}
	out = append(out, o.passphrase())
	if o.Cloud == "" {
		return out
	}
	for _, p := range plugins[config.Cloud(o.Cloud)] {
		out = append(out, o.plugin(p, info.Path))
	}
	out = append(out, o.credentials(), o.kubeconfigHelper())
	return out
}

func (o *doctorOptions) set(name string) bool {
	v, ok := o.Getenv(name)
	return ok && v != ""
}

func (o *doctorOptions) passphrase() check {
	c := check{required: true, what: "secrets passphrase (" + automation.EnvPassphrase + " or " + automation.EnvPassphraseFile + ")"}
	backend := o.Backend
	if backend == "" {
		backend, _ = o.Getenv("PULUMI_BACKEND_URL")
	}
	switch {
	case o.SecretsProvider != "" && o.SecretsProvider != "passphrase":
		c.ok, c.what = true, "secrets provider "+o.SecretsProvider+" (no passphrase needed)"
	case o.SecretsProvider == "" && strings.HasPrefix(backend, "https://"):
		c.ok, c.what = true, "secrets encrypted by Pulumi Cloud (no passphrase needed)"
	default:
		_, a := o.Getenv(automation.EnvPassphrase)
		_, b := o.Getenv(automation.EnvPassphraseFile)
		c.ok = a || b
		c.fix = "export " + automation.EnvPassphrase + "=... (keep it: it decrypts the stack's secrets), or set " +
			automation.EnvPassphraseFile + ", or use --secrets-provider awskms://|gcpkms://|azurekeyvault://"
	}
	return c
}

// plugins are the provider plugins each cloud's program uses.
var plugins = map[config.Cloud][]string{
	config.AWS:   {"aws", "eks", "kubernetes", "random"},
	config.GCP:   {"gcp", "kubernetes", "random"},
	config.Azure: {"azure-native", "kubernetes", "random"},
}

// pluginModules names the Go SDK module of each provider plugin: the plugin version to
// install is the version of that module linked into this binary.
var pluginModules = map[string]string{
	"aws":          "github.com/pulumi/pulumi-aws/sdk/v6",
	"eks":          "github.com/pulumi/pulumi-eks/sdk/v3",
	"gcp":          "github.com/pulumi/pulumi-gcp/sdk/v9",
	"azure-native": "github.com/pulumi/pulumi-azure-native-sdk/v2",
	"kubernetes":   "github.com/pulumi/pulumi-kubernetes/sdk/v4",
	"random":       "github.com/pulumi/pulumi-random/sdk/v4",
}

// pluginVersion is the version of plugin name that this binary's SDK expects, or ""
// when the binary does not link that SDK.
func pluginVersion(name string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, m := range info.Deps {
		if m.Path == pluginModules[name] {
			return strings.TrimPrefix(m.Version, "v")
		}
	}
	return ""
}

// plugin checks a provider plugin on PATH, next to the Pulumi CLI, or installed.
func (o *doctorOptions) plugin(name, pulumiPath string) check {
	bin := "pulumi-resource-" + name
	install := strings.TrimSpace("pulumi plugin install resource " + name + " " + pluginVersion(name))
	c := check{what: "provider plugin " + name,
		fix: "`" + install + "` (or let the first preview download it)"}
	if p, err := o.LookPath(bin); err == nil {
		c.ok, c.what = true, c.what+" at "+p
		return c
	}
	if filepath.IsAbs(pulumiPath) && o.Exists(filepath.Join(filepath.Dir(pulumiPath), bin)) {
		c.ok, c.what = true, c.what+" next to the Pulumi CLI"
		return c
	}
	home, ok := o.Getenv("PULUMI_HOME")
	if !ok || home == "" {
		home = filepath.Join(o.Home, ".pulumi")
	}
	matches, _ := filepath.Glob(filepath.Join(home, "plugins", "resource-"+name+"-v*"))
	if len(matches) > 0 {
		c.ok, c.what = true, c.what+" installed ("+filepath.Base(matches[len(matches)-1])+")"
	}
	return c
}

func (o *doctorOptions) credentials() check {
	c := check{required: true}
	switch config.Cloud(o.Cloud) {
	case config.AWS:
		c.what = "AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_WEB_IDENTITY_TOKEN_FILE or ~/.aws)"
		c.ok = o.set("AWS_PROFILE") || (o.set("AWS_ACCESS_KEY_ID") && o.set("AWS_SECRET_ACCESS_KEY")) ||
			o.set("AWS_WEB_IDENTITY_TOKEN_FILE") || o.Exists(filepath.Join(o.Home, ".aws", "credentials")) ||
			o.Exists(filepath.Join(o.Home, ".aws", "config"))
		c.fix = "run `aws configure` or `aws sso login`, or export AWS_PROFILE"
	case config.GCP:
		c.what = "Google Cloud credentials (GOOGLE_APPLICATION_CREDENTIALS, GOOGLE_CREDENTIALS, CLOUDSDK_AUTH_ACCESS_TOKEN or gcloud application-default login)"
		c.ok = o.set("GOOGLE_APPLICATION_CREDENTIALS") || o.set("GOOGLE_CREDENTIALS") || o.set("CLOUDSDK_AUTH_ACCESS_TOKEN") ||
			o.Exists(filepath.Join(o.Home, ".config", "gcloud", "application_default_credentials.json"))
		c.fix = "run `gcloud auth application-default login`, or export GOOGLE_APPLICATION_CREDENTIALS"
	case config.Azure:
		c.what = "Azure credentials (ARM_CLIENT_ID/ARM_CLIENT_SECRET, ARM_USE_OIDC, ARM_USE_MSI, AZURE_CLIENT_ID or az login)"
		c.ok = (o.set("ARM_CLIENT_ID") && (o.set("ARM_CLIENT_SECRET") || o.set("ARM_USE_OIDC") || o.set("ARM_CLIENT_CERTIFICATE_PATH"))) ||
			o.set("ARM_USE_MSI") || o.set("AZURE_CLIENT_ID") || o.Exists(filepath.Join(o.Home, ".azure", "azureProfile.json"))
		c.fix = "run `az login`, or export ARM_CLIENT_ID, ARM_CLIENT_SECRET, ARM_TENANT_ID and ARM_SUBSCRIPTION_ID"
	}
	return c
}

func (o *doctorOptions) kubeconfigHelper() check {
	switch config.Cloud(o.Cloud) {
	case config.AWS:
		_, err := o.LookPath("aws")
		return check{ok: err == nil, required: true, what: "kubeconfig helper `aws` (EKS tokens: aws eks get-token)",
			fix: "install the AWS CLI v2: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html"}
	case config.GCP:
		_, err := o.LookPath("gke-gcloud-auth-plugin")
		return check{ok: err == nil, required: true, what: "kubeconfig helper `gke-gcloud-auth-plugin`",
			fix: "gcloud components install gke-gcloud-auth-plugin"}
	}
	_, err := o.LookPath("kubelogin")
	return check{ok: err == nil, what: "kubeconfig helper `kubelogin` (only for AKS clusters with Entra ID login)",
		fix: "az aks install-cli"}
}
