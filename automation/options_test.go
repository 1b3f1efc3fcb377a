package automation

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestResolve_Defaults(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/state")
	t.Setenv(envBackendURL, "")
	o, err := resolve([]Option{WithEnv(map[string]string{EnvPassphrase: ""})})
	if err != nil {
		t.Fatal(err)
	}
	if o.stateDir != "/state/pachdeploy" {
		t.Errorf("state dir %q, want /state/pachdeploy", o.stateDir)
	}
	if o.backend != "file:///state/pachdeploy/backend" {
		t.Errorf("backend %q, want the file backend under the state dir", o.backend)
	}
	if o.grace <= 0 {
		t.Errorf("grace period %v, want positive", o.grace)
	}
}

func TestResolve_BackendPrecedence(t *testing.T) {
	t.Setenv(EnvPassphrase, "x")
	t.Setenv(envBackendURL, "s3://from-env")
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"environment", nil, "s3://from-env"},
		{"WithEnv over environment", []Option{WithEnv(map[string]string{envBackendURL: "gs://from-option-env"})}, "gs://from-option-env"},
		{"WithBackend over both", []Option{WithEnv(map[string]string{envBackendURL: "gs://x"}), WithBackend("azblob://mine")}, "azblob://mine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := resolve(append(tt.opts, WithStateDir(t.TempDir())))
			if err != nil {
				t.Fatal(err)
			}
			if o.backend != tt.want {
				t.Errorf("backend %q, want %q", o.backend, tt.want)
			}
		})
	}
}

func TestResolve_PassphraseMissingNamesBothVariables(t *testing.T) {
	t.Setenv(envBackendURL, "")
	unsetenv(t, EnvPassphrase)
	unsetenv(t, EnvPassphraseFile)
	_, err := resolve([]Option{WithStateDir(t.TempDir())})
	if err == nil {
		t.Fatal("no error without a passphrase")
	}
	for _, v := range []string{EnvPassphrase, EnvPassphraseFile} {
		if !strings.Contains(err.Error(), v) {
			t.Errorf("error %q does not name %s", err, v)
		}
	}
}

func TestResolve_SecretsProviders(t *testing.T) {
	t.Setenv(envBackendURL, "")
	unsetenv(t, EnvPassphrase)
	unsetenv(t, EnvPassphraseFile)
	tests := []struct {
		opts []Option
		ok   bool
	}{
		{[]Option{WithSecretsProvider("awskms://alias/pachdeploy?region=us-west-2")}, true},
		{[]Option{WithSecretsProvider("gcpkms://projects/p/locations/global/keyRings/r/cryptoKeys/k")}, true},
		{[]Option{WithSecretsProvider("azurekeyvault://v.vault.azure.net/keys/k")}, true},
		{[]Option{WithSecretsProvider("passphrase")}, false},
		{[]Option{WithSecretsProvider("passphrase"), WithEnv(map[string]string{EnvPassphraseFile: "/run/secrets/p"})}, true},
		{[]Option{WithSecretsProvider("rot13://")}, false},
		{[]Option{WithBackend("https://api.pulumi.com")}, true},
	}
	for _, tt := range tests {
		_, err := resolve(append(tt.opts, WithStateDir(t.TempDir())))
		if (err == nil) != tt.ok {
			t.Errorf("options %d: err %v, want ok=%v", len(tt.opts), err, tt.ok)
		}
	}
}

func TestWorkDir_OnePerStackAndBackend(t *testing.T) {
	a := &options{stateDir: "/s", backend: "file:///a"}
	b := &options{stateDir: "/s", backend: "s3://b"}
	dirs := map[string]bool{a.workDir("dev"): true, a.workDir("prod"): true, b.workDir("dev"): true, a.workDir("org/p/dev"): true}
	if len(dirs) != 4 {
		t.Errorf("work dirs collide: %v", dirs)
	}
	if d := a.workDir("org/p/dev"); filepath.Dir(filepath.Dir(d)) != "/s/workspaces" {
		t.Errorf("work dir %q escapes the workspaces directory", d)
	}
}

func TestPulumiRoot(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "bin", "pulumi"), "")
	for _, path := range []string{root, filepath.Join(root, "bin", "pulumi")} {
		got, err := pulumiRoot(path)
		if err != nil || got != root {
			t.Errorf("pulumiRoot(%q) = %q, %v; want %q", path, got, err, root)
		}
	}
	if _, err := pulumiRoot(filepath.Join(root, "nothing")); err == nil {
		t.Error("pulumiRoot of a missing path: no error")
	}
}
