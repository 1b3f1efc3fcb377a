package main

import (
	"context"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

func TestLanguageHostRunsOnlyPrebuiltPrograms(t *testing.T) {
	run := func(options map[string]any) (*pulumirpc.RunResponse, error) {
		opts, err := structpb.NewStruct(options)
		if err != nil {
			t.Fatal(err)
		}
		return (&languageHost{}).Run(context.Background(), &pulumirpc.RunRequest{
			Info: &pulumirpc.ProgramInfo{Options: opts}, Pwd: t.TempDir(),
		})
	}
	if _, err := run(nil); err == nil || !strings.Contains(err.Error(), "runtime.options.binary") {
		t.Errorf("no binary option: got %v, want an error naming runtime.options.binary", err)
	}
	if _, err := run(map[string]any{"binary": "pachdeploy-no-such-program"}); err == nil {
		t.Error("a missing binary ran")
	}
	if resp, err := run(map[string]any{"binary": "true"}); err != nil || resp.GetError() != "" || resp.GetBail() {
		t.Errorf("true: %v, %v; want success", resp, err)
	}
	if resp, err := run(map[string]any{"binary": "false"}); err != nil || !strings.Contains(resp.GetError(), "exit code: 1") {
		t.Errorf("false: %v, %v; want the exit code reported", resp, err)
	}
}
