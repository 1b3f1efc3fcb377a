package e2e

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// oldLayoutState is `pulumi stack export` (source positions and stack traces removed)
// of stack oidc-move after an up with the stand-ins at commit fb1fd55, when
// pulumi-eks made the IAM OIDC provider as the eks component's child
// (createOidcProvider: true). Settings: cloud aws, enterpriseLicenseKey (secret),
// identity irsa by default.
const oldLayoutState = "testdata/aws-oidc-in-eks-component.json"

const oidcProviderType = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"

// TestAWSOIDCProviderMovesOutOfTheEKSComponent: a stack deployed when pulumi-eks made
// the OIDC provider upgrades to pachdeploy making it, outside the eks component,
// without replacing or deleting it (the IRSA roles' trust policies name its ARN): the
// preview and the up change nothing, and afterwards the provider, with its id, is
// pachdeploy's own, the IRSA roles wait for it and the node group does not.
func TestAWSOIDCProviderMovesOutOfTheEKSComponent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	h := newHarness(t)
	s := h.stack(ctx, "oidc-move", settingsFor(cloudCase{cloud: "aws"}, nil), "enterpriseLicenseKey")
	b, err := os.ReadFile(oldLayoutState)
	if err != nil {
		t.Fatal(err)
	}
	var old apitype.UntypedDeployment
	if err := json.Unmarshal(b, &old); err != nil {
		t.Fatal(err)
	}
	if err := s.Workspace().ImportStack(ctx, s.Name(), old); err != nil {
		t.Fatalf("import: %v", err)
	}
	before := oidcProviders(t, old)
	if len(before) != 1 || !strings.Contains(before[0].URN, "$eks:index:Cluster$") {
		t.Fatalf("%s holds OIDC providers %v, want one child of the eks component", oldLayoutState, before)
	}
	moved := strings.Replace(before[0].URN, "$eks:index:Cluster$", "$", 1)

	ops, _, _ := previewOps(ctx, t, s)
	for urn, o := range ops {
		if slices.ContainsFunc(o, func(op apitype.OpType) bool { return op != apitype.OpSame }) {
			t.Errorf("preview: %s %v, want no change", urn, o)
		}
	}
	if !slices.Equal(ops[moved], []apitype.OpType{apitype.OpSame}) {
		t.Errorf("preview: the OIDC provider at %s: %v, want same", moved, ops[moved])
	}

	ch := make(chan events.EngineEvent)
	upOps := map[string][]apitype.OpType{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range ch {
			if e.ResOutputsEvent != nil {
				upOps[e.ResOutputsEvent.Metadata.URN] = append(upOps[e.ResOutputsEvent.Metadata.URN], e.ResOutputsEvent.Metadata.Op)
			}
		}
	}()
	_, err = s.Up(ctx, optup.EventStreams(ch))
	<-done
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	for urn, o := range upOps {
		if slices.ContainsFunc(o, func(op apitype.OpType) bool { return op != apitype.OpSame }) {
			t.Errorf("up: %s %v, want no change", urn, o)
		}
	}
	if !slices.Equal(upOps[moved], []apitype.OpType{apitype.OpSame}) {
		t.Errorf("up: the OIDC provider at %s: %v, want same", moved, upOps[moved])
	}
	for _, op := range []string{"create", "update", "delete"} {
		if n := h.count(op, oidcProviderType); n != 0 {
			t.Errorf("the up called %s on the OIDC provider %d times", op, n)
		}
	}

	after, err := s.Workspace().ExportStack(ctx, s.Name())
	if err != nil {
		t.Fatal(err)
	}
	now := oidcProviders(t, after)
	if len(now) != 1 || now[0].URN != moved || now[0].ID != before[0].ID {
		t.Fatalf("OIDC providers after the up: %v, want %s with id %s", now, moved, before[0].ID)
	}
	roles, groups := 0, 0
	for _, r := range stateResources(t, after) {
		waits := slices.Contains(r.Dependencies, moved)
		switch {
		case r.Type == "aws:iam/role:Role" && strings.Contains(r.Inputs["assumeRolePolicy"].(string), "AssumeRoleWithWebIdentity"):
			roles++
			if !waits {
				t.Errorf("IRSA role %s does not wait for the OIDC provider: %v", r.URN, r.Dependencies)
			}
		case r.Type == "aws:eks/nodeGroup:NodeGroup":
			groups++
			if waits {
				t.Errorf("node group %s waits for the OIDC provider", r.URN)
			}
		}
	}
	if roles != 2 || groups != 1 {
		t.Errorf("%d IRSA roles and %d node groups in the state, want 2 (pachyderm, ebs-csi) and 1", roles, groups)
	}
}

// stateResource is what the test reads of a resource in an exported state.
type stateResource struct {
	URN, Type, ID string
	Inputs        map[string]any
	Dependencies  []string
}

func stateResources(t *testing.T, d apitype.UntypedDeployment) []stateResource {
	t.Helper()
	var dep struct{ Resources []stateResource }
	if err := json.Unmarshal(d.Deployment, &dep); err != nil {
		t.Fatal(err)
	}
	return dep.Resources
}

func oidcProviders(t *testing.T, d apitype.UntypedDeployment) []stateResource {
	t.Helper()
	var out []stateResource
	for _, r := range stateResources(t, d) {
		if r.Type == oidcProviderType {
			out = append(out, r)
		}
	}
	return out
}
