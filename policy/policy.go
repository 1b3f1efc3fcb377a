// Package policy is pachdeploy's policy check: rules that read the resources a stack
// asks for (an offline plan's, or a preview's new inputs) and report what breaks them,
// each finding with the checkov / trivy ids it corresponds to and the pachdeploy setting
// that fixes it. Each cloud's rules live in its target (components/<cloud>.Target); the
// Kubernetes rules every cloud shares are here. The package imports no cloud SDK.
package policy

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Severity orders findings; `--fail-on` refuses at or above one.
type Severity int

// The severities, lowest first.
const (
	Low Severity = iota + 1
	Medium
	High
	Critical
)

var severityNames = []string{Low: "low", Medium: "medium", High: "high", Critical: "critical"}

func (s Severity) String() string {
	if s < Low || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads low, medium, high or critical.
func ParseSeverity(v string) (Severity, error) {
	if i := slices.Index(severityNames, strings.ToLower(v)); i > 0 {
		return Severity(i), nil
	}
	return 0, fmt.Errorf("must be one of low, medium, high, critical")
}

// Resource is one resource as a rule sees it: inputs as plain values (maps, lists,
// strings, numbers, booleans); secrets appear as "[secret]", values only the cloud
// knows as strings marked "(known after deploy)".
type Resource struct {
	URN    string
	Type   string
	Name   string
	Inputs map[string]any
}

// Resources are what a stack asks for.
type Resources []Resource

// OfType returns the resources of type typ.
func (rs Resources) OfType(typ string) Resources {
	var out Resources
	for _, r := range rs {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Rule is one policy.
type Rule struct {
	// ID names the rule in findings and waivers (PD-AWS-S3-LOGGING).
	ID string
	// Refs are the checkov / trivy ids the rule corresponds to.
	Refs []string
	// Cloud is aws, gcp, azure, or "" for every cloud.
	Cloud string
	// Severity of a finding.
	Severity Severity
	// Looks says what the rule reads.
	Looks string
	// Remediation says how to fix a finding, naming the pachdeploy setting.
	Remediation string
	// Check returns one violation per resource that breaks the rule.
	Check func(rs Resources) []Violation
}

// Violation is one resource breaking a rule.
type Violation struct {
	URN     string
	Message string
}

// Finding is a violation with its rule, and the waiver's reason when waived.
type Finding struct {
	Rule     string   `json:"rule"`
	Refs     []string `json:"refs,omitempty"`
	Severity string   `json:"severity"`
	URN      string   `json:"urn"`
	Message  string   `json:"message"`
	Fix      string   `json:"remediation"`
	Waived   string   `json:"waived,omitempty"`

	severity Severity
}

// Report is the outcome of a check.
type Report struct {
	// Rules is how many rules were evaluated; Passed names those with no finding.
	Rules  int      `json:"rules"`
	Passed []string `json:"passed"`
	// Findings, unwaived first, most severe first.
	Findings []Finding `json:"findings"`
}

// Evaluate runs every rule for cloud over rs; waivers (rule id -> reason) turn
// findings into waived ones. A waiver of a rule that does not exist is an error, as
// is one without a reason: nothing is skipped silently.
func Evaluate(rules []Rule, cloud string, rs Resources, waivers map[string]string) (*Report, error) {
	known := map[string]bool{}
	for _, r := range rules {
		known[r.ID] = true
	}
	var problems []string
	for id, reason := range waivers {
		switch {
		case !known[id]:
			problems = append(problems, fmt.Sprintf("policyWaivers: %q is not a rule (see `pachdeploy check --rules`)", id))
		case strings.TrimSpace(reason) == "":
			problems = append(problems, fmt.Sprintf("policyWaivers: %s has no reason: say why the finding is accepted", id))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	rep := &Report{Passed: []string{}, Findings: []Finding{}}
	for _, r := range rules {
		if r.Cloud != "" && r.Cloud != cloud {
			continue
		}
		rep.Rules++
		vs := r.Check(rs)
		if len(vs) == 0 {
			rep.Passed = append(rep.Passed, r.ID)
		}
		for _, v := range vs {
			rep.Findings = append(rep.Findings, Finding{Rule: r.ID, Refs: r.Refs, Severity: r.Severity.String(),
				URN: v.URN, Message: v.Message, Fix: r.Remediation, Waived: waivers[r.ID], severity: r.Severity})
		}
	}
	sort.SliceStable(rep.Findings, func(i, j int) bool {
		a, b := rep.Findings[i], rep.Findings[j]
		if (a.Waived == "") != (b.Waived == "") {
			return a.Waived == ""
		}
		if a.severity != b.severity {
			return a.severity > b.severity
		}
		return a.Rule+a.URN < b.Rule+b.URN
	})
	return rep, nil
}

// Failing returns the unwaived findings at or above s.
func (r *Report) Failing(s Severity) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Waived == "" && f.severity >= s {
			out = append(out, f)
		}
	}
	return out
}
