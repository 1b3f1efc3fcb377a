// Package render renders the real Pachyderm Helm chart with the values pachdeploy's
// offline plan gives its Helm release, using bin/helm (`make tools`) and the chart
// kept at ../shared/pachyderm-chart/chart beside the repository, and checks the
// rendered objects against the plan:
//
//   - the release values hold no plaintext secret (policy.PlaintextSecrets);
//   - every volume claim, standalone or a StatefulSet's template, uses the storage
//     class the plan creates (checkStorageClasses);
//   - every Secret a pod reads exists: rendered by the chart or created by the plan
//     (checkSecretRefs).
//
// The test skips, saying why, where bin/helm or the chart folder is absent.
package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/stacks"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pachdeploy/pachdeploy/stacks/plan"
	"gopkg.in/yaml.v3"
	sigsyaml "sigs.k8s.io/yaml"
)

// Plan resource types the test reads.
const (
	typeRelease      = "kubernetes:helm.sh/v3:Release"
	typeStorageClass = "kubernetes:storage.k8s.io/v1:StorageClass"
	typeSecret       = "kubernetes:core/v1:Secret"
)

// unknownMark tags plan values that only the cloud assigns (the offline plan prints
// them as readable stand-ins containing it).
const unknownMark = "(known after deploy)"

// Harmless stand-ins the values file gets for what the plan cannot show.
const (
	dummySecret  = "dummy-secret-for-render"
	dummyUnknown = "dummy-known-after-deploy"
)

// renderCase is one set of raw pachdeploy settings to plan and render.
type renderCase struct {
	name     string
	stack    string
	raw      func(t *testing.T) map[string]string
	canaries []string // secret setting values that must never appear in the values
	fromFile string   // the settings file, for messages
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// chartDir is the Pachyderm chart kept in ../shared beside the repository.
func chartDir(t *testing.T) string {
	t.Helper()
	return filepath.Join(filepath.Dir(repoRoot(t)), "shared", "pachyderm-chart", "chart")
}

// cases: each cloud's defaults, each example stack file, and one AWS stack with secret
// settings whose values are canaries (they must reach the release only as secrets).
func cases(t *testing.T) []renderCase {
	t.Helper()
	var out []renderCase
	for _, target := range stacks.Targets { // every cloud the program supports: aws, gcp, azure
		c := string(target.Settings.Cloud)
		out = append(out, renderCase{
			name: c, stack: "dev",
			raw: func(*testing.T) map[string]string { return map[string]string{"cloud": c} },
		})
	}
	examples, err := filepath.Glob(filepath.Join(repoRoot(t), "stacks", "examples", "Pulumi.*.yaml"))
	if err != nil || len(examples) == 0 {
		t.Fatalf("no example stack files in stacks/examples (%v)", err)
	}
	for _, path := range examples {
		base := filepath.Base(path)
		out = append(out, renderCase{
			name:     base,
			stack:    strings.TrimSuffix(strings.TrimPrefix(base, "Pulumi."), ".yaml"),
			fromFile: path,
			raw: func(t *testing.T) map[string]string {
				raw, notes, err := config.ReadFile(path)
				if err != nil {
					t.Fatalf("config.ReadFile(%s): %v", path, err)
				}
				for _, n := range notes {
					t.Logf("%s: %s", base, n)
				}
				return raw
			},
		})
	}
	const license, token = "canary-license-3f9a1c7e", "canary-server-token-8b2d"
	out = append(out, renderCase{
		name: "aws-secret-settings", stack: "dev",
		canaries: []string{license, token},
		raw: func(t *testing.T) map[string]string {
			values := filepath.Join(t.TempDir(), "user-values.yaml")
			if err := os.WriteFile(values, []byte("pachd:\n  enterpriseServerToken: "+token+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return map[string]string{"cloud": "aws", "enterpriseLicenseKey": license, "valuesFile": values}
		},
	})
	return out
}

// TestHelmRender plans each case offline, renders the chart with the release's values
// and checks the render against the plan.
func TestHelmRender(t *testing.T) {
	helm, chart := renderTools(t)
	for _, tc := range cases(t) {
		t.Run(tc.name, func(t *testing.T) {
			raw := tc.raw(t)
			p, err := plan.Build(raw, tc.stack)
			if err != nil {
				t.Fatalf("plan.Build(%s, stack %q): %v", describe(tc), tc.stack, err)
			}
			rel := onlyResource(t, p, typeRelease)
			values, ok := rel.Inputs["values"].(map[string]any)
			if !ok {
				t.Fatalf("release %s: values input is %T (%v), want a map", rel.Name, rel.Inputs["values"], rel.Inputs["values"])
			}
			ns, _ := rel.Inputs["namespace"].(string)
			if ns == "" || strings.Contains(ns, unknownMark) || ns == plan.Secret {
				t.Fatalf("release %s: namespace input %q is not a name known before deploy", rel.Name, ns)
			}

			for _, msg := range policy.PlaintextSecrets(values) {
				t.Errorf("release %s values: %s", rel.Name, msg)
			}
			for _, msg := range checkCanaries(values, tc.canaries) {
				t.Errorf("release %s values: %s", rel.Name, msg)
			}

			objs := render(t, helm, chart, ns, renderable(values))
			t.Logf("rendered %d objects in namespace %s", len(objs), ns)

			class, err := planStorageClass(p)
			if err != nil {
				t.Errorf("storage class: %v; every volume claim needs a class that exists on the cluster", err)
			} else {
				for _, msg := range checkStorageClasses(objs, class) {
					t.Errorf("%s", msg)
				}
			}

			secrets := planSecrets(p)
			if name := raw["endpointTlsSecret"]; name != "" {
				// The user's own TLS Secret (cert-manager's, say): the settings name it, the
				// cluster must have it; its keys are the kubernetes.io/tls ones.
				secrets = append(secrets, secretObj{namespace: ns, name: name, origin: "the user (endpointTlsSecret)",
					keys: map[string]bool{"tls.crt": true, "tls.key": true}, keysKnown: true})
			}
			for _, msg := range checkSecretRefs(objs, ns, secrets) {
				t.Errorf("%s", msg)
			}
			t.Logf("checked %d volume claims against class %q and %d Secret reads (of %v)",
				countClaims(objs), class, len(allRefs(objs)), refNames(objs))
		})
	}
}

// renderTools are bin/helm and the chart folder; the test skips, saying why, without
// either.
func renderTools(t *testing.T) (helm, chart string) {
	t.Helper()
	chart = chartDir(t)
	if _, err := os.Stat(filepath.Join(chart, "Chart.yaml")); err != nil {
		t.Skipf("the Pachyderm chart is not at %s (it comes with ../shared beside the repository, "+
			"which only developers and CI have): %v", chart, err)
	}
	helm = filepath.Join(repoRoot(t), "bin", "helm")
	if _, err := os.Stat(helm); err != nil {
		t.Skipf("%s is absent: run make tools (it builds bin/helm from tools/helm/go.mod)", helm)
	}
	return helm, chart
}

func describe(tc renderCase) string {
	if tc.fromFile != "" {
		return "settings of " + tc.fromFile
	}
	return "case " + tc.name
}

// onlyResource is the plan's single resource of type typ.
func onlyResource(t *testing.T, p *plan.Plan, typ string) plan.Resource {
	t.Helper()
	var found []plan.Resource
	for _, r := range p.Resources {
		if r.Type == typ {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		var names []string
		for _, r := range found {
			names = append(names, r.Name)
		}
		t.Fatalf("the %s plan has %d resources of type %s (%v), want exactly one", p.Cloud, len(found), typ, names)
	}
	return found[0]
}

// planStorageClass is metadata.name of the one StorageClass the plan creates.
func planStorageClass(p *plan.Plan) (string, error) {
	var names []string
	for _, r := range p.Resources {
		if r.Type != typeStorageClass {
			continue
		}
		name := metaString(r.Inputs, "name")
		if name == "" || strings.Contains(name, unknownMark) || name == plan.Secret {
			return "", fmt.Errorf("the %s plan's StorageClass %s has no metadata.name known before deploy (%q): "+
				"the chart values cannot name it", p.Cloud, r.Name, name)
		}
		names = append(names, name)
	}
	switch len(names) {
	case 0:
		return "", fmt.Errorf("the %s plan creates no resource of type %s", p.Cloud, typeStorageClass)
	case 1:
		return names[0], nil
	}
	return "", fmt.Errorf("the %s plan creates %d storage classes %v, want one for the chart's claims", p.Cloud, len(names), names)
}

// planSecrets are the Secrets the plan creates, by namespace and name.
func planSecrets(p *plan.Plan) []secretObj {
	var out []secretObj
	for _, r := range p.Resources {
		if r.Type != typeSecret {
			continue
		}
		ns := metaString(r.Inputs, "namespace")
		if ns == "" {
			ns = "default" // what the Kubernetes provider uses without one
		}
		s := secretObj{namespace: ns, name: metaString(r.Inputs, "name"), origin: "plan resource " + r.Name}
		s.keys, s.keysKnown = secretKeys(r.Inputs)
		out = append(out, s)
	}
	return out
}

func metaString(obj map[string]any, field string) string {
	meta, _ := obj["metadata"].(map[string]any)
	s, _ := meta[field].(string)
	return s
}

// renderable is a deep copy of the release values with the plan's "[secret]" and
// cloud-assigned stand-ins replaced by harmless dummy strings, as helm needs plain
// text. (A whole map the plan hides as "[secret]" would become a string here; no case
// has one.)
func renderable(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = renderable(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = renderable(e)
		}
		return out
	case string:
		switch {
		case v == plan.Secret:
			return dummySecret
		case strings.Contains(v, unknownMark):
			return dummyUnknown
		}
	}
	return v
}

// render writes values to a values.yaml and runs bin/helm template, returning the
// rendered objects (empty documents dropped).
func render(t *testing.T, helm, chart, ns string, values any) []object {
	t.Helper()
	dir := t.TempDir()
	data, err := sigsyaml.Marshal(values)
	if err != nil {
		t.Fatal(err)
	}
	valuesFile := filepath.Join(dir, "values.yaml")
	if err := os.WriteFile(valuesFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), helm, "template", "pachyderm", chart, "-n", ns, "-f", valuesFile)
	// Keep helm away from the user's helm configuration, cache and repositories.
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(dir, "helm-cache"),
		"HELM_CONFIG_HOME="+filepath.Join(dir, "helm-config"),
		"HELM_DATA_HOME="+filepath.Join(dir, "helm-data"),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("helm template failed: %v\n%s\nvalues.yaml:\n%s", err, stderr.String(), data)
	}
	objs, err := decodeAll(stdout.Bytes())
	if err != nil {
		t.Fatalf("helm template output: %v", err)
	}
	if len(objs) == 0 {
		t.Fatalf("helm template rendered no objects\n%s", stderr.String())
	}
	return objs
}

// decodeAll parses helm's multi-document YAML into one object per non-empty document,
// with the template named by helm's "# Source:" comment.
func decodeAll(data []byte) ([]object, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []object
	for i := 0; ; i++ {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		var m map[string]any
		if err := doc.Decode(&m); err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if len(m) > 0 {
			out = append(out, object{source: sourceOf(&doc), m: m})
		}
	}
}

// sourceOf finds helm's "# Source: <template>" comment at the head of a document.
func sourceOf(doc *yaml.Node) string {
	comments := []string{doc.HeadComment}
	if len(doc.Content) > 0 {
		top := doc.Content[0]
		comments = append(comments, top.HeadComment)
		if len(top.Content) > 0 {
			comments = append(comments, top.Content[0].HeadComment)
		}
	}
	for _, c := range comments {
		for _, line := range strings.Split(c, "\n") {
			if src, ok := strings.CutPrefix(strings.TrimSpace(line), "# Source: "); ok {
				return src
			}
		}
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// countClaims is how many volume claims the render has (standalone and templates).
func countClaims(objs []object) int {
	n := 0
	for _, o := range objs {
		switch kindOf(o.m) {
		case "PersistentVolumeClaim":
			n++
		case "StatefulSet":
			l, _ := get(o.m, "spec", "volumeClaimTemplates").([]any)
			n += len(l)
		}
	}
	return n
}

func allRefs(objs []object) []secretRef {
	var out []secretRef
	for _, o := range objs {
		out = append(out, secretRefsOf(o)...)
	}
	return out
}

// refNames are the distinct Secret names the pods read, for the log.
func refNames(objs []object) []string {
	set := map[string]bool{}
	for _, r := range allRefs(objs) {
		set[r.name] = true
	}
	return sortedKeys(set)
}
