package operator_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"
)

const (
	// crdFile is the operator's Stack CRD, copied unchanged from pulumi/pulumi-kubernetes-operator
	// v2.9.0 (testdata/README.md says from where); crdSHA256 is the upstream file's hash.
	crdFile   = "testdata/pulumi.com_stacks.yaml"
	crdSHA256 = "d8ce0513bb77d5d57753e521fd42e87a87bdaf7abda1be2584aa23c1c03ea290"
	// stackAPIVersion is the Stack version the manifests use: PKO v2's served, stored version.
	stackAPIVersion = "pulumi.com/v1"
	// namespace is where every namespaced object of the example lives.
	namespace = "pachdeploy"

	// repoDir is the project directory every Stack runs, relative to the repository root: the
	// prebuilt project, whose Pulumi.yaml names programBinary in runtime.options.binary.
	repoDir = "deploy/prebuilt"
	// programBinary is the binary `make program` builds into bin/ and the build-program init
	// container copies into repoDir, where the Go language host looks for it first.
	programBinary = "pachdeploy-program"
	// sourceDir is where the operator's fetch container clones the repository.
	sourceDir = "/share/source"
	// repoRoot is the repository root, relative to this directory.
	repoRoot = "../.."
)

// celChecks stand in for the CRD's CEL rules (x-kubernetes-validations), which JSON Schema
// cannot evaluate; the key is the rule's schema path and text. A rule of the CRD missing
// here fails the test, so a newer CRD's rules are not skipped without notice.
var celChecks = map[string]func(obj map[string]any) error{
	". size(self.metadata.name) <= 42": func(obj map[string]any) error {
		// CEL's size() counts code points.
		if name := str(obj, "metadata", "name"); utf8.RuneCountInString(name) > 42 {
			return fmt.Errorf("metadata.name %q is longer than the 42 characters the CRD allows", name)
		}
		return nil
	},
}

// TestManifests validates every manifest in this directory: Stacks against the CRD and the
// operator's own rules, other objects minimally, and the references between them.
func TestManifests(t *testing.T) {
	crd := loadCRD(t)
	tests := []struct {
		file string
		// identity is the annotation that gives the workspace pod its cloud identity.
		identity string
		// podLabel must be "true" on the workspace pod (Azure workload identity's opt-in).
		podLabel string
	}{
		{file: "namespace.yaml"},
		{file: "stack-aws.yaml", identity: "eks.amazonaws.com/role-arn"},
		{file: "stack-gcp.yaml", identity: "iam.gke.io/gcp-service-account"},
		{file: "stack-azure.yaml", identity: "azure.workload.identity/client-id", podLabel: "azure.workload.identity/use"},
	}

	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files = slices.DeleteFunc(files, func(f string) bool { return f == "kustomization.yaml" })
	var listed []string
	for _, tt := range tests {
		listed = append(listed, tt.file)
	}
	slices.Sort(listed)
	if !slices.Equal(files, listed) {
		t.Fatalf("manifests %v, table %v: give every manifest a row", files, listed)
	}

	namespaces := map[string]bool{}
	for _, obj := range readManifests(t, "namespace.yaml") {
		if obj["kind"] == "Namespace" {
			namespaces[str(obj, "metadata", "name")] = true
		}
	}

	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			objs := readManifests(t, tt.file)
			if len(objs) == 0 {
				t.Fatal("no objects")
			}
			var stacks []map[string]any
			for i, obj := range objs {
				var err error
				if obj["kind"] == "Stack" {
					stacks = append(stacks, obj)
					err = crd.validate(obj)
				} else {
					err = checkObject(obj)
				}
				if err != nil {
					t.Errorf("document %d (%s %s): %v", i+1, obj["kind"], str(obj, "metadata", "name"), err)
				}
			}
			if tt.identity == "" {
				if len(stacks) != 0 {
					t.Errorf("%d Stacks in a file without a table row for them", len(stacks))
				}
				return
			}
			if len(stacks) != 1 {
				t.Fatalf("%d Stacks, want 1", len(stacks))
			}
			stack := stacks[0]
			if ns := str(stack, "metadata", "namespace"); !namespaces[ns] {
				t.Errorf("Stack namespace %q is not made by namespace.yaml", ns)
			}

			// The workspace pod runs as spec.serviceAccountName: it must exist beside the Stack,
			// carry the cloud identity, and be bound to system:auth-delegator (PKO v2).
			sa := str(stack, "spec", "serviceAccountName")
			account := find(objs, "ServiceAccount", sa)
			if account == nil {
				t.Fatalf("no ServiceAccount %q for spec.serviceAccountName", sa)
			}
			if str(account, "metadata", "namespace") != str(stack, "metadata", "namespace") {
				t.Errorf("ServiceAccount %q is not in the Stack's namespace", sa)
			}
			if str(account, "metadata", "annotations", tt.identity) == "" {
				t.Errorf("ServiceAccount %q has no %s annotation", sa, tt.identity)
			}
			if !authDelegator(objs, namespace, sa) {
				t.Errorf("no ClusterRoleBinding of system:auth-delegator to ServiceAccount %s/%s", namespace, sa)
			}
			if tt.podLabel != "" {
				if got := str(stack, "spec", "workspaceTemplate", "spec", "podTemplate", "metadata", "labels", tt.podLabel); got != "true" {
					t.Errorf("workspace pod label %s = %q, want \"true\"", tt.podLabel, got)
				}
			}
		})
	}
}

// TestBrokenStacksRejected shows the check can fail: each case breaks the shipped AWS Stack
// one way, and must be refused with the given message (or accepted when want is empty).
func TestBrokenStacksRejected(t *testing.T) {
	crd := loadCRD(t)
	base := find(readManifests(t, "stack-aws.yaml"), "Stack", "pachdeploy-aws-prod")
	if base == nil {
		t.Fatal("stack-aws.yaml has no Stack pachdeploy-aws-prod")
	}
	initContainer := func(s map[string]any) map[string]any {
		return get(s, "spec", "workspaceTemplate", "spec", "podTemplate", "spec", "initContainers").([]any)[0].(map[string]any)
	}
	tests := []struct {
		name   string
		mutate func(stack map[string]any)
		want   string // a part of the error; "" means accepted
	}{
		{name: "shipped Stack", mutate: func(map[string]any) {}},
		{
			name:   "spec.stack missing",
			mutate: func(s map[string]any) { delete(mapAt(s, "spec"), "stack") },
			want:   "missing property 'stack'",
		},
		{
			name:   "typo in a field name",
			mutate: func(s map[string]any) { rename(mapAt(s, "spec"), "destroyOnFinalize", "destroyOnFinalise") },
			want:   "'destroyOnFinalise' not allowed",
		},
		{
			name:   "typo deep in the workspace pod template",
			mutate: func(s map[string]any) { rename(initContainer(s), "workingDir", "workDir") },
			want:   "'workDir' not allowed",
		},
		{
			name:   "wrong type",
			mutate: func(s map[string]any) { mapAt(s, "spec")["refresh"] = "yes" },
			want:   "want boolean",
		},
		{
			name:   "value outside the enum",
			mutate: func(s map[string]any) { mapAt(s, "spec")["workspaceReclaimPolicy"] = "Keep" },
			want:   "'Retain', 'Delete'",
		},
		{
			name: "quantity neither integer nor string (int-or-string)",
			mutate: func(s map[string]any) {
				mapAt(s, "spec", "workspaceTemplate", "spec", "resources", "limits")["memory"] = true
			},
			want: "want integer",
		},
		{
			name: "quantity as an integer (int-or-string)",
			mutate: func(s map[string]any) {
				mapAt(s, "spec", "workspaceTemplate", "spec", "resources", "requests")["cpu"] = 2
			},
		},
		{
			name: "label value not a string",
			mutate: func(s map[string]any) {
				mapAt(s, "spec", "workspaceTemplate", "spec")["podTemplate"].(map[string]any)["metadata"] = map[string]any{
					"labels": map[string]any{"azure.workload.identity/use": true},
				}
			},
			want: "want string",
		},
		{
			name:   "any key under spec.config (x-kubernetes-preserve-unknown-fields)",
			mutate: func(s map[string]any) { mapAt(s, "spec", "config")["pachdeploy:console"] = "false" },
		},
		{
			name:   "name over 42 characters (CEL rule)",
			mutate: func(s map[string]any) { mapAt(s, "metadata")["name"] = strings.Repeat("p", 43) },
			want:   "42 characters",
		},
		{
			name:   "commit and branch",
			mutate: func(s map[string]any) { mapAt(s, "spec")["branch"] = "main" },
			want:   "exactly one of spec.commit and spec.branch",
		},
		{
			name: "envRef from the operator's environment",
			mutate: func(s map[string]any) {
				mapAt(s, "spec", "envRefs")["AWS_REGION"] = map[string]any{"type": "Env", "env": map[string]any{"name": "AWS_REGION"}}
			},
			want: `type "Env"`,
		},
		{
			name: "Secret in another namespace",
			mutate: func(s map[string]any) {
				mapAt(s, "spec", "envRefs", "PULUMI_CONFIG_PASSPHRASE", "secret")["namespace"] = "default"
			},
			want: "namespace isolation",
		},
		{
			name:   "destroy on finalize",
			mutate: func(s map[string]any) { mapAt(s, "spec")["destroyOnFinalize"] = true },
			want:   "destroyOnFinalize",
		},
		{
			name:   "setting that is not a string",
			mutate: func(s map[string]any) { mapAt(s, "spec", "config")["pachdeploy:nodeCount"] = 2 },
			want:   "pachdeploy:nodeCount",
		},
		{
			name: "unpinned workspace image",
			mutate: func(s map[string]any) {
				mapAt(s, "spec", "workspaceTemplate", "spec")["image"] = "pulumi/pulumi:latest-nonroot"
			},
			want: "not pinned",
		},
		{
			name:   "repoDir at the repository root",
			mutate: func(s map[string]any) { mapAt(s, "spec")["repoDir"] = "." },
			want:   `spec.repoDir "."`,
		},
		{
			name: "binary not copied into the project directory",
			mutate: func(s map[string]any) {
				initContainer(s)["command"] = []any{"sh", "-c", "set -eu\nmake program\n"}
			},
			want: "no line \"cp bin/pachdeploy-program deploy/prebuilt/pachdeploy-program\"",
		},
		{
			name: "Pulumi.yaml edited",
			mutate: func(s map[string]any) {
				c := initContainer(s)
				c["command"] = append(c["command"].([]any)[:2:2], c["command"].([]any)[2].(string)+"sed -i 's/x/y/' deploy/prebuilt/Pulumi.yaml\n")
			},
			want: "edits Pulumi.yaml",
		},
		{
			name: "no PWD for the project directory",
			mutate: func(s map[string]any) {
				spec := mapAt(s, "spec", "workspaceTemplate", "spec")
				spec["env"] = slices.DeleteFunc(spec["env"].([]any), func(e any) bool { return str(e, "name") == "PWD" })
			},
			want: "workspace env PWD",
		},
		{
			name:   "unpinned build image",
			mutate: func(s map[string]any) { initContainer(s)["image"] = "golang" },
			want:   "not pinned",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack := deepCopy(t, base)
			tt.mutate(stack)
			err := crd.validate(stack)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && err == nil:
				t.Fatalf("accepted, want an error with %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("error %v, want one with %q", err, tt.want)
			}
		})
	}
}

// TestToJSONSchema checks the OpenAPI-to-JSON-Schema conversion on its own.
func TestToJSONSchema(t *testing.T) {
	schema := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"closed":   map[string]any{"type": "object", "properties": map[string]any{"a": map[string]any{"type": "string"}}},
			"open":     map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true},
			"anything": map[string]any{"x-kubernetes-preserve-unknown-fields": true},
			"map":      map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}},
			"nullable": map[string]any{"type": "string", "nullable": true},
			"qty": map[string]any{
				"anyOf":                      []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}},
				"x-kubernetes-int-or-string": true,
			},
			"bareQty": map[string]any{"x-kubernetes-int-or-string": true},
			"list": map[string]any{
				"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": []any{"name"},
				"items": map[string]any{"type": "object", "properties": map[string]any{"name": map[string]any{"type": "string"}}},
			},
			// A property may be named like an extension key: only keywords are dropped.
			"x-kubernetes-name": map[string]any{"type": "integer", "minimum": 0, "exclusiveMinimum": true},
		},
	}
	var rules []celRule
	converted := toJSONSchema(schema, ".", &rules)
	doc, err := jsonValue(converted)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("test.json", doc); err != nil {
		t.Fatal(err)
	}
	compiled, err := c.Compile("test.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		instance string
		valid    bool
	}{
		{`{"closed": {"a": "x"}}`, true},
		{`{"closed": {"b": "x"}}`, false},
		{`{"open": {"b": 1}}`, true},
		{`{"anything": [1, "x"]}`, true},
		{`{"map": {"k": "v"}}`, true},
		{`{"map": {"k": 1}}`, false},
		{`{"nullable": null}`, true},
		{`{"nullable": 1}`, false},
		{`{"qty": 1}`, true},
		{`{"qty": "500m"}`, true},
		{`{"qty": true}`, false},
		{`{"bareQty": "1Gi"}`, true},
		{`{"bareQty": 1.5}`, false},
		{`{"list": [{"name": "a"}]}`, true},
		{`{"list": [{"nam": "a"}]}`, false},
		{`{"x-kubernetes-name": 1}`, true},
		{`{"x-kubernetes-name": 0}`, false},
		{`{"unknown": 1}`, false},
	}
	for _, tt := range tests {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(tt.instance))
		if err != nil {
			t.Fatal(err)
		}
		if err := compiled.Validate(inst); (err == nil) != tt.valid {
			t.Errorf("%s: valid = %v, want %v (%v)", tt.instance, err == nil, tt.valid, err)
		}
	}
}

// TestPrebuiltProject checks the repository side of what the Stacks rely on: repoDir holds a
// Pulumi.yaml for the same project as the root one (so the same stacks in the backend), run by
// the Go language host from the binary programBinary, named bare so the host finds it in the
// project directory (or on PATH) with no path to resolve; and `make program` builds that binary
// into bin/, where the build-program script copies it from.
func TestPrebuiltProject(t *testing.T) {
	project := readProject(t, filepath.Join(repoRoot, filepath.FromSlash(repoDir), "Pulumi.yaml"))
	root := readProject(t, filepath.Join(repoRoot, "Pulumi.yaml"))
	if name := str(project, "name"); name == "" || name != str(root, "name") {
		t.Errorf("project name %q, want the root project's %q", name, str(root, "name"))
	}
	if rt := str(project, "runtime", "name"); rt != "go" {
		t.Errorf("runtime.name %q, want go", rt)
	}
	binary := str(project, "runtime", "options", "binary")
	if binary != programBinary {
		t.Errorf("runtime.options.binary %q, want %q (what the Stacks' build-program copies into %s)", binary, programBinary, repoDir)
	}
	if binary != filepath.Base(binary) || strings.Contains(binary, "..") {
		t.Errorf("runtime.options.binary %q is a path: the workspace reaches %s through a symlink", binary, repoDir)
	}
	if get(project, "main") != nil {
		t.Errorf("main %v: the host would look for the binary there, not in %s", get(project, "main"), repoDir)
	}

	makefile, err := os.ReadFile(filepath.Join(repoRoot, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	target := regexp.MustCompile(`(?m)^program:.*\n((?:\t.*\n)+)`).FindSubmatch(makefile)
	if target == nil || !strings.Contains(string(target[1]), "-o bin/"+programBinary+" ") {
		t.Errorf("Makefile: no `program` target building bin/%s", programBinary)
	}
}

// readProject reads a Pulumi.yaml strictly.
func readProject(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	j, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var project map[string]any
	if err := json.Unmarshal(j, &project); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return project
}

// TestKustomization checks that kustomization.yaml names files that exist.
func TestKustomization(t *testing.T) {
	objs := readManifests(t, "kustomization.yaml")
	if len(objs) != 1 || objs[0]["kind"] != "Kustomization" {
		t.Fatalf("kustomization.yaml: want one Kustomization, got %d objects", len(objs))
	}
	resources, _ := objs[0]["resources"].([]any)
	if len(resources) == 0 {
		t.Fatal("kustomization.yaml lists no resources")
	}
	for _, r := range resources {
		name, _ := r.(string)
		if _, err := os.Stat(name); name == "" || filepath.IsAbs(name) || err != nil {
			t.Errorf("resource %v: %v", r, err)
		}
	}
}

// crdSchema is the compiled schema of one Stack version with the checks for its CEL rules.
type crdSchema struct {
	schema *jsonschema.Schema
	cel    []func(map[string]any) error
}

// validate checks a Stack as the API server would with strict field validation (schema and
// CEL rules), then against the rules the operator applies when it reconciles it and the
// choices this example makes.
func (c *crdSchema) validate(obj map[string]any) error {
	inst, err := jsonValue(obj)
	if err != nil {
		return err
	}
	if err := c.schema.Validate(inst); err != nil {
		return err
	}
	for _, check := range c.cel {
		if err := check(obj); err != nil {
			return err
		}
	}
	if problems := stackRules(obj); len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// loadCRD compiles the CRD once for all tests.
func loadCRD(t *testing.T) *crdSchema {
	t.Helper()
	c, err := compileCRD()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var compileCRD = sync.OnceValues(func() (*crdSchema, error) {
	data, err := os.ReadFile(crdFile)
	if err != nil {
		return nil, err
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != crdSHA256 {
		return nil, fmt.Errorf("%s: SHA-256 %x, want the upstream %s (testdata/README.md)", crdFile, sum, crdSHA256)
	}
	docs, err := documents(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", crdFile, err)
	}
	if len(docs) != 1 || docs[0]["kind"] != "CustomResourceDefinition" || str(docs[0], "metadata", "name") != "stacks.pulumi.com" {
		return nil, fmt.Errorf("%s: want the one CustomResourceDefinition stacks.pulumi.com", crdFile)
	}
	var openAPI map[string]any
	for _, v := range get(docs[0], "spec", "versions").([]any) {
		v := v.(map[string]any)
		if "pulumi.com/"+str(v, "name") == stackAPIVersion && v["served"] == true {
			openAPI = mapAt(v, "schema", "openAPIV3Schema")
		}
	}
	if openAPI == nil {
		return nil, fmt.Errorf("%s: no served version %s", crdFile, stackAPIVersion)
	}

	var rules []celRule
	root := toJSONSchema(openAPI, ".", &rules)
	// The API server, not the CRD schema, validates apiVersion, kind and metadata; these
	// stand-ins check what the manifests rely on.
	stringMap := map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}}
	props := root["properties"].(map[string]any)
	props["apiVersion"] = map[string]any{"const": stackAPIVersion}
	props["kind"] = map[string]any{"const": "Stack"}
	props["metadata"] = map[string]any{
		"type":     "object",
		"required": []any{"name"},
		"properties": map[string]any{
			"name":        map[string]any{"type": "string", "minLength": 1},
			"namespace":   map[string]any{"type": "string"},
			"labels":      stringMap,
			"annotations": stringMap,
		},
	}
	root["required"] = []any{"apiVersion", "kind", "metadata"}

	out := &crdSchema{}
	for _, r := range rules {
		check, ok := celChecks[r.path+" "+r.rule]
		if !ok {
			return nil, fmt.Errorf("%s: CEL rule %q at %s has no check in celChecks", crdFile, r.rule, r.path)
		}
		out.cel = append(out.cel, check)
	}

	doc, err := jsonValue(root)
	if err != nil {
		return nil, err
	}
	compiler := jsonschema.NewCompiler()
	if err := compiler.AddResource("stack.json", doc); err != nil {
		return nil, err
	}
	if out.schema, err = compiler.Compile("stack.json"); err != nil {
		return nil, err
	}
	return out, nil
})

// celRule is one x-kubernetes-validations rule and the schema path it sits at.
type celRule struct{ path, rule string }

// toJSONSchema converts one node of a CRD's structural OpenAPI v3 schema into JSON Schema
// (draft 2020-12). The two are close; the differences handled:
//   - x-kubernetes-* keywords are dropped (list and map types, embedded resources), except:
//   - x-kubernetes-int-or-string: an integer or a string;
//   - x-kubernetes-preserve-unknown-fields: the object keeps fields the schema does not name;
//   - x-kubernetes-validations (CEL) are collected into rules, to be checked in Go;
//   - nullable: true adds null to the type;
//   - OpenAPI 3.0's boolean exclusiveMinimum/exclusiveMaximum become 2020-12's numbers.
//
// Every other object gets additionalProperties: false. The API server prunes fields a
// structural schema does not name, and with strict field validation (kubectl's default
// since 1.27, --validate=strict) refuses them, so a typo in a field name is an error there
// and must be one here too, not a silently ignored setting.
func toJSONSchema(s map[string]any, path string, rules *[]celRule) map[string]any {
	out := map[string]any{}
	for k, v := range s {
		switch k {
		case "properties":
			props := map[string]any{}
			for name, sub := range v.(map[string]any) {
				props[name] = toJSONSchema(sub.(map[string]any), path+name+".", rules)
			}
			out[k] = props
		case "additionalProperties":
			if sub, ok := v.(map[string]any); ok {
				out[k] = toJSONSchema(sub, path+"*.", rules)
			} else {
				out[k] = v
			}
		case "items":
			out[k] = toJSONSchema(v.(map[string]any), path+"[].", rules)
		case "not":
			out[k] = toJSONSchema(v.(map[string]any), path, rules)
		case "allOf", "anyOf", "oneOf":
			var list []any
			for _, sub := range v.([]any) {
				list = append(list, toJSONSchema(sub.(map[string]any), path, rules))
			}
			out[k] = list
		case "x-kubernetes-validations":
			for _, r := range v.([]any) {
				*rules = append(*rules, celRule{path: strings.TrimSuffix(path, ".") + ".", rule: str(r.(map[string]any), "rule")})
			}
		case "exclusiveMinimum", "exclusiveMaximum":
			if b, ok := v.(bool); ok {
				if bound := strings.Replace(k, "exclusiveM", "m", 1); b && s[bound] != nil {
					out[k] = s[bound]
				}
			} else {
				out[k] = v
			}
		case "nullable":
		default:
			if !strings.HasPrefix(k, "x-kubernetes-") {
				out[k] = v
			}
		}
	}
	// A bound replaced by its exclusive form must not stay inclusive.
	for _, k := range []string{"exclusiveMinimum", "exclusiveMaximum"} {
		if b, ok := s[k].(bool); ok && b {
			delete(out, strings.Replace(k, "exclusiveM", "m", 1))
		}
	}
	if s["x-kubernetes-int-or-string"] == true && out["anyOf"] == nil {
		out["anyOf"] = []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}
	}
	if s["nullable"] == true {
		if t, ok := out["type"].(string); ok {
			out["type"] = []any{t, "null"}
		}
		if e, ok := out["enum"].([]any); ok {
			out["enum"] = append(e, nil)
		}
	}
	if out["type"] == "object" && s["x-kubernetes-preserve-unknown-fields"] != true && out["additionalProperties"] == nil {
		out["additionalProperties"] = false
	}
	return out
}

// stackRules are what the schema cannot say: rules the operator applies when it reconciles
// a Stack, and the choices this example makes. Each returns a problem or nothing.
func stackRules(obj map[string]any) []string {
	spec := mapAt(obj, "spec")
	var problems []string

	// The operator: commit and branch are mutually exclusive, and a git source needs one.
	if spec["projectRepo"] != nil && (spec["commit"] != nil) == (spec["branch"] != nil) {
		problems = append(problems, "spec.projectRepo needs exactly one of spec.commit and spec.branch")
	}
	// The operator v2 refuses Env and FS references (secure by default) and, with namespace
	// isolation, Secrets in another namespace.
	for _, field := range []string{"envRefs", "secretsRef"} {
		refs := mapAt(spec, field)
		for _, name := range slices.Sorted(maps.Keys(refs)) {
			ref, _ := refs[name].(map[string]any)
			switch typ := str(ref, "type"); {
			case typ == "Literal" && ref["literal"] != nil:
			case typ == "Secret" && ref["secret"] != nil:
				if ns := str(ref, "secret", "namespace"); ns != "" && ns != str(obj, "metadata", "namespace") {
					problems = append(problems, fmt.Sprintf("spec.%s.%s: Secret in namespace %q: the operator enforces namespace isolation", field, name, ns))
				}
			default:
				problems = append(problems, fmt.Sprintf("spec.%s.%s: type %q without its reference: the operator v2 takes Literal and Secret", field, name, typ))
			}
		}
	}

	// This example: deleting the Stack must never destroy the deployment (README.md).
	if v, ok := spec["destroyOnFinalize"].(bool); !ok || v {
		problems = append(problems, "spec.destroyOnFinalize must be false: deleting the Stack must not destroy the deployment")
	}
	// pachdeploy's settings are strings, as `pulumi config set` stores them; the operator
	// would pass a number or a map as structured config instead.
	config := mapAt(spec, "config")
	for _, key := range slices.Sorted(maps.Keys(config)) {
		if _, ok := config[key].(string); !ok {
			problems = append(problems, fmt.Sprintf("spec.config %s is a %T, not a string", key, config[key]))
		}
	}
	if str(spec, "serviceAccountName") == "" {
		problems = append(problems, "spec.serviceAccountName is empty: the workspace would run as the namespace's default service account")
	}
	// The program: the prebuilt project, its binary built once and put where the Go language
	// host finds it (TestPrebuiltProject checks the project's side).
	problems = append(problems, programRules(spec)...)
	// Images are pinned, so a run is repeatable.
	images := []string{str(spec, "workspaceTemplate", "spec", "image")}
	for _, list := range []string{"initContainers", "containers"} {
		containers, _ := get(spec, "workspaceTemplate", "spec", "podTemplate", "spec", list).([]any)
		for _, c := range containers {
			if image := str(c.(map[string]any), "image"); image != "" {
				images = append(images, image)
			}
		}
	}
	for _, image := range images {
		if !pinned(image) {
			problems = append(problems, fmt.Sprintf("image %q is not pinned by tag or digest", image))
		}
	}
	return problems
}

// programRules checks how a Stack runs the program: from repoDir, with the binary that the
// build-program init container builds with `make program` and copies into the project
// directory, without editing Pulumi.yaml, and with PWD naming the project directory's real path.
func programRules(spec map[string]any) []string {
	var problems []string
	if dir := str(spec, "repoDir"); dir != repoDir {
		problems = append(problems, fmt.Sprintf("spec.repoDir %q, want %q (the prebuilt project)", dir, repoDir))
	}
	pwd := ""
	env, _ := get(spec, "workspaceTemplate", "spec", "env").([]any)
	for _, e := range env {
		if e, _ := e.(map[string]any); str(e, "name") == "PWD" {
			pwd = str(e, "value")
		}
	}
	if want := sourceDir + "/" + repoDir; pwd != want {
		problems = append(problems, fmt.Sprintf("workspace env PWD %q, want %q (the project directory's real path, for `go` to find go.mod)", pwd, want))
	}

	var build map[string]any
	containers, _ := get(spec, "workspaceTemplate", "spec", "podTemplate", "spec", "initContainers").([]any)
	for _, c := range containers {
		if c, _ := c.(map[string]any); str(c, "name") == "build-program" {
			build = c
		}
	}
	if build == nil {
		return append(problems, "no build-program init container")
	}
	if dir := str(build, "workingDir"); dir != sourceDir {
		problems = append(problems, fmt.Sprintf("build-program workingDir %q, want the repository root %q", dir, sourceDir))
	}
	var script []string
	command, _ := build["command"].([]any)
	for _, c := range command {
		s, _ := c.(string)
		script = append(script, s)
	}
	lines := map[string]bool{}
	for _, line := range strings.Split(strings.Join(script, "\n"), "\n") {
		lines[strings.TrimSpace(line)] = true
	}
	for _, want := range []string{
		"make program",
		fmt.Sprintf("cp bin/%s %s/%s", programBinary, repoDir, programBinary),
	} {
		if !lines[want] {
			problems = append(problems, fmt.Sprintf("build-program script has no line %q", want))
		}
	}
	for _, line := range slices.Sorted(maps.Keys(lines)) {
		if strings.Contains(line, "Pulumi.yaml") && editsFile.MatchString(line) {
			problems = append(problems, fmt.Sprintf("build-program script edits Pulumi.yaml: %q", line))
		}
	}
	return problems
}

// editsFile matches a shell line that rewrites a file: sed, yq or tee on it, or a redirection
// into it (not >&2).
var editsFile = regexp.MustCompile(`\b(sed|yq|tee)\b|>>?\s*[^&\s]`)

// pinned reports whether an image reference names a digest or a tag other than latest.
func pinned(image string) bool {
	if strings.Contains(image, "@sha256:") {
		return true
	}
	name := image[strings.LastIndex(image, "/")+1:]
	i := strings.LastIndex(name, ":")
	return i > 0 && i < len(name)-1 && !strings.HasPrefix(name[i+1:], "latest")
}

// checkObject is the minimal check for objects without a CRD here: the fields every object
// needs, string labels and annotations, and a namespace exactly where the kind has one.
func checkObject(obj map[string]any) error {
	apiVersion, kind, name := str(obj, "apiVersion"), str(obj, "kind"), str(obj, "metadata", "name")
	if apiVersion == "" || kind == "" || name == "" {
		return fmt.Errorf("apiVersion %q, kind %q, metadata.name %q: all three are required", apiVersion, kind, name)
	}
	for _, field := range []string{"labels", "annotations"} {
		for k, v := range mapAt(obj, "metadata", field) {
			if _, ok := v.(string); !ok {
				return fmt.Errorf("metadata.%s %s is a %T, not a string", field, k, v)
			}
		}
	}
	clusterScoped := map[string]bool{"Namespace": true, "ClusterRoleBinding": true, "ClusterRole": true}
	switch ns := str(obj, "metadata", "namespace"); {
	case clusterScoped[kind] && ns != "":
		return fmt.Errorf("%s is cluster-scoped but has namespace %q", kind, ns)
	case !clusterScoped[kind] && ns != namespace:
		return fmt.Errorf("namespace %q, want %q", ns, namespace)
	}
	if subjects, _ := obj["subjects"].([]any); kind == "ClusterRoleBinding" && (str(obj, "roleRef", "name") == "" || len(subjects) == 0) {
		return errors.New("ClusterRoleBinding without roleRef.name or subjects")
	}
	return nil
}

// authDelegator reports whether a ClusterRoleBinding grants system:auth-delegator to the
// service account.
func authDelegator(objs []map[string]any, ns, sa string) bool {
	for _, obj := range objs {
		if obj["kind"] != "ClusterRoleBinding" || str(obj, "roleRef", "kind") != "ClusterRole" || str(obj, "roleRef", "name") != "system:auth-delegator" {
			continue
		}
		subjects, _ := obj["subjects"].([]any)
		for _, s := range subjects {
			s, _ := s.(map[string]any)
			if str(s, "kind") == "ServiceAccount" && str(s, "name") == sa && str(s, "namespace") == ns {
				return true
			}
		}
	}
	return false
}

// docSeparator splits a YAML stream into documents.
var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// documents parses a YAML stream strictly (a duplicate key is an error), skipping documents
// that hold only comments.
func documents(data []byte) ([]map[string]any, error) {
	var objs []map[string]any
	for i, doc := range docSeparator.Split(string(data), -1) {
		j, err := yaml.YAMLToJSONStrict([]byte(doc))
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		if string(j) == "null" {
			continue
		}
		var obj map[string]any
		if err := json.Unmarshal(j, &obj); err != nil {
			return nil, fmt.Errorf("document %d is not an object: %w", i+1, err)
		}
		objs = append(objs, obj)
	}
	return objs, nil
}

// readManifests reads the objects of one manifest file.
func readManifests(t *testing.T, file string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := documents(data)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return objs
}

// find returns the object of that kind and name, or nil.
func find(objs []map[string]any, kind, name string) map[string]any {
	for _, obj := range objs {
		if obj["kind"] == kind && str(obj, "metadata", "name") == name {
			return obj
		}
	}
	return nil
}

// get walks nested maps; it returns nil where the path ends early.
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// mapAt is get for a map; nil when there is none.
func mapAt(v any, keys ...string) map[string]any {
	m, _ := get(v, keys...).(map[string]any)
	return m
}

// str is get for a string; "" when there is none.
func str(v any, keys ...string) string {
	s, _ := get(v, keys...).(string)
	return s
}

// rename moves a map entry to another key.
func rename(m map[string]any, from, to string) {
	m[to] = m[from]
	delete(m, from)
}

// deepCopy copies a manifest object through JSON.
func deepCopy(t *testing.T, obj map[string]any) map[string]any {
	t.Helper()
	data, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// jsonValue turns a Go value into what jsonschema.UnmarshalJSON makes of its JSON.
func jsonValue(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(data))
}
