package automation

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/rules"
)

func TestResolve_Defaults(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/state")
	t.Setenv(envBackendURL, "")
	o, err := resolve("dev", []Option{WithEnv(map[string]string{EnvPassphrase: ""})})
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
			o, err := resolve("dev", append(tt.opts, WithStateDir(t.TempDir())))
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
	_, err := resolve("dev", []Option{WithStateDir(t.TempDir())})
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
		_, err := resolve("dev", append(tt.opts, WithStateDir(t.TempDir())))
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

func TestNormalizeBackend(t *testing.T) {
	home, _ := os.UserHomeDir()
	for _, tt := range []struct {
		in, want, err string
	}{
		{"file:///var/lib/pach/", "file:///var/lib/pach", ""},
		{"file:///var/lib/pach", "file:///var/lib/pach", ""},
		{"file:///var/lib/./pach//", "file:///var/lib/pach", ""},
		{"file://~/state", "file://" + filepath.ToSlash(filepath.Join(home, "state")), ""},
		{"file:///var/pach?no_tmp_dir=true", "file:///var/pach?no_tmp_dir=true", ""},
		{"s3://bucket/", "s3://bucket", ""},
		{"s3://bucket/prefix?region=us-west-2", "s3://bucket/prefix?region=us-west-2", ""},
		{"https://api.pulumi.com/", "https://api.pulumi.com", ""},
		{"gs://b", "gs://b", ""},
		{"azblob://c", "azblob://c", ""},
		{"file://", "", "file:// needs a directory"},
		{"file://relative/dir", "", "needs an absolute directory"},
		{"ftp://host/dir", "", `backend scheme "ftp://" is not supported`},
		{"not a url", "", "must be a backend URL"},
		{"/var/lib/pach", "", "must be a backend URL"},
		{"s3://", "", "s3:// needs a bucket or host name"},
	} {
		got, err := NormalizeBackend(tt.in)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("NormalizeBackend(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("NormalizeBackend(%q): err %v, want %q", tt.in, err, tt.err)
		}
	}
}

// TestResolve_BadOptionsAreAllReported: a bad stack name, backend and secrets provider
// are one *rules.Error (exit 2 in the CLI), found before anything is created.
func TestResolve_BadOptionsAreAllReported(t *testing.T) {
	t.Setenv(EnvPassphrase, "x")
	dir := t.TempDir()
	_, err := resolve("bad stack!", []Option{WithStateDir(dir), WithBackend("file://relative"), WithSecretsProvider("rot13://x")})
	var re *rules.Error
	if !errors.As(err, &re) || len(re.Problems) != 3 {
		t.Fatalf("err = %v, want 3 problems", err)
	}
	for i, field := range []string{"stack", "backend", "secretsProvider"} {
		if re.Problems[i].Field != field {
			t.Errorf("problem %d names %q, want %q", i, re.Problems[i].Field, field)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 || fileExists("relative") {
		t.Errorf("something was created: %v", entries)
	}
	t.Setenv(envBackendURL, "ftp://x")
	if _, err := resolve("dev", []Option{WithStateDir(dir)}); err == nil || !strings.Contains(err.Error(), envBackendURL) {
		t.Errorf("a bad %s must be named: %v", envBackendURL, err)
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestWorkDir_OneSpellingPerBackend: file://dir/ and file://dir are the same stacks.
func TestWorkDir_OneSpellingPerBackend(t *testing.T) {
	t.Setenv(EnvPassphrase, "x")
	state := t.TempDir()
	a, err := resolve("dev", []Option{WithStateDir(state), WithBackend("file:///srv/pach/")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := resolve("dev", []Option{WithStateDir(state), WithBackend("file:///srv//pach")})
	if err != nil {
		t.Fatal(err)
	}
	if a.workDir("dev") != b.workDir("dev") {
		t.Errorf("two spellings of one backend get two workspaces: %s, %s", a.workDir("dev"), b.workDir("dev"))
	}
}

// TestResolve_PolicyPacksMustBeDirectories: a pack that is no directory is a problem
// reported with the others; a directory is made absolute (the CLI runs elsewhere).
func TestResolve_PolicyPacksMustBeDirectories(t *testing.T) {
	dir := t.TempDir()
	env := WithEnv(map[string]string{EnvPassphrase: "x"})
	_, err := resolve("dev", []Option{WithStateDir(dir), env, WithPolicyPacks(filepath.Join(dir, "missing"), "")})
	var invalid *rules.Error
	if !errors.As(err, &invalid) || len(invalid.Problems) != 2 || invalid.Problems[0].Field != "policyPacks[0]" ||
		!strings.Contains(invalid.Problems[1].Rule, "is empty") {
		t.Fatalf("err = %v, want a policyPacks[0] and an empty policyPacks[1] problem", err)
	}
	t.Chdir(dir)
	o, err := resolve("dev", []Option{WithStateDir(dir), env, WithPolicyPacks(".")})
	if err != nil || len(o.policyPacks) != 1 || !filepath.IsAbs(o.policyPacks[0]) {
		t.Fatalf("policy packs %v, err %v, want one absolute directory", o, err)
	}
}

// TestCheckpoint: a stack of a file backend is known by its checkpoint file, unless the
// name or the environment points the CLI elsewhere.
func TestCheckpoint(t *testing.T) {
	t.Setenv(EnvPassphrase, "x")
	t.Setenv(envBackendURL, "")
	want := filepath.Join("/b", ".pulumi", "stacks", Project, "dev")
	tests := []struct {
		name  string
		stack string
		opts  []Option
		want  string
	}{
		{"file backend", "dev", []Option{WithBackend("file:///b")}, want},
		{"the same backend in the environment", "dev", []Option{WithBackend("file:///b"), WithEnv(map[string]string{envBackendURL: "file:///b/"})}, want},
		{"another backend in the environment", "dev", []Option{WithBackend("file:///b"), WithEnv(map[string]string{envBackendURL: "file:///c"})}, ""},
		{"a qualified stack name", "organization/pachdeploy/dev", []Option{WithBackend("file:///b")}, ""},
		{"a bucket", "dev", []Option{WithBackend("s3://bucket")}, ""},
		{"Pulumi Cloud", "dev", []Option{WithBackend("https://api.pulumi.com")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := resolve(tt.stack, append(tt.opts, WithStateDir(t.TempDir())))
			if err != nil {
				t.Fatal(err)
			}
			if got := o.checkpoint(tt.stack); got != tt.want {
				t.Errorf("checkpoint = %q, want %q", got, tt.want)
			}
		})
	}
}
