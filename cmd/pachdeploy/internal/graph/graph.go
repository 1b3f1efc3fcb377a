// Package graph draws a stack's resources and their dependencies as Mermaid or Graphviz
// DOT: solid edges from parent to child, dashed edges from a resource to what it
// depends on. Provider resources are left out to keep the picture readable.
package graph

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Node is one resource.
type Node struct {
	URN       string
	Type      string
	Name      string
	Parent    string
	DependsOn []string
}

// edge is parent -> child (dependsOn false) or dependent -> dependency.
type edge struct {
	from, to  int
	dependsOn bool
}

// layout numbers the nodes (sorted by URN) and lists the edges between known nodes.
func layout(nodes []Node) ([]Node, []edge) {
	var kept []Node
	for _, n := range nodes {
		if !strings.HasPrefix(n.Type, "pulumi:providers:") {
			kept = append(kept, n)
		}
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].URN < kept[j].URN })
	index := map[string]int{}
	for i, n := range kept {
		index[n.URN] = i
	}
	var edges []edge
	for i, n := range kept {
		if p, ok := index[n.Parent]; ok {
			edges = append(edges, edge{from: p, to: i})
		}
		deps := append([]string(nil), n.DependsOn...)
		sort.Strings(deps)
		for _, d := range deps {
			if j, ok := index[d]; ok {
				edges = append(edges, edge{from: i, to: j, dependsOn: true})
			}
		}
	}
	return kept, edges
}

// Mermaid writes a Mermaid flowchart.
func Mermaid(w io.Writer, nodes []Node) error {
	kept, edges := layout(nodes)
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	for i, n := range kept {
		fmt.Fprintf(&b, "  n%d[\"%s<br/><b>%s</b>\"]\n", i, mermaidText(n.Type), mermaidText(n.Name))
	}
	for _, e := range edges {
		arrow := "-->"
		if e.dependsOn {
			arrow = "-. dependsOn .->"
		}
		fmt.Fprintf(&b, "  n%d %s n%d\n", e.from, arrow, e.to)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// DOT writes a Graphviz digraph.
func DOT(w io.Writer, nodes []Node) error {
	kept, edges := layout(nodes)
	var b strings.Builder
	b.WriteString("digraph pachdeploy {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n")
	for i, n := range kept {
		fmt.Fprintf(&b, "  n%d [label=%q];\n", i, n.Type+"\n"+n.Name)
	}
	for _, e := range edges {
		style := ""
		if e.dependsOn {
			style = " [style=dashed, label=\"dependsOn\"]"
		}
		fmt.Fprintf(&b, "  n%d -> n%d%s;\n", e.from, e.to, style)
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// mermaidText escapes what would end a Mermaid label.
func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;").Replace(s)
}
