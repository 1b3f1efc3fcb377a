// Command testprovider is a stand-in for the Pulumi resource providers pachdeploy uses (aws, eks,
// gcp, azure-native, kubernetes, random), and, as bin/testprovider/pulumi-language-go, for the
// Go language host running a prebuilt program (langhost.go). One binary is installed under each plugin name
// (bin/testprovider/pulumi-resource-<pkg>, see tools/tools.mk) and plays the package its file name names. It
// speaks the real provider gRPC protocol and behaves like a small, honest cloud: stable ids,
// computed outputs (unknown during preview), replacements on immutable inputs, persistent state,
// data-source invokes and remote eks components built through Construct.
//
// Environment (inherited from the engine):
//
//	PACHDEPLOY_TESTPROVIDER_STATE    directory of JSON state files (unset: in memory, one run only)
//	PACHDEPLOY_TESTPROVIDER_LOG      file receiving one JSON line per operation, with start and end times
//	PACHDEPLOY_TESTPROVIDER_LATENCY  per-type delays of create, update, delete and read:
//	                                 "aws:eks/cluster:Cluster=600ms,kubernetes:helm.sh/v3:Release=300ms"
//	PACHDEPLOY_TESTPROVIDER_FAIL     injected failures: "<type>=<op>:<message>;..." with op one of
//	                                 create, create-partial, update, delete (see behavior.go)
//
// Test infrastructure only; never shipped.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil/rpcerror"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// pinnedVersions is set by tools/tools.mk from the root go.mod:
// -X main.pinnedVersions=aws=6.83.4,eks=3.9.1,...
var pinnedVersions string

// pinnedVersion is the version the plugin reports for pkg (what the program's SDK asks for).
func pinnedVersion(pkg string) string {
	for _, kv := range strings.Split(pinnedVersions, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok && k == pkg {
			return v
		}
	}
	return "0.0.0-dev" // built without tools.mk
}

const pluginPrefix = "pulumi-resource-"

func main() {
	if filepath.Base(os.Args[0]) == languageHostName {
		os.Exit(runLanguageHost(os.Args[1:]))
	}
	pkg := strings.TrimPrefix(filepath.Base(os.Args[0]), pluginPrefix)
	if pkg == "" || pkg == "stand-in" {
		fmt.Fprintf(os.Stderr, "testprovider: run me as %s<package> (a link to this binary)\n", pluginPrefix)
		os.Exit(2)
	}
	beh, err := behaviorFromEnv()
	if err != nil {
		fmt.Fprintf(os.Stderr, "testprovider: %v\n", err)
		os.Exit(1)
	}
	st, err := newStore(os.Getenv(envState))
	if err != nil {
		fmt.Fprintf(os.Stderr, "testprovider: state: %v\n", err)
		os.Exit(1)
	}
	go exitWithEngine(os.Getppid())
	err = provider.Main(pkg, func(host *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &server{pkg: pkg, host: host, beh: beh, store: st, persistent: os.Getenv(envState) != "",
			cfg: defaultConfig()}, nil
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "testprovider: %v\n", err)
		os.Exit(1)
	}
}

type server struct {
	pulumirpc.UnimplementedResourceProviderServer

	pkg        string
	host       *provider.HostClient
	beh        *behavior
	store      store
	persistent bool // state outlives this process: a missing record means the resource is gone

	mu  sync.Mutex
	cfg cloudConfig
}

var wireOpts = plugin.MarshalOptions{Label: "testprovider", KeepSecrets: true, KeepUnknowns: true, KeepResources: true}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, wireOpts)
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, wireOpts)
}

func defaultConfig() cloudConfig {
	env := func(def string, keys ...string) string {
		for _, k := range keys {
			if v := os.Getenv(k); v != "" {
				return v
			}
		}
		return def
	}
	return cloudConfig{
		awsRegion:      env("us-west-2", "AWS_REGION", "AWS_DEFAULT_REGION"),
		gcpProject:     env("pachdeploy-test", "GOOGLE_PROJECT", "GOOGLE_CLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT"),
		gcpRegion:      env("us-central1", "GOOGLE_REGION", "CLOUDSDK_COMPUTE_REGION"),
		azureLocation:  env("eastus", "ARM_LOCATION"),
		subscriptionID: env("00000000-0000-4000-a000-000000005ab5", "ARM_SUBSCRIPTION_ID"),
		tenantID:       env("00000000-0000-4000-a000-000000007e4a", "ARM_TENANT_ID"),
	}
}

func (p *server) config() cloudConfig {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cfg
}

// logOp writes the log line of an operation that started at start and ends now, failed with
// err if not nil. Handlers defer it, so every operation gets exactly one line.
func (p *server) logOp(start time.Time, op, typ, urn string, preview bool, id string, err error) {
	_, known := specFor(typ)
	l := logLine{Pkg: p.pkg, Op: op, Type: typ, URN: urn, Preview: preview, ID: id, Unknown: !known && op != "construct"}
	if err != nil {
		l.Error = err.Error()
	}
	p.beh.log(start, l)
}

// ---- plugin metadata and configuration ----

func (p *server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: pinnedVersion(p.pkg)}, nil
}

func (p *server) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	b, _ := json.Marshal(map[string]any{"name": p.pkg, "version": pinnedVersion(p.pkg)})
	return &pulumirpc.GetSchemaResponse{Schema: string(b)}, nil
}

func (p *server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

// DiffConfig reports changed keys; no configuration change replaces the provider.
func (p *server) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := unmarshal(firstStruct(req.GetOldInputs(), req.GetOlds()))
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	return diffInputs("pulumi:providers:"+p.pkg, olds, news).response(), nil
}

func (p *server) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	args, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	get := func(key string) string {
		if s := str(args, key, ""); s != "" {
			return s
		}
		return req.GetVariables()[p.pkg+":config:"+key]
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	set := func(dst *string, key string) {
		if v := get(key); v != "" {
			*dst = v
		}
	}
	switch p.pkg {
	case "aws":
		set(&p.cfg.awsRegion, "region")
	case "gcp":
		set(&p.cfg.gcpProject, "project")
		set(&p.cfg.gcpRegion, "region")
	case "azure-native":
		set(&p.cfg.azureLocation, "location")
		set(&p.cfg.subscriptionID, "subscriptionId")
		set(&p.cfg.tenantID, "tenantId")
	}
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, AcceptResources: true, SupportsPreview: true}, nil
}

func (p *server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	p.beh.cancel()
	return &emptypb.Empty{}, nil
}

// ---- resource lifecycle ----

// Check accepts the inputs as given, filling in an autoname where the type has one. It takes
// no time: a provider validates inputs locally.
func (p *server) Check(_ context.Context, req *pulumirpc.CheckRequest) (_ *pulumirpc.CheckResponse, err error) {
	start := time.Now()
	typ, urn := resource.URN(req.GetUrn()).Type().String(), req.GetUrn()
	defer func() { p.logOp(start, "check", typ, urn, false, "", err) }()
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	if spec, _ := specFor(typ); spec.autoname != "" {
		autoname(spec, resource.URN(urn).Name(), req.GetRandomSeed(), olds, news)
	}
	inputs, err := marshal(news)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs}, nil
}

// Diff compares inputs; it takes no time (a provider diffs locally).
func (p *server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (_ *pulumirpc.DiffResponse, err error) {
	start := time.Now()
	typ := resource.URN(req.GetUrn()).Type().String()
	defer func() { p.logOp(start, "diff", typ, req.GetUrn(), false, req.GetId(), err) }()
	olds, err := unmarshal(firstStruct(req.GetOldInputs(), req.GetOlds()))
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	return diffInputs(typ, olds, news).response(), nil
}

// Create takes the type's latency outside preview (a preview asks no cloud).
func (p *server) Create(ctx context.Context, req *pulumirpc.CreateRequest) (_ *pulumirpc.CreateResponse, err error) {
	start := time.Now()
	u := resource.URN(req.GetUrn())
	typ, preview := u.Type().String(), req.GetPreview()
	r := &res{typ: typ, name: u.Name(), old: resource.PropertyMap{}, cfg: p.config()}
	defer func() { p.logOp(start, "create", typ, string(u), preview, r.id, err) }()
	if !preview {
		if err := p.beh.delay(ctx, typ); err != nil {
			return nil, err
		}
	}
	inputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	r.in = inputs
	spec, _ := specFor(typ)
	if preview {
		props, err := marshal(computeOutputs(spec, r, true))
		if err != nil {
			return nil, err
		}
		return &pulumirpc.CreateResponse{Properties: props}, nil
	}
	if msg, ok := p.beh.failure(typ, failCreate); ok {
		return nil, fmt.Errorf("%s", msg)
	}
	r.id = r.name + "-" + randomHex(4)
	if spec.id != nil {
		if id := spec.id(r); id != "" {
			r.id = id
		}
	}
	outputs := computeOutputs(spec, r, false)
	if err := p.store.put(&record{Pkg: p.pkg, Type: typ, URN: string(u), ID: r.id, Inputs: inputs, Outputs: outputs}); err != nil {
		return nil, err
	}
	if err := p.putChartServices(r, nil); err != nil {
		return nil, err
	}
	props, err := marshal(outputs)
	if err != nil {
		return nil, err
	}
	if msg, ok := p.beh.failure(typ, failCreatePartial); ok {
		return nil, rpcerror.WithDetails(rpcerror.New(codes.Unknown, msg),
			&pulumirpc.ErrorResourceInitFailed{Id: r.id, Properties: props, Reasons: []string{msg}, Inputs: req.GetProperties()})
	}
	return &pulumirpc.CreateResponse{Id: r.id, Properties: props}, nil
}

// Read returns what the cloud holds. With persistent state a missing record means the resource
// was deleted (empty id); in-memory state does not outlive a run, so the engine's view is echoed.
// It takes the type's latency: the engine reads on refresh (and import, get), asking the cloud.
func (p *server) Read(ctx context.Context, req *pulumirpc.ReadRequest) (_ *pulumirpc.ReadResponse, err error) {
	start := time.Now()
	typ := resource.URN(req.GetUrn()).Type().String()
	defer func() { p.logOp(start, "read", typ, req.GetUrn(), false, req.GetId(), err) }()
	if err := p.beh.delay(ctx, typ); err != nil {
		return nil, err
	}
	rec, ok, err := p.store.get(p.pkg, req.GetId())
	if err != nil {
		return nil, err
	}
	if !ok {
		if p.persistent {
			return &pulumirpc.ReadResponse{}, nil
		}
		return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
	}
	props, err := marshal(rec.Outputs)
	if err != nil {
		return nil, err
	}
	inputs, err := marshal(rec.Inputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: rec.ID, Properties: props, Inputs: inputs}, nil
}

// Update takes the type's latency outside preview.
func (p *server) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (_ *pulumirpc.UpdateResponse, err error) {
	start := time.Now()
	u := resource.URN(req.GetUrn())
	typ, preview, id := u.Type().String(), req.GetPreview(), req.GetId()
	defer func() { p.logOp(start, "update", typ, string(u), preview, id, err) }()
	if !preview {
		if err := p.beh.delay(ctx, typ); err != nil {
			return nil, err
		}
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	oldInputs, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	spec, _ := specFor(typ)
	var outputs resource.PropertyMap
	if preview {
		// The new inputs, plus the computed outputs we had (the cloud has not recomputed yet).
		outputs = news.Copy()
		for k, v := range olds {
			if _, isInput := oldInputs[k]; !isInput {
				if _, ok := outputs[k]; !ok {
					outputs[k] = v
				}
			}
		}
	} else {
		if msg, ok := p.beh.failure(typ, failUpdate); ok {
			return nil, fmt.Errorf("%s", msg)
		}
		if _, ok, err := p.store.get(p.pkg, id); err != nil {
			return nil, err
		} else if !ok && p.persistent {
			return nil, fmt.Errorf("%s %q not found", typ, id)
		}
		r := &res{typ: typ, name: u.Name(), id: id, in: news, old: olds, cfg: p.config()}
		outputs = computeOutputs(spec, r, false)
		if err := p.store.put(&record{Pkg: p.pkg, Type: typ, URN: string(u), ID: id, Inputs: news, Outputs: outputs}); err != nil {
			return nil, err
		}
		before := chartServices(&res{typ: typ, name: u.Name(), id: id, in: oldInputs, cfg: p.config()})
		if err := p.putChartServices(r, before); err != nil {
			return nil, err
		}
	}
	props, err := marshal(outputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

// Delete takes the type's latency (the engine never sends it in preview).
func (p *server) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (_ *emptypb.Empty, err error) {
	start := time.Now()
	typ := resource.URN(req.GetUrn()).Type().String()
	defer func() { p.logOp(start, "delete", typ, req.GetUrn(), false, req.GetId(), err) }()
	if err := p.beh.delay(ctx, typ); err != nil {
		return nil, err
	}
	msg, ok := p.beh.failure(typ, failDelete)
	if once, onceOK := p.beh.failure(typ, failDeleteOnce); onceOK && p.beh.firstTime(typ, failDeleteOnce) {
		msg, ok = once, true
	}
	if ok {
		return nil, fmt.Errorf("%s", msg)
	}
	if err := p.store.remove(p.pkg, req.GetId()); err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	for id := range chartServices(&res{typ: typ, name: resource.URN(req.GetUrn()).Name(), id: req.GetId(), in: olds, cfg: p.config()}) {
		if err := p.store.remove(p.pkg, id); err != nil {
			return nil, err
		}
	}
	return &emptypb.Empty{}, nil
}

// ---- invokes and components ----

// Invoke answers data-source functions at once: latency is for resource operations only.
func (p *server) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (_ *pulumirpc.InvokeResponse, err error) {
	start := time.Now()
	tok := req.GetTok()
	fn, known := invokes[tok]
	defer func() {
		l := logLine{Pkg: p.pkg, Op: "invoke", Type: tok, Preview: req.GetPreview(), Unknown: !known}
		if err != nil {
			l.Error = err.Error()
		}
		p.beh.log(start, l)
	}()
	args, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	result := resource.PropertyMap{}
	if known {
		result = resource.NewPropertyMapFromMap(fn(args, p.config()))
	} else {
		fmt.Fprintf(os.Stderr, "testprovider: unknown invoke %s: returning {}\n", tok)
	}
	ret, err := marshal(result)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: ret}, nil
}

// Construct builds a remote component. It takes no latency of its own: its children are
// registered with the engine, which creates each through a provider (with that child type's
// latency), and Construct returns when they are done, so its log line spans them.
func (p *server) Construct(ctx context.Context, req *pulumirpc.ConstructRequest) (_ *pulumirpc.ConstructResponse, err error) {
	start := time.Now()
	typ := req.GetType()
	var parentType tokens.Type
	if req.GetParent() != "" {
		parentType = resource.URN(req.GetParent()).QualifiedType()
	}
	urn := resource.NewURN(tokens.QName(req.GetStack()), tokens.PackageName(req.GetProject()), parentType,
		tokens.Type(typ), req.GetName())
	defer func() { p.logOp(start, "construct", typ, string(urn), req.GetDryRun(), "", err) }()
	if msg, ok := p.beh.failure(typ, failCreate); ok && !req.GetDryRun() {
		return nil, fmt.Errorf("%s", msg)
	}
	raw, err := unmarshal(req.GetInputs())
	if err != nil {
		return nil, err
	}
	if p.host == nil {
		return nil, fmt.Errorf("construct %s: no engine connection", typ)
	}
	return provider.Construct(ctx, req, p.host.EngineConn(), p.constructFunc(raw))
}

// ---- helpers ----

// exitWithEngine ends the plugin once the engine that started it is gone (a killed
// engine cannot shut its plugins down), so interrupted tests leave no processes behind.
func exitWithEngine(engine int) {
	for range time.Tick(time.Second) {
		if os.Getppid() != engine {
			os.Exit(0)
		}
	}
}

func firstStruct(ss ...*structpb.Struct) *structpb.Struct {
	for _, s := range ss {
		if s != nil {
			return s
		}
	}
	return nil
}

// computeOutputs lays the type's computed outputs over the inputs. In preview, a computed key
// that is not an input (at any depth inside objects) is unknown, as only the cloud knows it.
func computeOutputs(spec typeSpec, r *res, preview bool) resource.PropertyMap {
	out := r.in.Copy()
	var computed resource.PropertyMap
	if spec.outputs != nil {
		computed = resource.NewPropertyMapFromMap(spec.outputs(r))
	}
	for k, v := range computed {
		if preview {
			out[k] = previewMerge(out[k], v)
		} else {
			out[k] = v
		}
	}
	if !preview {
		out["id"] = resource.NewStringProperty(r.id)
	}
	return out
}

// previewMerge keeps what the inputs already say and marks the rest of a computed value unknown.
func previewMerge(input, computed resource.PropertyValue) resource.PropertyValue {
	if input.IsNull() {
		return resource.MakeComputed(resource.NewStringProperty(""))
	}
	if input.IsObject() && computed.IsObject() {
		m := input.ObjectValue().Copy()
		for k, v := range computed.ObjectValue() {
			m[k] = previewMerge(m[k], v)
		}
		return resource.NewObjectProperty(m)
	}
	return input
}

// autoname fills spec.autoname in news when absent: the old value if there is one, else
// "<name>-<7 hex>" derived from the engine's random seed (stable between preview and update).
func autoname(spec typeSpec, name string, seed []byte, olds, news resource.PropertyMap) {
	path := strings.Split(spec.autoname, ".")
	if cur := lookup(resource.NewObjectProperty(news), path); !cur.IsNull() {
		return
	}
	if old := lookup(resource.NewObjectProperty(olds), path); !old.IsNull() {
		setPath(news, path, old)
		return
	}
	if len(seed) == 0 {
		seed = []byte(randomHex(16))
	}
	h := (&res{typ: "autoname", id: string(seed)}).hex(name, 32)
	var v string
	switch {
	case spec.uuidName:
		v = uuidFrom(h)
	case spec.compactName:
		v = strings.Map(func(r rune) rune {
			if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
				return r
			}
			return -1
		}, strings.ToLower(name))
		if len(v) > 16 {
			v = v[:16]
		}
		v += h[:8]
	default:
		v = name + "-" + h[:7]
	}
	setPath(news, path, resource.NewStringProperty(v))
}

// setPath sets a nested value, creating objects on the way; it leaves unknown parents alone.
func setPath(m resource.PropertyMap, path []string, v resource.PropertyValue) {
	for i, p := range path {
		k := resource.PropertyKey(p)
		if i == len(path)-1 {
			m[k] = v
			return
		}
		next, ok := m[k]
		switch {
		case !ok || next.IsNull():
			child := resource.PropertyMap{}
			m[k] = resource.NewObjectProperty(child)
			m = child
		case next.IsObject():
			m = next.ObjectValue()
		default:
			return
		}
	}
}
