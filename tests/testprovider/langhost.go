package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/common/constant"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/executable"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// languageHostName is the file name under which this binary plays the Go language host.
const languageHostName = "pulumi-language-go"

// runLanguageHost stands in for the Go language host (pulumi-language-go), which the
// module proxy here does not serve. It does the one thing a prebuilt program needs:
// Run executes the binary that Pulumi.yaml's runtime.options.binary names, found as
// the real host finds it (executable.FindExecutable: the working directory, $GOPATH/bin,
// PATH), with the environment
// the real host gives a program (PULUMI_MONITOR, PULUMI_ENGINE, PULUMI_PROJECT,
// PULUMI_STACK, PULUMI_CONFIG, ...: sdk/go/pulumi-language-go constructEnv). It
// compiles nothing: without the binary option Run fails, saying so. Plugins are found
// ambiently (on PATH), so it reports no required packages.
func runLanguageHost(args []string) int {
	flags := flag.NewFlagSet(languageHostName, flag.ContinueOnError)
	flags.String("tracing", "", "ignored")
	flags.String("binary", "", "ignored")
	flags.String("root", "", "ignored")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	host := &languageHost{engine: flags.Arg(0)}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{Init: func(s *grpc.Server) error {
		pulumirpc.RegisterLanguageRuntimeServer(s, host)
		return nil
	}})
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", languageHostName, err)
		return 1
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", languageHostName, err)
		return 1
	}
	return 0
}

// languageHost is the stand-in Go language host's gRPC service.
type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	engine string
}

func (h *languageHost) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engine = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	// No real version: the stand-in is not any release of pulumi-language-go.
	return &pulumirpc.PluginInfo{Version: "0.0.0-stand-in"}, nil
}

func (h *languageHost) GetRequiredPackages(context.Context, *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *languageHost) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *languageHost) InstallDependencies(*pulumirpc.InstallDependenciesRequest,
	grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse]) error {
	return nil
}

func (h *languageHost) RuntimeOptionsPrompts(context.Context, *pulumirpc.RuntimeOptionsRequest) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

func (h *languageHost) GetProgramDependencies(context.Context, *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

func (h *languageHost) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	return &pulumirpc.AboutResponse{Executable: languageHostName + " (pachdeploy stand-in)"}, nil
}

// Run runs the prebuilt program as the real Go language host does with
// runtime.options.binary.
func (h *languageHost) Run(_ context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	binary, _ := req.GetInfo().GetOptions().AsMap()["binary"].(string)
	if binary == "" {
		return nil, errors.New("the stand-in Go language host runs only prebuilt programs: set runtime.options.binary in Pulumi.yaml")
	}
	// Where the real host looks: the working directory, $GOPATH/bin, PATH.
	binary, err := executable.FindExecutable(binary)
	if err != nil {
		return nil, fmt.Errorf("unable to find '%s' executable: %w", binary, err)
	}
	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys := []byte("[]")
	if keys := req.GetConfigSecretKeys(); keys != nil {
		if secretKeys, err = json.Marshal(keys); err != nil {
			return nil, err
		}
	}
	env := os.Environ()
	for k, v := range map[string]string{
		pulumi.EnvOrganization:        req.GetOrganization(),
		pulumi.EnvProject:             req.GetProject(),
		pulumi.EnvPulumiRootDirectory: req.GetInfo().GetRootDirectory(),
		pulumi.EnvStack:               req.GetStack(),
		pulumi.EnvConfig:              string(config),
		pulumi.EnvConfigSecretKeys:    string(secretKeys),
		pulumi.EnvDryRun:              strconv.FormatBool(req.GetDryRun()),
		pulumi.EnvParallel:            strconv.Itoa(int(req.GetParallel())),
		pulumi.EnvMonitor:             req.GetMonitorAddress(),
		pulumi.EnvEngine:              h.engine,
	} {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	cmd := exec.Command(binary)
	cmd.Dir, cmd.Env = req.GetPwd(), env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exit) && exit.ExitCode() == constant.ExitStatusLoggedError:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exit):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d", exit.ExitCode())}, nil
	}
	return &pulumirpc.RunResponse{Error: err.Error()}, nil
}
