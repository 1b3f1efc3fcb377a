package automation

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pachdeploy/pachdeploy/stacks/config"
	"gopkg.in/yaml.v3"
)

// The stack's settings are read from its stack file (Pulumi.<stack>.yaml) directly
// rather than by `pulumi config --json`, one CLI process less per operation. The file
// holds each setting as a string, or a secret as {secure: <ciphertext>}; anything else
// (an ESC environment, a structured or typed value) is left to the CLI.

// fileSettings reads the pachdeploy settings of a stack file's bytes as storedConfig
// returns them; ok is false when only the CLI can resolve them.
func fileSettings(data []byte) (raw map[string]string, plaintext []string, ok bool) {
	var f struct {
		Config      map[string]any `yaml:"config"`
		Environment any            `yaml:"environment"`
	}
	if err := yaml.Unmarshal(data, &f); err != nil || f.Environment != nil {
		return nil, nil, false
	}
	raw = map[string]string{}
	for k, v := range f.Config {
		if !strings.Contains(k, ":") {
			k = Project + ":" + k // a bare key is the project's
		}
		bare, ours := strings.CutPrefix(k, config.Namespace+":")
		switch v := v.(type) {
		case string:
			if ours {
				raw[bare] = v
				plaintext = append(plaintext, bare)
			}
		case map[string]any:
			if _, secure := v["secure"].(string); !secure || len(v) != 1 {
				return nil, nil, false
			}
			if ours {
				raw[bare] = secretMark
			}
		default:
			return nil, nil, false
		}
	}
	return raw, plaintext, true
}

// withSetting writes a copy of the stack file with one more plain pachdeploy setting
// (for `--config-file`), in the workspace, and returns its path; remove it when done.
func (s *Stack) withSetting(key, value string) (string, error) {
	data, err := os.ReadFile(s.settingsFile())
	if err != nil {
		return "", fmt.Errorf("reading the stack file: %w", err)
	}
	var f map[string]any
	if err := yaml.Unmarshal(data, &f); err != nil {
		return "", fmt.Errorf("reading the stack file: %w", err)
	}
	if f == nil {
		f = map[string]any{}
	}
	cfg, _ := f["config"].(map[string]any)
	if cfg == nil {
		cfg = map[string]any{}
	}
	cfg[config.Namespace+":"+key] = value
	f["config"] = cfg
	out, err := yaml.Marshal(f)
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.settingsFile()), "settings-*.yaml")
	if err != nil {
		return "", err
	}
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}
