package plan

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/stacks"
	"github.com/pachdeploy/pachdeploy/stacks/config"
)

// TestCheckGolden pins the check's JSON and SARIF reports on each cloud's defaults:
// a change to a default or a rule shows up as a reviewable diff of
// testdata/check-<cloud>.{json,sarif}.
func TestCheckGolden(t *testing.T) {
	for _, target := range stacks.Targets {
		cloud := string(target.Settings.Cloud)
		t.Run(cloud, func(t *testing.T) {
			rep, err := build(t, map[string]string{"cloud": cloud}).Check()
			if err != nil {
				t.Fatal(err)
			}
			var js, sarif bytes.Buffer
			if err := rep.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			if err := rep.WriteSARIF(&sarif, stacks.Targets.Rules(config.Cloud(cloud)), "Pulumi.dev.yaml"); err != nil {
				t.Fatal(err)
			}
			for name, got := range map[string][]byte{"check-" + cloud + ".json": js.Bytes(), "check-" + cloud + ".sarif": sarif.Bytes()} {
				path := filepath.Join("testdata", name)
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil || !bytes.Equal(want, got) {
					t.Errorf("%s differs (%v); review and run `go test ./stacks/plan -update`", path, err)
				}
			}
		})
	}
}

// TestCheck_OpenAPIIsTheOnlyHighFindingOfTheDefaults, and apiAllowedCidrs closes it.
func TestCheck_OpenAPIIsTheOnlyHighFindingOfTheDefaults(t *testing.T) {
	for _, cloud := range []string{"aws", "gcp", "azure"} {
		rep, err := build(t, map[string]string{"cloud": cloud}).Check()
		if err != nil {
			t.Fatal(err)
		}
		high := rep.Failing(policy.High)
		if len(high) != 1 || high[0].Rule != map[string]string{"aws": "PD-AWS-API-OPEN", "gcp": "PD-GCP-API-OPEN", "azure": "PD-AZURE-API-OPEN"}[cloud] {
			t.Errorf("%s: high findings %+v, want only the open API", cloud, high)
		}
		rep, err = build(t, map[string]string{"cloud": cloud, "apiAllowedCidrs": "203.0.113.0/24"}).Check()
		if err != nil {
			t.Fatal(err)
		}
		if high := rep.Failing(policy.High); len(high) != 0 {
			t.Errorf("%s with apiAllowedCidrs: high findings %+v", cloud, high)
		}
	}
}

// TestCheck_WaiversFromSettings: policyWaivers accepts a finding with its reason; a
// waiver without a reason is a configuration error (before any plan), one of a rule
// that does not exist is refused by the check.
func TestCheck_WaiversFromSettings(t *testing.T) {
	rep, err := build(t, map[string]string{"cloud": "gcp", "policyWaivers": `{"PD-GCP-API-OPEN":"reached only through the VPN"}`}).Check()
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failing(policy.High)) != 0 {
		t.Errorf("waived finding still fails: %+v", rep.Failing(policy.High))
	}
	if _, err := Build(map[string]string{"cloud": "gcp", "policyWaivers": `{"PD-GCP-API-OPEN":""}`}, "dev"); err == nil {
		t.Error("a waiver without a reason was accepted")
	}
	if _, err := build(t, map[string]string{"cloud": "gcp", "policyWaivers": `{"PD-NOPE-RULE":"why"}`}).Check(); err == nil {
		t.Error("a waiver of no rule was accepted")
	}
}
