// Package offline is the offline plan engine: a Pulumi mock monitor that runs the
// program with no cloud, no credentials and no Pulumi CLI. It records each resource the
// program registers (inputs and options) and answers with readable stand-ins for the
// values only a cloud assigns, marked "(known after deploy)". Each cloud's target
// brings its stand-ins (StandIns); `pachdeploy plan` and the unit tests share it.
package offline

import (
	"maps"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Marker tags every value that only the cloud can know.
const Marker = "(known after deploy)"

// Later returns a readable stand-in for a cloud-assigned value.
func Later(what string) string { return "<" + what + " " + Marker + ">" }

// Resource is one registered or read resource, as the program asked for it.
type Resource struct {
	URN            string
	Type           string
	Name           string
	ID             string
	Custom         bool
	Read           bool
	Parent         string
	Provider       string
	Protect        bool
	RetainOnDelete bool
	DependsOn      []string
	Inputs         resource.PropertyMap
	Outputs        resource.PropertyMap
}

// Invoke is one function call the program made.
type Invoke struct {
	Token string
	Args  resource.PropertyMap
}

// Cloud is the mock monitor. Use it with pulumi.WithMocks(project, stack, cloud).
type Cloud struct {
	project, stack string
	standIns       StandIns

	mu        sync.Mutex
	resources []Resource
	invokes   []Invoke
	regions   map[string]string // provider reference -> its configured region
}

// New returns an empty mock cloud for project and stack that answers with the stand-ins
// every cloud shares (Common) and the given clouds' ones.
func New(project, stack string, clouds ...StandIns) *Cloud {
	c := &Cloud{project: project, stack: stack, regions: map[string]string{}, standIns: StandIns{
		Outputs: map[string]func(Answer){}, Invokes: map[string]func(resource.PropertyMap, string) map[string]any{},
	}}
	for _, s := range append([]StandIns{Common}, clouds...) {
		maps.Copy(c.standIns.Outputs, s.Outputs)
		maps.Copy(c.standIns.Invokes, s.Invokes)
	}
	return c
}

// Run runs program under this mock cloud.
func (c *Cloud) Run(program pulumi.RunFunc) error {
	return pulumi.RunErr(program, pulumi.WithMocks(c.project, c.stack, c))
}

// NewResource records a resource and answers with its stand-in outputs.
func (c *Cloud) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r := Resource{
		Type: args.TypeToken, Name: args.Name, Custom: args.Custom,
		Provider: args.Provider, Inputs: args.Inputs,
	}
	if rpc := args.RegisterRPC; rpc != nil {
		r.Parent = rpc.GetParent()
		r.Protect = rpc.GetProtect()
		r.RetainOnDelete = rpc.GetRetainOnDelete()
		r.DependsOn = append([]string(nil), rpc.GetDependencies()...)
		sort.Strings(r.DependsOn)
	}
	if rpc := args.ReadRPC; rpc != nil {
		r.Read = true
		r.Parent = rpc.GetParent()
		r.DependsOn = append([]string(nil), rpc.GetDependencies()...)
		sort.Strings(r.DependsOn)
	}
	id := args.ID
	if id == "" && args.Custom {
		id = standInID(args)
	}
	r.ID = id
	outs := args.Inputs.Copy()
	if fill, ok := c.standIns.Outputs[args.TypeToken]; ok {
		fill(Answer{name: args.Name, id: id, in: args.Inputs, out: outs, region: c.regionOf(args)})
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r.URN = c.urn(r.Parent, r.Type, r.Name)
	for _, key := range []resource.PropertyKey{"region", "location"} {
		if region := args.Inputs[key]; strings.HasPrefix(r.Type, "pulumi:providers:") && region.IsString() {
			c.regions[r.URN+"::"+id] = region.StringValue()
		}
	}
	r.Outputs = outs
	c.resources = append(c.resources, r)
	return id, outs, nil
}

// regionOf is the region of the provider a resource uses (its own provider, or for a
// component the first provider given to it that has one), or "".
func (c *Cloud) regionOf(args pulumi.MockResourceArgs) string {
	refs := []string{args.Provider}
	if rpc := args.RegisterRPC; rpc != nil {
		for _, ref := range rpc.GetProviders() {
			refs = append(refs, ref)
		}
		sort.Strings(refs[1:])
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ref := range refs {
		if region, ok := c.regions[ref]; ok {
			return region
		}
	}
	return ""
}

// urn builds the resource's URN as the mock monitor does.
func (c *Cloud) urn(parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(c.stack), tokens.PackageName(c.project), parentType, tokens.Type(typ), name))
}

// Call answers an invoke with stand-in results.
func (c *Cloud) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	c.mu.Lock()
	c.invokes = append(c.invokes, Invoke{Token: args.Token, Args: args.Args})
	c.mu.Unlock()
	if f, ok := c.standIns.Invokes[args.Token]; ok {
		c.mu.Lock()
		region := c.regions[args.Provider]
		c.mu.Unlock()
		return resource.NewPropertyMapFromMap(f(args.Args, region)), nil
	}
	return resource.PropertyMap{}, nil
}

// Resources returns every recorded resource in registration order.
func (c *Cloud) Resources() []Resource {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Resource(nil), c.resources...)
}

// Invokes returns every recorded invoke.
func (c *Cloud) Invokes() []Invoke {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Invoke(nil), c.invokes...)
}

// OfType returns the recorded resources of type typ.
func (c *Cloud) OfType(typ string) []Resource {
	var out []Resource
	for _, r := range c.Resources() {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Named returns the resource of type typ with logical name name, or false.
func (c *Cloud) Named(typ, name string) (Resource, bool) {
	for _, r := range c.OfType(typ) {
		if r.Name == name {
			return r, true
		}
	}
	return Resource{}, false
}

// standInID is the id a cloud would assign: the physical name where the program set
// one, else a readable stand-in.
func standInID(args pulumi.MockResourceArgs) string {
	keys := []string{"bucket", "name", "accountName", "resourceName", "containerName"}
	if strings.HasSuffix(args.TypeToken, ":ResourceGroup") {
		keys = append(keys, "resourceGroupName") // elsewhere it names the group, not the resource
	}
	for _, k := range keys {
		if v, ok := args.Inputs[resource.PropertyKey(k)]; ok && v.IsString() && v.StringValue() != "" {
			return v.StringValue()
		}
	}
	return Later(args.Name + " id")
}

// StandIns answer for one cloud: what its resources and functions return.
type StandIns struct {
	// Outputs completes the outputs of a resource, by type token. A type not listed
	// gets its inputs back, and an id.
	Outputs map[string]func(Answer)
	// Invokes answers a function call, by token, given its arguments and the region (or
	// location) of the provider it goes through ("" when it has none). A token not
	// listed gets nothing.
	Invokes map[string]func(args resource.PropertyMap, region string) map[string]any
}

// Answer is what a stand-in sees of one resource: its name, id and inputs, and the
// outputs to complete (a copy of the inputs).
type Answer struct {
	name, id string
	in, out  resource.PropertyMap
	// region is the region of the resource's provider, or "" when it has none.
	region string
}

// Name is the resource's logical name.
func (a Answer) Name() string { return a.name }

// ID is the resource's stand-in id.
func (a Answer) ID() string { return a.id }

// Region returns the resource's provider's region, or a stand-in.
func (a Answer) Region() string {
	if a.region != "" {
		return a.region
	}
	return Later("region")
}

// Str returns input key as a string, or def.
func (a Answer) Str(key, def string) string {
	if v, ok := a.in[resource.PropertyKey(key)]; ok {
		if v.IsSecret() {
			v = v.SecretValue().Element
		}
		if v.IsString() && v.StringValue() != "" {
			return v.StringValue()
		}
	}
	return def
}

// Set stores a plain output value.
func (a Answer) Set(key string, v any) {
	a.out[resource.PropertyKey(key)] = resource.NewPropertyValue(v)
}

// SetSecret stores a secret output value, as providers mark credentials.
func (a Answer) SetSecret(key string, v any) {
	a.out[resource.PropertyKey(key)] = resource.MakeSecret(resource.NewPropertyValue(v))
}
