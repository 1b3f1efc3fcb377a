package cli

import (
	"context"

	"github.com/pachdeploy/pachdeploy/cmd/pachdeploy/internal/graph"
	"github.com/spf13/cobra"
)

func newPlanCmd(g *globalOptions) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show the resources a stack would have, offline (no cloud, no credentials, no Pulumi CLI)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := g.format(cmd, asJSON)
			if err != nil {
				return err
			}
			return runPlan(g, format)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object (same as --format json)")
	return cmd
}

// offlinePlan builds the plan from --config and --cloud, after checking them.
func (g *globalOptions) offlinePlan() (Plan, error) {
	raw, err := g.checkedSettings()
	switch {
	case err != nil:
		return nil, err
	case raw == nil:
		return nil, usagef("the offline plan needs a cloud: give --cloud aws|gcp|azure or a --config that sets cloud")
	}
	return g.Deps.Plan(raw, g.Stack)
}

func runPlan(g *globalOptions, format string) error {
	if err := checkFormat(format, "text", "json"); err != nil {
		return err
	}
	p, err := g.offlinePlan()
	if err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(g.IO.Out, p)
	}
	return p.WriteTree(g.IO.Out)
}

func newGraphCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "graph",
		Short: "Draw resources and dependencies (--format mermaid|dot) from the offline plan (--cloud/--config) or the stack's state",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runGraph(cmd.Context(), g, g.Format) },
	}
}

func runGraph(ctx context.Context, g *globalOptions, format string) error {
	if format == "text" {
		format = "mermaid"
	}
	if err := checkFormat(format, "mermaid", "dot"); err != nil {
		return err
	}
	var nodes []graph.Node
	if g.ConfigFile != "" || g.Cloud != "" {
		p, err := g.offlinePlan()
		if err != nil {
			return err
		}
		nodes = p.Nodes()
	} else {
		d, err := g.open(ctx, false, false)
		if err != nil {
			return err
		}
		resources, err := d.Resources(ctx)
		if err != nil {
			return err
		}
		for _, r := range resources {
			nodes = append(nodes, graph.Node{URN: r.URN, Type: r.Type, Name: r.Name, Parent: r.Parent, DependsOn: r.DependsOn})
		}
	}
	if format == "dot" {
		return graph.DOT(g.IO.Out, nodes)
	}
	return graph.Mermaid(g.IO.Out, nodes)
}
