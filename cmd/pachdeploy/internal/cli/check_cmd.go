package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/spf13/cobra"
)

// errPolicy is a check with failing findings.
var errPolicy = errors.New("policy check failed")

// checkOptions are check's inputs.
type checkOptions struct {
	Format string
	FailOn string
	JSON   bool
	Rules  bool
}

func newCheckCmd(g *globalOptions) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check the offline plan (--cloud/--config) against pachdeploy's policy rules (checkov/trivy ids)",
		Long: "check evaluates the policy rules of the stack's cloud and the Kubernetes ones over the offline plan.\n" +
			"Findings name the rule, the checkov/trivy ids, the resource and the setting that fixes it; policyWaivers\n" +
			"accepts a finding with a reason. Exit 4 when an unwaived finding is at or above --fail-on.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := g.format(cmd, o.JSON)
			if err != nil {
				return err
			}
			o.Format = format
			return runCheck(g, o)
		},
	}
	cmd.Flags().StringVar(&o.FailOn, "fail-on", "high", "exit 4 on an unwaived finding at or above this severity: low, medium, high, critical")
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print one JSON object (same as --format json)")
	cmd.Flags().BoolVar(&o.Rules, "rules", false, "list the rules the check runs for the cloud, and exit")
	return cmd
}

func runCheck(g *globalOptions, o *checkOptions) error {
	if err := checkFormat(o.Format, "text", "json", "sarif"); err != nil {
		return err
	}
	failOn, err := policy.ParseSeverity(o.FailOn)
	if err != nil {
		return usagef("--fail-on %q: %v", o.FailOn, err)
	}
	p, err := g.offlinePlan()
	if err != nil {
		return err
	}
	rep, rules, err := p.Check()
	if o.Rules {
		for _, r := range rules {
			fmt.Fprintf(g.IO.Out, "%-26s %-8s %-40s %s\n", r.ID, r.Severity, strings.Join(r.Refs, ","), r.Looks)
		}
		return nil
	}
	if err != nil {
		return usagef("%v", err)
	}
	switch o.Format {
	case "json":
		err = rep.WriteJSON(g.IO.Out)
	case "sarif":
		file := "Pulumi.yaml"
		if g.ConfigFile != "" {
			file = filepath.ToSlash(g.ConfigFile)
		}
		err = rep.WriteSARIF(g.IO.Out, rules, file)
	default:
		err = rep.WriteText(g.IO.Out)
	}
	if err != nil {
		return err
	}
	if failing := rep.Failing(failOn); len(failing) > 0 {
		return fmt.Errorf("%w: %d unwaived finding(s) at or above %s (fix them, or accept each in policyWaivers with a reason)",
			errPolicy, len(failing), failOn)
	}
	return nil
}

// refuseOnOfflineFindings refuses (errPolicy, exit 4) when the offline plan of the
// given settings has unwaived findings at or above failOn, printing them.
func (g *globalOptions) refuseOnOfflineFindings(failOn policy.Severity) error {
	p, err := g.offlinePlan()
	if err != nil {
		return err
	}
	rep, _, err := p.Check()
	if err != nil {
		return usagef("%v", err)
	}
	failing := rep.Failing(failOn)
	for _, f := range failing {
		fmt.Fprintf(g.IO.ErrOut, "policy: %s %s on %s: %s (fix: %s)\n", f.Severity, f.Rule, f.URN, f.Message, f.Fix)
	}
	if len(failing) > 0 {
		return fmt.Errorf("%w: %d unwaived finding(s) at or above %s in the offline plan; no stack was touched "+
			"(fix them, or accept each in policyWaivers with a reason)", errPolicy, len(failing), failOn)
	}
	return nil
}
