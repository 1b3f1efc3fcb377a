package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/offline"
)

// WriteTree prints the plan as a tree of resources under their parents, then the
// stack outputs. Secrets show as [secret].
func (p *Plan) WriteTree(w io.Writer) error {
	children := map[string][]Resource{}
	known := map[string]bool{}
	for _, r := range p.Resources {
		known[r.URN] = true
	}
	for _, r := range p.Resources {
		parent := r.Parent
		if !known[parent] {
			parent = ""
		}
		children[parent] = append(children[parent], r)
	}
	b := &strings.Builder{}
	fmt.Fprintf(b, "pachdeploy plan: cloud %s, stack %s, %d resources to create\n", p.Cloud, p.Stack, len(p.Resources))
	fmt.Fprintf(b, "(offline: no cloud calls; values marked %s are assigned by the cloud)\n\n", offline.Marker)
	var walk func(parent, indent string)
	walk = func(parent, indent string) {
		for _, r := range children[parent] {
			fmt.Fprintf(b, "%s+ %s %s%s\n", indent, r.Type, r.Name, flags(r))
			walk(r.URN, indent+"    ")
		}
	}
	walk("", "")
	b.WriteString("\nOutputs:\n")
	keys := make([]string, 0, len(p.Outputs))
	for k := range p.Outputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := p.Outputs[k]
		s, ok := v.(string)
		if !ok {
			j, _ := json.Marshal(v)
			s = string(j)
		}
		fmt.Fprintf(b, "    %s: %s\n", k, s)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// flags lists a resource's notable options.
func flags(r Resource) string {
	var f []string
	if r.Protect {
		f = append(f, "protect")
	}
	if r.RetainOnDelete {
		f = append(f, "retained on destroy")
	}
	if hasSecret(r.Inputs) {
		f = append(f, "has secrets")
	}
	if len(f) == 0 {
		return ""
	}
	return "  [" + strings.Join(f, ", ") + "]"
}

func hasSecret(v any) bool {
	switch t := v.(type) {
	case string:
		return t == Secret
	case map[string]any:
		for _, e := range t {
			if hasSecret(e) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if hasSecret(e) {
				return true
			}
		}
	}
	return false
}
