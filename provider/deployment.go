package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/stacks"
	"github.com/pachdeploy/pachdeploy/stacks/config"
)

// deploy resolves args as the stack config of cloud (the same defaults, the same
// validation, every problem at once and before anything is registered), registers the
// component and runs the root program's Deploy under it. The children keep the names
// the root program gives them, so one stack holds one deployment, as one stack holds
// one cloud's settings.
func deploy(ctx *pulumi.Context, typ, name string, cloud config.Cloud, args any, c pulumi.ComponentResource,
	set func(map[string]pulumi.StringOutput), opts []pulumi.ResourceOption) error {
	if reflect.ValueOf(args).IsNil() {
		return fmt.Errorf("%s %q: %w", typ, name, rules.ErrNilArgs)
	}
	// Unknown secret inputs are problems too: reported with the settings' own, at once.
	raw, err := Settings(ctx.Context(), args)
	var unknown *rules.Error
	if err != nil && !errors.As(err, &unknown) {
		return fmt.Errorf("%s %q: %w", typ, name, err)
	}
	raw["cloud"] = string(cloud)
	cfg, err := stacks.Settings.Resolve(raw, ctx.Project(), ctx.Stack())
	if unknown != nil {
		problems := unknown.Problems
		var invalid *rules.Error
		if errors.As(err, &invalid) {
			problems = append(problems, invalid.Problems...)
		} else if err != nil {
			return fmt.Errorf("%s %q: %w", typ, name, err)
		}
		err = problems.Err()
	}
	if err != nil {
		return fmt.Errorf("%s %q: %w", typ, name, err)
	}
	if err := ctx.RegisterComponentResource(typ, name, c, opts...); err != nil {
		return err
	}
	outputs, err := stacks.Deploy(ctx, cfg, pulumi.Parent(c))
	if err != nil {
		return err
	}
	strs := map[string]pulumi.StringOutput{}
	for _, o := range outputNames {
		v, ok := outputs[o]
		if !ok {
			v = pulumi.String("")
		}
		strs[o] = v.(pulumi.StringInput).ToStringOutput()
	}
	set(strs)
	return ctx.RegisterResourceOutputs(c, outputs)
}

// Settings turns a deployment's inputs into stack settings as Pulumi config holds
// them (name -> text): unset inputs are left out, so the stack config's defaults apply;
// numbers and booleans as text, lists and maps as JSON. A secret input (a
// pulumi.StringInput) is awaited: it must be known, as every setting is before a
// deployment is built.
func Settings(ctx context.Context, args any) (map[string]string, error) {
	v := reflect.Indirect(reflect.ValueOf(args))
	if v.Kind() != reflect.Struct {
		return nil, fmt.Errorf("settings: %T is not a struct", args)
	}
	raw := map[string]string{}
	var p rules.Problems
	for i := 0; i < v.NumField(); i++ {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("pulumi"), ",")
		f := v.Field(i)
		if name == "" || f.IsZero() {
			continue
		}
		switch x := f.Interface().(type) {
		case *string:
			raw[name] = *x
		case *int:
			raw[name] = strconv.Itoa(*x)
		case *bool:
			raw[name] = strconv.FormatBool(*x)
		case []string, map[string]string:
			b, err := json.Marshal(x)
			if err != nil {
				return nil, err
			}
			raw[name] = string(b)
		case pulumi.StringInput:
			r, err := internals.UnsafeAwaitOutput(ctx, x.ToStringOutput())
			if err != nil {
				return nil, err
			}
			s, ok := r.Value.(string)
			if !r.Known || !ok {
				p.Addf(name, "(unknown)", "must be known when the deployment is built, like every setting: not the output of a resource the same update creates")
				continue
			}
			raw[name] = s
		default:
			return nil, fmt.Errorf("settings: %s has unsupported type %T", name, x)
		}
	}
	return raw, p.Err()
}
