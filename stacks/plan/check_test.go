package plan

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
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

// TestCheck_WeakenedConfigIsRefused: a valuesFile that turns a protection off (the
// chart's well-known postgres password back, a service account re-pointed) is refused
// before any plan, naming the key; a wildcard identity in what would be deployed (as a
// changed component would make it) is a critical finding, which `up --fail-on high`
// refuses; the example stack has neither.
func TestCheck_WeakenedConfigIsRefused(t *testing.T) {
	base := map[string]string{"cloud": "aws", "apiAllowedCidrs": "203.0.113.0/24"}
	for name, values := range map[string]string{
		"global.postgresql.postgresqlPassword":              "global:\n  postgresql:\n    postgresqlPassword: insecure-user-password\n",
		"pachd.worker.serviceAccount.additionalAnnotations": "pachd:\n  worker:\n    serviceAccount:\n      additionalAnnotations:\n        eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/admin\n",
	} {
		path := filepath.Join(t.TempDir(), "weak.yaml")
		if err := os.WriteFile(path, []byte(values), 0o600); err != nil {
			t.Fatal(err)
		}
		raw := maps.Clone(base)
		raw["valuesFile"] = path
		if _, err := Build(raw, "dev"); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("valuesFile setting %s: %v, want it refused by name", name, err)
		}
	}

	p := build(t, base)
	rep, err := p.Check()
	if err != nil {
		t.Fatal(err)
	}
	if failing := rep.Failing(policy.Low); len(failing) != 0 {
		t.Fatalf("defaults with apiAllowedCidrs: %+v", failing)
	}
	widened := 0
	for _, r := range p.Resources {
		if r.Type == "aws:iam/rolePolicy:RolePolicy" && strings.Contains(fmt.Sprint(r.Inputs["policy"]), "ReadWritePachydermObjects") {
			r.Inputs["policy"] = `{"Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::*/*"]}]}`
			widened++
		}
	}
	if widened != 1 {
		t.Fatalf("found %d identity policies to widen, want 1", widened)
	}
	rep, err = p.Check()
	if err != nil {
		t.Fatal(err)
	}
	if failing := rep.Failing(policy.High); len(failing) != 1 || failing[0].Rule != "PD-AWS-IAM-WILDCARD" {
		t.Errorf("wildcard identity: failing at high %+v, want PD-AWS-IAM-WILDCARD", failing)
	}
}
