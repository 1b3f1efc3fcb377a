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
	"github.com/pachdeploy/pachdeploy/target"
	"github.com/spf13/cobra"
)

// doctorOptions are doctor's inputs; tests replace the lookups.
type doctorOptions struct {
	Cloud           string
	Targets         target.List
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
			o.Cloud, o.Targets = raw["cloud"], g.Deps.Targets
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
	if _, known := o.Targets.Lookup(config.Cloud(o.Cloud)); o.Cloud != "" && !known {
		return usagef("--cloud %q: must be one of %s", o.Cloud, o.Targets.Settings().Names())
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
		fmt.Fprintf(g.IO.Out, "  (give --cloud %s to check plugins, credentials and the kubeconfig helper)\n",
			strings.ReplaceAll(o.Targets.Settings().Names(), ", ", "|"))
	}
	if failed {
		return errDoctor
	}
	return nil
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
	t, _ := o.Targets.Lookup(config.Cloud(o.Cloud))
	for _, p := range t.Plugins {
		out = append(out, o.plugin(p, info.Path))
	}
	out = append(out, o.credentials(t.Credentials), o.kubeconfigHelper(t.KubeconfigHelper))
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

// pluginVersion is the version of plugin p that this binary's SDK expects, or "" when
// the binary does not link that SDK.
func pluginVersion(p target.Plugin) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, m := range info.Deps {
		if m.Path == p.Module {
			return strings.TrimPrefix(m.Version, "v")
		}
	}
	return ""
}

// plugin checks a provider plugin on PATH, next to the Pulumi CLI, or installed.
func (o *doctorOptions) plugin(p target.Plugin, pulumiPath string) check {
	name := p.Name
	bin := "pulumi-resource-" + name
	install := strings.TrimSpace("pulumi plugin install resource " + name + " " + pluginVersion(p))
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

// credentials checks that one of the cloud's ways to give credentials is there.
func (o *doctorOptions) credentials(want target.Credentials) check {
	c := check{required: true, what: want.What, fix: want.Fix}
	for _, group := range want.EnvGroups {
		all := len(group) > 0
		for _, name := range group {
			all = all && o.set(name)
		}
		c.ok = c.ok || all
	}
	for _, f := range want.Files {
		c.ok = c.ok || o.Exists(filepath.Join(o.Home, f))
	}
	return c
}

// kubeconfigHelper checks that the command the cluster's kubeconfig runs is on PATH.
func (o *doctorOptions) kubeconfigHelper(h target.Helper) check {
	_, err := o.LookPath(h.Command)
	return check{ok: err == nil, required: h.Required, what: h.What, fix: h.Fix}
}
