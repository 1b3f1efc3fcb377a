// Package policytest checks policy rules against resources that break them and
// resources that keep them. It imports testing: only _test.go files may import it.
package policytest

import (
	"testing"

	"github.com/pachdeploy/pachdeploy/policy"
)

// Case is one rule's test: Broken must give at least one violation, Fixed none.
type Case struct {
	Rule          string
	Broken, Fixed policy.Resources
}

// Run checks every case, and that every rule in rules has one.
func Run(t *testing.T, rules []policy.Rule, cases []Case) {
	t.Helper()
	byID := map[string]policy.Rule{}
	for _, r := range rules {
		byID[r.ID] = r
	}
	tested := map[string]bool{}
	for _, c := range cases {
		t.Run(c.Rule, func(t *testing.T) {
			r, ok := byID[c.Rule]
			if !ok {
				t.Fatalf("no rule %s", c.Rule)
			}
			tested[c.Rule] = true
			if vs := r.Check(c.Broken); len(vs) == 0 {
				t.Errorf("%s passes a resource that breaks it", c.Rule)
			}
			if vs := r.Check(c.Fixed); len(vs) != 0 {
				t.Errorf("%s fails the fixed resource: %v", c.Rule, vs)
			}
			if r.Remediation == "" || r.Looks == "" || len(r.Refs) == 0 || r.Severity == 0 {
				t.Errorf("%s lacks what a finding shows (refs, severity, what it looks at, remediation)", c.Rule)
			}
		})
	}
	for id := range byID {
		if !tested[id] {
			t.Errorf("rule %s has no test case", id)
		}
	}
}

// One is a single resource of typ with inputs.
func One(typ string, inputs map[string]any) policy.Resources {
	return policy.Resources{{URN: "urn:pulumi:test::pachdeploy::" + typ + "::r", Type: typ, Name: "r", Inputs: inputs}}
}
