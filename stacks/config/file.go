package config

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/files"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/internal/strictyaml"
	"gopkg.in/yaml.v3"
)

// providerSettings are the provider settings of a Pulumi stack file that pachdeploy
// reads as its own (the provider is configured from pachdeploy's settings).
var providerSettings = map[string]string{
	"aws:region":            "region",
	"gcp:region":            "region",
	"gcp:project":           "project",
	"azure-native:location": "region",
}

// stackFileKeys are the top-level keys of a Pulumi stack file besides config, with why
// pachdeploy does not read them.
var stackFileKeys = map[string]string{
	"encryptionsalt":  "the stack's own secrets settings are kept (--secrets-provider)",
	"secretsprovider": "the stack's own secrets settings are kept (--secrets-provider)",
	"encryptedkey":    "the stack's own secrets settings are kept (--secrets-provider)",
	"environment":     "Pulumi ESC environments are not read; give the settings here",
}

// ReadFile reads a YAML file of settings into the raw text values Parse takes. The
// file is a map of settings, bare (region) or Pulumi-style (pachdeploy:region), or a
// whole Pulumi stack file (a top-level config: map beside encryptionsalt and the like).
// Provider settings are read where pachdeploy has the same setting (aws:region ->
// region) and otherwise ignored; notes say which. Every problem (a value of the wrong
// kind, a Pulumi-encrypted value, a doubled prefix) is reported at once as a
// *rules.Error; the file is parsed strictly (see internal/strictyaml).
func ReadFile(path string) (raw map[string]string, notes []string, err error) {
	var p rules.Problems
	data, err := readLimited(path, "a settings file")
	if err != nil {
		p.Add("--config", path, err)
		return nil, nil, p.Err()
	}
	top, err := strictyaml.Parse(path, data)
	if err != nil {
		p.Addf("--config", path, "%v", err)
		return nil, nil, p.Err()
	}
	if top.Kind != yaml.MappingNode {
		p.Addf("--config", path, "must be a map of settings, like `cloud: aws`, not %s", strictyaml.Describe(top))
		return nil, nil, p.Err()
	}
	entries := pairs(top)
	if cfg, ok := entries["config"]; ok {
		if cfg.Kind != yaml.MappingNode {
			p.Addf("config", path, "a Pulumi stack file's config must be a map of settings")
			return nil, nil, p.Err()
		}
		for _, name := range keyNames(top) {
			if name == "config" {
				continue
			}
			if why, known := stackFileKeys[name]; known {
				notes = append(notes, fmt.Sprintf("%s: ignored: %s", name, why))
			} else {
				p.Addf(name, "", "is not a key of a Pulumi stack file (config, encryptionsalt, secretsprovider, encryptedkey, environment)")
			}
		}
		top, entries = cfg, pairs(cfg)
	}
	raw = map[string]string{}
	provider := map[string]string{}
	for _, name := range keyNames(top) {
		n := entries[name]
		bare, own := strings.CutPrefix(name, Namespace+":")
		if !own && strings.Contains(name, ":") {
			if setting, ok := providerSettings[name]; ok && n.Kind == yaml.ScalarNode {
				provider[setting] = n.Value
				notes = append(notes, fmt.Sprintf("%s: read as %s", name, setting))
			} else {
				notes = append(notes, fmt.Sprintf("%s: ignored: a provider setting; pachdeploy configures the providers from its own settings and the environment", name))
			}
			continue
		}
		k, ok := lookup(bare)
		if !ok {
			// Parse reports it with a suggestion; the value may be a mistyped secret.
			raw[bare] = "(unknown)"
			continue
		}
		v, err := text(k, n)
		if err != nil {
			p.Add(bare, "", err)
			continue
		}
		if bare == "valuesFile" && !filepath.IsAbs(v) {
			v = filepath.Join(filepath.Dir(path), v) // relative to the settings file
		}
		raw[bare] = v
	}
	for setting, v := range provider {
		if own, set := raw[setting]; set && own != v {
			p.Addf(setting, own, "conflicts with the provider setting %q in the same file", v)
		} else if !set {
			raw[setting] = v
		}
	}
	return raw, notes, p.Err()
}

// text is the setting value n as Pulumi config text, checked against k's kind: text
// settings take text (a number or true/false as written), lists a list or text, maps a
// map or JSON text.
func text(k key, n *yaml.Node) (string, error) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.MappingNode {
		if _, secure := pairs(n)["secure"]; secure && len(n.Content) == 2 {
			return "", fmt.Errorf("is a Pulumi-encrypted value, which pachdeploy cannot decrypt: give the plain value in this file " +
				"(pachdeploy stores it as a secret), or set it with `pulumi config set --secret`")
		}
	}
	if n.Kind == yaml.ScalarNode {
		if n.Tag == "!!null" {
			return "", fmt.Errorf("has no value")
		}
		return n.Value, nil
	}
	switch {
	case k.kind() == kindList && n.Kind == yaml.SequenceNode:
		l, err := scalars(n.Content)
		if err != nil {
			return "", err
		}
		b, err := json.Marshal(l)
		return string(b), err
	case k.kind() == kindMap && n.Kind == yaml.MappingNode:
		m := map[string]string{}
		for name, v := range pairs(n) {
			s, err := scalars([]*yaml.Node{v})
			if err != nil {
				return "", err
			}
			m[name] = s[0]
		}
		b, err := json.Marshal(m)
		return string(b), err
	}
	want := map[kind]string{kindText: "text", kindNumber: "a whole number", kindBool: "true or false",
		kindList: "a list of text", kindMap: "a map of text"}[k.kind()]
	if k.kind() == kindText && n.Kind == yaml.MappingNode {
		// A kubeconfig pasted as YAML: it must stay one text value.
		return "", fmt.Errorf("must be text, not a map: give a multi-line document as a block string (%s: |, then the document indented)", k.name)
	}
	return "", fmt.Errorf("must be %s, not %s", want, strictyaml.Describe(n))
}

// scalars are the texts of l's entries, which must be plain values.
func scalars(l []*yaml.Node) ([]string, error) {
	out := make([]string, 0, len(l))
	for _, e := range l {
		if e.Kind != yaml.ScalarNode || e.Tag == "!!null" {
			return nil, fmt.Errorf("entries must be plain values, not %s", strictyaml.Describe(e))
		}
		out = append(out, e.Value)
	}
	return out, nil
}

// pairs maps a YAML map's keys to their values (strictyaml has checked them).
func pairs(n *yaml.Node) map[string]*yaml.Node {
	m := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		m[n.Content[i].Value] = n.Content[i+1]
	}
	return m
}

// sortedNames are a YAML map's keys in file order.
func keyNames(n *yaml.Node) []string {
	var out []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, n.Content[i].Value)
	}
	return out
}

// readLimited reads a settings or values file of at most maxFile bytes.
func readLimited(path, what string) ([]byte, error) { return files.ReadLimited(path, what, maxFile) }
