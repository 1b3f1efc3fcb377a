//go:build bench && linux

package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// envBuild turns BenchmarkBuildCLI on (make bench BUILD=1).
const envBuild = "PACHDEPLOY_BENCH_BUILD"

// BenchmarkBuildCLI rebuilds the pachdeploy CLI after an edit to one component file
// (components/aws/cluster.go gains a comment through a build overlay, so the tree is not
// touched), every other package compiled already. It reports the build's wall and CPU
// time, the largest RSS of any process of the build (the link, whose memory this is
// about) and the binary's size. Only with PACHDEPLOY_BENCH_BUILD=1: the warm-up compiles
// whatever is stale, and a link of the cloud SDKs takes about 25 s and 6 GB.
func BenchmarkBuildCLI(b *testing.B) {
	if os.Getenv(envBuild) == "" {
		b.Skipf("set %s=1 (make bench BUILD=1): a link of the CLI takes about 25 s and 6 GB", envBuild)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		b.Fatal(err)
	}
	// Compile everything the CLI needs (export data; no link), so only the edit is built.
	warm := exec.Command("go", "list", "-export", "-deps", "./cmd/pachdeploy")
	warm.Dir = root
	if out, err := warm.CombinedOutput(); err != nil {
		b.Fatalf("go list -export: %v\n%s", err, out)
	}
	src := filepath.Join(root, "components", "aws", "cluster.go")
	orig, err := os.ReadFile(src)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "pachdeploy")
	var wall, cpu time.Duration
	var peak int64
	for i := 0; b.Loop(); i++ {
		edited := filepath.Join(dir, fmt.Sprintf("cluster%d.go", i))
		overlay := filepath.Join(dir, fmt.Sprintf("overlay%d.json", i))
		mark := fmt.Sprintf("\n// edited by tests/bench at %d\n", time.Now().UnixNano())
		spec, _ := json.Marshal(map[string]map[string]string{"Replace": {src: edited}})
		if err := os.WriteFile(edited, append(orig, mark...), 0o644); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(overlay, spec, 0o644); err != nil {
			b.Fatal(err)
		}
		build := exec.Command("go", "build", "-overlay", overlay, "-o", bin, "./cmd/pachdeploy")
		build.Dir = root
		start := time.Now()
		if out, err := build.CombinedOutput(); err != nil {
			b.Fatalf("go build: %v\n%s", err, out)
		}
		wall += time.Since(start)
		// The go command's usage includes the compile and link processes it waited for.
		cpu += build.ProcessState.UserTime() + build.ProcessState.SystemTime()
		peak = max(peak, build.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)
	}
	st, err := os.Stat(bin)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(wall.Seconds()/float64(b.N), "build-s")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s")
	b.ReportMetric(float64(peak<<10)/1e6, "peak-RSS-MB") // Maxrss is in KiB
	b.ReportMetric(float64(st.Size())/1e6, "binary-MB")
	b.ReportMetric(0, "ns/op")
}
