package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/pachdeploy/pachdeploy/automation"
)

// printReport writes a report as text: changes, data at risk, chart version, pending
// operations, warnings and totals.
func printReport(w io.Writer, r *automation.Report) {
	if len(r.Changes) > 0 {
		fmt.Fprintln(w, "Changes:")
		for _, c := range r.Changes {
			keys := ""
			if len(c.Keys) > 0 {
				keys = " (" + strings.Join(c.Keys, ", ") + ")"
			}
			failed := ""
			if c.Failed {
				failed = " FAILED"
			}
			fmt.Fprintf(w, "  %-8s %s %q%s%s\n", c.Op, c.Type, c.Name, keys, failed)
		}
	}
	for _, c := range r.DataLoss() {
		fmt.Fprintf(w, "WARNING: data at risk: %s %s %q (%s)\n", c.Op, c.Type, c.Name, c.DataAtRisk)
	}
	if v := r.ChartVersion; v != nil {
		fmt.Fprintf(w, "Pachyderm chart version: %s -> %s\n", orNone(v.Old), v.New)
	}
	if len(r.PendingOperations) > 0 {
		fmt.Fprintln(w, "Pending operations from an interrupted update (check them, then run `pachdeploy refresh --clear-pending`):")
		for _, p := range r.PendingOperations {
			fmt.Fprintf(w, "  %s %s\n", p.Op, p.URN)
		}
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
	if p := r.Policy; p != nil {
		open := 0
		for _, f := range p.Findings {
			if f.Waived == "" {
				open++
				fmt.Fprintf(w, "policy: %s %s on %s: %s (fix: %s)\n", f.Severity, f.Rule, f.URN, f.Message, f.Fix)
			}
		}
		fmt.Fprintf(w, "Policy: %d rules, %d passed, %d findings, %d waived\n", p.Rules, len(p.Passed), open, len(p.Findings)-open)
	}
	fmt.Fprintf(w, "Resources: %s\n", r.TotalsText())
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printOutputs writes outputs one a line, name: value; secrets read [secret] unless shown.
func printOutputs(w io.Writer, outs []automation.Output) {
	for _, o := range outs {
		v, ok := o.Value.(string)
		if !ok {
			b, _ := json.Marshal(o.Value)
			v = string(b)
		}
		fmt.Fprintf(w, "%s: %s\n", o.Name, v)
	}
}
