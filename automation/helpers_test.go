package automation

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	awssettings "github.com/pachdeploy/pachdeploy/components/aws/settings"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// testProgram is run with the AWS target's settings and one data-bearing type, the
// bucket the test programs make, kept on destroy unless deleteDataOnDestroy.
func testProgram(run pulumi.RunFunc) Program {
	return Program{
		Run:               run,
		Settings:          config.Targets{awssettings.Target},
		DataBearing:       map[string]string{bucketType: "S3 bucket with Pachyderm's data"},
		KeptOnDestroy:     []string{bucketType},
		DeleteDataSetting: "deleteDataOnDestroy",
	}
}

// bucketType is the data-bearing type of the test programs.
const bucketType = "aws:s3/bucketV2:BucketV2"

// The test programs (see runTiny, runRegion).
var (
	tinyProgram   = testProgram(runTiny)
	regionProgram = testProgram(runRegion)
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// unsetenv unsets name for the test, restoring it after.
func unsetenv(t *testing.T, name string) {
	t.Helper()
	t.Setenv(name, "")
	os.Unsetenv(name)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
}

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		writeFile(t, path, got)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run with -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}
