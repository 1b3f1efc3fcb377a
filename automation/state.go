package automation

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// Resource is one resource recorded in the stack's state (for the graph).
type Resource struct {
	URN            string   `json:"urn"`
	Type           string   `json:"type"`
	Name           string   `json:"name"`
	Parent         string   `json:"parent,omitempty"`
	DependsOn      []string `json:"dependsOn,omitempty"`
	RetainOnDelete bool     `json:"retainOnDelete,omitempty"`
}

// export reads the stack's state with secrets still encrypted.
func (s *Stack) export(ctx context.Context) (*apitype.DeploymentV3, error) {
	out, err := s.cli(ctx, nil, "stack", "export")
	if err != nil {
		return nil, s.classify("export", err, nil)
	}
	var u apitype.UntypedDeployment
	if err := json.Unmarshal([]byte(out), &u); err != nil {
		return nil, fmt.Errorf("reading the state of stack %q: %w", s.name, err)
	}
	d := &apitype.DeploymentV3{}
	if len(u.Deployment) > 0 {
		if err := json.Unmarshal(u.Deployment, d); err != nil {
			return nil, fmt.Errorf("reading the state of stack %q: %w", s.name, err)
		}
	}
	return d, nil
}

// Resources lists the resources recorded in the stack's state.
func (s *Stack) Resources(ctx context.Context) ([]Resource, error) {
	d, err := s.export(ctx)
	if err != nil {
		return nil, err
	}
	return resourcesOf(d), nil
}

func resourcesOf(d *apitype.DeploymentV3) []Resource {
	out := make([]Resource, 0, len(d.Resources))
	for _, r := range d.Resources {
		deps := make([]string, 0, len(r.Dependencies))
		for _, dep := range r.Dependencies {
			deps = append(deps, string(dep))
		}
		out = append(out, Resource{
			URN: string(r.URN), Type: string(r.Type), Name: nameOf(string(r.URN)),
			Parent: string(r.Parent), DependsOn: deps, RetainOnDelete: r.RetainOnDelete,
		})
	}
	return out
}

// PendingOperations lists the operations an interrupted update left in the state.
func (s *Stack) PendingOperations(ctx context.Context) ([]PendingOperation, error) {
	if s.created {
		return nil, nil // created here and no update run since
	}
	d, err := s.export(ctx)
	if err != nil {
		return nil, err
	}
	return pendingOf(d), nil
}

func pendingOf(d *apitype.DeploymentV3) []PendingOperation {
	var out []PendingOperation
	for _, op := range d.PendingOperations {
		out = append(out, PendingOperation{URN: string(op.Resource.URN), Type: string(op.Resource.Type), Op: string(op.Type)})
	}
	return out
}

// checkPending fails with ErrPendingOperations when an interrupted update left work of
// unknown outcome: running over it could duplicate or orphan cloud resources.
func (s *Stack) checkPending(ctx context.Context, op string) error {
	pending, err := s.PendingOperations(ctx)
	if err != nil {
		return err
	}
	return s.refusePending(op, pending)
}

// refusePending is checkPending's answer for the pending operations the state holds.
func (s *Stack) refusePending(op string, pending []PendingOperation) error {
	if len(pending) == 0 {
		return nil
	}
	if s.lockedLocally() {
		return &Error{Kind: ErrConcurrentUpdate, Op: op, Stack: s.name}
	}
	e := &Error{Kind: ErrPendingOperations, Op: op, Stack: s.name}
	for _, p := range pending {
		e.Details = append(e.Details, fmt.Sprintf("%s %q (%s), interrupted while %s", p.Type, nameOf(p.URN), p.URN, p.Op))
	}
	return e
}

// lockedLocally reports whether a file backend holds a lock on the stack: an update is
// running (its operations in flight are pending in the state), or a killed one left it.
func (s *Stack) lockedLocally() bool {
	dir, ok := strings.CutPrefix(s.opts.backend, "file://")
	if !ok {
		return false
	}
	name := s.name[strings.LastIndex(s.name, "/")+1:]
	locks, _ := filepath.Glob(filepath.Join(dir, ".pulumi", "locks", "*", Project, name, "*.json"))
	return len(locks) > 0
}

// ClearPendingOperations removes pending operations from the state by exporting it and
// importing it back without them (the `pulumi stack export | edit | import` recovery).
// Only run it after checking in the cloud what those operations did: a resource created
// but not recorded is then unmanaged. It returns what it removed. Nothing calls it
// unless asked.
func (s *Stack) ClearPendingOperations(ctx context.Context) ([]PendingOperation, error) {
	out, err := s.cli(ctx, nil, "stack", "export")
	if err != nil {
		return nil, s.classify("export", err, nil)
	}
	var u apitype.UntypedDeployment
	if err := json.Unmarshal([]byte(out), &u); err != nil {
		return nil, err
	}
	var d map[string]json.RawMessage
	if err := json.Unmarshal(u.Deployment, &d); err != nil {
		return nil, err
	}
	var typed apitype.DeploymentV3
	if err := json.Unmarshal(u.Deployment, &typed); err != nil {
		return nil, err
	}
	removed := pendingOf(&typed)
	if len(removed) == 0 {
		return nil, nil
	}
	delete(d, "pending_operations")
	if u.Deployment, err = json.Marshal(d); err != nil {
		return nil, err
	}
	file, err := os.CreateTemp(s.stack.Workspace().WorkDir(), "state-*.json")
	if err != nil {
		return nil, err
	}
	defer os.Remove(file.Name())
	if err := json.NewEncoder(file).Encode(u); err != nil {
		file.Close()
		return nil, err
	}
	if err := file.Close(); err != nil {
		return nil, err
	}
	if _, err := s.cli(ctx, nil, "stack", "import", "--file", filepath.Base(file.Name())); err != nil {
		return nil, s.classify("import", err, nil)
	}
	return removed, nil
}

// configEntry is one value of `pulumi config --json`.
type configEntry struct {
	Value  *string `json:"value"`
	Secret bool    `json:"secret"`
}

func parseConfig(out string) (map[string]configEntry, error) {
	m := map[string]configEntry{}
	if strings.TrimSpace(out) == "" {
		return m, nil
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		return nil, fmt.Errorf("reading stack config: %w", err)
	}
	return m, nil
}

// parseConfigValues returns the pachdeploy settings of `pulumi config --json`, bare keys
// (secrets read [secret]), and the keys stored in plain text.
func parseConfigValues(out string) (raw map[string]string, plaintext []string, err error) {
	m, err := parseConfig(out)
	if err != nil {
		return nil, nil, err
	}
	raw = map[string]string{}
	for k, e := range m {
		bare, ok := strings.CutPrefix(k, config.Namespace+":")
		if !ok {
			continue
		}
		switch {
		case e.Secret:
			raw[bare] = secretMark
			continue
		case e.Value != nil:
			raw[bare] = *e.Value
		}
		plaintext = append(plaintext, bare)
	}
	return raw, plaintext, nil
}
