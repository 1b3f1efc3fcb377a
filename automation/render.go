package automation

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// totalsOrder is the order totals are listed in; other operations follow, sorted.
var totalsOrder = []string{"create", "update", "replace", "delete", "read", "import", "same"}

// RenderMarkdown writes a comment-sized Markdown summary of a preview for a pull request:
// totals, a bold warning for each data-bearing resource replaced or deleted, the
// Pachyderm chart version change, and a table of changed resources with their changed
// keys, and the policy findings (rule, ids, resource name, fix). It never includes an
// input value other than the chart version.
func RenderMarkdown(w io.Writer, p *PreviewResult) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### pachdeploy preview: stack `%s`\n\n", code(p.Stack))
	fmt.Fprintf(&b, "**%s**\n\n", totalsText(p.Totals, true))
	for _, c := range p.DataLoss() {
		fmt.Fprintf(&b, "**⚠️ Data at risk: %s `%s` `%s` (%s).**\n\n", c.Op, code(c.Type), code(c.Name), c.DataAtRisk)
	}
	if v := p.ChartVersion; v != nil {
		fmt.Fprintf(&b, "Pachyderm chart version: %s → `%s`\n\n", orNone(v.Old), code(v.New))
	}
	if len(p.PendingOperations) > 0 {
		b.WriteString("**⚠️ Pending operations from an interrupted update** (run `pachdeploy refresh --clear-pending` after checking them):\n\n")
		for _, op := range p.PendingOperations {
			fmt.Fprintf(&b, "- %s `%s` `%s`\n", op.Op, code(op.Type), code(nameOf(op.URN)))
		}
		b.WriteString("\n")
	}
	if pol := p.Policy; pol != nil {
		var open, waived []string
		for _, f := range pol.Findings {
			line := fmt.Sprintf("- %s **%s** (%s) `%s`: %s", f.Severity, f.Rule, strings.Join(f.Refs, ", "), code(nameOf(f.URN)), f.Message)
			if f.Waived != "" {
				waived = append(waived, line+" (waived: "+f.Waived+")")
			} else {
				open = append(open, line+". Fix: "+f.Fix)
			}
		}
		fmt.Fprintf(&b, "Policy: %d rules, %d passed, %d findings, %d waived\n\n", pol.Rules, len(pol.Passed), len(open), len(waived))
		if len(open)+len(waived) > 0 {
			b.WriteString("<details><summary>Policy findings</summary>\n\n" + strings.Join(append(open, waived...), "\n") + "\n\n</details>\n\n")
		}
	}
	if len(p.Changes) > 0 {
		b.WriteString("| Operation | Type | Name | Changed keys |\n| --- | --- | --- | --- |\n")
		for _, c := range p.Changes {
			keys := make([]string, 0, len(c.Keys))
			for _, k := range c.Keys {
				keys = append(keys, "`"+cell(code(k))+"`")
			}
			fmt.Fprintf(&b, "| %s | `%s` | `%s` | %s |\n", c.Op, cell(code(c.Type)), cell(code(c.Name)), strings.Join(keys, ", "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// RenderJSON writes the preview as indented JSON (the same data as the Markdown).
func RenderJSON(w io.Writer, p *PreviewResult) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// totalsText lists the totals in a fixed order: "2 to create, 1 to update, 5 unchanged"
// when planned, else "2 created, 1 updated, 5 unchanged".
func totalsText(t map[string]int, planned bool) string {
	ops := make([]string, 0, len(t))
	for op := range t {
		ops = append(ops, op)
	}
	rank := func(op string) int {
		for i, o := range totalsOrder {
			if o == op {
				return i
			}
		}
		return len(totalsOrder)
	}
	sort.Slice(ops, func(i, j int) bool {
		if ri, rj := rank(ops[i]), rank(ops[j]); ri != rj {
			return ri < rj
		}
		return ops[i] < ops[j]
	})
	var parts []string
	for _, op := range ops {
		if t[op] == 0 {
			continue
		}
		if op == "same" {
			parts = append(parts, fmt.Sprintf("%d unchanged", t[op]))
		} else if planned {
			parts = append(parts, fmt.Sprintf("%d to %s", t[op], op))
		} else {
			parts = append(parts, fmt.Sprintf("%d %s", t[op], pastTense(op)))
		}
	}
	if len(parts) == 0 {
		return "No changes"
	}
	return strings.Join(parts, ", ")
}

// TotalsText summarizes a report's totals in one line.
func (r *Report) TotalsText() string { return totalsText(r.Totals, r.Operation == "preview") }

func pastTense(op string) string {
	switch op {
	case "read":
		return "read"
	case "create", "update", "replace", "delete":
		return op + "d"
	}
	return op + "ed"
}

// code strips backticks so a value cannot break out of a code span.
func code(s string) string { return strings.ReplaceAll(s, "`", "'") }

// cell escapes the table separator.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func orNone(v string) string {
	if v == "" {
		return "(none)"
	}
	return "`" + code(v) + "`"
}
