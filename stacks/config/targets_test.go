package config_test

import (
	awssettings "github.com/pachdeploy/pachdeploy/components/aws/settings"
	azuresettings "github.com/pachdeploy/pachdeploy/components/azure/settings"
	gcpsettings "github.com/pachdeploy/pachdeploy/components/gcp/settings"
	"github.com/pachdeploy/pachdeploy/stacks/config"
)

// targets are the three clouds' settings, as stacks.Settings lists them (a test in
// stacks ties the two).
var targets = config.Targets{awssettings.Target, gcpsettings.Target, azuresettings.Target}
