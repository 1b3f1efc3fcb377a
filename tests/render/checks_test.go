package render

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/stacks/plan"
)

// --- plaintext secrets in the release values ---
//
// The rule is policy.PlaintextSecrets (the one `pachdeploy check` applies): a leaf under
// a secret-named key (rules.SecretName) must be a Pulumi secret, empty, null or a
// boolean; keys that name a Secret (rules.SecretReference) are skipped.

// checkCanaries reports every value that contains one of the canaries: secret setting
// values that must reach the release only as Pulumi secrets, whatever their key.
func checkCanaries(values map[string]any, canaries []string) []string {
	var out []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(v) {
				walk(joinPath(path, k), v[k])
			}
		case []any:
			for i, e := range v {
				walk(path+"["+strconv.Itoa(i)+"]", e)
			}
		default:
			s := fmt.Sprint(v)
			for _, c := range canaries {
				if strings.Contains(s, c) {
					out = append(out, fmt.Sprintf("%s holds the secret setting value %q in plain text; want %q", path, c, plan.Secret))
				}
			}
		}
	}
	walk("", values)
	return out
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// --- storage classes of volume claims ---

// checkStorageClasses reports every PersistentVolumeClaim and StatefulSet
// volumeClaimTemplate whose spec.storageClassName is not class. A claim without one
// gets the cluster's default class (or none), not the plan's.
func checkStorageClasses(objs []object, class string) []string {
	var out []string
	check := func(what string, claim map[string]any) {
		spec, _ := claim["spec"].(map[string]any)
		got, set := spec["storageClassName"]
		switch {
		case !set || got == nil:
			note := ""
			if a, ok := str(claim, "metadata", "annotations", "volume.beta.kubernetes.io/storage-class"); ok {
				note = fmt.Sprintf(" (only the deprecated annotation volume.beta.kubernetes.io/storage-class=%q)", a)
			}
			out = append(out, fmt.Sprintf("%s has no spec.storageClassName%s, so it gets the cluster's default class; want %q, the class the plan creates",
				what, note, class))
		case got != class:
			out = append(out, fmt.Sprintf("%s has storageClassName %q; want %q, the class the plan creates", what, fmt.Sprint(got), class))
		}
	}
	for _, ob := range objs {
		o := ob.m
		switch kindOf(o) {
		case "PersistentVolumeClaim":
			check(ob.String(), o)
		case "StatefulSet":
			spec, _ := o["spec"].(map[string]any)
			tmpls, _ := spec["volumeClaimTemplates"].([]any)
			for i, tm := range tmpls {
				claim, _ := tm.(map[string]any)
				name, _ := str(claim, "metadata", "name")
				check(fmt.Sprintf("%s volumeClaimTemplates[%d] %q", ob, i, name), claim)
			}
		}
	}
	return out
}

// --- Secrets that pods read ---

// secretObj is a Secret available to pods: rendered by the chart or created by the plan.
type secretObj struct {
	namespace, name, origin string
	keys                    map[string]bool
	keysKnown               bool // false where the plan hides the data as "[secret]"
}

// secretRef is one read of a Secret by a pod.
type secretRef struct {
	where    string // object, container and field
	name     string
	key      string // "" for a whole-Secret read (envFrom, a volume without items)
	optional bool
}

// podSpec is the pod template of a workload object, or nil.
func podSpec(o map[string]any) map[string]any {
	path := map[string][]string{
		"Pod":         {"spec"},
		"Deployment":  {"spec", "template", "spec"},
		"StatefulSet": {"spec", "template", "spec"},
		"DaemonSet":   {"spec", "template", "spec"},
		"ReplicaSet":  {"spec", "template", "spec"},
		"Job":         {"spec", "template", "spec"},
		"CronJob":     {"spec", "jobTemplate", "spec", "template", "spec"},
	}[kindOf(o)]
	if path == nil {
		return nil
	}
	m, _ := get(o, path...).(map[string]any)
	return m
}

// secretRefsOf lists the Secrets a workload object's pods read: env valueFrom
// secretKeyRef and envFrom secretRef of containers, init containers and ephemeral
// containers; secret volumes (with their items' keys) and projected secret sources.
func secretRefsOf(ob object) []secretRef {
	spec := podSpec(ob.m)
	if spec == nil {
		return nil
	}
	obj := ob.String()
	var out []secretRef
	for _, field := range []string{"initContainers", "containers", "ephemeralContainers"} {
		list, _ := spec[field].([]any)
		for _, c := range list {
			c, _ := c.(map[string]any)
			cname, _ := c["name"].(string)
			env, _ := c["env"].([]any)
			for _, e := range env {
				e, _ := e.(map[string]any)
				ref, ok := get(e, "valueFrom", "secretKeyRef").(map[string]any)
				if !ok {
					continue
				}
				ename, _ := e["name"].(string)
				out = append(out, secretRef{
					where: fmt.Sprintf("%s %s %q env %s (secretKeyRef)", obj, singular(field), cname, ename),
					name:  asString(ref["name"]), key: asString(ref["key"]), optional: ref["optional"] == true,
				})
			}
			envFrom, _ := c["envFrom"].([]any)
			for i, e := range envFrom {
				ref, ok := get(e, "secretRef").(map[string]any)
				if !ok {
					continue
				}
				out = append(out, secretRef{
					where: fmt.Sprintf("%s %s %q envFrom[%d] (secretRef)", obj, singular(field), cname, i),
					name:  asString(ref["name"]), optional: ref["optional"] == true,
				})
			}
		}
	}
	vols, _ := spec["volumes"].([]any)
	for _, v := range vols {
		v, _ := v.(map[string]any)
		vname, _ := v["name"].(string)
		if s, ok := v["secret"].(map[string]any); ok {
			out = append(out, itemRefs(fmt.Sprintf("%s volume %q (secret)", obj, vname), asString(s["secretName"]), s)...)
		}
		sources, _ := get(v, "projected", "sources").([]any)
		for i, src := range sources {
			if s, ok := get(src, "secret").(map[string]any); ok {
				out = append(out, itemRefs(fmt.Sprintf("%s volume %q (projected.sources[%d].secret)", obj, vname, i), asString(s["name"]), s)...)
			}
		}
	}
	return out
}

// itemRefs are the reads of a secret volume: one per listed item key, or the whole Secret.
func itemRefs(where, name string, s map[string]any) []secretRef {
	optional := s["optional"] == true
	items, _ := s["items"].([]any)
	if len(items) == 0 {
		return []secretRef{{where: where, name: name, optional: optional}}
	}
	var out []secretRef
	for _, it := range items {
		key, _ := get(it, "key").(string)
		out = append(out, secretRef{where: where, name: name, key: key, optional: optional})
	}
	return out
}

// checkSecretRefs reports every non-optional Secret read by a pod (in objs) that is
// neither rendered in the pod's namespace nor created there by the plan, and every
// key read from a Secret whose keys are known that the Secret does not have. ns is the
// release namespace (objects without one land there).
func checkSecretRefs(objs []object, ns string, fromPlan []secretObj) []string {
	avail := map[string][]secretObj{} // namespace/name -> sources
	for _, s := range fromPlan {
		avail[s.namespace+"/"+s.name] = append(avail[s.namespace+"/"+s.name], s)
	}
	for _, ob := range objs {
		if kindOf(ob.m) != "Secret" {
			continue
		}
		s := secretObj{namespace: nsOf(ob.m, ns), name: metaName(ob.m), origin: "the chart's render (" + ob.source + ")"}
		s.keys, s.keysKnown = secretKeys(ob.m)
		avail[s.namespace+"/"+s.name] = append(avail[s.namespace+"/"+s.name], s)
	}
	var out []string
	for _, ob := range objs {
		podNS := nsOf(ob.m, ns)
		for _, r := range secretRefsOf(ob) {
			if r.optional {
				continue // optional: true, the pod starts without it
			}
			if r.name == "" {
				out = append(out, fmt.Sprintf("%s reads a Secret with no name", r.where))
				continue
			}
			srcs := avail[podNS+"/"+r.name]
			if len(srcs) == 0 {
				out = append(out, fmt.Sprintf("%s reads Secret %q in namespace %s, which neither the chart renders nor the plan creates "+
					"(want it created; have: %s)", r.where, r.name, podNS, available(avail)))
				continue
			}
			if r.key == "" {
				continue
			}
			ok, checked := false, false
			var origins []string
			for _, s := range srcs {
				origins = append(origins, s.origin)
				if !s.keysKnown {
					ok = true // the plan hides the data: the key cannot be checked offline
					continue
				}
				checked = true
				ok = ok || s.keys[r.key]
			}
			if !ok && checked {
				var keys []string
				for _, s := range srcs {
					keys = append(keys, sortedKeys(s.keys)...)
				}
				out = append(out, fmt.Sprintf("%s reads key %q of Secret %q in namespace %s, which has only the keys %v (from %s)",
					r.where, r.key, r.name, podNS, keys, strings.Join(origins, ", ")))
			}
		}
	}
	return out
}

// available lists the Secrets the pods may read, for messages.
func available(avail map[string][]secretObj) string {
	var out []string
	for _, k := range sortedKeys(avail) {
		var origins []string
		for _, s := range avail[k] {
			origins = append(origins, s.origin)
		}
		out = append(out, fmt.Sprintf("%s (%s)", k, strings.Join(origins, ", ")))
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, "; ")
}

// secretKeys are the keys of a Secret's data and stringData; known is false when
// either is hidden (the plan shows a secret map as "[secret]").
func secretKeys(o map[string]any) (keys map[string]bool, known bool) {
	keys = map[string]bool{}
	for _, field := range []string{"data", "stringData"} {
		switch d := o[field].(type) {
		case nil:
		case map[string]any:
			for k := range d {
				keys[k] = true
			}
		default:
			return keys, false
		}
	}
	return keys, true
}

// --- small helpers over decoded objects ---

func get(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func str(v any, path ...string) (string, bool) {
	s, ok := get(v, path...).(string)
	return s, ok
}

func asString(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func kindOf(o map[string]any) string { s, _ := o["kind"].(string); return s }

func metaName(o map[string]any) string { s, _ := str(o, "metadata", "name"); return s }

func nsOf(o map[string]any, releaseNS string) string {
	if s, ok := str(o, "metadata", "namespace"); ok && s != "" {
		return s
	}
	return releaseNS
}

// object is one rendered object and the chart template helm says it came from.
type object struct {
	source string // "pachyderm/templates/pachd/deployment.yaml"
	m      map[string]any
}

// String is "Kind name (from template)".
func (o object) String() string {
	s := kindOf(o.m) + " " + metaName(o.m)
	if o.source != "" {
		s += " (from " + o.source + ")"
	}
	return s
}

func singular(field string) string {
	return map[string]string{"initContainers": "init container", "containers": "container", "ephemeralContainers": "ephemeral container"}[field]
}

// --- the checks fire: synthetic inputs, no helm needed ---

func TestSecretKeyRule(t *testing.T) {
	for key, want := range map[string]string{
		"postgresqlPassword": "secret", "secret": "secret", "cred": "secret", "token": "secret",
		"enterpriseLicenseKey": "secret", "oauthClientSecret": "secret", "secretKey": "secret",
		"IDTokenExpiry": "secret", "api_key": "secret", "client-secret": "secret", "tls.key": "secret",
		"rootTokenSecretName": "reference", "oauthClientSecretSecretName": "reference", "secretName": "reference",
		"postgresqlExistingSecretKey": "reference", "clientSecretKey": "reference", "imagePullSecrets": "reference",
		"existingSecret": "reference", "postgresqlExistingSecret": "reference", "existingPassword": "secret",
		"bucket": "plain", "storageURL": "plain", "keyless": "plain", "monkey": "plain", "id": "plain",
	} {
		got := "plain"
		switch {
		case rules.SecretReference(key):
			got = "reference"
		case rules.SecretName(key):
			got = "secret"
		}
		if got != want {
			t.Errorf("key %q is %s, want %s", key, got, want)
		}
	}
}

func TestPlaintextSecretsFire(t *testing.T) {
	values := map[string]any{
		"global": map[string]any{"postgresql": map[string]any{
			"postgresqlPassword":          "hunter2",      // plaintext: reported
			"postgresqlPostgresPassword":  plan.Secret,    // fine
			"postgresqlExistingSecretKey": "password-key", // reference: fine
			"existingSecret":              "pg-secret",    // reference (bitnami): fine
		}},
		"pachd": map[string]any{
			"rootTokenSecretName": "pachdeploy-bootstrap", // reference: fine
			"storage": map[string]any{
				"amazon":    map[string]any{"bucket": "b", "secret": "AKIA-plain", "token": ""}, // secret reported, empty fine
				"microsoft": map[string]any{"secret": "<key " + unknownMark + ">"},              // unknown, not secret: reported
			},
			"tls":                   map[string]any{"newSecret": map[string]any{"create": true, "crt": "PEM", "key": plan.Secret}}, // crt reported (under newSecret)
			"serviceAccount":        map[string]any{"automountServiceAccountToken": false},                                         // bool: fine
			"enterpriseServerToken": 12345,                                                                                         // number: reported
		},
		"imagePullSecrets": []any{"regcred"}, // reference list: fine
	}
	got := policy.PlaintextSecrets(values)
	want := []string{
		"global.postgresql.postgresqlPassword", "pachd.enterpriseServerToken", "pachd.storage.amazon.secret",
		"pachd.storage.microsoft.secret", "pachd.tls.newSecret.crt",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d (%v):\n%s", len(got), len(want), want, strings.Join(got, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w+" holds ") {
			t.Errorf("problem %d = %q, want one about %s", i, got[i], w)
		}
	}
	if c := checkCanaries(map[string]any{"a": []any{"x-canary-x"}}, []string{"canary"}); len(c) != 1 {
		t.Errorf("checkCanaries missed a canary in a list: %v", c)
	}
}

func TestStorageClassesFire(t *testing.T) {
	objs := []object{
		{source: "t/pvc.yaml", m: map[string]any{"kind": "PersistentVolumeClaim", "metadata": map[string]any{"name": "ok"},
			"spec": map[string]any{"storageClassName": "gp3"}}},
		{m: map[string]any{"kind": "PersistentVolumeClaim", "metadata": map[string]any{"name": "wrong"},
			"spec": map[string]any{"storageClassName": "gp2"}}},
		{m: map[string]any{"kind": "PersistentVolumeClaim", "metadata": map[string]any{"name": "unset"}, "spec": map[string]any{}}},
		{m: map[string]any{"kind": "StatefulSet", "metadata": map[string]any{"name": "etcd"}, "spec": map[string]any{
			"volumeClaimTemplates": []any{
				map[string]any{"metadata": map[string]any{"name": "data"}, "spec": map[string]any{"storageClassName": "gp3"}},
				map[string]any{"metadata": map[string]any{"name": "other"}, "spec": map[string]any{}},
			}}}},
	}
	got := checkStorageClasses(objs, "gp3")
	want := []string{"PersistentVolumeClaim wrong has", "PersistentVolumeClaim unset has no", `StatefulSet etcd volumeClaimTemplates[1] "other" has no`}
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("problem %d = %q, want it to start %q", i, got[i], w)
		}
	}
}

func TestSecretRefsFire(t *testing.T) {
	env := func(name, secret, key string, optional bool) map[string]any {
		ref := map[string]any{"name": secret, "key": key}
		if optional {
			ref["optional"] = true
		}
		return map[string]any{"name": name, "valueFrom": map[string]any{"secretKeyRef": ref}}
	}
	pod := map[string]any{
		"initContainers": []any{map[string]any{"name": "init", "env": []any{env("A", "missing-init", "k", false)}}},
		"containers": []any{map[string]any{"name": "main",
			"env": []any{
				env("B", "rendered", "have", false),      // fine
				env("C", "rendered", "nokey", false),     // key missing: reported
				env("D", "from-plan", "anything", false), // plan data hidden: fine
				env("E", "missing-optional", "k", true),  // optional: fine
				env("F", "other-ns-plan", "k", false),    // plan creates it elsewhere: reported
			},
			"envFrom": []any{map[string]any{"secretRef": map[string]any{"name": "missing-envfrom"}}},
		}},
		"volumes": []any{
			map[string]any{"name": "v1", "secret": map[string]any{"secretName": "missing-volume"}},
			map[string]any{"name": "v2", "secret": map[string]any{"secretName": "missing-opt-volume", "optional": true}},
			map[string]any{"name": "v3", "projected": map[string]any{"sources": []any{
				map[string]any{"secret": map[string]any{"name": "missing-projected"}}}}},
		},
	}
	objs := []object{
		{m: map[string]any{"kind": "Secret", "metadata": map[string]any{"name": "rendered"}, "data": map[string]any{"have": "eA=="}}},
		{m: map[string]any{"kind": "Deployment", "metadata": map[string]any{"name": "app"},
			"spec": map[string]any{"template": map[string]any{"spec": pod}}}},
		{m: map[string]any{"kind": "CronJob", "metadata": map[string]any{"name": "cron"}, "spec": map[string]any{"jobTemplate": map[string]any{
			"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{
				map[string]any{"name": "c", "envFrom": []any{map[string]any{"secretRef": map[string]any{"name": "rendered"}}}}}}}}}}}},
	}
	fromPlan := []secretObj{
		{namespace: "ns", name: "from-plan", origin: "plan"},
		{namespace: "elsewhere", name: "other-ns-plan", origin: "plan"},
	}
	got := checkSecretRefs(objs, "ns", fromPlan)
	want := []string{
		`Deployment app init container "init" env A (secretKeyRef) reads Secret "missing-init"`,
		`Deployment app container "main" env C (secretKeyRef) reads key "nokey" of Secret "rendered"`,
		`Deployment app container "main" env F (secretKeyRef) reads Secret "other-ns-plan" in namespace ns`,
		`Deployment app container "main" envFrom[0] (secretRef) reads Secret "missing-envfrom"`,
		`Deployment app volume "v1" (secret) reads Secret "missing-volume"`,
		`Deployment app volume "v3" (projected.sources[0].secret) reads Secret "missing-projected"`,
	}
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("problem %d = %q, want it to start %q", i, got[i], w)
		}
	}
}
