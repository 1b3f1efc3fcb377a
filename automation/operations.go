package automation

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
)

// engineParallel is how many resource operations the engine runs at once. They wait on
// the cloud, not on this machine's CPUs, while the CLI's default is four per CPU: eight
// on a 2-core CI runner, so the dozens of small resources a deploy starts with (roles,
// policies, bucket settings, network pieces) would queue in waves.
const engineParallel = 32

// parallel is the engine's parallelism: engineParallel, unless PULUMI_PARALLEL sets it
// (0: the CLI reads that itself).
func (s *Stack) parallel() int {
	if s.opts.lookupEnv("PULUMI_PARALLEL") != "" {
		return 0
	}
	return engineParallel
}

// eventsGrace bounds the wait for the event stream to drain after the CLI exits.
const eventsGrace = 10 * time.Second

// run runs one engine operation with an event stream feeding a Report.
func (s *Stack) run(ctx context.Context, op string, live bool,
	call func(chan<- events.EngineEvent) error,
) (Report, error) {
	rep, _, err := s.runEngine(ctx, op, live, call)
	return rep, err
}

// runEngine is run that also says whether the engine accepted the operation: it
// started (its prelude arrived), so a lock, a missing plugin or a bad backend did not
// refuse it before any work.
func (s *Stack) runEngine(ctx context.Context, op string, live bool,
	call func(chan<- events.EngineEvent) error,
) (Report, bool, error) {
	if op != "preview" {
		s.created = false // the state may now hold operations in flight
	}
	rep := Report{Stack: s.name, Operation: op, Changes: []Change{}, Totals: map[string]int{}}
	c := newCollector(&rep, s.progress, s.redact, live)
	c.dataAtRisk = s.program.dataAtRisk
	ch := make(chan events.EngineEvent)
	done := make(chan struct{})
	go c.run(ch, done)
	start := time.Now()
	err := call(ch)
	select {
	case <-done:
	case <-time.After(eventsGrace):
	}
	rep.Duration = time.Since(start)
	return rep, c.accepted.Load(), s.classify(op, err, c.errors)
}

// Preview reports what Up would change, and any pending operations left by an
// interrupted update. It changes nothing.
// Settings given with WithConfig are previewed, not kept.
func (s *Stack) Preview(ctx context.Context) (*PreviewResult, error) {
	if err := s.checkSettings(ctx); err != nil {
		return nil, err
	}
	pending, err := s.PendingOperations(ctx)
	if err != nil {
		return nil, err
	}
	rep, err := s.preview(ctx)
	rep.PendingOperations = pending
	return &PreviewResult{Report: rep}, err
}

// preview runs the engine's preview with the settings Up would use and, with a Program
// Check, the policy check of what it would deploy.
func (s *Stack) preview(ctx context.Context) (Report, error) {
	var rep Report
	err := s.withSettings(ctx, false, func() (bool, error) {
		var err error
		rep, err = s.run(ctx, "preview", false, func(ch chan<- events.EngineEvent) error {
			_, err := s.stack.Preview(ctx, optpreview.EventStreams(ch), optpreview.Diff(),
				optpreview.PolicyPacks(s.opts.policyPacks...), optpreview.Parallel(s.parallel()))
			return err
		})
		return false, err
	})
	if err != nil || s.program.Check == nil {
		return rep, err
	}
	settings := map[string]string{}
	if s.pending != nil {
		for k, v := range s.pending {
			settings[k] = v.Value
		}
	} else if settings, _, err = s.storedConfig(ctx); err != nil {
		return rep, err
	}
	rep.Policy, err = s.program.Check(settings, rep.desired)
	if err != nil {
		return rep, &Error{Kind: ErrInvalidConfig, Op: "preview", Stack: s.name, Details: []string{err.Error()}}
	}
	return rep, nil
}

// failingFindings are the unwaived findings of rep at or above s; none without a
// severity to fail on or without a report.
func failingFindings(rep *policy.Report, s policy.Severity) []policy.Finding {
	if s == 0 || rep == nil {
		return nil
	}
	return rep.Failing(s)
}

// Up creates or updates the stack's resources. It refuses to start over pending
// operations (ErrPendingOperations) and reports a held lock as ErrConcurrentUpdate.
// Settings given with WithConfig become the stack's once the engine accepts the up
// (it may then have changed resources, even if it fails later); an up refused before
// that (a held lock, pending operations) leaves the stack's settings as they were.
func (s *Stack) Up(ctx context.Context) (*UpResult, error) {
	if err := s.checkSettings(ctx); err != nil {
		return nil, err
	}
	if err := s.checkPending(ctx, "up"); err != nil {
		return nil, err
	}
	if s.opts.failOn != 0 || s.opts.reviewed != "" {
		rep, err := s.preview(ctx)
		if err != nil {
			return nil, err
		}
		if got := rep.Fingerprint(); s.opts.reviewed != "" && got != s.opts.reviewed {
			return &UpResult{Report: Report{Stack: s.name, Operation: "up", Changes: rep.Changes, Totals: rep.Totals}},
				&Error{Kind: ErrNotReviewed, Op: "up", Stack: s.name, Details: []string{
					fmt.Sprintf("reviewed %s, the stack would now get %s", s.opts.reviewed, got),
					"the code or the stack changed since the review: preview again and review what it shows"}}
		}
		if failing := failingFindings(rep.Policy, s.opts.failOn); len(failing) > 0 {
			var details []string
			for _, f := range failing {
				details = append(details, fmt.Sprintf("%s %s on %s: %s (fix: %s)", f.Severity, f.Rule, f.URN, f.Message, f.Fix))
			}
			return &UpResult{Report: Report{Stack: s.name, Operation: "up", Policy: rep.Policy}},
				&Error{Kind: ErrPolicy, Op: "up", Stack: s.name, Details: details}
		}
	}
	var rep Report
	var accepted bool
	err := s.withSettings(ctx, true, func() (bool, error) {
		var err error
		rep, accepted, err = s.runEngine(ctx, "up", true, func(ch chan<- events.EngineEvent) error {
			return s.runInline(ctx, "up", ch, inlineRun{})
		})
		return accepted, err
	})
	if accepted {
		s.markUp()
	}
	return &UpResult{Report: rep, Outputs: eventOutputs(rep.stackOutputs)}, err
}

// eventOutputs are the stack outputs the events carried, sorted by name; an output
// holding a secret anywhere is secret.
func eventOutputs(m map[string]any) []Output {
	out := make([]Output, 0, len(m))
	for k, v := range m {
		o := Output{Name: k, Value: v}
		if !reflect.DeepEqual(secretsMarked(v), v) {
			o.Value, o.Secret = secretMark, true
		}
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// RefreshOptions configures Refresh.
type RefreshOptions struct {
	// ClearPending drops pending create operations of an interrupted update (after you
	// checked in the cloud what they did): `pulumi refresh --clear-pending-creates`.
	ClearPending bool
}

// Refresh reads every resource from the cloud and records it; the result's Changes are
// the drift (update: changed outside Pulumi; delete: gone).
func (s *Stack) Refresh(ctx context.Context, o RefreshOptions) (*RefreshResult, error) {
	opts := []optrefresh.Option{}
	if o.ClearPending {
		opts = append(opts, optrefresh.ClearPendingCreates())
	}
	rep, err := s.run(ctx, "refresh", true, func(ch chan<- events.EngineEvent) error {
		_, err := s.stack.Refresh(ctx, append(opts, optrefresh.EventStreams(ch))...)
		return err
	})
	return &RefreshResult{Report: rep}, err
}

// DestroyOptions configures Destroy.
type DestroyOptions struct {
	// DeleteData deletes the data bucket (or storage account) too. Default: it is kept.
	DeleteData bool
}

// destroyTries bounds Destroy's retries on AWS DependencyViolation (an ENI or security
// group still detaching from a deleted cluster), waiting destroyBackoff, then twice that.
const destroyTries = 3

// destroyBackoff is the first wait between destroy attempts (a variable for tests).
var destroyBackoff = 20 * time.Second

// Destroy deletes the stack's resources. The data bucket is kept unless o.DeleteData.
//
// Keeping the bucket is the retainOnDelete resource option, which the engine reads from
// the state written at the last up, not from the program at destroy time. So when the
// state's retainOnDelete disagrees with o.DeleteData, Destroy first runs an up targeted
// at the storage resources with the Program's DeleteDataSetting set for that run only (a
// copy of the stack file: the stack's settings stay as they are); then it destroys. The
// result says whether the data was kept. Destroy uses the stack's settings (WithConfig
// does not apply to it).
func (s *Stack) Destroy(ctx context.Context, o DestroyOptions) (*DestroyResult, error) {
	if err := s.syncSettings(ctx); err != nil {
		return nil, err
	}
	d, err := s.export(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.refusePending("destroy", pendingOf(d)); err != nil {
		return nil, err
	}
	resources, err := s.setRetention(ctx, o.DeleteData, resourcesOf(d))
	if err != nil {
		return nil, err
	}
	res := &DestroyResult{}
	for _, r := range resources {
		if r.RetainOnDelete {
			res.Retained = append(res.Retained, r.URN)
			res.DataKept = res.DataKept || s.program.kept(r.Type)
		}
	}
	delay := destroyBackoff
	for try := 1; ; try++ {
		res.Report, err = s.run(ctx, "destroy", true, func(ch chan<- events.EngineEvent) error {
			return s.runInline(ctx, "destroy", ch, inlineRun{})
		})
		if err == nil || try == destroyTries || !dependencyViolation(err) || ctx.Err() != nil {
			return res, err
		}
		if s.progress != nil {
			fmt.Fprintf(s.progress, "DependencyViolation: retrying destroy in %s\n", delay)
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return res, err
		}
		delay *= 2
	}
}

func dependencyViolation(err error) bool {
	return strings.Contains(err.Error(), "DependencyViolation")
}

// setRetention makes the state's retainOnDelete of the storage resources say deleteData
// (see Destroy) and returns the resources as the state then records them.
func (s *Stack) setRetention(ctx context.Context, deleteData bool, resources []Resource) ([]Resource, error) {
	key := s.program.DeleteDataSetting
	if key == "" {
		return nil, errors.New("automation: the Program has no DeleteDataSetting: destroy cannot tell the program whether to keep the data")
	}
	var targets []string
	for _, r := range resources {
		// Deleting data: every retained resource (the bucket and its settings) is to go.
		// Keeping it: the storage resources must be retained.
		if (deleteData && r.RetainOnDelete) || (!deleteData && s.program.kept(r.Type) && !r.RetainOnDelete) {
			targets = append(targets, r.URN)
		}
	}
	if len(targets) == 0 {
		return resources, nil
	}
	file, err := s.withSetting(key, strconv.FormatBool(deleteData))
	if err != nil {
		return nil, err
	}
	defer os.Remove(file)
	_, err = s.run(ctx, "up", true, func(ch chan<- events.EngineEvent) error {
		return s.runInline(ctx, "up", ch, inlineRun{targets: targets, message: retentionMessage, configFile: file})
	})
	if err != nil {
		return nil, err
	}
	return s.Resources(ctx)
}

// OutputsOptions configures Outputs.
type OutputsOptions struct {
	// ShowSecrets returns secret values instead of [secret].
	ShowSecrets bool
}

// Outputs returns the stack outputs sorted by name, secrets redacted unless asked.
func (s *Stack) Outputs(ctx context.Context, o OutputsOptions) ([]Output, error) {
	out, err := s.stack.Outputs(ctx)
	if err != nil {
		return nil, s.classify("outputs", err, nil)
	}
	return redactOutputs(out, o.ShowSecrets), nil
}

func redactOutputs(m auto.OutputMap, show bool) []Output {
	out := make([]Output, 0, len(m))
	for k, v := range m {
		o := Output{Name: k, Value: v.Value, Secret: v.Secret}
		if v.Secret && !show {
			o.Value = secretMark
		}
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Cancel stops the stack's running update and removes its lock (`pulumi cancel`). It is
// a recovery step for a lock left by a killed run: resources being changed when the run
// died become pending operations. Nothing calls it unless asked.
func (s *Stack) Cancel(ctx context.Context) error {
	_, err := s.cli(ctx, nil, "cancel", "--yes")
	return s.classify("cancel", err, nil)
}
