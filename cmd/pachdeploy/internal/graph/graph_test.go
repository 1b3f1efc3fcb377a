package graph

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

const (
	stack   = "urn:pulumi:dev::pachdeploy::pulumi:pulumi:Stack::pachdeploy-dev"
	infra   = "urn:pulumi:dev::pachdeploy::pachdeploy:aws:Infra::aws"
	bucket  = "urn:pulumi:dev::pachdeploy::pachdeploy:aws:Infra$aws:s3/bucketV2:BucketV2::data"
	cluster = "urn:pulumi:dev::pachdeploy::pachdeploy:aws:Infra$eks:index:Cluster::cluster"
	release = "urn:pulumi:dev::pachdeploy::pachdeploy:pachyderm:Pachyderm$kubernetes:helm.sh/v3:Release::pachyderm"
)

var sample = []Node{
	{URN: release, Type: "kubernetes:helm.sh/v3:Release", Name: "pachyderm", Parent: stack, DependsOn: []string{cluster, bucket, "urn:gone"}},
	{URN: cluster, Type: "eks:index:Cluster", Name: "cluster", Parent: infra},
	{URN: bucket, Type: "aws:s3/bucketV2:BucketV2", Name: "data", Parent: infra},
	{URN: infra, Type: "pachdeploy:aws:Infra", Name: "aws", Parent: stack},
	{URN: stack, Type: "pulumi:pulumi:Stack", Name: `pachdeploy-"dev"`},
	{URN: "urn:pulumi:dev::pachdeploy::pulumi:providers:aws::default", Type: "pulumi:providers:aws", Name: "default", Parent: stack},
}

func TestRender_Golden(t *testing.T) {
	for _, tt := range []struct {
		file   string
		render func(*bytes.Buffer) error
	}{
		{"graph.mmd.golden", func(b *bytes.Buffer) error { return Mermaid(b, sample) }},
		{"graph.dot.golden", func(b *bytes.Buffer) error { return DOT(b, sample) }},
	} {
		var b bytes.Buffer
		if err := tt.render(&b); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", tt.file)
		if *update {
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if b.String() != string(want) {
			t.Errorf("%s differs (run with -update to accept):\n%s", tt.file, b.String())
		}
	}
}
