package native

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestVersionIsGoModsAzureNative: the wrappers pin the same provider release as the
// azure-native SDK modules the module requires, so one plugin serves both.
func TestVersionIsGoModsAzureNative(t *testing.T) {
	gomod, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*github\.com/pulumi/pulumi-azure-native-sdk/v2 v(\S+)`).FindSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod does not require github.com/pulumi/pulumi-azure-native-sdk/v2")
	}
	if string(m[1]) != Version {
		t.Errorf("wrappers pin azure-native %s, go.mod requires %s: update Version", Version, m[1])
	}
}
