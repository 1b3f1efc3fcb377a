package automation

import (
	"errors"

	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Program is the Pulumi program the driver runs, with what the driver must know of it.
// The driver names no cloud and no setting of its own: pachdeploy's command line builds
// its Program from the stacks package (cmd/pachdeploy/compose.go); a Go program
// embedding the driver does the same (see the README).
type Program struct {
	// Run is the program, run inline. Required.
	Run pulumi.RunFunc
	// Settings resolve the program's settings: WithConfig's are checked against them
	// before any stack is touched, and a stack's stored ones before every run. Required.
	Settings config.Targets
	// DataBearing maps the type token of each resource whose loss loses data to what it
	// holds; previews and updates mark its replacement or deletion as data at risk.
	DataBearing map[string]string
	// KeptOnDestroy lists the type tokens destroy keeps unless DestroyOptions.DeleteData.
	KeptOnDestroy []string
	// DeleteDataSetting is the setting (without the namespace) under which the program
	// drops retainOnDelete from the KeptOnDestroy resources; a destroy sets it for the
	// run. Required for Destroy.
	DeleteDataSetting string
	// Check evaluates the policy rules over the resources a preview would deploy
	// (their new inputs), given the stack's settings (bare key -> value) for its
	// waivers. Optional: without it previews carry no policy report and
	// WithPolicyFailOn refuses to open a stack.
	Check func(settings map[string]string, rs policy.Resources) (*policy.Report, error)
}

// errNoProgram: a Program without Run or Settings.
var errNoProgram = errors.New("automation: the Program needs Run and Settings")

// dataAtRisk says what a resource of type token holds, or "" when losing it loses no
// data.
func (p *Program) dataAtRisk(token string) string { return p.DataBearing[token] }

// kept reports whether destroy keeps resources of type token unless asked not to.
func (p *Program) kept(token string) bool {
	for _, t := range p.KeptOnDestroy {
		if t == token {
			return true
		}
	}
	return false
}
