package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	cliOnce sync.Once
	cliPath string
	cliErr  error
)

// TestMain removes the CLI binary cli built (a few hundred MB) after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if cliPath != "" && cliErr == nil {
		_ = os.RemoveAll(filepath.Dir(cliPath))
	}
	os.Exit(code)
}

// cli builds the pachdeploy binary once per test run, stripped as `make cli` builds it.
func cli(t *testing.T) string {
	t.Helper()
	cliOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pachdeploy-cli")
		if err != nil {
			cliErr = err
			return
		}
		cliPath = filepath.Join(dir, "pachdeploy")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", cliPath, "./cmd/pachdeploy")
		cmd.Dir = repoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			cliErr = err
			cliPath = string(out)
		}
	})
	if cliErr != nil {
		t.Fatalf("building the CLI: %v\n%s", cliErr, cliPath)
	}
	return cliPath
}

// run runs the CLI binary with the harness's environment (stand-ins first on PATH), no
// terminal on stdin, and returns its exit code and output.
func (h *harness) run(ctx context.Context, args ...string) (int, string, string) {
	h.t.Helper()
	cmd := exec.CommandContext(ctx, cli(h.t), args...)
	cmd.Dir = h.t.TempDir()
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+filepath.Join(filepath.Dir(h.state), "xdg"))
	for k, v := range h.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		exit, ok := err.(*exec.ExitError)
		if !ok {
			h.t.Fatalf("pachdeploy %v: %v", args, err)
		}
		code = exit.ExitCode()
	}
	return code, stdout.String(), stderr.String()
}

// TestCLIPlanJSONMatchesGolden: `pachdeploy plan --cloud C --json` prints exactly the
// reviewed plan of stacks/plan/testdata, with no Pulumi CLI or plugin involved.
func TestCLIPlanJSONMatchesGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI: skipped with -short")
	}
	ctx := context.Background()
	h := &harness{t: t, root: repoRoot(t), state: filepath.Join(t.TempDir(), "cloud"),
		env: map[string]string{"PATH": "/nonexistent"}}
	for _, cloud := range []string{"aws", "gcp", "azure"} {
		code, out, stderr := h.run(ctx, "plan", "--cloud", cloud, "--json")
		if code != 0 {
			t.Fatalf("plan --cloud %s: exit %d: %s", cloud, code, stderr)
		}
		want, err := os.ReadFile(filepath.Join(h.root, "stacks", "plan", "testdata", cloud+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if out != string(want) {
			t.Errorf("plan --cloud %s --json differs from stacks/plan/testdata/%s.json", cloud, cloud)
		}
	}
}

// TestCLILifecycle drives the CLI binary through up, preview (markdown), outputs and
// destroy per cloud, against the stand-in providers.
func TestCLILifecycle(t *testing.T) {
	for _, c := range cloudCases {
		t.Run(c.cloud, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			h := newHarness(t)
			cfg := filepath.Join(t.TempDir(), "settings.yaml")
			var b strings.Builder
			for k, v := range settingsFor(c, nil) {
				b.WriteString(k + ": " + v + "\n")
			}
			if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
				t.Fatal(err)
			}

			if code, _, stderr := h.run(ctx, "up", "--stack", "cli", "--config", cfg); code != 2 || !strings.Contains(stderr, "--yes") {
				t.Fatalf("up without a terminal and without --yes: exit %d, %q", code, stderr)
			}
			code, out, stderr := h.run(ctx, "up", "--stack", "cli", "--config", cfg, "--yes")
			if code != 0 {
				t.Fatalf("up: exit %d\n%s\n%s", code, out, stderr)
			}
			assertNoSecret(t, "up output", out+stderr)

			code, md, stderr := h.run(ctx, "preview", "--stack", "cli", "--format", "markdown")
			if code != 0 || !strings.Contains(md, "cli") {
				t.Fatalf("preview markdown: exit %d\n%s\n%s", code, md, stderr)
			}
			assertNoSecret(t, "markdown preview", md)

			code, js, stderr := h.run(ctx, "outputs", "--stack", "cli", "--json")
			if code != 0 || !strings.Contains(js, `"[secret]"`) || !strings.Contains(js, c.cloud) {
				t.Fatalf("outputs --json: exit %d\n%s\n%s", code, js, stderr)
			}
			assertNoSecret(t, "outputs", js)

			if code, _, stderr := h.run(ctx, "destroy", "--stack", "cli"); code != 2 {
				t.Fatalf("destroy without --yes: exit %d %q", code, stderr)
			}
			code, out, stderr = h.run(ctx, "destroy", "--stack", "cli", "--yes")
			if code != 0 {
				t.Fatalf("destroy: exit %d\n%s\n%s", code, out, stderr)
			}
			for _, typ := range c.data {
				if n := h.count("delete", typ); n != 0 {
					t.Errorf("destroy deleted %d %s", n, typ)
				}
			}
			if h.count("delete", releaseType) == 0 {
				t.Error("destroy did not delete the release")
			}
		})
	}
}

// TestCLIConcurrentUp: a second up on a stack that is being updated exits 3 with a
// message, the first one completes, and the stack is usable afterwards.
func TestCLIConcurrentUp(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	h := newHarness(t)
	// Only the update itself waits (as a cloud would): long enough for the second up to
	// find the lock even on a busy machine.
	h.env["PACHDEPLOY_TESTPROVIDER_LATENCY"] = releaseType + "=8s"
	if code, _, stderr := h.run(ctx, "up", "--stack", "locked", "--cloud", "aws", "--yes"); code != 0 {
		t.Fatalf("first up: %d %s", code, stderr)
	}
	// Change something so the next up holds the lock while it updates the release.
	cfg := filepath.Join(t.TempDir(), "settings.yaml")
	os.WriteFile(cfg, []byte("cloud: aws\nchartVersion: 2.11.7\n"), 0o600)

	first := make(chan int, 1)
	go func() {
		code, _, _ := h.run(ctx, "up", "--stack", "locked", "--config", cfg, "--yes")
		first <- code
	}()
	locks := filepath.Join(strings.TrimPrefix(h.backend, "file://"), ".pulumi", "locks")
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if entries, _ := filepath.Glob(filepath.Join(locks, "*", "*", "*", "*.json")); len(entries) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first up never took the stack lock")
		}
		time.Sleep(100 * time.Millisecond)
	}
	code, _, stderr := h.run(ctx, "up", "--stack", "locked", "--yes")
	if code != 3 || !strings.Contains(strings.ToLower(stderr), "lock") {
		t.Fatalf("second up: exit %d, want 3 with a lock message: %q", code, stderr)
	}
	if code := <-first; code != 0 {
		t.Fatalf("first up failed: exit %d", code)
	}
	if code, _, stderr := h.run(ctx, "preview", "--stack", "locked"); code != 0 {
		t.Fatalf("preview after the conflict: exit %d %s", code, stderr)
	}
}

// assertNoSecret fails when text holds the license or anything that looks like the
// stand-in kubeconfig's credentials.
func assertNoSecret(t *testing.T, what, text string) {
	t.Helper()
	for _, s := range []string{licenseKey, "token: ", "client-key-data"} {
		if strings.Contains(text, s) {
			t.Errorf("%s shows a secret (%q)", what, s)
		}
	}
}

// TestCLINeverFindsStandInsOnItsOwn guards real deploys: with only bin/ (the real
// Pulumi CLI) on PATH, the stand-in providers must not be found, so an `up` can never
// "deploy" to the fake cloud.
func TestCLINeverFindsStandInsOnItsOwn(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	h := newHarness(t)
	h.env["PATH"] = filepath.Join(h.root, "bin") + string(os.PathListSeparator) + os.Getenv("PATH")
	code, out, stderr := h.run(ctx, "up", "--stack", "real", "--cloud", "aws", "--yes")
	if code == 0 {
		t.Fatalf("up succeeded without any provider plugin on PATH:\n%s", out)
	}
	if !strings.Contains(stderr, "plugin") {
		t.Errorf("the failure does not name the missing plugin: %q", stderr)
	}
	if files, _ := filepath.Glob(filepath.Join(h.state, "*.json")); len(files) != 0 {
		t.Fatalf("the stand-in cloud was used: %d resources", len(files))
	}
}

// TestCLIInterruptThenRecover sends the CLI one interrupt (Ctrl-C) while it waits on a
// slow release: the update stops, the stack is left unlocked, a preview works, and the
// next up converges.
func TestCLIInterruptThenRecover(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	h := newHarness(t)
	h.env["PACHDEPLOY_TESTPROVIDER_LATENCY"] = releaseType + "=2m"

	cmd := exec.CommandContext(ctx, cli(t), "up", "--stack", "interrupted", "--cloud", "aws", "--yes")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+filepath.Join(filepath.Dir(h.state), "xdg"))
	for k, v := range h.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(readFile(h.logf), releaseType) {
		if ctx.Err() != nil {
			t.Fatal("the up never reached the release")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if err == nil {
		t.Fatal("an interrupted up reported success")
	}
	if !strings.Contains(stderr.String(), "Cancelling") {
		t.Errorf("no word that the interrupt was taken: %q", stderr.String())
	}

	delete(h.env, "PACHDEPLOY_TESTPROVIDER_LATENCY")
	if code, _, se := h.run(ctx, "preview", "--stack", "interrupted"); code != 0 {
		t.Fatalf("preview after the interrupt: exit %d (a lock left behind?) %s", code, se)
	}
	if code, _, se := h.run(ctx, "up", "--stack", "interrupted", "--yes"); code != 0 {
		t.Fatalf("up after the interrupt does not converge: exit %d %s", code, se)
	}
	if n := len(h.records(releaseType)); n != 1 {
		t.Fatalf("%d releases after recovery, want 1", n)
	}
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}
