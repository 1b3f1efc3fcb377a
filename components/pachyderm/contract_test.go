package pachyderm

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"
)

// chartDir finds the reference chart files: $PACHDEPLOY_CHART_DIR, or shared/pachyderm-chart
// beside the repository root. Users do not have it, so tests skip without it.
func chartDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("PACHDEPLOY_CHART_DIR"); d != "" {
		return d
	}
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	d := filepath.Join(filepath.Dir(dir), "shared", "pachyderm-chart")
	if _, err := os.Stat(filepath.Join(d, "values.yaml")); err != nil {
		t.Skipf("chart reference files absent (%s): set PACHDEPLOY_CHART_DIR to a folder with the chart's values.yaml and values.schema.json", d)
	}
	return d
}

// released returns the Release values the component sends for a backend, on the
// in-cluster or a managed database, with a TLS endpoint or else the pachd load
// balancer, as plain data (secrets unwrapped to their placeholder values).
func released(t *testing.T, b Backend, managedDB bool, endpoint *Endpoint) map[string]any {
	cloud := mocktest.Run(t, program(func(_ *pulumi.Context, a *PachydermArgs) error {
		a.Storage = storages[b]
		a.Endpoint = endpoint
		a.ExternalService = endpoint == nil
		a.Values = map[string]any{"pachd": map[string]any{"logLevel": "debug"}}
		if managedDB {
			a.Database = &ExternalDatabase{Host: pulumi.String("db.example.internal"), User: "pachyderm",
				Password: pulumi.String("p"), CreateDatabases: true}
		}
		return nil
	}))
	r := mocktest.One(t, cloud, releaseType)
	return mocktest.Plain(r.Inputs["values"]).(map[string]any)
}

// templateOnlyValues are values the chart's templates read that its values.yaml does
// not list, each with a template that reads it: pachdeploy sends them, so the test
// checks that the template still does.
var templateOnlyValues = map[string]struct{ template, reads string }{
	// POSTGRES_SSL=require for pachd's direct connections to a managed server.
	"global.postgresql.ssl": {"templates/pachd/deployment.yaml", "{{- if .Values.global.postgresql.ssl }}"},
}

// TestValuesContract checks, for every backend, that each key pachdeploy sends exists
// in the chart's values.yaml (Helm ignores misspelt keys silently) and that the values
// validate against the chart's values.schema.json.
func TestValuesContract(t *testing.T) {
	dir := chartDir(t)
	raw, err := os.ReadFile(filepath.Join(dir, "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var defaults map[string]any
	if err := yaml.Unmarshal(raw, &defaults); err != nil {
		t.Fatal(err)
	}
	defaults = withSubchartValues(t, dir, defaults)
	defaults = withTemplateOnlyValues(t, dir, defaults)
	schemaFile, err := os.Open(filepath.Join(dir, "values.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer schemaFile.Close()
	doc, err := jsonschema.UnmarshalJSON(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	if err := c.AddResource("values.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("values.schema.json")
	if err != nil {
		t.Fatal(err)
	}

	if err := schema.Validate(map[string]any{"pachd": map[string]any{"replicas": "many"}}); err == nil {
		t.Fatal("the schema accepts a string for pachd.replicas: validation would be vacuous")
	}
	withRanges := secretEndpoint()
	withRanges.AllowedCIDRs = []string{"203.0.113.0/24"}
	for _, tc := range []struct {
		name      string
		b         Backend
		managedDB bool
		endpoint  *Endpoint
	}{
		{"AMAZON", Amazon, false, nil}, {"GOOGLE", Google, false, nil}, {"MICROSOFT", Microsoft, false, nil},
		{"AMAZON-managed-database", Amazon, true, nil}, {"GOOGLE-managed-database", Google, true, nil},
		{"MICROSOFT-managed-database", Microsoft, true, nil},
		{"AMAZON-endpoint-load-balancer-tls", Amazon, false, loadBalancerEndpoint()},
		{"GOOGLE-endpoint-tls-secret", Google, false, withRanges},
	} {
		t.Run(tc.name, func(t *testing.T) {
			values := released(t, tc.b, tc.managedDB, tc.endpoint)
			if missing := unknownKeys("", values, defaults); len(missing) > 0 {
				t.Errorf("keys not in the chart's values.yaml: %s", strings.Join(missing, ", "))
			}
			// Round-trip through JSON so numbers and maps have the types the validator expects.
			var inst any
			b, _ := json.Marshal(values)
			if err := json.Unmarshal(b, &inst); err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(inst); err != nil {
				t.Errorf("values do not validate against values.schema.json: %v", err)
			}
		})
	}
}

// TestValuesContractCatchesMisspelling proves the key check is not vacuous.
func TestValuesContractCatchesMisspelling(t *testing.T) {
	defaults := map[string]any{"pachd": map[string]any{"storage": map[string]any{"amazon": map[string]any{"bucket": ""}}}}
	got := unknownKeys("", map[string]any{"pachd": map[string]any{"storage": map[string]any{"amazon": map[string]any{"bukcet": "x"}}}}, defaults)
	if len(got) != 1 || got[0] != "pachd.storage.amazon.bukcet" {
		t.Fatalf("unknownKeys = %v", got)
	}
}

// withSubchartValues adds to defaults the values of the chart's vendored postgresql
// subchart (chart/charts/postgresql-*.tgz): its own under "postgresql", its globals
// under "global". Keys the subchart reads are as real as the chart's own.
func withSubchartValues(t *testing.T, dir string, defaults map[string]any) map[string]any {
	t.Helper()
	archives, _ := filepath.Glob(filepath.Join(dir, "chart", "charts", "postgresql-*.tgz"))
	if len(archives) != 1 {
		t.Skipf("the vendored postgresql subchart is absent under %s/chart/charts: its keys cannot be checked", dir)
	}
	f, err := os.Open(archives[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("no postgresql/values.yaml in %s: %v", archives[0], err)
		}
		if h.Name != "postgresql/values.yaml" {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		var sub map[string]any
		if err := yaml.Unmarshal(b, &sub); err != nil {
			t.Fatal(err)
		}
		global, _ := sub["global"].(map[string]any)
		delete(sub, "global")
		return MergeValues(defaults, map[string]any{"postgresql": sub, "global": global})
	}
}

// withTemplateOnlyValues adds templateOnlyValues to defaults after checking that the
// chart's template still reads each: a chart that stops reading one fails here, as a
// misspelt key would.
func withTemplateOnlyValues(t *testing.T, dir string, defaults map[string]any) map[string]any {
	t.Helper()
	for path, src := range templateOnlyValues {
		b, err := os.ReadFile(filepath.Join(dir, "chart", src.template))
		if err != nil {
			t.Skipf("the chart's templates are absent under %s/chart: %s cannot be checked: %v", dir, path, err)
		}
		if !strings.Contains(string(b), src.reads) {
			t.Errorf("%s no longer reads %s (%q): remove it from what pachdeploy sends", src.template, path, src.reads)
			continue
		}
		parts := strings.Split(path, ".")
		var leaf any = true
		for i := len(parts) - 1; i >= 0; i-- {
			leaf = map[string]any{parts[i]: leaf}
		}
		defaults = MergeValues(defaults, leaf.(map[string]any))
	}
	return defaults
}

// unknownKeys lists the dotted paths in values that values.yaml does not have. Below
// a key whose default is an empty map (annotations, selectors) any key is allowed.
func unknownKeys(prefix string, values, defaults map[string]any) []string {
	var out []string
	for k, v := range values {
		path := strings.TrimPrefix(prefix+"."+k, ".")
		d, ok := defaults[k]
		if !ok {
			out = append(out, path)
			continue
		}
		dm, dIsMap := d.(map[string]any)
		vm, vIsMap := v.(map[string]any)
		if dIsMap && vIsMap && len(dm) > 0 {
			out = append(out, unknownKeys(path, vm, dm)...)
		}
	}
	sort.Strings(out)
	return out
}
