package automation

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3"
)

// fakePulumi writes root/bin/pulumi: a script that logs each call to root/calls and
// answers `version` with the SDK's version.
func fakePulumi(t *testing.T, root string) (calls func() int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(root, "calls")
	script := "#!/bin/sh\necho \"$@\" >> '" + log + "'\necho v" + sdk.Version.String() + "\n"
	if err := os.WriteFile(filepath.Join(root, "bin", "pulumi"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return func() int {
		b, _ := os.ReadFile(log)
		return strings.Count(string(b), "version")
	}
}

// TestFindPulumiAsksEachBinaryOnce: opening many stacks runs `pulumi version` once per
// binary; a binary replaced in place is asked again.
func TestFindPulumiAsksEachBinaryOnce(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	root := t.TempDir()
	calls := fakePulumi(t, root)
	for i := 0; i < 3; i++ {
		info, err := FindPulumi(root)
		if err != nil {
			t.Fatal(err)
		}
		if info.Version != sdk.Version.String() {
			t.Fatalf("version = %q, want %q", info.Version, sdk.Version)
		}
	}
	if n := calls(); n != 1 {
		t.Errorf("pulumi version ran %d times for one binary, want 1", n)
	}
	// A rebuilt binary (new modification time) is asked again.
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(filepath.Join(root, "bin", "pulumi"), later, later); err != nil {
		t.Fatal(err)
	}
	if _, err := FindPulumi(root); err != nil {
		t.Fatal(err)
	}
	if n := calls(); n != 2 {
		t.Errorf("pulumi version ran %d times after the binary changed, want 2", n)
	}

	// A new process (nothing in memory) reads the version kept on disk; with another
	// cache directory, or a torn cache file, it asks again.
	forget := func() { pulumiVersions.Clear() }
	forget()
	if info, err := FindPulumi(root); err != nil || info.Version != sdk.Version.String() {
		t.Fatalf("FindPulumi from disk = %+v, %v", info, err)
	}
	if n := calls(); n != 2 {
		t.Errorf("pulumi version ran %d times in a new process, want 2 (the disk answers)", n)
	}
	key, _ := binaryKey(filepath.Join(root, "bin", "pulumi"))
	if err := os.WriteFile(versionFile(key), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	forget()
	if _, err := FindPulumi(root); err != nil {
		t.Fatal(err)
	}
	if n := calls(); n != 3 {
		t.Errorf("pulumi version ran %d times after the cache file was torn, want 3", n)
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	forget()
	if _, err := FindPulumi(root); err != nil {
		t.Fatal(err)
	}
	if n := calls(); n != 4 {
		t.Errorf("pulumi version ran %d times with an empty cache, want 4", n)
	}
}
