package aws

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
)

// TestRulesKnowEveryRegionOfThePinnedSDK ties the AWS region list in internal/rules to
// the pulumi-aws SDK this module pins: every Region constant the SDK declares must pass
// rules.KnownAWSRegion, so bumping the SDK fails here until the list catches up. The
// constants are read from the SDK's source, as Go cannot enumerate them.
func TestRulesKnowEveryRegionOfThePinnedSDK(t *testing.T) {
	const pkg = "github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", pkg).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkg, err)
	}
	file := filepath.Join(strings.TrimSpace(string(out)), "pulumiEnums.go")
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var regions []string
	for _, d := range f.Decls {
		gen, ok := d.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			for _, v := range spec.(*ast.ValueSpec).Values {
				// Region constants are written Region("us-west-2").
				call, ok := v.(*ast.CallExpr)
				if !ok || len(call.Args) != 1 {
					continue
				}
				fn, ok := call.Fun.(*ast.Ident)
				lit, isLit := call.Args[0].(*ast.BasicLit)
				if !ok || fn.Name != "Region" || !isLit || lit.Kind != token.STRING {
					continue
				}
				r, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				regions = append(regions, r)
			}
		}
	}
	if !slices.Contains(regions, string(aws.RegionUSWest2)) {
		t.Fatalf("read %d Region constants from %s, not including %s: the SDK's source changed shape", len(regions), file, aws.RegionUSWest2)
	}
	for _, r := range regions {
		if err := rules.KnownAWSRegion(r, false); err != nil {
			t.Errorf("the pinned SDK declares region %q, which internal/rules does not know: %v", r, err)
		}
	}
}
