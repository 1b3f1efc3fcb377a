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

// RenderJSON writes the preview as indented JSON (the same data as the Markdown), with
// its fingerprint.
func RenderJSON(w io.Writer, p *PreviewResult) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		*PreviewResult
		Fingerprint string `json:"fingerprint"`
	}{p, p.Fingerprint()})
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
