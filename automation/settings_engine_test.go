package automation

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// failingRegion makes regionProgram fail: an up with it is a failed up.
const failingRegion = "eu-central-1"

// runRegion is runTiny that fails when pachdeploy:region is failingRegion.
func runRegion(ctx *pulumi.Context) error {
	if r, _ := ctx.GetConfig("pachdeploy:region"); r == failingRegion {
		return errors.New("the cloud refused the region")
	}
	return runTiny(ctx)
}

func awsIn(region string) Option {
	return WithConfig(&config.Config{Cloud: config.AWS, Region: region, EnterpriseLicenseKey: "license-sekrit-1234"})
}

// storedRegion reads the region a stack holds, through a fresh Open without settings
// (which first brings the stack's settings up to date from the backend).
func storedRegion(t *testing.T, opts []Option) string {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, "dev", regionProgram, append(slices.Clone(opts), WithConfig(nil))...)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.syncSettings(ctx); err != nil {
		t.Fatal(err)
	}
	raw, plaintext, err := s.storedConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if raw["enterpriseLicenseKey"] != secretMark || strings.Contains(strings.Join(plaintext, ","), "enterpriseLicenseKey") {
		t.Errorf("the license is not stored as a secret: %v", raw)
	}
	return raw["region"]
}

// TestEngine_SettingsKeptOnlyOnceTheEngineAcceptsAnUp: settings become the stack's once
// the engine accepts an up with them. A preview and an up refused by the lock leave the
// stack's settings exactly as they were; an up the engine ran keeps them even if it
// failed (resources may reflect them), and every machine then agrees.
func TestEngine_SettingsKeptOnlyOnceTheEngineAcceptsAnUp(t *testing.T) {
	stateDir, opts := engine(t, "")
	ctx := context.Background()
	s, err := New(ctx, "dev", regionProgram, append(opts, awsIn("us-west-2"))...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Up(ctx); err != nil {
		t.Fatal(err)
	}
	settingsFile := s.settingsFile()
	before, err := os.ReadFile(settingsFile)
	if err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name string
		run  func(s *Stack) error
		want error
	}{
		{"preview", func(s *Stack) error { _, err := s.Preview(ctx); return err }, nil},
		{"up refused by the lock", func(s *Stack) error {
			lock := filepath.Join(stateDir, "backend", ".pulumi", "locks", "organization", Project, "dev", "held.json")
			writeFile(t, lock, `{"pid":1,"username":"other","hostname":"ci","timestamp":"2026-12-02T00:00:00Z"}`)
			defer os.Remove(lock)
			_, err := s.Up(ctx)
			return err
		}, ErrConcurrentUpdate},
	} {
		t.Run(tt.name, func(t *testing.T) {
			other, err := New(ctx, "dev", regionProgram, append(opts, awsIn("ap-south-1"))...)
			if err != nil {
				t.Fatal(err)
			}
			err = tt.run(other)
			if (tt.want == nil) != (err == nil) || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			after, err := os.ReadFile(settingsFile)
			if err != nil || string(after) != string(before) {
				t.Errorf("the stack file changed:\n%s\nwant:\n%s", after, before)
			}
			if got := storedRegion(t, opts); got != "us-west-2" {
				t.Errorf("stored region %q after a %s, want us-west-2", got, tt.name)
			}
		})
	}

	for _, tt := range []struct {
		region string
		want   error
	}{{failingRegion, ErrOperationFailed}, {"ap-south-1", nil}} {
		next, err := New(ctx, "dev", regionProgram, append(opts, awsIn(tt.region))...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := next.Up(ctx); !errors.Is(err, tt.want) {
			t.Fatalf("up in %s: %v, want %v", tt.region, err, tt.want)
		}
		if got := storedRegion(t, opts); got != tt.region {
			t.Errorf("stored region %q after an up the engine ran, want %s", got, tt.region)
		}
		another := append(slices.Clone(opts), WithStateDir(t.TempDir()),
			WithBackend("file://"+filepath.ToSlash(filepath.Join(stateDir, "backend"))))
		if got := storedRegion(t, another); got != tt.region {
			t.Errorf("another machine sees region %q, want %s", got, tt.region)
		}
	}
}

// TestEngine_SettingsFoundFromAnyMachine: another machine (its own state directory, so
// its own workspaces), another spelling of the backend URL, or CI sees the settings of
// the last succeeded up, with the license still a secret; destroy's retention run does
// not leak its deleteDataOnDestroy into them.
func TestEngine_SettingsFoundFromAnyMachine(t *testing.T) {
	_, opts := engine(t, "")
	ctx := context.Background()
	backend := "file://" + filepath.ToSlash(t.TempDir())
	first := append(slices.Clone(opts), WithBackend(backend+"/"))
	s := deployed(t, regionProgram, append(first, awsIn("eu-west-1"))...)
	// Destroy with DeleteData first records the bucket's retention through a targeted up
	// with deleteDataOnDestroy set, then restores the setting.
	if _, err := s.Destroy(ctx, DestroyOptions{DeleteData: true}); err != nil {
		t.Fatal(err)
	}

	ci := append(slices.Clone(opts), WithStateDir(t.TempDir()), WithBackend(backend))
	if got := storedRegion(t, ci); got != "eu-west-1" {
		t.Fatalf("another machine sees region %q, want eu-west-1", got)
	}
	other, err := Open(ctx, "dev", regionProgram, append(ci, WithConfig(nil))...)
	if err != nil {
		t.Fatal(err)
	}
	pre, err := other.Preview(ctx)
	if err != nil {
		t.Fatalf("preview from another machine: %v", err)
	}
	if pre.Totals["create"] == 0 {
		t.Errorf("preview after destroy: %v, want the resources to be created again", pre.Totals)
	}
	raw, _, err := other.storedConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, set := raw["deleteDataOnDestroy"]; set {
		t.Errorf("destroy's retention setting became a stack setting: %v", raw)
	}
}

// TestEngine_DamagedStateSaysHowToRecover: a state file cut short is ErrDamagedState,
// with the way back through the .bak and the history.
func TestEngine_DamagedStateSaysHowToRecover(t *testing.T) {
	stateDir, opts := engine(t, "")
	ctx := context.Background()
	s := deployed(t, tinyProgram, opts...)
	state := filepath.Join(stateDir, "backend", ".pulumi", "stacks", Project, "dev.json")
	b, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, state, string(b[:len(b)/2]))
	_, err = s.Preview(ctx)
	if !errors.Is(err, ErrDamagedState) {
		t.Fatalf("err = %v, want ErrDamagedState", err)
	}
	for _, want := range []string{".json.bak", ".pulumi/history", "pulumi stack import --file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

// TestEngine_WrongPassphraseDoesNotPoisonTheWorkspace: a run with a wrong passphrase on a
// new machine fails with ErrWrongPassphrase, and the right passphrase works afterwards
// (the CLI had written a salt of the wrong passphrase into the workspace before).
func TestEngine_WrongPassphraseDoesNotPoisonTheWorkspace(t *testing.T) {
	stateDir, opts := engine(t, "")
	ctx := context.Background()
	// No secret setting: the history then decrypts with any passphrase, and only the
	// state's secrets (the password) tell a wrong one.
	deployed(t, tinyProgram, append(slices.Clone(opts), WithConfig(&config.Config{Cloud: config.AWS}))...)
	machine := append(slices.Clone(opts), WithStateDir(t.TempDir()), WithConfig(nil),
		WithBackend("file://"+filepath.ToSlash(filepath.Join(stateDir, "backend"))))
	wrong, err := Open(ctx, "dev", tinyProgram, append(slices.Clone(machine), WithEnv(map[string]string{EnvPassphrase: "not-it"}))...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.Preview(ctx); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("preview with a wrong passphrase: %v, want ErrWrongPassphrase", err)
	}
	right, err := Open(ctx, "dev", tinyProgram, machine...)
	if err != nil {
		t.Fatal(err)
	}
	pre, err := right.Preview(ctx)
	if err != nil {
		t.Fatalf("preview with the right passphrase afterwards: %v", err)
	}
	if len(pre.Changes) != 0 {
		t.Errorf("preview with the right passphrase: changes %+v, want none", pre.Changes)
	}
}

// TestEngine_UpRefusedOnAPolicyFindingUntilWaived: with WithPolicyFailOn, an up whose
// preview has an unwaived finding at that severity is refused before any change
// (ErrPolicy); once the stack's settings waive it, the up runs.
func TestEngine_UpRefusedOnAPolicyFindingUntilWaived(t *testing.T) {
	stateDir, opts := engine(t, "")
	ctx := context.Background()
	program := testProgram(runTiny)
	program.Check = func(settings map[string]string, rs policy.Resources) (*policy.Report, error) {
		cfg, err := config.Parse(settings)
		if err != nil {
			return nil, err
		}
		rule := policy.Rule{ID: "PD-TEST-BUCKET", Refs: []string{"CKV_TEST"}, Severity: policy.High,
			Check: policy.Each(bucketType, "a bucket", func(map[string]any) bool { return true })}
		return policy.Evaluate([]policy.Rule{rule}, "aws", rs, cfg.PolicyWaivers)
	}
	withFailOn := append(slices.Clone(opts), WithPolicyFailOn(policy.High))
	s, err := New(ctx, "dev", program, withFailOn...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Up(ctx); !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), "PD-TEST-BUCKET") {
		t.Fatalf("up with an unwaived finding: %v, want ErrPolicy naming the rule", err)
	}
	if state, _ := os.ReadFile(filepath.Join(stateDir, "backend", ".pulumi", "stacks", Project, "dev.json")); strings.Contains(string(state), bucketType) {
		t.Fatal("the refused up created the bucket")
	}
	waived := &config.Config{Cloud: config.AWS, EnterpriseLicenseKey: "license-sekrit-1234",
		PolicyWaivers: map[string]string{"PD-TEST-BUCKET": "the test accepts it"}}
	s, err = New(ctx, "dev", program, append(withFailOn, WithConfig(waived))...)
	if err != nil {
		t.Fatal(err)
	}
	up, err := s.Up(ctx)
	if err != nil {
		t.Fatalf("up once waived: %v", err)
	}
	if up.Totals["create"] == 0 {
		t.Errorf("up once waived created nothing: %v", up.Totals)
	}
	pre, err := s.Preview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pre.Policy == nil || len(pre.Policy.Findings) != 1 || pre.Policy.Findings[0].Waived != "the test accepts it" {
		t.Errorf("preview's policy report %+v, want the waived finding", pre.Policy)
	}
}
