package config

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pachdeploy/pachdeploy/internal/rules"
)

// key describes one setting: its name in Pulumi config, whether it is secret, and
// where it lives in Config. The field's Go type says how the value is written: text,
// a whole number, true/false, a list (JSON array or comma-separated text) or a map (a
// JSON object).
type key struct {
	name   string
	secret bool
	field  func(*Config) any
}

// keys lists every setting. Parse and Settings both work from this one table.
var keys = []key{
	{"cloud", false, func(c *Config) any { return (*string)(&c.Cloud) }},
	{"region", false, func(c *Config) any { return &c.Region }},
	{"clusterName", false, func(c *Config) any { return &c.ClusterName }},
	{"kubernetesVersion", false, func(c *Config) any { return &c.KubernetesVersion }},
	{"nodeInstanceType", false, func(c *Config) any { return &c.NodeInstanceType }},
	{"nodeCount", false, func(c *Config) any { return &c.NodeCount }},
	{"nodeMinCount", false, func(c *Config) any { return &c.NodeMinCount }},
	{"nodeMaxCount", false, func(c *Config) any { return &c.NodeMaxCount }},
	{"bucketName", false, func(c *Config) any { return &c.BucketName }},
	{"namespace", false, func(c *Config) any { return &c.Namespace }},
	{"chartVersion", false, func(c *Config) any { return &c.ChartVersion }},
	{"identity", false, func(c *Config) any { return &c.Identity }},
	{"externalService", false, func(c *Config) any { return &c.ExternalService }},
	{"console", false, func(c *Config) any { return &c.Console }},
	{"enterpriseLicenseKey", true, func(c *Config) any { return &c.EnterpriseLicenseKey }},
	{"valuesFile", false, func(c *Config) any { return &c.ValuesFile }},
	{"apiAllowedCidrs", false, func(c *Config) any { return &c.APIAllowedCIDRs }},
	{"deleteDataOnDestroy", false, func(c *Config) any { return &c.DeleteDataOnDestroy }},
	{"tags", false, func(c *Config) any { return &c.Tags }},
	{"vpcId", false, func(c *Config) any { return &c.AWS.VPCID }},
	{"subnetIds", false, func(c *Config) any { return &c.AWS.SubnetIDs }},
	{"project", false, func(c *Config) any { return &c.GCP.Project }},
	{"zone", false, func(c *Config) any { return &c.GCP.Zone }},
	{"bucketLocation", false, func(c *Config) any { return &c.GCP.BucketLocation }},
	{"releaseChannel", false, func(c *Config) any { return &c.GCP.ReleaseChannel }},
	{"deletionProtection", false, func(c *Config) any { return &c.GCP.DeletionProtection }},
	{"location", false, func(c *Config) any { return &c.Region }},
	{"resourceGroupName", false, func(c *Config) any { return &c.Azure.ResourceGroupName }},
	{"storageAccountName", false, func(c *Config) any { return &c.Azure.StorageAccountName }},
	{"containerName", false, func(c *Config) any { return &c.BucketName }},
}

// Keys returns the names of all settings, sorted.
func Keys() []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k.name)
	}
	sort.Strings(out)
	return out
}

// IsSecret reports whether the setting name holds a secret.
func IsSecret(name string) bool {
	for _, k := range keys {
		if k.name == name {
			return k.secret
		}
	}
	return false
}

// aliases are pairs of keys that set the same field.
var aliases = map[string]string{"location": "region", "containerName": "bucketName"}

// Parse reads raw settings as Pulumi config holds them (key without the pachdeploy:
// prefix -> text) into a Config. It reports every unknown key and malformed value at
// once; secret values are never echoed.
func Parse(raw map[string]string) (*Config, error) {
	c := &Config{}
	var p rules.Problems
	names := make([]string, 0, len(raw))
	for n := range raw {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		v := raw[name]
		bare := strings.TrimPrefix(name, Namespace+":")
		i := slices.IndexFunc(keys, func(k key) bool { return k.name == bare })
		if i < 0 {
			// The value may be a mistyped secret: never echo it.
			p.Addf(bare, "(hidden)", "unknown setting%s", suggest(bare))
			continue
		}
		if other, ok := aliases[bare]; ok {
			if ov, set := raw[other]; set && ov != v {
				p.Addf(bare, v, "conflicts with %s = %q: they are the same setting", other, ov)
				continue
			}
		}
		k := keys[i]
		shown := v
		if k.secret {
			shown = "[secret]"
		}
		if !utf8.ValidString(v) {
			p.Addf(bare, "(not UTF-8)", "must be UTF-8 text")
			continue
		}
		if err := k.set(c, v); err != nil {
			p.Add(bare, shown, err)
		}
	}
	return c, p.Err()
}

func (k key) set(c *Config, v string) error {
	switch f := k.field(c).(type) {
	case *string:
		*f = v
	case *int:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("must be a whole number")
		}
		if n < 1 {
			return fmt.Errorf("must be at least 1 (node counts)")
		}
		*f = n
	case *bool:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("must be true or false")
		}
		*f = b
	case **bool:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("must be true or false")
		}
		*f = &b
	case *[]string:
		l, err := parseList(v)
		if err != nil {
			return err
		}
		*f = l
	case *map[string]string:
		m := map[string]string{}
		if strings.TrimSpace(v) != "" {
			if err := json.Unmarshal([]byte(v), &m); err != nil {
				return fmt.Errorf(`must be a JSON object of strings, like {"team":"data"}`)
			}
		}
		*f = m
	}
	return nil
}

func parseList(v string) ([]string, error) {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "[") {
		var l []string
		if err := json.Unmarshal([]byte(v), &l); err != nil {
			return nil, fmt.Errorf(`must be a JSON array of strings or comma-separated text, like ["10.0.0.0/8"]`)
		}
		return l, nil
	}
	var l []string
	for _, e := range strings.Split(v, ",") {
		if e = strings.TrimSpace(e); e != "" {
			l = append(l, e)
		}
	}
	return l, nil
}

// suggest names a known key close to an unknown one (case or one edit away).
func suggest(name string) string {
	for _, k := range keys {
		if strings.EqualFold(k.name, name) || editDistance(strings.ToLower(k.name), strings.ToLower(name)) <= 2 {
			return fmt.Sprintf("; did you mean %q?", k.name)
		}
	}
	return fmt.Sprintf("; known settings: %s", strings.Join(Keys(), ", "))
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// Setting is one stack config value as the Automation API writes it.
type Setting struct {
	Value  string
	Secret bool
}

// Settings returns the settings that differ from their zero value, keyed by name
// without the namespace: the inverse of Parse. Aliases are written under their
// canonical key (region, bucketName) only.
func (c *Config) Settings() map[string]Setting {
	out := map[string]Setting{}
	for _, k := range keys {
		if _, alias := aliases[k.name]; alias {
			continue
		}
		var s string
		switch f := k.field(c).(type) {
		case *string:
			s = *f
		case *int:
			if *f != 0 {
				s = strconv.Itoa(*f)
			}
		case *bool:
			if *f {
				s = "true"
			}
		case **bool:
			if *f != nil {
				s = strconv.FormatBool(**f)
			}
		case *[]string:
			if len(*f) > 0 {
				b, _ := json.Marshal(*f)
				s = string(b)
			}
		case *map[string]string:
			if len(*f) > 0 {
				b, _ := json.Marshal(*f)
				s = string(b)
			}
		}
		if s != "" {
			out[k.name] = Setting{Value: s, Secret: k.secret}
		}
	}
	return out
}
