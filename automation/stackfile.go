package automation

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
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

// writePlain sets plain pachdeploy settings in the stack file and removes others (bare
// keys), keeping everything else in it as it is: the CLI would take a process for each
// of the two. Secrets are not written here (only the CLI can encrypt them).
func (s *Stack) writePlain(set map[string]string, remove []string) error {
	path := s.settingsFile()
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	out, err := withPlain(data, set, remove)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o600)
}

// withPlain is a stack file's bytes with plain settings set and others removed.
func withPlain(data []byte, set map[string]string, remove []string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("reading the stack file: %w", err)
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("reading the stack file: not a mapping")
	}
	cfg := mapValue(root, "config")
	if cfg == nil {
		cfg = &yaml.Node{Kind: yaml.MappingNode}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "config"}, cfg)
	}
	gone := map[string]bool{}
	for _, k := range remove {
		gone[config.Namespace+":"+k] = true
	}
	kept := cfg.Content[:0]
	for i := 0; i+1 < len(cfg.Content); i += 2 {
		key := cfg.Content[i].Value
		if bare, ours := strings.CutPrefix(key, config.Namespace+":"); ours {
			if _, replaced := set[bare]; replaced || gone[key] {
				continue
			}
		}
		kept = append(kept, cfg.Content[i], cfg.Content[i+1])
	}
	cfg.Content = kept
	for _, k := range slices.Sorted(maps.Keys(set)) {
		var v yaml.Node
		if err := v.Encode(set[k]); err != nil {
			return nil, err
		}
		cfg.Content = append(cfg.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: config.Namespace + ":" + k}, &v)
	}
	return yaml.Marshal(&doc)
}

// mapValue is the value of key in a YAML mapping, nil when it has none.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
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
