package stacks

import (
	"os/exec"
	"strings"
	"testing"
)

// cloudBuild is what the build tag no<cloud> leaves out of a binary: the cloud's
// components and its provider SDKs.
var cloudBuild = []struct {
	tag      string
	packages []string // import path prefixes
}{
	{"noaws", []string{"github.com/pachdeploy/pachdeploy/components/aws", "github.com/pulumi/pulumi-aws/", "github.com/pulumi/pulumi-eks/"}},
	{"nogcp", []string{"github.com/pachdeploy/pachdeploy/components/gcp", "github.com/pulumi/pulumi-gcp/"}},
	{"noazure", []string{"github.com/pachdeploy/pachdeploy/components/azure", "github.com/pulumi/pulumi-azure-native-sdk/"}},
}

// binaries are the programs the tags apply to: the CLI and the root Pulumi program.
var binaries = []string{"github.com/pachdeploy/pachdeploy/cmd/pachdeploy", "github.com/pachdeploy/pachdeploy"}

// TestBuildTags: every combination of the cloud build tags that keeps a cloud compiles
// the CLI and the root program (compiled, not linked), leaves exactly the
// tagged clouds' packages out and keeps the others; leaving all three out fails to
// compile, saying why.
func TestBuildTags(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the binaries eight times")
	}
	for mask := range 1 << len(cloudBuild) {
		var tags []string
		for i, c := range cloudBuild {
			if mask&(1<<i) != 0 {
				tags = append(tags, c.tag)
			}
		}
		name := strings.Join(tags, ",")
		if name == "" {
			name = "all clouds"
		}
		t.Run(name, func(t *testing.T) {
			// -export compiles every package (the main ones too) without linking.
			args := append([]string{"list", "-export", "-deps", "-f={{.ImportPath}}", "-tags=" + strings.Join(tags, ",")}, binaries...)
			out, err := exec.Command("go", args...).CombinedOutput()
			if len(tags) == len(cloudBuild) {
				if err == nil || !strings.Contains(string(out), "pachdeploy needs at least one cloud") {
					t.Fatalf("a build with no cloud: err=%v, want it refused naming the fix:\n%s", err, out)
				}
				return
			}
			if err != nil {
				t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			deps := strings.Fields(string(out))
			for i, c := range cloudBuild {
				left := mask&(1<<i) != 0
				for _, prefix := range c.packages {
					if found := containsPrefix(deps, prefix); found == left {
						t.Errorf("with tags %q, packages %s*: linked %v, want %v", tags, prefix, found, !left)
					}
				}
			}
		})
	}
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}
