package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/stacks/config"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// problemsOf returns the problems of a *rules.Error, or fails.
func problemsOf(t *testing.T, err error) rules.Problems {
	t.Helper()
	var re *rules.Error
	if !errors.As(err, &re) {
		t.Fatalf("want a *rules.Error, got %v", err)
	}
	return re.Problems
}

func TestReadFile_ConvertsValues(t *testing.T) {
	want := map[string]string{"cloud": "aws", "nodeCount": "3", "externalService": "true",
		"apiAllowedCidrs": `["10.0.0.0/8"]`, "tags": `{"team":"data"}`, "kubernetesVersion": "1.30"}
	for _, tt := range []struct{ name, yaml string }{
		{"bare keys", "cloud: aws\nnodeCount: 3\nexternalService: true\napiAllowedCidrs: [10.0.0.0/8]\ntags: {team: data}\nkubernetesVersion: 1.30\n"},
		{"pulumi keys", "pachdeploy:cloud: aws\npachdeploy:nodeCount: 3\npachdeploy:externalService: true\npachdeploy:apiAllowedCidrs:\n  - 10.0.0.0/8\npachdeploy:tags:\n  team: data\npachdeploy:kubernetesVersion: \"1.30\"\n"},
		{"json text for lists and maps", "cloud: aws\nnodeCount: \"3\"\nexternalService: \"true\"\napiAllowedCidrs: '[\"10.0.0.0/8\"]'\ntags: '{\"team\":\"data\"}'\nkubernetesVersion: \"1.30\"\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			raw, notes, err := config.ReadFile(writeFile(t, "s.yaml", tt.yaml))
			if err != nil || len(notes) != 0 {
				t.Fatalf("err %v notes %v", err, notes)
			}
			if tt.name != "json text for lists and maps" && !reflect.DeepEqual(raw, want) {
				t.Errorf("raw = %v, want %v", raw, want)
			}
			if _, err := targets.Resolve(raw, "p", "dev"); err != nil {
				t.Errorf("the file's settings do not resolve: %v", err)
			}
		})
	}
}

// TestReadFile_AcceptsPulumiStackFiles: a whole Pulumi stack file is accepted as the
// README promises; provider settings are read where pachdeploy has the same setting and
// ignored otherwise, each with a note.
func TestReadFile_AcceptsPulumiStackFiles(t *testing.T) {
	for _, example := range []string{"aws", "gcp", "azure"} {
		path := filepath.Join("..", "examples", "Pulumi."+example+"-example.yaml")
		raw, _, err := config.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if _, err := targets.Resolve(raw, "p", "dev"); err != nil {
			t.Errorf("%s does not resolve: %v", path, err)
		}
	}
	raw, notes, err := config.ReadFile(writeFile(t, "Pulumi.prod.yaml", `encryptionsalt: v1:abc:def
secretsprovider: passphrase
config:
  aws:region: eu-west-1
  aws:profile: prod
  aws:defaultTags:
    tags: {team: data}
  pachdeploy:cloud: aws
`))
	if err != nil {
		t.Fatal(err)
	}
	if raw["region"] != "eu-west-1" || raw["cloud"] != "aws" || len(raw) != 2 {
		t.Errorf("raw = %v, want cloud and the region read from aws:region", raw)
	}
	joined := strings.Join(notes, "\n")
	for _, want := range []string{"encryptionsalt: ignored", "secretsprovider: ignored", "aws:region: read as region",
		"aws:profile: ignored: a provider setting", "aws:defaultTags: ignored"} {
		if !strings.Contains(joined, want) {
			t.Errorf("notes lack %q:\n%s", want, joined)
		}
	}
}

func TestReadFile_ReportsEveryProblem(t *testing.T) {
	for _, tt := range []struct {
		name, yaml string
		want       []string // field: rule fragment
	}{
		{"kinds and encrypted values", "enterpriseLicenseKey:\n  secure: AAAB\nregion:\nnodeCount: [1, 2]\nenterpriseLicenseKey2: x\n",
			[]string{"enterpriseLicenseKey: is a Pulumi-encrypted value, which pachdeploy cannot decrypt", "region: has no value", "nodeCount: must be a whole number, not a list"}},
		{"a license given as a map", "cloud: aws\nenterpriseLicenseKey: {key: abc}\n", []string{"enterpriseLicenseKey: must be text, not a map"}},
		{"a kubeconfig pasted as YAML", "cloud: aws\nexistingCluster: team\nkubeconfig:\n  apiVersion: v1\n",
			[]string{"kubeconfig: must be text, not a map: give a multi-line document as a block string (kubeconfig: |"}},
		{"a tag value that is a list", "cloud: aws\ntags: {team: [a, b]}\n", []string{"tags: entries must be plain values, not a list"}},
		{"a provider value conflicting with the setting", "config:\n  aws:region: eu-west-1\n  pachdeploy:region: us-east-1\n",
			[]string{"region: conflicts with the provider setting"}},
		{"an unknown stack file key", "config:\n  pachdeploy:cloud: aws\nbackend: file://x\n", []string{"backend: is not a key of a Pulumi stack file"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := config.ReadFile(writeFile(t, "s.yaml", tt.yaml))
			var got []string
			for _, p := range problemsOf(t, err) {
				got = append(got, p.Field+": "+p.Rule)
			}
			joined := strings.Join(got, "\n")
			for _, w := range tt.want {
				if !strings.Contains(joined, w) {
					t.Errorf("problems lack %q:\n%s", w, joined)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n%s", len(got), len(tt.want), joined)
			}
		})
	}
}

// TestReadFile_Strict: duplicate keys and trailing garbage are refused, not resolved
// by "the last one wins".
func TestReadFile_Strict(t *testing.T) {
	for _, tt := range []struct{ name, yaml, want string }{
		{"duplicate key", "cloud: aws\nnodeCount: 3\nnodeCount: 30\n", `duplicate key "nodeCount"`},
		{"duplicate after prefixing", "config:\n  pachdeploy:cloud: aws\n  pachdeploy:cloud: gcp\n", "duplicate key"},
		{"trailing garbage", "cloud: aws\n%%%\n:::\n", "not valid YAML"},
		{"second document", "cloud: aws\n---\ncloud: gcp\n", "second YAML document"},
		{"not a map", "- cloud\n- aws\n", "must be a map of settings"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			raw, _, err := config.ReadFile(writeFile(t, "s.yaml", tt.yaml))
			if raw != nil || err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("raw %v err %v, want no settings and %q", raw, err, tt.want)
			}
			if problemsOf(t, err)[0].Field != "--config" {
				t.Errorf("the problem does not name --config: %v", err)
			}
		})
	}
}

// TestReadFile_LimitsSize: a file too long, or a device that never ends, is refused
// without reading it all (a hang before).
func TestReadFile_LimitsSize(t *testing.T) {
	for _, tt := range []struct{ name, path, want string }{
		{"too long", writeFile(t, "s.yaml", "cloud: aws\n# "+strings.Repeat("x", config.MaxFile)+"\n"), "the most a settings file may have"},
		{"a device that never ends", "/dev/zero", "must be a regular file"},
		{"a directory", t.TempDir(), "must be a regular file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := os.Stat(tt.path); err != nil {
				t.Skipf("%s: %v", tt.path, err)
			}
			_, _, err := config.ReadFile(tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			_, err = targets.Resolve(map[string]string{"cloud": "aws", "valuesFile": tt.path}, "p", "dev")
			if err == nil || !strings.Contains(err.Error(), "valuesFile") {
				t.Fatalf("valuesFile %s: err = %v", tt.path, err)
			}
		})
	}
}

func TestReadFile_ValuesFileIsRelativeToTheSettingsFile(t *testing.T) {
	path := writeFile(t, "s.yaml", "cloud: aws\nvaluesFile: values.yaml\n")
	raw, _, err := config.ReadFile(path)
	if err != nil || raw["valuesFile"] != filepath.Join(filepath.Dir(path), "values.yaml") {
		t.Errorf("valuesFile = %q (%v), want it beside the settings file", raw["valuesFile"], err)
	}
}

// TestParse_SizesEmptinessAndNames: every value has a size limit, an empty value is an
// error (not the default), long values are cut when echoed, and a doubled prefix or a
// provider key is named as such.
func TestParse_SizesEmptinessAndNames(t *testing.T) {
	huge := strings.Repeat("A", 1<<20)
	for _, tt := range []struct {
		name        string
		raw         map[string]string
		field, rule string
	}{
		{"a 1 MB license", map[string]string{"enterpriseLicenseKey": huge}, "enterpriseLicenseKey", "is 1048576 bytes long; enterpriseLicenseKey takes at most 16384"},
		{"a 1 MB region", map[string]string{"region": huge}, "region", "takes at most 256"},
		{"a huge tags map", map[string]string{"tags": `{"a":"` + huge + `"}`}, "tags", "takes at most 65536"},
		{"an empty region", map[string]string{"region": ""}, "region", "is empty: give a value, or remove the key to use the default"},
		{"blank tags", map[string]string{"tags": "  "}, "tags", "is empty"},
		{"a 20-digit count", map[string]string{"nodeCount": "12345678901234567890"}, "nodeCount", "is too large: node counts are at most 100"},
		{"a count above the limit", map[string]string{"nodeMaxCount": "101"}, "nodeMaxCount", "is too large: node counts are at most 100"},
		{"not a number", map[string]string{"nodeCount": "3.5"}, "nodeCount", "must be a whole number from 1 to 100"},
		{"the prefix twice", map[string]string{"pachdeploy:region": "us-west-2"}, "pachdeploy:region", `has the "pachdeploy:" prefix twice; write pachdeploy:region`},
		{"a provider key", map[string]string{"aws:region": "us-west-2"}, "aws:region", `is a setting of the "aws" provider, not of pachdeploy`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse(tt.raw)
			ps := problemsOf(t, err)
			if len(ps) != 1 || ps[0].Field != tt.field || !strings.Contains(ps[0].Rule, tt.rule) {
				t.Fatalf("problems %v, want %s: %s", ps, tt.field, tt.rule)
			}
			if len(err.Error()) > 400 {
				t.Errorf("the message echoes the value whole (%d bytes)", len(err.Error()))
			}
			if strings.Contains(err.Error(), "AAAAAAAA") && tt.field == "enterpriseLicenseKey" {
				t.Errorf("the secret value was echoed: %.200s", err)
			}
		})
	}
}

// TestResolveStored_PlaintextSecretRefused: a license stored without --secret is
// refused with the command that stores it as a secret.
func TestResolveStored_PlaintextSecretRefused(t *testing.T) {
	raw := map[string]string{"cloud": "aws", "enterpriseLicenseKey": "lic-123", "region": "us-west-2"}
	_, err := targets.ResolveStored(raw, []string{"cloud", "region", "enterpriseLicenseKey"}, "p", "prod")
	ps := problemsOf(t, err)
	if len(ps) != 1 || ps[0].Field != "enterpriseLicenseKey" || ps[0].Value != "[secret]" ||
		!strings.Contains(ps[0].Rule, "pulumi config set --secret pachdeploy:enterpriseLicenseKey --stack prod") {
		t.Fatalf("problems %v", ps)
	}
	if strings.Contains(err.Error(), "lic-123") {
		t.Errorf("the license was echoed: %v", err)
	}
	if _, err := targets.ResolveStored(raw, []string{"cloud", "region"}, "p", "prod"); err != nil {
		t.Errorf("a license stored as a secret is fine: %v", err)
	}
}

// TestValuesFile_ManagedKeysRefused: a values file must not override what pachdeploy
// manages; each override names the setting to use instead.
func TestValuesFile_ManagedKeysRefused(t *testing.T) {
	path := writeFile(t, "values.yaml", `pachd:
  logLevel: debug
  storage:
    amazon: {bucket: someone-elses-bucket}
    putFileConcurrencyLimit: 50
  enterpriseLicenseKey: plain-license
global:
  postgresql:
    postgresqlPassword: hunter2
deployTarget: LOCAL
`)
	_, err := targets.Resolve(map[string]string{"cloud": "aws", "valuesFile": path}, "p", "dev")
	var got []string
	for _, p := range problemsOf(t, err) {
		got = append(got, p.Field+" "+p.Value+": "+p.Rule)
	}
	joined := strings.Join(got, "\n")
	for _, want := range []string{
		"valuesFile deployTarget: is set by pachdeploy: use the cloud setting instead",
		"valuesFile global.postgresql.postgresqlPassword: is set by pachdeploy",
		"valuesFile pachd.enterpriseLicenseKey: is set by pachdeploy: use enterpriseLicenseKey (a secret) instead",
		"valuesFile pachd.storage.amazon: is set by pachdeploy: use bucketName, region and identity instead",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems lack %q:\n%s", want, joined)
		}
	}
	if len(got) != 4 || strings.Contains(joined, "hunter2") || strings.Contains(joined, "plain-license") {
		t.Errorf("want exactly the 4 overrides, no value echoed:\n%s", joined)
	}
}

// TestResolve_NoProblemsAboutDefaultsOfUnparsedValues: a value that does not parse is
// reported once, not again through the default that stands in for it.
func TestResolve_NoProblemsAboutDefaultsOfUnparsedValues(t *testing.T) {
	_, err := targets.Resolve(map[string]string{"cloud": "aws", "nodeCount": "12345678901234567890", "nodeMinCount": "5", "nodeMaxCount": "6"}, "p", "dev")
	ps := problemsOf(t, err)
	if len(ps) != 1 || ps[0].Field != "nodeCount" || !strings.Contains(ps[0].Rule, "too large") {
		t.Errorf("problems %v, want only nodeCount's own", ps)
	}
}
