package strictyaml

import (
	"strings"
	"testing"
)

func TestParse_RefusesWhatLooseParsersAccept(t *testing.T) {
	for _, tt := range []struct {
		name, yaml, want string
	}{
		{"duplicate top-level key", "cloud: aws\nregion: us-west-2\ncloud: gcp\n", `line 3: duplicate key "cloud" (first at line 1)`},
		{"duplicate nested key", "config:\n  pachdeploy:region: a\n  pachdeploy:region: b\n", `line 3: duplicate key "pachdeploy:region"`},
		{"duplicate key in a list's map", "x:\n  - a: 1\n    a: 2\n", `duplicate key "a"`},
		{"a second document", "cloud: aws\n---\ncloud: gcp\n", "line 2: a second YAML document"},
		{"trailing garbage", "cloud: aws\n]]]\n", "not valid YAML"},
		{"garbage after a document end", "cloud: aws\n...\n}{\n", "not valid YAML"},
		{"number key", "1: one\n", "keys must be text, not a number"},
		{"map key", "? {a: b}\n: c\n", "keys must be text, not a map"},
		{"empty file", "", "is empty"},
		{"only a comment", "# nothing\n", "is empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "f.yaml: ") {
				t.Errorf("err = %v, want one naming the file and containing %q", err, tt.want)
			}
		})
	}
}

func TestParse_AcceptsOrdinaryYAML(t *testing.T) {
	n, err := Parse("f.yaml", []byte("---\ncloud: aws\ntags: {team: data}\nlist: [a, b]\nanchor: &x {k: v}\nalias: *x\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Map(n)
	if err != nil {
		t.Fatal(err)
	}
	if m["cloud"] != "aws" || m["alias"].(map[string]any)["k"] != "v" || len(m["list"].([]any)) != 2 {
		t.Errorf("decoded %v", m)
	}
}

func TestMap_NeedsAMapAtTheTop(t *testing.T) {
	for _, doc := range []string{"- a\n- b\n", "just text\n", "42\n"} {
		n, err := Parse("f.yaml", []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Map(n); err == nil || !strings.Contains(err.Error(), "must be a map at the top") {
			t.Errorf("%q: err = %v", doc, err)
		}
	}
}
