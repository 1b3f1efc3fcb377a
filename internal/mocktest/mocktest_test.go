package mocktest

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func TestFindOpensSecretsOnTheWay(t *testing.T) {
	m := resource.NewPropertyMapFromMap(map[string]any{
		"values": resource.MakeSecret(resource.NewPropertyValue(map[string]any{
			"tags": map[string]any{"kubernetes.io/role/elb": "1"},
			"key":  resource.MakeSecret(resource.NewStringProperty("s3cret")),
			"list": []any{"a", "b"},
		})),
		"plain": "x",
	})
	f := Find(t, m, "values.key")
	if !f.Set || !f.Secret || f.Value.StringValue() != "s3cret" || !f.Raw.IsSecret() {
		t.Errorf("values.key = %+v", f)
	}
	if got := String(t, m, "values.tags"+Key("kubernetes.io/role/elb")); got != "1" {
		t.Errorf("tag = %q", got)
	}
	if got := String(t, m, "values.list[1]"); got != "b" {
		t.Errorf("list[1] = %q", got)
	}
	if f := Find(t, m, "plain"); f.Secret || !f.Set {
		t.Errorf("plain = %+v", f)
	}
	for _, p := range []string{"values.nope", "plain.deeper", "values.list[2]"} {
		if f := Find(t, m, p); f.Set || !f.Value.IsNull() {
			t.Errorf("%s = %+v, want unset", p, f)
		}
	}
	if !Holds(resource.NewObjectProperty(m), "s3cr") {
		t.Error("Holds misses a string inside secrets")
	}
	if where, found := Plaintext(resource.NewObjectProperty(m), "s3cr"); found {
		t.Errorf("Plaintext found a secret string at %s", where)
	}
	if where, found := Plaintext(resource.NewObjectProperty(m), "x"); !found || where != ".plain" {
		t.Errorf("Plaintext(x) = %q, %v", where, found)
	}
	want := map[string]any{"plain": "x"}
	if got := Plain(m["plain"]); got != want["plain"] {
		t.Errorf("Plain = %v", got)
	}
	if got := Plain(m["values"]).(map[string]any)["list"].([]any); len(got) != 2 || got[0] != "a" {
		t.Errorf("Plain list = %v", got)
	}
}
