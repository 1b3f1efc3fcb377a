// Package program is pachdeploy's Pulumi program as the automation driver runs it: the
// root program (stacks) with what the driver must know of it, learnt from the targets.
// The CLI and the benchmarks drive this one value.
package program

import (
	"github.com/pachdeploy/pachdeploy/automation"
	"github.com/pachdeploy/pachdeploy/stacks"
	"github.com/pachdeploy/pachdeploy/stacks/config"
)

// Program runs stacks.Run; what holds data and what destroy keeps come from the targets.
var Program = automation.Program{
	Run:               stacks.Run,
	Settings:          stacks.Settings,
	DataBearing:       stacks.Targets.DataBearing(),
	KeptOnDestroy:     stacks.Targets.KeptOnDestroy(),
	DeleteDataSetting: config.DeleteDataSetting,
	Check:             stacks.Check,
}
