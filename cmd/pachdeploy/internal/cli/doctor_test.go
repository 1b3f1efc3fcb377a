package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/automation"
)

func doctorWith(env map[string]string, onPath ...string) *doctorOptions {
	return &doctorOptions{
		Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		LookPath: func(name string) (string, error) {
			for _, p := range onPath {
				if p == name {
					return "/usr/bin/" + name, nil
				}
			}
			return "", errors.New("not found")
		},
		Exists: func(string) bool { return false },
		FindPulumi: func(string) (automation.PulumiInfo, error) {
			return automation.PulumiInfo{Path: "/bin/pulumi", Version: "3.274.1", SDKVersion: "3.274.1"}, nil
		},
		Home: "/home/none",
	}
}

func runDoctorTest(t *testing.T, o *doctorOptions) (error, string) {
	t.Helper()
	var out bytes.Buffer
	g := &globalOptions{IO: IOStreams{Out: &out}}
	return runDoctor(g, o), out.String()
}

func TestDoctor_AWSReady(t *testing.T) {
	o := doctorWith(map[string]string{automation.EnvPassphrase: "x", "AWS_PROFILE": "dev"},
		"pulumi-resource-aws", "pulumi-resource-eks", "pulumi-resource-kubernetes", "pulumi-resource-random", "aws")
	o.Cloud = "aws"
	err, out := runDoctorTest(t, o)
	if err != nil || strings.Contains(out, "✗") {
		t.Errorf("err %v, output:\n%s", err, out)
	}
}

func TestDoctor_ReportsWhatIsMissing(t *testing.T) {
	o := doctorWith(map[string]string{})
	o.Cloud = "gcp"
	err, out := runDoctorTest(t, o)
	if err == nil {
		t.Fatal("doctor passed with no credentials, passphrase or helper")
	}
	for _, want := range []string{
		"✗ secrets passphrase (PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE)",
		"✗ Google Cloud credentials", "gcloud auth application-default login",
		"✗ kubeconfig helper `gke-gcloud-auth-plugin`", "✗ provider plugin gcp (optional)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestDoctor_AzureNeedsNoKubelogin(t *testing.T) {
	o := doctorWith(map[string]string{automation.EnvPassphraseFile: "/p", "ARM_CLIENT_ID": "id", "ARM_CLIENT_SECRET": "s"},
		"pulumi-resource-azure-native", "pulumi-resource-kubernetes", "pulumi-resource-random")
	o.Cloud = "azure"
	err, out := runDoctorTest(t, o)
	if err != nil || !strings.Contains(out, "kubelogin") {
		t.Errorf("err %v, output:\n%s", err, out)
	}
}

func TestEveryPluginHasItsSDKModule(t *testing.T) {
	for cloud, names := range plugins {
		for _, name := range names {
			if pluginModules[name] == "" {
				t.Errorf("%s: plugin %s has no SDK module, so doctor cannot name its version", cloud, name)
			}
		}
	}
}
