package automation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/sig"
)

// opRetain is a delete of a resource kept in the cloud (retainOnDelete).
const opRetain = "retain"

// stackType is the root resource, whose outputs are the stack's.
const stackType = "pulumi:pulumi:Stack"

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
	// refreshing are the custom resources a refresh reads: the engine announces each
	// with a refresh pre event, then sends its outputs event with the step's result
	// (same, update, delete) as the op.
	refreshing map[string]bool
	errors     []string
	// accepted is set once the engine has started the operation.
	accepted atomic.Bool
	// dataAtRisk says what a resource of a type holds (Program.DataBearing).
	dataAtRisk func(token string) string
}

func newCollector(r *Report, progress io.Writer, redact redactor, live bool) *collector {
	return &collector{
		report: r, progress: progress, redact: redact, now: time.Now, live: live,
		byURN: map[string]int{}, started: map[string]time.Time{}, refreshing: map[string]bool{},
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
		if m := e.ResOutputsEvent.Metadata; m.Type == stackType && m.New != nil {
			c.report.stackOutputs = m.New.Outputs
		}
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
	if m.Op == apitype.OpRefresh && m.Old != nil && m.Old.Custom {
		c.refreshing[m.URN] = true
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
	ch.Diffs = mergeDiffs(ch.Diffs, c.inputDiffs(m))
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
	if m.Op == apitype.OpRefresh || c.refreshing[m.URN] {
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
	if op == "update" {
		ch.Diffs = c.diffs(keys, m.Old.Outputs, m.New.Outputs, nil)
	}
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

// chartVersion records the release's version input, old -> new.
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

// unknownMark stands for a value the engine learns only when it applies the change.
const unknownMark = "(known after apply)"

// inputDiffs are the old and new values of a step's changed keys. Creates and deletes
// have no old or no new inputs: their keys carry no values.
func (c *collector) inputDiffs(m apitype.StepEventMetadata) []KeyDiff {
	if m.Old == nil || m.New == nil {
		return nil
	}
	return c.diffs(changedKeys(m), m.Old.Inputs, m.New.Inputs, func(key string) map[string]any {
		// A detailed diff that is not an input diff compares the new inputs with the
		// old state (what the cloud has), so the old value is the old output.
		if d, ok := m.DetailedDiff[key]; ok && !d.InputDiff && m.Old.Outputs != nil {
			return m.Old.Outputs
		}
		return m.Old.Inputs
	})
}

// diffs looks keys up in old and new (oldFor, when set, picks the old map per key) and
// returns the pairs as a report shows them: redacted, secrets and unknowns marked.
func (c *collector) diffs(keys []string, old, cur map[string]any, oldFor func(string) map[string]any) []KeyDiff {
	var out []KeyDiff
	for _, k := range keys {
		o := old
		if oldFor != nil {
			o = oldFor(k)
		}
		// A key found on neither side (a path this lookup cannot follow) keeps its name
		// in Keys only.
		if d := (KeyDiff{Key: k, Old: valueText(lookup(o, k, c.redact)), New: valueText(lookup(cur, k, c.redact))}); d.Old != "" || d.New != "" {
			out = append(out, d)
		}
	}
	return out
}

// lookup reads a property path (a.b[0]["c.d"]) in m, as shown with r. A path through a
// secret or an unknown value reads as that value.
func lookup(m map[string]any, path string, r redactor) (any, bool) {
	if m == nil {
		return nil, false
	}
	p, err := resource.ParsePropertyPath(path)
	if err != nil {
		return nil, false
	}
	var cur any = shown(m, r)
	for _, elem := range p {
		switch v := cur.(type) {
		case string:
			return v, v == secretMark || v == unknownMark
		case map[string]any:
			k, ok := elem.(string)
			if cur, ok = v[k]; !ok {
				return nil, false
			}
		case []any:
			i, ok := elem.(int)
			if !ok || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// shown is v as a report shows it: secrets as [secret] (never their value or length),
// values the engine does not know yet as "(known after apply)", and the known secret
// settings r holds redacted in every string, before JSON could escape them out of
// its reach.
func shown(v any, r redactor) any {
	switch v := v.(type) {
	case string:
		if sig.IsUnknown(v) {
			return unknownMark
		}
		return r.redact(v)
	case map[string]any:
		if v[sig.Key] == sig.Secret {
			return secretMark
		}
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = shown(e, r)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = shown(e, r)
		}
		return out
	}
	return v
}

// valueText is a shown value as text: a string as it is ("" quoted), anything else as
// compact JSON; "" when absent.
func valueText(v any, found bool) string {
	if !found {
		return ""
	}
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // a policy document reads < and & as they are
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// mergeDiffs adds the pairs of keys a lacks: a replacement's later steps repeat the
// first one's keys.
func mergeDiffs(a, b []KeyDiff) []KeyDiff {
	for _, d := range b {
		if !slices.ContainsFunc(a, func(e KeyDiff) bool { return e.Key == d.Key }) {
			a = append(a, d)
		}
	}
	return a
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
