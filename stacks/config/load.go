package config

import (
	"errors"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Resolve parses raw settings, fills defaults for project and stack and validates
// the result, reporting syntax and rule problems together.
func Resolve(raw map[string]string, project, stack string) (*Config, error) {
	c, err := Parse(raw)
	var p rules.Problems
	var perr *rules.Error
	if errors.As(err, &perr) {
		p = append(p, perr.Problems...)
	}
	c.Complete(project, stack)
	c.validate(&p)
	return c, p.Err()
}

// FromContext reads the pachdeploy settings of the running stack from Pulumi config,
// then resolves them. Secret settings arrive decrypted; callers keep them secret.
func FromContext(ctx *pulumi.Context) (*Config, error) {
	raw := map[string]string{}
	for _, k := range keys {
		if v, ok := ctx.GetConfig(Namespace + ":" + k.name); ok {
			raw[k.name] = v
		}
	}
	return Resolve(raw, ctx.Project(), ctx.Stack())
}
