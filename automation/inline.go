package automation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// An up or a destroy runs here rather than through the SDK: after the engine, its
// Stack.Up asks the CLI three more times (`stack output` twice, `stack history`) and its
// Stack.Destroy once (`stack history`). Here the outputs come from the event stream and an
// up is recognised in the history by its agent tag (Stack.agent): one CLI process each.

// inlineRun is what an up or a destroy needs beyond its event stream.
type inlineRun struct {
	targets    []string
	message    string
	configFile string // a stack file to use instead of the stack's (Destroy's retention up)
}

// runInline runs `pulumi <verb>` (up or destroy) with the stack's inline program,
// sending the engine's events to ch (closed when the stream ends).
func (s *Stack) runInline(ctx context.Context, verb string, ch chan<- events.EngineEvent, r inlineRun) error {
	srv, err := serveInline(s.program.Run, ch)
	if err != nil {
		close(ch)
		return err
	}
	args := []string{verb, "--yes", "--skip-preview", "--exec-kind=auto.inline",
		"--client=" + srv.address, "--event-log=tcp://" + srv.address, "--exec-agent=" + s.agent}
	if r.message != "" {
		args = append(args, "--message="+strconv.Quote(r.message))
	}
	for _, t := range r.targets {
		args = append(args, "--target="+t)
	}
	if verb == "up" {
		for _, p := range s.opts.policyPacks {
			args = append(args, "--policy-pack="+p)
		}
	}
	if r.configFile != "" {
		args = append(args, "--config-file="+r.configFile)
	}
	if p := s.parallel(); p > 0 {
		args = append(args, "--parallel="+strconv.Itoa(p))
	}
	_, runErr := s.cliEnv(ctx, []string{"PULUMI_DEBUG_COMMANDS=true"}, args...)
	srv.close()
	return runErr
}

// inlineServer serves the CLI the program (the language runtime) and takes its event
// stream, on one local port.
type inlineServer struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	pulumirpc.UnimplementedEventsServer

	address string
	program pulumi.RunFunc
	events  chan<- events.EngineEvent
	closeCh sync.Once
	stop    chan bool
	done    <-chan error
}

func serveInline(program pulumi.RunFunc, ch chan<- events.EngineEvent) (*inlineServer, error) {
	s := &inlineServer{program: program, events: ch, stop: make(chan bool)}
	h, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: s.stop,
		Init: func(g *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(g, s)
			pulumirpc.RegisterEventsServer(g, s)
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	s.address, s.done = "127.0.0.1:"+strconv.Itoa(h.Port), h.Done
	return s, nil
}

// close stops serving once the running calls end, and ends the event stream (also when
// the CLI failed before it opened one).
func (s *inlineServer) close() {
	close(s.stop)
	<-s.done
	s.closeEvents()
}

func (s *inlineServer) closeEvents() { s.closeCh.Do(func() { close(s.events) }) }

// StreamEvents forwards the engine's events, one JSON document each.
func (s *inlineServer) StreamEvents(stream pulumirpc.Events_StreamEventsServer) error {
	defer s.closeEvents()
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(&emptypb.Empty{})
		}
		if err != nil {
			return err
		}
		var e apitype.EngineEvent
		if err := json.Unmarshal([]byte(req.GetEvent()), &e); err != nil {
			s.events <- events.EngineEvent{Error: err}
			continue
		}
		s.events <- events.EngineEvent{EngineEvent: e}
	}
}

// GetRequiredPlugins: the engine finds the program's plugins by what it registers.
func (s *inlineServer) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

// GetPluginInfo reports a version, as every language runtime must.
func (s *inlineServer) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: "1.0.0"}, nil
}

// InstallDependencies: an inline program has none to install.
func (s *inlineServer) InstallDependencies(*pulumirpc.InstallDependenciesRequest,
	pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	return nil
}

// Run runs the program against the engine's resource monitor. A program error (or
// panic) is the run's error, as the engine expects it.
func (s *inlineServer) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	engine := ""
	if len(req.GetArgs()) > 0 {
		engine = req.GetArgs()[0]
	}
	pctx, err := pulumi.NewContext(ctx, pulumi.RunInfo{
		EngineAddr: engine, MonitorAddr: req.GetMonitorAddress(),
		Config: req.GetConfig(), ConfigSecretKeys: req.GetConfigSecretKeys(),
		Project: req.GetProject(), Stack: req.GetStack(), Organization: req.GetOrganization(),
		Parallel: req.GetParallel(), DryRun: req.GetDryRun(),
	})
	if err != nil {
		return nil, err
	}
	defer pctx.Close()
	err = func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("the program panicked: %v", r)
			}
		}()
		return pulumi.RunWithContext(pctx, s.program)
	}()
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}
