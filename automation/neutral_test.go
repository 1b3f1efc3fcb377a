package automation

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/stacks/config"
)

// TestDriverNamesNoCloudTypeOrSetting: the driver's code holds no cloud resource type
// token and no pachdeploy setting name as a string; the program side hands it those
// (Program), so a new cloud or setting never touches this package.
func TestDriverNamesNoCloudTypeOrSetting(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	cloudType := regexp.MustCompile(`\b(aws|eks|gcp|azure-native|azure):[a-zA-Z0-9/]*:[A-Z]`)
	keys := config.Keys()
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			if cloudType.MatchString(s) {
				t.Errorf("%s: names a cloud resource type: %q", fset.Position(lit.Pos()), s)
			}
			if slices.Contains(keys, s) || slices.ContainsFunc(keys, func(k string) bool {
				return strings.Contains(s, config.Namespace+":"+k)
			}) {
				t.Errorf("%s: names a pachdeploy setting: %q", fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no source files checked")
	}
}
