package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"sigs.k8s.io/yaml"
)

// readSettingsFile reads a YAML map of pachdeploy settings into the raw text values
// config.Parse expects. Keys may be bare (region) or Pulumi-style (pachdeploy:region); a
// Pulumi stack file's top-level `config:` map is read too. Numbers and booleans become
// their text, lists and maps JSON. Keys of other namespaces are reported, all at once,
// as a *rules.Error returned with the settings that could be read.
func readSettingsFile(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--config: %v", err)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, usagef("--config %s: not valid YAML: %v", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil || doc == nil {
		return nil, usagef("--config %s: must be a map of settings, like `cloud: aws`", path)
	}
	if inner, ok := doc["config"].(map[string]any); ok && len(doc) == 1 {
		doc = inner
	}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	raw := map[string]string{}
	var p rules.Problems
	for _, k := range keys {
		bare := strings.TrimPrefix(k, config.Namespace+":")
		if strings.Contains(bare, ":") {
			p.Addf(k, "", "only pachdeploy settings belong here; set provider settings (%s) in the environment", k)
			continue
		}
		v, err := settingText(doc[k])
		if err != nil {
			p.Add(bare, "", err)
			continue
		}
		raw[bare] = v
	}
	return raw, p.Err()
}

// settingText is v as Pulumi config text.
func settingText(v any) (string, error) {
	switch t := v.(type) {
	case string:
		return t, nil
	case json.Number:
		return t.String(), nil
	case bool:
		return fmt.Sprint(t), nil
	case nil:
		return "", fmt.Errorf("has no value")
	case map[string]any:
		if _, secure := t["secure"]; secure && len(t) == 1 {
			return "", fmt.Errorf("is a Pulumi-encrypted value, which pachdeploy cannot decrypt: give the plain value (or set it with `pulumi config set --secret`)")
		}
	}
	b, err := json.Marshal(v)
	return string(b), err
}
