// Package mocktest holds the helpers the unit tests share for running programs under
// the offline engine (package offline) and reading what they recorded. It imports
// testing, so only _test.go files may import it.
//
// Paths name a value inside a property map as resource.ParsePropertyPath reads them:
// "metadataOptions.httpTokens", "rules[0].status", and for keys holding a dot or a
// bracket `additionalAnnotations["eks.amazonaws.com/role-arn"]`. Secrets are opened at
// every level, so a path goes through a secret object as through a plain one.
package mocktest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
)

// Project and Stack name the project and stack Run deploys into.
const (
	Project = "pachdeploy"
	Stack   = "test"
)

// NilArgsRefused runs each constructor call (named by its key) under a fresh mock cloud
// and fails the test unless it returns rules.ErrNilArgs and registers nothing.
func NilArgsRefused(t *testing.T, constructors map[string]func(ctx *pulumi.Context) error) {
	t.Helper()
	for name, construct := range constructors {
		cloud := offline.New(Project, Stack)
		err := cloud.Run(construct)
		if !errors.Is(err, rules.ErrNilArgs) {
			t.Errorf("%s with nil args: %v, want rules.ErrNilArgs", name, err)
		}
		if n := len(cloud.Resources()); n != 0 {
			t.Errorf("%s with nil args registered %d resources", name, n)
		}
	}
}

// Run runs program under a fresh mock cloud for Project and Stack, answering with the
// given clouds' stand-ins, and fails the test when the program returns an error.
func Run(t testing.TB, program pulumi.RunFunc, standIns ...offline.StandIns) *offline.Cloud {
	t.Helper()
	return RunStack(t, Stack, program, standIns...)
}

// RunStack is Run for the named stack of Project.
func RunStack(t testing.TB, stack string, program pulumi.RunFunc, standIns ...offline.StandIns) *offline.Cloud {
	t.Helper()
	cloud := offline.New(Project, stack, standIns...)
	if err := cloud.Run(program); err != nil {
		t.Fatalf("program failed: %v", err)
	}
	return cloud
}

// One returns the only recorded resource of type typ, failing the test unless there
// is exactly one.
func One(t testing.TB, cloud *offline.Cloud, typ string) offline.Resource {
	t.Helper()
	rs := cloud.OfType(typ)
	if len(rs) != 1 {
		t.Fatalf("want exactly one %s, got %d", typ, len(rs))
	}
	return rs[0]
}

// Named returns the recorded resource of type typ with logical name name, failing the
// test when there is none.
func Named(t testing.TB, cloud *offline.Cloud, typ, name string) offline.Resource {
	t.Helper()
	r, ok := cloud.Named(typ, name)
	if !ok {
		t.Fatalf("no %s named %q recorded", typ, name)
	}
	return r
}

// DependsOn reports whether r waits for the resource with URN urn.
func DependsOn(r offline.Resource, urn string) bool {
	for _, d := range r.DependsOn {
		if d == urn {
			return true
		}
	}
	return false
}

// UsesProvider reports whether r was registered with the provider whose URN is
// providerURN.
func UsesProvider(r offline.Resource, providerURN string) bool {
	return strings.HasPrefix(r.Provider, providerURN+"::")
}

// Found is what Find found at a path.
type Found struct {
	// Value is the value at the path with secrets unwrapped; null when not Set.
	Value resource.PropertyValue
	// Raw is the value at the path as recorded: still wrapped when it is itself secret.
	Raw resource.PropertyValue
	// Secret reports whether the value, or any object on the way to it, is secret.
	Secret bool
	// Set reports whether the path leads to a value that is not null.
	Set bool
}

// Find walks path through m, opening secrets at every level. A path that leaves the
// recorded values is not Set; a path that does not parse fails the test.
func Find(t testing.TB, m resource.PropertyMap, path string) Found {
	t.Helper()
	p, err := resource.ParsePropertyPath(path)
	if err != nil {
		t.Fatalf("bad property path %q: %v", path, err)
	}
	var f Found
	v := resource.NewObjectProperty(m)
	for _, key := range p {
		if v.IsSecret() {
			v, f.Secret = Unsecret(v), true
		}
		var ok bool
		switch k := key.(type) {
		case string:
			if v.IsObject() {
				v, ok = v.ObjectValue()[resource.PropertyKey(k)]
			}
		case int:
			if v.IsArray() && k >= 0 && k < len(v.ArrayValue()) {
				v, ok = v.ArrayValue()[k], true
			}
		}
		if !ok {
			return Found{Value: resource.NewNullProperty(), Raw: resource.NewNullProperty(), Secret: f.Secret}
		}
	}
	f.Raw = v
	if v.IsSecret() {
		v, f.Secret = Unsecret(v), true
	}
	f.Value, f.Set = v, !v.IsNull()
	return f
}

// MustFind is Find that fails the test unless the path leads to a set value.
func MustFind(t testing.TB, m resource.PropertyMap, path string) Found {
	t.Helper()
	f := Find(t, m, path)
	if !f.Set {
		t.Fatalf("%s is not set", path)
	}
	return f
}

// Get returns the value at path in m with secrets unwrapped, and whether it is set.
func Get(t testing.TB, m resource.PropertyMap, path string) (resource.PropertyValue, bool) {
	t.Helper()
	f := Find(t, m, path)
	return f.Value, f.Set
}

// Value returns the value at path in m with secrets unwrapped; null when not set.
func Value(t testing.TB, m resource.PropertyMap, path string) resource.PropertyValue {
	t.Helper()
	return Find(t, m, path).Value
}

// Key quotes a map key for use in a path, for keys that hold a dot or a bracket:
// "tags"+Key("kubernetes.io/role/elb") is `tags["kubernetes.io/role/elb"]`.
func Key(k string) string {
	return `["` + strings.ReplaceAll(k, `"`, `\"`) + `"]`
}

// String returns the string at path in m, or "" when there is no string there.
func String(t testing.TB, m resource.PropertyMap, path string) string {
	t.Helper()
	if v, _ := Get(t, m, path); v.IsString() {
		return v.StringValue()
	}
	return ""
}

// Bool returns the bool at path in m; anything but a true bool is false.
func Bool(t testing.TB, m resource.PropertyMap, path string) bool {
	t.Helper()
	v, _ := Get(t, m, path)
	return v.IsBool() && v.BoolValue()
}

// Input returns r's input at path with secrets unwrapped, and whether it is set.
func Input(t testing.TB, r offline.Resource, path string) (resource.PropertyValue, bool) {
	t.Helper()
	return Get(t, r.Inputs, path)
}

// MustInput returns r's input at path with secrets unwrapped, failing the test when it
// is not set.
func MustInput(t testing.TB, r offline.Resource, path string) resource.PropertyValue {
	t.Helper()
	v, ok := Input(t, r, path)
	if !ok {
		t.Fatalf("%s %s: input %s is not set", r.Type, r.Name, path)
	}
	return v
}

// MustString returns r's string input at path, failing the test when it is not a set
// string.
func MustString(t testing.TB, r offline.Resource, path string) string {
	t.Helper()
	v, ok := Input(t, r, path)
	if !ok || !v.IsString() {
		t.Fatalf("%s %s: %s is %v, want a string", r.Type, r.Name, path, v)
	}
	return v.StringValue()
}

// Unsecret returns v with any secret wrappers removed.
func Unsecret(v resource.PropertyValue) resource.PropertyValue {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v
}

// Plain converts v to plain Go values (map[string]any, []any, string, float64, bool,
// nil), unwrapping secrets at every level.
func Plain(v resource.PropertyValue) any {
	v = Unsecret(v)
	switch {
	case v.IsObject():
		m := map[string]any{}
		for k, e := range v.ObjectValue() {
			m[string(k)] = Plain(e)
		}
		return m
	case v.IsArray():
		l := []any{}
		for _, e := range v.ArrayValue() {
			l = append(l, Plain(e))
		}
		return l
	}
	return v.V
}

// Holds reports whether v contains the string s in any string anywhere, secrets
// included.
func Holds(v resource.PropertyValue, s string) bool {
	switch v = Unsecret(v); {
	case v.IsObject():
		for _, e := range v.ObjectValue() {
			if Holds(e, s) {
				return true
			}
		}
	case v.IsArray():
		for _, e := range v.ArrayValue() {
			if Holds(e, s) {
				return true
			}
		}
	case v.IsString():
		return strings.Contains(v.StringValue(), s)
	}
	return false
}

// Plaintext reports whether v contains the string s in a string outside every
// secret, and where (like ".values.key" or ".list[]").
func Plaintext(v resource.PropertyValue, s string) (where string, found bool) {
	return plaintext(v, s, "")
}

func plaintext(v resource.PropertyValue, s, at string) (string, bool) {
	switch {
	case v.IsSecret():
		return "", false
	case v.IsString():
		return at, strings.Contains(v.StringValue(), s)
	case v.IsArray():
		for _, e := range v.ArrayValue() {
			if p, ok := plaintext(e, s, at+"[]"); ok {
				return p, true
			}
		}
	case v.IsObject():
		for k, e := range v.ObjectValue() {
			if p, ok := plaintext(e, s, at+"."+string(k)); ok {
				return p, true
			}
		}
	}
	return "", false
}

// WantProblems checks that err is a validation error (as rules.Error prints it) that
// names each of fields and lists no other problem.
func WantProblems(t testing.TB, err error, fields ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error naming %v, got none", fields)
	}
	for _, f := range fields {
		if !strings.Contains(err.Error(), "  - "+f+" = ") {
			t.Errorf("error does not name %s:\n%v", f, err)
		}
	}
	if got := strings.Count(err.Error(), "\n  - "); got != len(fields) {
		t.Errorf("want %d problems, got %d:\n%v", len(fields), got, err)
	}
}

// Log keeps the warnings a program logs (the mock engine drops them): set ctx.Log to
// a *Log in the program under test.
type Log struct {
	mu    sync.Mutex
	warns []string
}

// Debug drops the message.
func (l *Log) Debug(string, *pulumi.LogArgs) error { return nil }

// Info drops the message.
func (l *Log) Info(string, *pulumi.LogArgs) error { return nil }

// Error drops the message.
func (l *Log) Error(string, *pulumi.LogArgs) error { return nil }

// Warn records the message.
func (l *Log) Warn(msg string, _ *pulumi.LogArgs) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.warns = append(l.warns, msg)
	return nil
}

// Warnings are the warnings logged so far.
func (l *Log) Warnings() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.warns...)
}

// OpenAPIWarns checks a cluster constructor's warning about an open Kubernetes API:
// newCluster registers a cluster whose API admits cidrs; it must warn exactly once,
// naming apiAllowedCidrs and ruleID, when cidrs are empty or hold 0.0.0.0/0, and not at
// all when they restrict the API.
func OpenAPIWarns(t *testing.T, ruleID string, newCluster func(ctx *pulumi.Context, cidrs []string) error,
	standIns ...offline.StandIns) {
	t.Helper()
	for _, tc := range []struct {
		name  string
		cidrs []string
		warn  bool
	}{
		{"no apiAllowedCidrs: open", nil, true},
		{"0.0.0.0/0: open", []string{"0.0.0.0/0"}, true},
		{"restricted", []string{"203.0.113.0/24"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := &Log{}
			Run(t, func(ctx *pulumi.Context) error {
				ctx.Log = log
				return newCluster(ctx, tc.cidrs)
			}, standIns...)
			w := log.Warnings()
			warned := len(w) == 1 && strings.Contains(w[0], "apiAllowedCidrs") && strings.Contains(w[0], ruleID)
			if warned != tc.warn || (!tc.warn && len(w) != 0) {
				t.Errorf("warnings = %q, want a %s warning naming apiAllowedCidrs: %v", w, ruleID, tc.warn)
			}
		})
	}
}

// Calls is a mock cloud whose function calls of the given tokens fail (Fail) or answer
// otherwise than the stand-ins (Answer): a cluster without an add-on, a lookup that
// finds nothing. Run it with RunCalls.
type Calls struct {
	*offline.Cloud
	Fail   map[string]error
	Answer map[string]map[string]any
}

// Call answers as configured, else as the stand-ins do.
func (c Calls) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	if err, ok := c.Fail[args.Token]; ok {
		_, _ = c.Cloud.Call(args) // recorded like any other call
		return nil, err
	}
	if a, ok := c.Answer[args.Token]; ok {
		_, _ = c.Cloud.Call(args)
		return resource.NewPropertyMapFromMap(a), nil
	}
	return c.Cloud.Call(args)
}

// RunCalls runs program under c and returns the program's error.
func RunCalls(c Calls, program pulumi.RunFunc) error {
	return pulumi.RunErr(program, pulumi.WithMocks(Project, Stack, c))
}

// Await returns the value of o once the program has resolved it. Call it inside the
// program under test: an ApplyT callback that stores the value may still be pending
// when the mock engine's run returns, so reading it afterwards races.
func Await(t testing.TB, o pulumi.Output) any {
	t.Helper()
	r, err := internals.UnsafeAwaitOutput(context.Background(), o)
	if err != nil {
		t.Fatalf("await output: %v", err)
	}
	return r.Value
}

// AwaitString is Await for a string output ("" when unknown).
func AwaitString(t testing.TB, o pulumi.StringOutput) string {
	t.Helper()
	s, _ := Await(t, o).(string)
	return s
}
