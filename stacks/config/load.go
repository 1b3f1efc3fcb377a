package config

import (
	"errors"
	"fmt"
	"slices"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Resolve parses raw settings, fills the defaults of the chosen target for project and
// stack and validates the result, reporting syntax and rule problems together.
func (ts Targets) Resolve(raw map[string]string, project, stack string) (*Config, error) {
	return ts.ResolveStored(raw, nil, project, stack)
}

// ResolveStored is Resolve for settings read from a stack's config, where plaintext
// names the settings stored in plain text: a secret setting among them is a problem,
// reported with the command that stores it as a secret.
func (ts Targets) ResolveStored(raw map[string]string, plaintext []string, project, stack string) (*Config, error) {
	c, err := Parse(raw)
	var p rules.Problems
	var perr *rules.Error
	if errors.As(err, &perr) {
		p = append(p, perr.Problems...)
	}
	slices.Sort(plaintext)
	for _, name := range plaintext {
		if IsSecret(name) {
			p.Addf(name, secretMark, "is stored in plain text, so it sits unencrypted in the stack file and its history: "+
				"store it as a secret with `pulumi config set --secret %s:%s --stack %s < FILE` "+
				"(or give it in the file passed to `pachdeploy --config`, which stores it as a secret)", Namespace, name, stack)
		}
	}
	existingClusterProblems(c, &p)
	t, known := ts.Lookup(c.Cloud)
	if known {
		c.complete(t, project, stack)
	}
	// A value that did not parse stands at its default now: its rules would only
	// report that default.
	unparsed := map[string]bool{}
	for _, q := range p {
		unparsed[q.Field] = true
	}
	var rulesProblems rules.Problems
	if known {
		c.validate(t, &rulesProblems)
	} else {
		rulesProblems.Addf("cloud", string(c.Cloud), "must be one of %s", ts.Names())
	}
	for _, r := range rulesProblems {
		if !unparsed[r.Field] {
			p = append(p, r)
		}
	}
	return c, p.Err()
}

// FromContext reads the pachdeploy settings of the running stack from Pulumi config,
// then resolves them. Secret settings arrive decrypted; callers keep them secret.
func (ts Targets) FromContext(ctx *pulumi.Context) (*Config, error) {
	raw := map[string]string{}
	var plaintext []string
	for _, k := range keys {
		name := Namespace + ":" + k.name
		if v, ok := ctx.GetConfig(name); ok {
			raw[k.name] = v
			if !ctx.IsConfigSecret(name) {
				plaintext = append(plaintext, k.name)
			}
		}
	}
	c, err := ts.ResolveStored(raw, plaintext, ctx.Project(), ctx.Stack())
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w", ctx.Stack(), err)
	}
	return c, nil
}
