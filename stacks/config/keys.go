package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pachdeploy/pachdeploy/internal/rules"
)

// key describes one setting: its name in Pulumi config, whether it is secret, the most
// characters its value may have, and where it lives in Config. The field's Go type says
// how the value is written: text, a whole number, true/false, a list (JSON array or
// comma-separated text) or a map (a JSON object).
type key struct {
	name   string
	secret bool
	max    int
	field  func(*Config) any
	// cloud is the one cloud the setting applies to, or "" for every cloud.
	cloud Cloud
}

// Size limits of setting values, in bytes. Names and numbers fit in maxName; the limits
// keep a pasted file or a runaway value from reaching the engine (a 1 MB value would be
// carried through every preview and into the state).
const (
	maxName    = 256       // names, regions, versions, numbers, true/false
	maxPath    = 4096      // valuesFile: a file path
	maxList    = 16 << 10  // apiAllowedCidrs, subnetIds
	maxTags    = 64 << 10  // tags: 50 tags of 128 + 256 characters as JSON, with room
	maxLicense = 16 << 10  // enterpriseLicenseKey: Pachyderm keys are a few kilobytes
	maxFile    = 256 << 10 // a settings or chart values file
)

// DeleteDataSetting is the setting that lets destroy delete the bucket and its data;
// a destroy with --delete-data sets it for its run.
const DeleteDataSetting = "deleteDataOnDestroy"

// keys lists every setting. Parse, Settings and ReadFile all work from this one table.
var keys = []key{
	{"cloud", false, maxName, func(c *Config) any { return (*string)(&c.Cloud) }, ""},
	{"region", false, maxName, func(c *Config) any { return &c.Region }, ""},
	{"allowUnknownRegion", false, maxName, func(c *Config) any { return &c.AllowUnknownRegion }, ""},
	{"clusterName", false, maxName, func(c *Config) any { return &c.ClusterName }, ""},
	{"existingCluster", false, maxName, func(c *Config) any { return &c.ExistingCluster }, ""},
	{"kubeconfig", true, maxTags, func(c *Config) any { return &c.Kubeconfig }, ""},
	{"kubernetesVersion", false, maxName, func(c *Config) any { return &c.KubernetesVersion }, ""},
	{"nodeInstanceType", false, maxName, func(c *Config) any { return &c.NodeInstanceType }, ""},
	{"nodeCount", false, maxName, func(c *Config) any { return &c.NodeCount }, ""},
	{"nodeMinCount", false, maxName, func(c *Config) any { return &c.NodeMinCount }, ""},
	{"nodeMaxCount", false, maxName, func(c *Config) any { return &c.NodeMaxCount }, ""},
	{"bucketName", false, maxName, func(c *Config) any { return &c.BucketName }, ""},
	{"namespace", false, maxName, func(c *Config) any { return &c.Namespace }, ""},
	{"chartVersion", false, maxName, func(c *Config) any { return &c.ChartVersion }, ""},
	{"identity", false, maxName, func(c *Config) any { return &c.Identity }, ""},
	{"externalService", false, maxName, func(c *Config) any { return &c.ExternalService }, ""},
	{"console", false, maxName, func(c *Config) any { return &c.Console }, ""},
	{"enterpriseLicenseKey", true, maxLicense, func(c *Config) any { return &c.EnterpriseLicenseKey }, ""},
	{"valuesFile", false, maxPath, func(c *Config) any { return &c.ValuesFile }, ""},
	{"apiAllowedCidrs", false, maxList, func(c *Config) any { return &c.APIAllowedCIDRs }, ""},
	{DeleteDataSetting, false, maxName, func(c *Config) any { return &c.DeleteDataOnDestroy }, ""},
	{"tags", false, maxTags, func(c *Config) any { return &c.Tags }, ""},
	{"policyWaivers", false, maxTags, func(c *Config) any { return &c.PolicyWaivers }, ""},
	{"database", false, maxName, func(c *Config) any { return &c.Database }, ""},
	{"databaseVersion", false, maxName, func(c *Config) any { return &c.DatabaseVersion }, ""},
	{"databaseInstanceType", false, maxName, func(c *Config) any { return &c.DatabaseInstanceType }, ""},
	{"databaseStorageGb", false, maxName, func(c *Config) any { return &c.DatabaseStorageGB }, ""},
	{"databaseHighAvailability", false, maxName, func(c *Config) any { return &c.DatabaseHighAvailability }, ""},
	{"databaseBackupDays", false, maxName, func(c *Config) any { return &c.DatabaseBackupDays }, ""},
	{"endpoint", false, maxName, func(c *Config) any { return &c.Endpoint }, ""},
	{"endpointHostname", false, maxName, func(c *Config) any { return &c.EndpointHostname }, ""},
	{"endpointTlsSecret", false, maxName, func(c *Config) any { return &c.EndpointTLSSecret }, ""},
	{"endpointCertificateArn", false, maxName, func(c *Config) any { return &c.EndpointCertificateARN }, AWS},
	{"endpointAllowedCidrs", false, maxList, func(c *Config) any { return &c.EndpointAllowedCIDRs }, ""},
	{"gpuNodeInstanceType", false, maxName, func(c *Config) any { return &c.GPUNodeInstanceType }, ""},
	{"gpuNodeMaxCount", false, maxName, func(c *Config) any { return &c.GPUNodeMaxCount }, ""},
	{"vpcId", false, maxName, func(c *Config) any { return &c.AWS.VPCID }, AWS},
	{"subnetIds", false, maxList, func(c *Config) any { return &c.AWS.SubnetIDs }, AWS},
	{"project", false, maxName, func(c *Config) any { return &c.GCP.Project }, GCP},
	{"zone", false, maxName, func(c *Config) any { return &c.GCP.Zone }, GCP},
	{"bucketLocation", false, maxName, func(c *Config) any { return &c.GCP.BucketLocation }, GCP},
	{"releaseChannel", false, maxName, func(c *Config) any { return &c.GCP.ReleaseChannel }, GCP},
	{"deletionProtection", false, maxName, func(c *Config) any { return &c.GCP.DeletionProtection }, GCP},
	{"network", false, maxName, func(c *Config) any { return &c.GCP.Network }, GCP},
	{"subnetwork", false, maxName, func(c *Config) any { return &c.GCP.Subnetwork }, GCP},
	{"privateNodes", false, maxName, func(c *Config) any { return &c.GCP.PrivateNodes }, GCP},
	{"location", false, maxName, func(c *Config) any { return &c.Region }, ""},
	{"resourceGroupName", false, maxName, func(c *Config) any { return &c.Azure.ResourceGroupName }, Azure},
	{"storageAccountName", false, maxName, func(c *Config) any { return &c.Azure.StorageAccountName }, Azure},
	{"nodeSubnetId", false, maxPath, func(c *Config) any { return &c.Azure.NodeSubnetID }, Azure},
	{"nodeSubnetHasStorageEndpoint", false, maxName, func(c *Config) any { return &c.Azure.NodeSubnetHasStorageEndpoint }, Azure},
	{"hostEncryption", false, maxName, func(c *Config) any { return &c.Azure.HostEncryption }, Azure},
	{"entraIdAuth", false, maxName, func(c *Config) any { return &c.Azure.EntraIDAuth }, Azure},
	{"containerName", false, maxName, func(c *Config) any { return &c.BucketName }, ""},
}

// lookup finds the setting called name.
func lookup(name string) (key, bool) {
	i := slices.IndexFunc(keys, func(k key) bool { return k.name == name })
	if i < 0 {
		return key{}, false
	}
	return keys[i], true
}

// kind says how a setting's value is written.
type kind int

const (
	kindText kind = iota
	kindNumber
	kindBool
	kindList
	kindMap
)

func (k key) kind() kind {
	switch k.field(&Config{}).(type) {
	case *int:
		return kindNumber
	case *bool, **bool:
		return kindBool
	case *[]string:
		return kindList
	case *map[string]string:
		return kindMap
	}
	return kindText
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

// KeySpec describes one setting for code that mirrors the settings elsewhere (the
// Pulumi package's deployment inputs).
type KeySpec struct {
	// Name is the setting's name in Pulumi config.
	Name string
	// Cloud is the one cloud it applies to, or "" for every cloud.
	Cloud Cloud
	// Secret: the value is kept as a Pulumi secret.
	Secret bool
	// Kind is how the value is written: "text", "number", "bool", "list" or "map".
	Kind string
	// AliasOf names the setting this one is another name for ("region" for
	// "location"), or "".
	AliasOf string
}

// KeySpecs describes every setting, in the order of the settings table.
func KeySpecs() []KeySpec {
	names := map[kind]string{kindText: "text", kindNumber: "number", kindBool: "bool", kindList: "list", kindMap: "map"}
	out := make([]KeySpec, 0, len(keys))
	for _, k := range keys {
		out = append(out, KeySpec{Name: k.name, Cloud: k.cloud, Secret: k.secret, Kind: names[k.kind()], AliasOf: aliases[k.name]})
	}
	return out
}

// IsSecret reports whether the setting name holds a secret.
func IsSecret(name string) bool {
	k, _ := lookup(name)
	return k.secret
}

// aliases are pairs of keys that set the same field.
var aliases = map[string]string{"location": "region", "containerName": "bucketName"}

// Parse reads raw settings as Pulumi config holds them (key without the pachdeploy:
// prefix -> text) into a Config. It reports every unknown key and malformed value at
// once; secret values are never echoed.
func Parse(raw map[string]string) (*Config, error) {
	c := &Config{}
	var p rules.Problems
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		v := raw[name]
		k, ok := lookup(name)
		if !ok {
			// The value may be a mistyped secret: never echo it.
			p.Addf(name, "(hidden)", "%s", unknownKey(name))
			continue
		}
		shown := v
		if k.secret {
			shown = secretMark
		}
		if other, ok := aliases[name]; ok {
			if ov, set := raw[other]; set && ov != v {
				p.Addf(name, shown, "conflicts with %s = %q: they are the same setting", other, ov)
				continue
			}
		}
		switch {
		case !utf8.ValidString(v):
			p.Addf(name, "(not UTF-8)", "must be UTF-8 text")
		case len(v) > k.max:
			p.Addf(name, shown, "is %d bytes long; %s takes at most %d", len(v), name, k.max)
		case strings.TrimSpace(v) == "":
			p.Addf(name, v, "is empty: give a value, or remove the key to use the default")
		default:
			p.Add(name, shown, k.set(c, v))
		}
	}
	return c, p.Err()
}

// secretMark stands for a secret value in messages.
const secretMark = "[secret]"

// unknownKey explains why name is not a setting, with a suggestion.
func unknownKey(name string) string {
	ns, bare, prefixed := strings.Cut(name, ":")
	switch {
	case prefixed && ns == Namespace:
		return fmt.Sprintf("has the %q prefix twice; write %s:%s", Namespace+":", Namespace, bare)
	case prefixed:
		return fmt.Sprintf("is a setting of the %q provider, not of pachdeploy", ns)
	}
	return "unknown setting" + suggest(name)
}

func (k key) set(c *Config, v string) error {
	switch f := k.field(c).(type) {
	case *string:
		*f = v
	case *int:
		parse := parseWhole // sizes and days: their ranges are checked with the other rules
		if slices.Contains(nodeCounts, k.name) {
			parse = parseCount
		}
		n, err := parse(v)
		if err != nil {
			return err
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
		if err := json.Unmarshal([]byte(v), &m); err != nil {
			return fmt.Errorf(`must be a JSON object of strings, like {"team":"data"}`)
		}
		*f = m
	}
	return nil
}

// parseCount reads a node count: a whole number from 1 to rules.MaxNodes.
func parseCount(v string) (int, error) {
	v = strings.TrimSpace(v)
	n, err := strconv.Atoi(v)
	switch {
	case errors.Is(err, strconv.ErrRange) || (err == nil && n > rules.MaxNodes):
		return 0, fmt.Errorf("is too large: node counts are at most %d", rules.MaxNodes)
	case err != nil:
		return 0, fmt.Errorf("must be a whole number from 1 to %d", rules.MaxNodes)
	case n < 1:
		return 0, fmt.Errorf("must be at least 1 (node counts)")
	}
	return n, nil
}

// nodeCounts are the whole-number settings that count nodes (1 to rules.MaxNodes).
var nodeCounts = []string{"nodeCount", "nodeMinCount", "nodeMaxCount", "gpuNodeMaxCount"}

// maxWhole bounds the whole-number settings that are no node counts (storage GB,
// backup days), so an absurd value fails here with its key.
const maxWhole = 1 << 20

// parseWhole reads a positive whole number of at most maxWhole.
func parseWhole(v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > maxWhole {
		return 0, fmt.Errorf("must be a whole number from 1 to %d", maxWhole)
	}
	return n, nil
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
		if strings.EqualFold(k.name, name) || rules.EditDistance(strings.ToLower(k.name), strings.ToLower(name)) <= 2 {
			return fmt.Sprintf("; did you mean %q?", k.name)
		}
	}
	return fmt.Sprintf("; known settings: %s", strings.Join(Keys(), ", "))
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
