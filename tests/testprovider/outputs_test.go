package main

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func TestComputeOutputs(t *testing.T) {
	cfg := defaultConfig()
	t.Run("bucket", func(t *testing.T) {
		spec, _ := specFor("aws:s3/bucketV2:BucketV2")
		r := &res{typ: "aws:s3/bucketV2:BucketV2", name: "data", in: pm(map[string]any{"bucket": "my-data"}), cfg: cfg}
		pre := computeOutputs(spec, r, true)
		if !pre["arn"].IsComputed() || pre["bucket"].StringValue() != "my-data" || pre.HasValue("id") {
			t.Errorf("preview outputs: %v", pre)
		}
		r.id = spec.id(r)
		out := computeOutputs(spec, r, false)
		if r.id != "my-data" || out["arn"].StringValue() != "arn:aws:s3:::my-data" || out["id"].StringValue() != "my-data" ||
			out["region"].StringValue() != cfg.awsRegion {
			t.Errorf("outputs: id=%s %v", r.id, out)
		}
	})
	t.Run("secrets and stability", func(t *testing.T) {
		spec, _ := specFor("aws:iam/accessKey:AccessKey")
		r := &res{typ: "aws:iam/accessKey:AccessKey", name: "k", in: pm(map[string]any{"user": "u"}), cfg: cfg, id: "AKIA1"}
		a, b := computeOutputs(spec, r, false), computeOutputs(spec, r, false)
		if !a["secret"].IsSecret() || !a["sesSmtpPasswordV4"].IsSecret() {
			t.Errorf("secret outputs not secret: %v", a)
		}
		if !a.DeepEquals(b) {
			t.Errorf("outputs not stable for one id")
		}
		r.id = "AKIA2"
		if computeOutputs(spec, r, false)["secret"].DeepEquals(a["secret"]) {
			t.Errorf("two keys share a secret")
		}
	})
	t.Run("nested computed fields unknown in preview", func(t *testing.T) {
		spec, _ := specFor("kubernetes:core/v1:Namespace")
		r := &res{typ: "kubernetes:core/v1:Namespace", in: pm(map[string]any{"metadata": map[string]any{"name": "pachyderm"}}), cfg: cfg}
		md := computeOutputs(spec, r, true)["metadata"].ObjectValue()
		if md["name"].StringValue() != "pachyderm" || !md["uid"].IsComputed() {
			t.Errorf("preview metadata: %v", md)
		}
	})
	t.Run("helm revision counts updates", func(t *testing.T) {
		spec, _ := specFor("kubernetes:helm.sh/v3:Release")
		r := &res{typ: "kubernetes:helm.sh/v3:Release", in: pm(map[string]any{"name": "pachd", "version": "2.11.0"}), cfg: cfg, id: "default/pachd"}
		first := computeOutputs(spec, r, false)
		r.old = first
		second := computeOutputs(spec, r, false)
		st1, st2 := first["status"].ObjectValue(), second["status"].ObjectValue()
		if st1["status"].StringValue() != "deployed" || st1["revision"].NumberValue() != 1 || st2["revision"].NumberValue() != 2 ||
			st1["version"].StringValue() != "2.11.0" {
			t.Errorf("status %v then %v", st1, st2)
		}
	})
	t.Run("gcp service account", func(t *testing.T) {
		spec, _ := specFor("gcp:serviceaccount/account:Account")
		r := &res{typ: "gcp:serviceaccount/account:Account", in: pm(map[string]any{"accountId": "pachd"}), cfg: cfg}
		r.id = spec.id(r)
		out := computeOutputs(spec, r, false)
		if out["email"].StringValue() != "pachd@"+cfg.gcpProject+".iam.gserviceaccount.com" ||
			out["member"].StringValue() != "serviceAccount:"+out["email"].StringValue() || len(out["uniqueId"].StringValue()) != 21 {
			t.Errorf("outputs %v", out)
		}
	})
	t.Run("unknown type echoes inputs plus id", func(t *testing.T) {
		spec, known := specFor("aws:sqs/queue:Queue")
		r := &res{typ: "aws:sqs/queue:Queue", in: pm(map[string]any{"name": "q"}), cfg: cfg, id: "q-1"}
		out := computeOutputs(spec, r, false)
		if known || len(out) != 2 || out["name"].StringValue() != "q" || out["id"].StringValue() != "q-1" {
			t.Errorf("known=%v outputs %v", known, out)
		}
	})
}

func TestAutoname(t *testing.T) {
	spec, _ := specFor("aws:s3/bucketV2:BucketV2")
	seed := []byte("seed-1")
	a, b := resource.PropertyMap{}, resource.PropertyMap{}
	autoname(spec, "data", seed, nil, a)
	autoname(spec, "data", seed, nil, b)
	name := a["bucket"].StringValue()
	if !strings.HasPrefix(name, "data-") || len(name) != len("data-")+7 || b["bucket"].StringValue() != name {
		t.Errorf("autonames %q / %q", name, b["bucket"].StringValue())
	}
	c := resource.PropertyMap{}
	autoname(spec, "data", []byte("seed-2"), pm(map[string]any{"bucket": "kept"}), c)
	if c["bucket"].StringValue() != "kept" {
		t.Errorf("old autoname not kept: %v", c)
	}
	given := pm(map[string]any{"bucket": "mine"})
	autoname(spec, "data", seed, nil, given)
	if given["bucket"].StringValue() != "mine" {
		t.Errorf("program's name overwritten: %v", given)
	}
	ns, _ := specFor("kubernetes:core/v1:Namespace")
	k := pm(map[string]any{"metadata": map[string]any{"labels": map[string]any{"a": "b"}}})
	autoname(ns, "pachyderm", seed, nil, k)
	if md := k["metadata"].ObjectValue(); !strings.HasPrefix(md["name"].StringValue(), "pachyderm-") || !md.HasValue("labels") {
		t.Errorf("nested autoname: %v", md)
	}
	sa, _ := specFor("azure-native:storage:StorageAccount")
	s := resource.PropertyMap{}
	autoname(sa, "Pach-Storage", seed, nil, s)
	if v := s["accountName"].StringValue(); strings.ContainsAny(v, "-ABCDEFGHIJKLMNOPQRSTUVWXYZ") || len(v) > 24 {
		t.Errorf("storage account autoname %q", v)
	}
}
