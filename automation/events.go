package automation

import (
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/sig"
)

// opRetain is a delete of a resource kept in the cloud (retainOnDelete).
const opRetain = "retain"

// releaseType is the Helm release whose "version" input is the Pachyderm chart version.
const releaseType = "kubernetes:helm.sh/v3:Release"

// collector turns the engine's event stream into a Report and progress lines.
type collector struct {
	report   *Report
	progress io.Writer
	redact   redactor
	now      func() time.Time
	live     bool // print progress (not in previews)

	byURN   map[string]int
	started map[string]time.Time
	errors  []string
	// accepted is set once the engine has started the operation.
	accepted atomic.Bool
	// dataAtRisk says what a resource of a type holds (Program.DataBearing).
	dataAtRisk func(token string) string
}

func newCollector(r *Report, progress io.Writer, redact redactor, live bool) *collector {
	return &collector{
		report: r, progress: progress, redact: redact, now: time.Now, live: live,
		byURN: map[string]int{}, started: map[string]time.Time{},
		dataAtRisk: func(string) string { return "" },
	}
}

// run consumes events until ch is closed.
func (c *collector) run(ch <-chan events.EngineEvent, done chan<- struct{}) {
	for e := range ch {
		c.handle(e.EngineEvent)
	}
	close(done)
}

// handle folds one engine event into the report.
func (c *collector) handle(e apitype.EngineEvent) {
	if e.PreludeEvent != nil || e.ResourcePreEvent != nil {
		c.accepted.Store(true)
	}
	switch {
	case e.ResourcePreEvent != nil:
		c.pre(e.ResourcePreEvent.Metadata)
	case e.ResOutputsEvent != nil:
		c.outputs(e.ResOutputsEvent.Metadata)
	case e.ResOpFailedEvent != nil:
		c.failed(e.ResOpFailedEvent.Metadata)
	case e.DiagnosticEvent != nil:
		c.diagnostic(e.DiagnosticEvent)
	case e.SummaryEvent != nil:
		c.report.Totals = map[string]int{}
		for op, n := range e.SummaryEvent.ResourceChanges {
			c.report.Totals[string(op)] = n
		}
	}
}

// secretsMarked returns v with every secret the engine's events carry (an object
// tagged with the secret signature, its value elided) replaced by "[secret]", as the
// offline plan shows them, so the policy rules see a Pulumi secret rather than an
// object of plain values.
func secretsMarked(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if v[sig.Key] == sig.Secret {
			return secretMark
		}
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = secretsMarked(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = secretsMarked(e)
		}
		return out
	}
	return v
}

// opOf folds the engine's replacement steps into one "replace".
func opOf(op apitype.OpType) string {
	switch op {
	case apitype.OpCreateReplacement, apitype.OpDeleteReplaced, apitype.OpReplace:
		return "replace"
	}
	return string(op)
}

func (c *collector) pre(m apitype.StepEventMetadata) {
	if m.New != nil && m.Op != apitype.OpDelete && m.Op != apitype.OpDeleteReplaced && m.Op != apitype.OpRefresh {
		inputs, _ := secretsMarked(m.New.Inputs).(map[string]any)
		c.report.desired = append(c.report.desired, policy.Resource{URN: m.URN, Type: m.Type, Name: nameOf(m.URN), Inputs: inputs})
	}
	if m.Op == apitype.OpSame || m.Op == apitype.OpRefresh {
		c.started[m.URN] = c.now()
		return
	}
	ch := c.change(m)
	ch.Op = opOf(m.Op)
	if m.Op == apitype.OpDelete && m.Old != nil && m.Old.RetainOnDelete {
		ch.Op = opRetain // the cloud resource, and its data, stay
	}
	ch.Keys = mergeKeys(ch.Keys, changedKeys(m))
	ch.ReplaceKeys = mergeKeys(ch.ReplaceKeys, m.Keys)
	if losesData(ch.Op) {
		ch.DataAtRisk = c.dataAtRisk(m.Type)
	}
	if m.Type == releaseType && m.New != nil {
		c.chartVersion(m)
	}
	if _, ok := c.started[m.URN]; !ok {
		c.started[m.URN] = c.now()
		c.line("%-10s %s %q", progressVerb(ch.Op, false), m.Type, ch.Name)
	}
}

func (c *collector) outputs(m apitype.StepEventMetadata) {
	if m.Op == apitype.OpRefresh {
		c.drift(m)
		return
	}
	i, ok := c.byURN[m.URN]
	if !ok {
		return
	}
	ch := &c.report.Changes[i]
	if m.Op == apitype.OpCreateReplacement || m.Op == apitype.OpReplace {
		return // the replacement finishes with delete-replaced
	}
	ch.Elapsed = c.elapsed(m.URN)
	c.line("%-10s %s %q (%s)", progressVerb(ch.Op, true), m.Type, ch.Name, ch.Elapsed.Round(100*time.Millisecond))
}

func (c *collector) failed(m apitype.StepEventMetadata) {
	ch := c.change(m)
	if ch.Op == "" {
		ch.Op = opOf(m.Op)
	}
	ch.Failed = true
	ch.Elapsed = c.elapsed(m.URN)
	c.line("%-10s %s %s %q (%s)", "failed", ch.Op, m.Type, ch.Name, ch.Elapsed.Round(100*time.Millisecond))
}

// drift records a refreshed resource whose cloud state differs from the recorded one.
func (c *collector) drift(m apitype.StepEventMetadata) {
	var op string
	var keys []string
	switch {
	case m.New == nil || m.New.ID == "":
		op = "delete"
	default:
		keys = changedKeys(m)
		if len(keys) == 0 && m.Old != nil {
			keys = diffKeys(m.Old.Outputs, m.New.Outputs)
		}
		if len(keys) > 0 {
			op = "update"
		}
	}
	if op == "" || m.Old == nil {
		return
	}
	ch := c.change(m)
	ch.Op, ch.Keys = op, keys
	c.line("%-10s %s %q: %s", "drifted", m.Type, ch.Name, driftText(op, keys))
}

func driftText(op string, keys []string) string {
	if op == "delete" {
		return "gone from the cloud"
	}
	return fmt.Sprintf("changed %v", keys)
}

func (c *collector) diagnostic(d *apitype.DiagnosticEvent) {
	msg := c.redact.redact(trimANSI(d.Message))
	switch d.Severity {
	case "error":
		c.errors = append(c.errors, prefixed(d.URN, msg))
	case "warning":
		c.report.Warnings = append(c.report.Warnings, prefixed(d.URN, msg))
	}
}

func prefixed(urn, msg string) string {
	if urn == "" {
		return msg
	}
	return nameOf(urn) + ": " + msg
}

// chartVersion records the release's version input, old -> new. Only this one input
// value is ever read from events.
func (c *collector) chartVersion(m apitype.StepEventMetadata) {
	str := func(s *apitype.StepEventStateMetadata) string {
		if s == nil {
			return ""
		}
		v, _ := s.Inputs["version"].(string)
		if v == secretMark {
			return ""
		}
		return v
	}
	if old, cur := str(m.Old), str(m.New); old != cur {
		c.report.ChartVersion = &VersionChange{Old: old, New: cur}
	}
}

// change returns the report's entry for m's resource, adding it if new.
func (c *collector) change(m apitype.StepEventMetadata) *Change {
	i, ok := c.byURN[m.URN]
	if !ok {
		i = len(c.report.Changes)
		c.byURN[m.URN] = i
		c.report.Changes = append(c.report.Changes, Change{URN: m.URN, Type: m.Type, Name: nameOf(m.URN)})
	}
	return &c.report.Changes[i]
}

func (c *collector) elapsed(urn string) time.Duration {
	if t, ok := c.started[urn]; ok {
		return c.now().Sub(t)
	}
	return 0
}

func (c *collector) line(format string, args ...any) {
	if c.live && c.progress != nil {
		fmt.Fprintln(c.progress, c.redact.redact(fmt.Sprintf(format, args...)))
	}
}

// changedKeys are the property paths of a step's detailed diff, else its top-level keys.
func changedKeys(m apitype.StepEventMetadata) []string {
	if len(m.DetailedDiff) > 0 {
		return slices.Sorted(maps.Keys(m.DetailedDiff))
	}
	return m.Diffs
}

// diffKeys are the top-level keys whose values differ between a and b.
func diffKeys(a, b map[string]any) []string {
	var out []string
	for k, v := range a {
		if w, ok := b[k]; !ok || !reflect.DeepEqual(v, w) {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func mergeKeys(a, b []string) []string {
	for _, k := range b {
		if !slices.Contains(a, k) {
			a = append(a, k)
		}
	}
	return a
}

// progressVerb is how a progress line names op, starting or finished.
func progressVerb(op string, done bool) string {
	verbs := map[string][2]string{
		"create":  {"creating", "created"},
		"update":  {"updating", "updated"},
		"replace": {"replacing", "replaced"},
		"delete":  {"deleting", "deleted"},
		opRetain:  {"releasing", "released (kept in the cloud)"},
		"read":    {"reading", "read"},
		"import":  {"importing", "imported"},
	}
	v, ok := verbs[op]
	if !ok {
		return op
	}
	if done {
		return v[1]
	}
	return v[0]
}
