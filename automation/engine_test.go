package automation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// These tests run the real Pulumi CLI (bin/pulumi) with the stand-in providers
// (bin/testprovider/pulumi-resource-*, put first on PATH) on a file backend in a temp directory. `make tools` builds both.

const passwordType = "random:index/randomPassword:RandomPassword"

// bucket is a stand-in S3 bucket registered by type token (no AWS SDK in this test).
type bucket struct {
	pulumi.CustomResourceState
}

// runTiny creates a plain random string ("pet"), a secret password and a bucket retained on delete unless
// pachdeploy:deleteDataOnDestroy, and exports the pet and the password.
func runTiny(ctx *pulumi.Context) error {
	pet, err := random.NewRandomString(ctx, "pet", &random.RandomStringArgs{Length: pulumi.Int(8)})
	if err != nil {
		return err
	}
	pw, err := random.NewRandomPassword(ctx, "password", &random.RandomPasswordArgs{Length: pulumi.Int(16)})
	if err != nil {
		return err
	}
	deleteData, _ := ctx.GetConfig("pachdeploy:deleteDataOnDestroy")
	var b bucket
	err = ctx.RegisterResource("aws:s3/bucketV2:BucketV2", "data", pulumi.Map{"forceDestroy": pulumi.Bool(deleteData == "true")},
		&b, pulumi.RetainOnDelete(deleteData != "true"))
	if err != nil {
		return err
	}
	ctx.Export("pet", pet.Result)
	ctx.Export("password", pw.Result)
	return nil
}

// engine returns options for an isolated engine run: temp PULUMI_HOME, file backend,
// passphrase, the repo's bin/pulumi and stand-ins. It skips when bin/pulumi is missing.
func engine(t *testing.T, latency string) (stateDir string, opts []Option) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "bin", "pulumi")); err != nil {
		t.Skip("bin/pulumi is missing: run `make tools` to build the Pulumi CLI and the stand-in providers")
	}
	stateDir = t.TempDir()
	env := map[string]string{
		"PULUMI_HOME":              t.TempDir(),
		EnvPassphrase:              "engine-test",
		"PULUMI_SKIP_UPDATE_CHECK": "true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"PACHDEPLOY_TESTPROVIDER_LATENCY":             latency,
		"PATH": strings.Join([]string{filepath.Join(root, "bin", "testprovider"), filepath.Join(root, "bin"), os.Getenv("PATH")},
			string(os.PathListSeparator)),
	}
	return stateDir, []Option{
		WithPulumiCommand(root), WithStateDir(stateDir), WithEnv(env),
		WithConfig(&config.Config{Cloud: config.AWS, EnterpriseLicenseKey: "license-sekrit-1234"}),
	}
}

// deployed creates the stack "dev" running program and brings it up, failing the test
// on any error.
func deployed(t *testing.T, program Program, opts ...Option) *Stack {
	t.Helper()
	ctx := context.Background()
	s, err := New(ctx, "dev", program, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Up(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestEngine_UpOutputsPreviewDestroy(t *testing.T) {
	stateDir, opts := engine(t, "")
	ctx := context.Background()
	var progress bytes.Buffer
	s, err := New(ctx, "dev", tinyProgram, append(opts, WithProgress(&progress))...)
	if err != nil {
		t.Fatal(err)
	}
	up, err := s.Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if up.Totals["create"] < 4 || len(up.Changes) < 4 {
		t.Errorf("up: totals %v, changes %+v; want >= 4 creates", up.Totals, up.Changes)
	}
	for _, want := range []string{`creating   ` + passwordType + ` "password"`, `created    ` + passwordType + ` "password" (`} {
		if !strings.Contains(progress.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, progress.String())
		}
	}
	outs, err := s.Outputs(ctx, OutputsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Output{}
	for _, o := range outs {
		byName[o.Name] = o
	}
	if pw := byName["password"]; !pw.Secret || pw.Value != "[secret]" {
		t.Errorf("password output = %+v, want secret and redacted", pw)
	}
	if pet := byName["pet"]; pet.Secret || pet.Value == "" {
		t.Errorf("pet output = %+v, want plain value", pet)
	}
	shown, err := s.Outputs(ctx, OutputsOptions{ShowSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	var password string
	for _, o := range shown {
		if o.Name == "password" {
			password, _ = o.Value.(string)
		}
	}
	if len(password) != 16 {
		t.Fatalf("shown password = %q, want 16 characters", password)
	}
	files := readAll(t, stateDir)
	for _, secret := range []string{password, "license-sekrit-1234"} {
		if strings.Contains(files, secret) {
			t.Errorf("a secret is stored in plain text under the state directory")
		}
	}
	if strings.Contains(progress.String(), password) {
		t.Error("progress shows the password")
	}

	pre, err := s.Preview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pre.Changes) != 0 || pre.Totals["same"] < 4 {
		t.Errorf("preview after up: changes %+v totals %v, want none", pre.Changes, pre.Totals)
	}

	d, err := s.Destroy(ctx, DestroyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !d.DataKept || len(d.Retained) != 1 || !strings.HasSuffix(d.Retained[0], "::data") {
		t.Errorf("destroy: DataKept %v Retained %v, want the bucket kept", d.DataKept, d.Retained)
	}
	cfg, _, err := s.storedConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, set := cfg["deleteDataOnDestroy"]; set {
		t.Errorf("deleteDataOnDestroy left in config after destroy: %v", cfg)
	}
}

func TestEngine_DestroyDeleteDataRecordsRetentionFirst(t *testing.T) {
	_, opts := engine(t, "")
	ctx := context.Background()
	s := deployed(t, tinyProgram, opts...)
	d, err := s.Destroy(ctx, DestroyOptions{DeleteData: true})
	if err != nil {
		t.Fatal(err)
	}
	if d.DataKept || len(d.Retained) != 0 {
		t.Errorf("destroy --delete-data: DataKept %v Retained %v, want the bucket deleted", d.DataKept, d.Retained)
	}
	if d.Totals["delete"] < 4 {
		t.Errorf("destroy totals %v, want the bucket deleted too", d.Totals)
	}
}

// lineWaiter is a progress writer that signals when a line containing want is written.
type lineWaiter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
	once sync.Once
}

func newLineWaiter(want string) *lineWaiter {
	return &lineWaiter{want: want, seen: make(chan struct{})}
}

func (w *lineWaiter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

func (w *lineWaiter) wait(t *testing.T) {
	t.Helper()
	select {
	case <-w.seen:
	case <-time.After(2 * time.Minute):
		t.Fatalf("no progress line %q", w.want)
	}
}

func TestEngine_ConcurrentUpdateIsErrConcurrentUpdate(t *testing.T) {
	_, opts := engine(t, passwordType+"=8s")
	ctx := context.Background()
	started := newLineWaiter(`creating   ` + passwordType)
	first, err := New(ctx, "dev", tinyProgram, append(opts, WithProgress(started))...)
	if err != nil {
		t.Fatal(err)
	}
	firstErr := upInBackground(ctx, first)
	started.wait(t)
	second, err := New(ctx, "dev", tinyProgram, opts...)
	if err != nil {
		t.Fatal(err)
	}
	_, err = second.Up(ctx)
	if !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("second up: %v, want ErrConcurrentUpdate", err)
	}
	if err != nil && !strings.Contains(err.Error(), "pachdeploy cancel --stack dev") {
		t.Errorf("error does not say how to recover: %v", err)
	}
	if err := <-firstErr; err != nil {
		t.Errorf("first up: %v", err)
	}
}

func TestEngine_CancelGracefullyThenPreview(t *testing.T) {
	_, opts := engine(t, passwordType+"=5s")
	started := newLineWaiter(`creating   ` + passwordType)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := New(ctx, "dev", tinyProgram, append(opts, WithProgress(started))...)
	if err != nil {
		t.Fatal(err)
	}
	upErr := upInBackground(ctx, s)
	started.wait(t)

	cancel()
	err = <-upErr
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("up after cancel: %v, want context.Canceled", err)
	}

	pre, err := s.Preview(context.Background())
	if err != nil {
		t.Fatalf("preview after a cancelled up: %v", err)
	}
	if len(pre.PendingOperations) != 0 {
		t.Errorf("graceful cancel left pending operations: %+v", pre.PendingOperations)
	}
	if pre.Totals["create"] == 0 {
		t.Errorf("preview totals %v, want the password still to create", pre.Totals)
	}
}

func TestEngine_HardStopLeavesPendingOperationsAndRecovers(t *testing.T) {
	_, opts := engine(t, passwordType+"=5s")
	ctx := context.Background()
	stop := make(chan struct{})
	started := newLineWaiter(`creating   ` + passwordType)
	s, err := New(ctx, "dev", tinyProgram, append(opts, WithProgress(started), WithHardStop(stop))...)
	if err != nil {
		t.Fatal(err)
	}
	upErr := upInBackground(ctx, s)
	started.wait(t)
	time.Sleep(time.Second) // the engine records the pending create before calling the provider
	close(stop)
	if err := <-upErr; err == nil {
		t.Fatal("up survived a hard stop")
	}

	s, err = Open(ctx, "dev", tinyProgram, opts...)
	if err != nil {
		t.Fatal(err)
	}
	pre, err := s.Preview(ctx)
	if err != nil {
		t.Fatalf("preview after a hard stop: %v", err)
	}
	if len(pre.PendingOperations) != 1 || pre.PendingOperations[0].Type != passwordType {
		t.Fatalf("pending operations = %+v, want the password's create", pre.PendingOperations)
	}
	if _, err = s.Up(ctx); !errors.Is(err, ErrConcurrentUpdate) {
		t.Fatalf("up over the killed run's lock: %v, want ErrConcurrentUpdate", err)
	}
	if err := s.Cancel(ctx); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	_, err = s.Up(ctx)
	if !errors.Is(err, ErrPendingOperations) || !strings.Contains(err.Error(), "refresh --clear-pending") {
		t.Fatalf("up over pending operations: %v, want ErrPendingOperations naming refresh --clear-pending", err)
	}
	if _, err := s.Refresh(ctx, RefreshOptions{ClearPending: true}); err != nil {
		t.Fatalf("refresh --clear-pending: %v", err)
	}
	if _, err := s.Up(ctx); err != nil {
		t.Fatalf("up after recovery: %v", err)
	}
}

func TestEngine_FiveStacksInParallel(t *testing.T) {
	_, opts := engine(t, passwordType+"=1s")
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := New(ctx, fmt.Sprintf("par%d", i), tinyProgram, opts...)
			if err == nil {
				_, err = s.Up(ctx)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("stack par%d: %v", i, err)
		}
	}
}

// readAll concatenates every file under dir.
func readAll(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		b.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestEngine_DestroyRetriesDependencyViolation (R12): a destroy that fails with AWS's
// transient DependencyViolation is retried and then succeeds.
func TestEngine_DestroyRetriesDependencyViolation(t *testing.T) {
	saved := destroyBackoff
	destroyBackoff = 50 * time.Millisecond
	defer func() { destroyBackoff = saved }()
	_, opts := engine(t, "")
	opts = append(opts, WithEnv(map[string]string{
		"PACHDEPLOY_TESTPROVIDER_STATE": t.TempDir(),
		"PACHDEPLOY_TESTPROVIDER_FAIL":  passwordType + "=delete-once:DependencyViolation: resource sg-0abc has a dependent object",
	}))
	ctx := context.Background()
	var progress bytes.Buffer
	s, err := New(ctx, "retry", tinyProgram, append(opts, WithProgress(&progress))...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Destroy(ctx, DestroyOptions{}); err != nil {
		t.Fatalf("destroy did not recover from a transient DependencyViolation: %v", err)
	}
	if !strings.Contains(progress.String(), "DependencyViolation: retrying destroy") {
		t.Fatalf("no retry happened (the injected failure did not fire?):\n%s", progress.String())
	}
	res, err := s.Resources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Type == passwordType {
			t.Fatalf("the password is still in the stack after the retried destroy")
		}
	}
}

// upInBackground starts s.Up and returns where its error will arrive.
func upInBackground(ctx context.Context, s *Stack) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := s.Up(ctx)
		done <- err
	}()
	return done
}

// TestEngine_CLIProcessesPerOperation holds down the Pulumi CLI processes each operation
// runs (a process also asks the version once per binary: TestFindPulumiAsksEachBinaryOnce).
// A stack opened as a new process opens it (in a file backend, without `stack select`:
// the checkpoint file says the stack exists) reads the settings from its stack file,
// checks the backend's history once for settings another machine deployed, reads the
// state once (pending operations, what destroy keeps), then runs the engine: an up gets
// its outputs from the event stream and recognises itself in the history by its agent tag.
func TestEngine_CLIProcessesPerOperation(t *testing.T) {
	_, opts := engine(t, "")
	ctx := context.Background()
	count := func(s *Stack, what string, max int, op func() error) {
		t.Helper()
		before := len(s.cmd.commands())
		if err := op(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ran := s.cmd.commands()[before:]; len(ran) > max {
			t.Errorf("%s ran %d Pulumi CLI processes %q, want at most %d", what, len(ran), ran, max)
		}
	}
	noChanges := func(what string, r Report) {
		t.Helper()
		if n := r.Totals["create"] + r.Totals["update"] + r.Totals["delete"] + r.Totals["replace"]; n != 0 {
			t.Errorf("%s: totals %v, want no changes", what, r.Totals)
		}
	}

	// A new stack with settings given: the secret (the plain settings go straight into
	// the stack file, and a stack just created has no pending operations), up.
	first, err := New(ctx, "dev", tinyProgram, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if ran := first.cmd.commands(); len(ran) != 1 || ran[0] != "stack init" {
		t.Errorf("creating a stack of a file backend ran %q, want only stack init", ran)
	}
	var up *UpResult
	count(first, "the first up (config set --secret, up)", 2, func() (err error) { up, err = first.Up(ctx); return err })
	byName := map[string]Output{}
	for _, o := range up.Outputs {
		byName[o.Name] = o
	}
	if pw := byName["password"]; !pw.Secret || pw.Value != secretMark {
		t.Errorf("up's password output = %+v, want secret and redacted", pw)
	}
	if pet, _ := byName["pet"].Value.(string); byName["pet"].Secret || len(pet) != 8 {
		t.Errorf("up's pet output = %+v, want its plain 8-character value", byName["pet"])
	}

	checked := tinyProgram
	checks := 0
	checked.Check = func(settings map[string]string, _ policy.Resources) (*policy.Report, error) {
		if settings["cloud"] != "aws" {
			t.Errorf("the policy check got settings %v", settings)
		}
		checks++
		return &policy.Report{}, nil
	}
	var s *Stack
	count(first, "nothing (opening another Stack)", 0, func() (err error) {
		s, err = Open(ctx, "dev", checked, opts[:len(opts)-1]...) // without WithConfig: the stack's own settings
		return err
	})
	if ran := s.cmd.commands(); len(ran) > 0 {
		t.Errorf("opening a stack of a file backend ran %q, want nothing (its checkpoint says it exists)", ran)
	}
	for i := range 2 {
		count(s, fmt.Sprintf("warm no-change preview %d (history, export, preview)", i+1), 3, func() error {
			pre, err := s.Preview(ctx)
			if err == nil {
				noChanges("preview", pre.Report)
			}
			return err
		})
	}
	if checks != 2 {
		t.Errorf("%d policy checks in two previews", checks)
	}
	count(s, "a warm no-change up (history, export, up)", 3, func() error {
		up, err := s.Up(ctx)
		if err == nil {
			noChanges("up", up.Report)
			if len(up.Outputs) != 2 {
				t.Errorf("a no-change up's outputs = %+v, want pet and password", up.Outputs)
			}
		}
		return err
	})
	// The up ran with the engine's parallelism raised and named itself by its agent tag.
	last, err := s.stack.History(ctx, 1, 1)
	if err != nil || len(last) != 1 {
		t.Fatalf("history: %v, %v", last, err)
	}
	if env := last[0].Environment; env["pulumi.flag.parallel"] != "set" || env[execAgentKey] != s.agent {
		t.Errorf("the up's recorded flags and agent: %v; want --parallel set and agent %q", env, s.agent)
	}
	count(s, "a preview after this Stack's own up", 3, func() error { _, err := s.Preview(ctx); return err })
	var res *DestroyResult
	count(s, "destroy keeping the data (history, export, destroy)", 3, func() (err error) {
		res, err = s.Destroy(ctx, DestroyOptions{})
		return err
	})
	if !res.DataKept {
		t.Errorf("destroy: %+v, want the data kept", res)
	}

	// Deleting the data records the bucket's retention first: one targeted up and the
	// state read again.
	deployed(t, tinyProgram, opts...)
	count(s, "destroy deleting the data (history, export, up, export, destroy)", 5, func() (err error) {
		res, err = s.Destroy(ctx, DestroyOptions{DeleteData: true})
		return err
	})
	if res.DataKept || len(res.Retained) != 0 {
		t.Errorf("destroy deleting the data: %+v, want nothing retained", res)
	}
}
