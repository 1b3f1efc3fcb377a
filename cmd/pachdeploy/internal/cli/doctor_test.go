package cli

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/automation"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pachdeploy/pachdeploy/target"
)

// doctorTargets stand in for stacks.Targets: one cloud whose helper is required, one
// whose helper is optional (the real targets' data is checked in package stacks).
var doctorTargets = target.List{
	{
		Settings: config.Target{Cloud: "aws"},
		Plugins:  []target.Plugin{{Name: "aws", Module: "example.com/aws"}, {Name: "kubernetes", Module: "example.com/k8s"}},
		Credentials: target.Credentials{What: "AWS credentials", Fix: "run `aws configure`",
			EnvGroups: [][]string{{"AWS_PROFILE"}, {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}},
			Files:     []string{".aws/credentials"}},
		KubeconfigHelper: target.Helper{Command: "aws", What: "kubeconfig helper `aws`", Required: true},
	},
	{
		Settings:         config.Target{Cloud: "azure"},
		Plugins:          []target.Plugin{{Name: "azure-native", Module: "example.com/azure"}},
		Credentials:      target.Credentials{What: "Azure credentials", EnvGroups: [][]string{{"ARM_CLIENT_ID", "ARM_CLIENT_SECRET"}}},
		KubeconfigHelper: target.Helper{Command: "kubelogin", What: "kubeconfig helper `kubelogin`", Fix: "az aks install-cli"},
	},
}

func doctorWith(env map[string]string, onPath ...string) *doctorOptions {
	return &doctorOptions{
		Targets: doctorTargets,
		Getenv:  func(k string) (string, bool) { v, ok := env[k]; return v, ok },
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

func TestDoctor_Ready(t *testing.T) {
	o := doctorWith(map[string]string{automation.EnvPassphrase: "x", "AWS_PROFILE": "dev"},
		"pulumi-resource-aws", "pulumi-resource-kubernetes", "aws")
	o.Cloud = "aws"
	err, out := runDoctorTest(t, o)
	if err != nil || strings.Contains(out, "✗") {
		t.Errorf("err %v, output:\n%s", err, out)
	}
}

func TestDoctor_ReportsWhatIsMissing(t *testing.T) {
	o := doctorWith(map[string]string{"AWS_ACCESS_KEY_ID": "only half of a group"})
	o.Cloud = "aws"
	err, out := runDoctorTest(t, o)
	if err == nil {
		t.Fatal("doctor passed with no credentials, passphrase or helper")
	}
	for _, want := range []string{
		"✗ secrets passphrase (PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE)",
		"✗ AWS credentials", "run `aws configure`",
		"✗ kubeconfig helper `aws`", "✗ provider plugin aws (optional)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestDoctor_CredentialsFromAFile(t *testing.T) {
	o := doctorWith(map[string]string{automation.EnvPassphrase: "x"}, "aws")
	o.Exists = func(p string) bool { return p == filepath.Join("/home/none", ".aws/credentials") }
	o.Cloud = "aws"
	if _, out := runDoctorTest(t, o); !strings.Contains(out, "✓ AWS credentials") {
		t.Errorf("credentials file not found:\n%s", out)
	}
}

func TestDoctor_OptionalHelperDoesNotFail(t *testing.T) {
	o := doctorWith(map[string]string{automation.EnvPassphraseFile: "/p", "ARM_CLIENT_ID": "id", "ARM_CLIENT_SECRET": "s"},
		"pulumi-resource-azure-native")
	o.Cloud = "azure"
	err, out := runDoctorTest(t, o)
	if err != nil || !strings.Contains(out, "✗ kubeconfig helper `kubelogin` (optional)") {
		t.Errorf("err %v, output:\n%s", err, out)
	}
}

func TestDoctor_UnknownCloudIsUsage(t *testing.T) {
	o := doctorWith(nil)
	o.Cloud = "ibm"
	err, _ := runDoctorTest(t, o)
	var usage *usageError
	if !errors.As(err, &usage) || !strings.Contains(err.Error(), "must be one of aws, azure") {
		t.Errorf("err %v, want a usage error naming the clouds", err)
	}
}
