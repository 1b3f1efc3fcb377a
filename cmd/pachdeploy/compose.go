package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/pachdeploy/pachdeploy/cmd/pachdeploy/internal/cli"
	"github.com/pachdeploy/pachdeploy/cmd/pachdeploy/internal/graph"
	"github.com/pachdeploy/pachdeploy/internal/program"
	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/stacks"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pachdeploy/pachdeploy/stacks/plan"
	"golang.org/x/term"
)

// run wires the program, the offline plan and signals into the command line. The first
// Ctrl-C cancels gracefully (the Pulumi CLI finishes the cloud calls in flight); the
// second kills the Pulumi CLI and exits 130.
func run(args []string) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hardStop := make(chan struct{})
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		fmt.Fprintln(os.Stderr, "\nCancelling: waiting for the cloud calls in flight to finish. Press Ctrl-C again to stop now.")
		cancel()
		<-signals
		fmt.Fprintln(os.Stderr, "\nStopping now: the stack may keep a lock (pachdeploy cancel) and pending operations (pachdeploy refresh --clear-pending).")
		close(hardStop)
		time.Sleep(2 * time.Second) // let the kill land
		os.Exit(130)
	}()
	ios := cli.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, Interactive: isTerminal(os.Stdin)}
	deps := cli.Deps{Program: program.Program, Targets: stacks.Targets, Plan: buildPlan, HardStop: hardStop}
	return cli.Main(ctx, args, ios, deps)
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// offlinePlan adapts stacks/plan to the command line: tree, JSON and graph nodes.
type offlinePlan struct {
	*plan.Plan
}

func buildPlan(raw map[string]string, stack string) (cli.Plan, error) {
	p, err := plan.Build(raw, stack)
	if err != nil {
		return nil, err
	}
	return offlinePlan{p}, nil
}

// Check evaluates the cloud's and the Kubernetes policy rules over the plan.
func (p offlinePlan) Check() (*policy.Report, []policy.Rule, error) {
	rep, err := p.Plan.Check()
	return rep, stacks.Targets.Rules(config.Cloud(p.Cloud)), err
}

// Nodes are the plan's resources for the graph.
func (p offlinePlan) Nodes() []graph.Node {
	nodes := make([]graph.Node, 0, len(p.Resources))
	for _, r := range p.Resources {
		nodes = append(nodes, graph.Node{URN: r.URN, Type: r.Type, Name: r.Name, Parent: r.Parent, DependsOn: r.DependsOn})
	}
	return nodes
}
