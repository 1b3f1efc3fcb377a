package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func TestStore(t *testing.T) {
	dir := t.TempDir()
	stores := map[string]func(t *testing.T) store{
		"memory": func(t *testing.T) store { s, _ := newStore(""); return s },
		"dir": func(t *testing.T) store {
			s, err := newStore(filepath.Join(dir, t.Name()))
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
	ids := []string{"bucket-1", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a", "default/pachd"}
	for kind, mk := range stores {
		t.Run(kind, func(t *testing.T) {
			s := mk(t)
			for _, id := range ids {
				if _, ok, err := s.get("aws", id); ok || err != nil {
					t.Fatalf("get before put: ok=%v err=%v", ok, err)
				}
				rec := &record{Pkg: "aws", Type: "aws:iam/accessKey:AccessKey", URN: "urn:x", ID: id,
					Inputs:  pm(map[string]any{"user": "u", "n": 3, "list": []any{"a", true}}),
					Outputs: pm(map[string]any{"user": "u", "secret": secret("s3cr3t")})}
				if err := s.put(rec); err != nil {
					t.Fatal(err)
				}
				got, ok, err := s.get("aws", id)
				if !ok || err != nil {
					t.Fatalf("get after put: ok=%v err=%v", ok, err)
				}
				if got.ID != id || got.Type != rec.Type || got.URN != rec.URN {
					t.Errorf("got %+v", got)
				}
				if !got.Inputs.DeepEquals(rec.Inputs) || !got.Outputs.DeepEquals(rec.Outputs) {
					t.Errorf("properties changed in the round trip: %v / %v", got.Inputs, got.Outputs)
				}
				if v := got.Outputs["secret"]; !v.IsSecret() || v.SecretValue().Element.StringValue() != "s3cr3t" {
					t.Errorf("secret lost its wrapper or value: %v", v)
				}
				// Same id under another package is another resource.
				if _, ok, _ := s.get("gcp", id); ok {
					t.Errorf("record visible under another package")
				}
				rec.Outputs["user"] = resource.NewStringProperty("v")
				if err := s.put(rec); err != nil {
					t.Fatal(err)
				}
				if got, _, _ := s.get("aws", id); got.Outputs["user"].StringValue() != "v" {
					t.Errorf("overwrite not seen: %v", got.Outputs["user"])
				}
				if err := s.remove("aws", id); err != nil {
					t.Fatal(err)
				}
				if _, ok, _ := s.get("aws", id); ok {
					t.Errorf("record still there after remove")
				}
				if err := s.remove("aws", id); err != nil {
					t.Errorf("second remove: %v", err)
				}
			}
		})
	}
}

func TestDirStoreSharedAndClean(t *testing.T) {
	dir := t.TempDir()
	a, _ := newStore(dir)
	b, _ := newStore(dir) // another provider process / a later engine run
	if err := a.put(&record{Pkg: "random", ID: "pw-1", Inputs: pm(map[string]any{}), Outputs: pm(map[string]any{"result": secret("x")})}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := b.get("random", "pw-1"); !ok || err != nil {
		t.Fatalf("second store does not see the record: ok=%v err=%v", ok, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || strings.HasPrefix(entries[0].Name(), ".tmp") || !strings.HasSuffix(entries[0].Name(), ".json") {
		t.Errorf("state dir holds %v, want one json file", entries)
	}
	data, _ := os.ReadFile(filepath.Join(dir, entries[0].Name()))
	if !strings.Contains(string(data), "1b47061264138c4ac30d75fd1eb44270") { // the secret signature
		t.Errorf("secret not stored as a secret: %s", data)
	}
}
