package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/policy"
)

// TestCheck_ExitCodesAndFormats: an unwaived finding at or above --fail-on exits 4,
// below it 0; JSON and SARIF carry the findings; a bad --fail-on is usage.
func TestCheck_ExitCodesAndFormats(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"high finding fails at the default", []string{"check", "--cloud", "aws"}, ExitPolicy, "PD-T-OPEN (CKV_T_1)"},
		{"below --fail-on critical passes", []string{"check", "--cloud", "aws", "--fail-on", "critical"}, ExitOK, "1 findings"},
		{"json", []string{"check", "--cloud", "aws", "--json", "--fail-on", "critical"}, ExitOK, `"rule": "PD-T-OPEN"`},
		{"sarif", []string{"check", "--cloud", "aws", "--format", "sarif", "--fail-on", "critical"}, ExitOK, `"ruleId": "PD-T-OPEN"`},
		{"bad --fail-on", []string{"check", "--cloud", "aws", "--fail-on", "severe"}, ExitUsage, ""},
		{"markdown is not a check format", []string{"check", "--cloud", "aws", "--format", "markdown"}, ExitUsage, ""},
		{"no cloud", []string{"check"}, ExitUsage, ""},
		{"rules", []string{"check", "--cloud", "aws", "--rules"}, ExitOK, "PD-T-FINE"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, &fakeDriver{}, false, "", tt.args...)
			if code != tt.code || !strings.Contains(stdout, tt.out) {
				t.Errorf("exit %d (want %d), stdout %q, stderr %q", code, tt.code, stdout, stderr)
			}
		})
	}
}

// TestCheck_SARIFIsValidShape: SARIF 2.1.0 with the rules and one located result.
func TestCheck_SARIFIsValidShape(t *testing.T) {
	_, stdout, _ := runCLI(t, &fakeDriver{}, false, "", "check", "--cloud", "aws", "--format", "sarif")
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct{ ID string } `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string           `json:"ruleId"`
				Level     string           `json:"level"`
				Locations []map[string]any `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if doc.Version != "2.1.0" || len(doc.Runs) != 1 || len(doc.Runs[0].Tool.Driver.Rules) != 2 ||
		len(doc.Runs[0].Results) != 1 || doc.Runs[0].Results[0].Level != "error" || len(doc.Runs[0].Results[0].Locations) != 1 {
		t.Errorf("unexpected SARIF: %s", stdout)
	}
}

// TestUp_FailOnReachesTheDriver: up --fail-on asks the driver to refuse at that
// severity; a bad value is usage, before any stack is opened; with new settings whose
// offline plan already fails, no stack is opened at all.
func TestUp_FailOnReachesTheDriver(t *testing.T) {
	d := &fakeDriver{}
	if code, _, stderr := runCLI(t, d, false, "", "up", "--yes", "--fail-on", "high"); code != ExitOK || d.req.FailOn != policy.High {
		t.Errorf("exit %d, request FailOn %v, stderr %q", code, d.req.FailOn, stderr)
	}
	d = &fakeDriver{}
	if code, _, stderr := runCLI(t, d, false, "", "up", "--yes", "--cloud", "aws", "--fail-on", "high"); code != ExitPolicy ||
		len(d.calls) != 0 || !strings.Contains(stderr, "PD-T-OPEN") {
		t.Errorf("offline finding: exit %d, calls %v, stderr %q", code, d.calls, stderr)
	}
	d = &fakeDriver{}
	if code, _, _ := runCLI(t, d, false, "", "up", "--yes", "--fail-on", "severe"); code != ExitUsage || len(d.calls) != 0 {
		t.Errorf("bad --fail-on: exit %d, calls %v", code, d.calls)
	}
}

// TestUp_ExpectFingerprintReachesTheDriver: up --expect-fingerprint asks the driver
// to apply only that preview; a value that is no fingerprint is usage, before any stack
// is opened.
func TestUp_ExpectFingerprintReachesTheDriver(t *testing.T) {
	const fp = "sha256:5cfb4cef083695ca29e473b579f473af6f76494ff2fe8859a505da96ff94682f"
	d := &fakeDriver{}
	if code, _, stderr := runCLI(t, d, false, "", "up", "--yes", "--expect-fingerprint", fp); code != ExitOK || d.req.Reviewed != fp {
		t.Errorf("exit %d, request Reviewed %q, stderr %q", code, d.req.Reviewed, stderr)
	}
	d = &fakeDriver{}
	if code, _, _ := runCLI(t, d, false, "", "up", "--yes", "--expect-fingerprint", "5cfb4cef"); code != ExitUsage || len(d.calls) != 0 {
		t.Errorf("bad --expect-fingerprint: exit %d, calls %v", code, d.calls)
	}
}

// TestPolicyPacksReachTheDriver: --policy-pack on preview and up is passed on.
func TestPolicyPacksReachTheDriver(t *testing.T) {
	for _, verb := range [][]string{{"preview"}, {"up", "--yes"}} {
		d := &fakeDriver{}
		args := append(append([]string{}, verb...), "--policy-pack", "packs/a", "--policy-pack", "packs/b")
		if code, _, stderr := runCLI(t, d, false, "", args...); code != ExitOK || strings.Join(d.req.PolicyPacks, ",") != "packs/a,packs/b" {
			t.Errorf("%v: exit %d, packs %v, stderr %q", verb, code, d.req.PolicyPacks, stderr)
		}
	}
}
