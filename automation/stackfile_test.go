package automation

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestFileSettings(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		raw       map[string]string
		plaintext []string
		ok        bool
	}{
		{"plain and secret", `encryptionsalt: v1:abc
config:
  pachdeploy:cloud: aws
  pachdeploy:nodeCount: "3"
  pachdeploy:enterpriseLicenseKey:
    secure: v1:cipher
  aws:region: us-west-2
`, map[string]string{"cloud": "aws", "nodeCount": "3", "enterpriseLicenseKey": secretMark}, []string{"cloud", "nodeCount"}, true},
		{"a bare key is the project's", "config:\n  region: eu-west-1\n", map[string]string{"region": "eu-west-1"}, []string{"region"}, true},
		{"no config", "secretsprovider: passphrase\n", map[string]string{}, nil, true},
		{"an environment: the CLI resolves it", "environment:\n  - prod\nconfig:\n  pachdeploy:cloud: aws\n", nil, nil, false},
		{"a typed value: the CLI resolves it", "config:\n  pachdeploy:nodeCount: 3\n", nil, nil, false},
		{"a structured value: the CLI resolves it", "config:\n  pachdeploy:tags:\n    team: data\n", nil, nil, false},
		{"another provider's structured value", "config:\n  aws:assumeRole:\n    roleArn: x\n", nil, nil, false},
		{"not YAML", "config: [", nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, plaintext, ok := fileSettings([]byte(tt.file))
			slices.Sort(plaintext)
			if ok != tt.ok || (ok && (!reflect.DeepEqual(raw, tt.raw) || !slices.Equal(plaintext, tt.plaintext))) {
				t.Errorf("fileSettings = %v, %v, %v; want %v, %v, %v", raw, plaintext, ok, tt.raw, tt.plaintext, tt.ok)
			}
		})
	}
}

// TestWithPlain: plain settings written into a stack file read back as written (strings
// that look like numbers or booleans stay strings), stale ones go, and everything else
// (the salt, secrets, other namespaces) stays as it was.
func TestWithPlain(t *testing.T) {
	file := `encryptionsalt: v1:salt
config:
  aws:region: us-west-2
  pachdeploy:cloud: gcp
  pachdeploy:old: gone
  pachdeploy:enterpriseLicenseKey:
    secure: v1:cipher
`
	out, err := withPlain([]byte(file), map[string]string{"cloud": "aws", "nodeCount": "3", "consoleEnabled": "true", "empty": ""}, []string{"old"})
	if err != nil {
		t.Fatal(err)
	}
	raw, plaintext, ok := fileSettings(out)
	slices.Sort(plaintext)
	want := map[string]string{"cloud": "aws", "nodeCount": "3", "consoleEnabled": "true", "empty": "", "enterpriseLicenseKey": secretMark}
	if !ok || !reflect.DeepEqual(raw, want) || !slices.Equal(plaintext, []string{"cloud", "consoleEnabled", "empty", "nodeCount"}) {
		t.Errorf("read back %v %v %v, want %v:\n%s", raw, plaintext, ok, want, out)
	}
	for _, kept := range []string{"encryptionsalt: v1:salt", "aws:region: us-west-2", "secure: v1:cipher"} {
		if !strings.Contains(string(out), kept) {
			t.Errorf("the file lost %q:\n%s", kept, out)
		}
	}
	if empty, err := withPlain(nil, map[string]string{"cloud": "aws"}, nil); err != nil || !strings.Contains(string(empty), "pachdeploy:cloud: aws") {
		t.Errorf("a new stack file = %q, %v", empty, err)
	}
}
