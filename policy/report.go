package policy

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteText writes the report for a person: failing findings, then waived ones, then
// the rules passed.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	open, waived := 0, 0
	for _, f := range r.Findings {
		if f.Waived != "" {
			waived++
			continue
		}
		open++
		fmt.Fprintf(&b, "%-8s %s (%s)\n  %s: %s\n  fix: %s\n", strings.ToUpper(f.Severity), f.Rule,
			strings.Join(f.Refs, ", "), f.URN, f.Message, f.Fix)
	}
	for _, f := range r.Findings {
		if f.Waived != "" {
			fmt.Fprintf(&b, "waived   %s (%s) on %s: %s\n", f.Rule, f.Severity, f.URN, f.Waived)
		}
	}
	fmt.Fprintf(&b, "%d rules: %d passed, %d findings, %d waived\n", r.Rules, len(r.Passed), open, waived)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report as one JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// sarifLevel maps a severity to a SARIF level.
func sarifLevel(s string) string {
	switch s {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	}
	return "note"
}

// WriteSARIF writes the report as SARIF 2.1.0, for GitHub code scanning: one result per
// finding, located in file (the stack's settings file, which is what a fix changes),
// waived findings as suppressed results with their reason.
func (r *Report) WriteSARIF(w io.Writer, rules []Rule, file string) error {
	type msg struct {
		Text string `json:"text"`
	}
	type sarifRule struct {
		ID                   string            `json:"id"`
		ShortDescription     msg               `json:"shortDescription"`
		Help                 msg               `json:"help"`
		DefaultConfiguration map[string]string `json:"defaultConfiguration"`
		Properties           map[string]any    `json:"properties"`
	}
	type result struct {
		RuleID       string           `json:"ruleId"`
		Level        string           `json:"level"`
		Message      msg              `json:"message"`
		Locations    []map[string]any `json:"locations"`
		Suppressions []map[string]any `json:"suppressions,omitempty"`
	}
	var driverRules []sarifRule
	for _, rule := range rules {
		driverRules = append(driverRules, sarifRule{ID: rule.ID, ShortDescription: msg{rule.Looks}, Help: msg{rule.Remediation},
			DefaultConfiguration: map[string]string{"level": sarifLevel(rule.Severity.String())},
			Properties:           map[string]any{"tags": append([]string{"security"}, rule.Refs...), "severity": rule.Severity.String()}})
	}
	results := []result{}
	for _, f := range r.Findings {
		res := result{RuleID: f.Rule, Level: sarifLevel(f.Severity), Message: msg{f.Message + " (" + f.URN + "). Fix: " + f.Fix},
			Locations: []map[string]any{{
				"physicalLocation": map[string]any{"artifactLocation": map[string]any{"uri": file}, "region": map[string]any{"startLine": 1}},
				"logicalLocations": []map[string]any{{"fullyQualifiedName": f.URN, "kind": "resource"}},
			}}}
		if f.Waived != "" {
			res.Suppressions = []map[string]any{{"kind": "external", "justification": f.Waived}}
		}
		results = append(results, res)
	}
	doc := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name": "pachdeploy check", "informationUri": "https://github.com/pachdeploy/pachdeploy", "rules": driverRules,
			}},
			"results": results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
