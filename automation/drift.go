package automation

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
)

// DriftResult is what a drift check found. Changes are the resources whose cloud state
// differs from the state recorded by the last deploy: update (changed outside Pulumi,
// with the changed keys) or delete (gone from the cloud). Totals count the resources
// read as update, delete and same. PendingOperations are left by an interrupted update:
// the state cannot say what the cloud holds for them.
type DriftResult struct {
	Report
	// Project is the Pulumi project the stack belongs to.
	Project string `json:"project"`
}

// Drifted reports whether the cloud differs from the last deploy, or an interrupted
// update left the state unsure of it.
func (r *DriftResult) Drifted() bool { return len(r.Changes) > 0 || len(r.PendingOperations) > 0 }

// MarshalJSON adds "drifted" (Drifted) to the result's fields, so a script need not
// work it out from the changes and the pending operations.
func (r DriftResult) MarshalJSON() ([]byte, error) {
	type fields DriftResult // without this method
	return json.Marshal(struct {
		fields
		Drifted bool `json:"drifted"`
	}{fields(r), r.Drifted()})
}

// Drift reads every resource from the cloud and reports what differs from the state the
// last deploy recorded, without recording anything: it is the engine's refresh preview
// (`pulumi refresh --preview-only`), so the state, its history and the stack's settings
// stay as they were. Failures are classified as for the other operations; a stack a
// file backend holds locked is refused as ErrConcurrentUpdate, since the engine's
// preview does not take the lock.
func (s *Stack) Drift(ctx context.Context) (*DriftResult, error) {
	if s.lockedLocally() {
		// An update is running (or a killed one left its lock): what it is changing
		// would read as drift, and its operations in flight as pending.
		return nil, &Error{Kind: ErrConcurrentUpdate, Op: "drift", Stack: s.name}
	}
	pending, err := s.PendingOperations(ctx)
	if err != nil {
		return nil, err
	}
	rep, err := s.run(ctx, "drift", false, func(ch chan<- events.EngineEvent) error {
		_, err := s.stack.PreviewRefresh(ctx, optrefresh.EventStreams(ch))
		return err
	})
	rep.PendingOperations = pending
	rep.Totals = driftTotals(rep)
	return &DriftResult{Report: rep, Project: Project}, err
}

// driftTotals counts the resources read by what the report says of them. The engine's
// own summary counts a resource whose outputs alone changed as same.
func driftTotals(r Report) map[string]int {
	read := 0
	for _, n := range r.Totals {
		read += n
	}
	totals := map[string]int{}
	for _, c := range r.Changes {
		totals[c.Op]++
	}
	if same := read - len(r.Changes); same > 0 {
		totals["same"] = same
	}
	return totals
}

// summary says in one line how many resources drifted and how: "2 of 5 resources
// differ from the last deploy: 1 changed, 1 gone", or that none did.
func (r *DriftResult) summary() string {
	read := 0
	for _, n := range r.Totals {
		read += n
	}
	var s string
	switch {
	case len(r.Changes) == 0 && len(r.PendingOperations) == 0:
		return fmt.Sprintf("No drift: all %d resources match the last deploy", read)
	case len(r.Changes) == 0:
		s = fmt.Sprintf("All %d resources match the last deploy", read)
	default:
		count := map[string]int{}
		for _, c := range r.Changes {
			count[driftVerb(c)]++
		}
		var parts []string
		for _, verb := range []string{"changed", "gone", "unreadable"} {
			if count[verb] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", count[verb], verb))
			}
		}
		s = fmt.Sprintf("%d of %d resources differ from the last deploy: %s", len(r.Changes), read, strings.Join(parts, ", "))
	}
	if n := len(r.PendingOperations); n > 0 {
		s += fmt.Sprintf("; %d pending operations from an interrupted update leave the state unsure of the cloud", n)
	}
	return s
}

// driftVerb is how a drift report names a change: changed, gone, or unreadable (a read
// that failed).
func driftVerb(c Change) string {
	switch {
	case c.Failed:
		return "unreadable"
	case c.Op == "delete":
		return "gone"
	}
	return "changed"
}

// driftAdvice is what to do about drift.
const driftAdvice = "`pachdeploy refresh` records the cloud's state in the stack; a following `pachdeploy up` " +
	"then puts back what the program declares (and recreates what is gone)."

// DriftMarker is the first line of the Markdown drift report: a hidden marker naming the
// project and stack, so a workflow can find and update the one issue it keeps per stack.
func DriftMarker(project, stack string) string {
	return fmt.Sprintf("<!-- pachdeploy:drift project=%s stack=%s -->", project, stack)
}

// RenderDriftText writes a drift report for a terminal: the summary, one line per
// drifted resource, then its changed keys as `key: old -> new` (secrets as [secret]),
// pending operations and the engine's warnings.
func RenderDriftText(w io.Writer, r *DriftResult) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Stack %s: %s\n", r.Stack, r.summary())
	for _, c := range r.Changes {
		fmt.Fprintf(&b, "  %-10s %s %q\n", driftVerb(c), c.Type, c.Name)
		for _, k := range c.Keys {
			if d, ok := keyDiff(c, k); ok {
				fmt.Fprintf(&b, "               %s: %s -> %s\n", k, orAbsent(d.Old), orAbsent(d.New))
			} else {
				fmt.Fprintf(&b, "               %s\n", k)
			}
		}
	}
	for _, op := range r.PendingOperations {
		fmt.Fprintf(&b, "  pending    %s %s (check it, then run `pachdeploy refresh --clear-pending`)\n", op.Op, op.URN)
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", warn)
	}
	if len(r.Changes) > 0 {
		b.WriteString(strings.ReplaceAll(driftAdvice, "`", "") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// keyDiff is the old and new value of a change's key, when the report has them.
func keyDiff(c Change, key string) (KeyDiff, bool) {
	for _, d := range c.Diffs {
		if d.Key == key {
			return d, true
		}
	}
	return KeyDiff{}, false
}

// orAbsent is a value for a text line: (none) when the key is absent on that side.
func orAbsent(v string) string {
	if v == "" {
		return "(none)"
	}
	return v
}

// RenderDriftMarkdown writes a drift report for an issue: the marker line (DriftMarker),
// the summary, pending operations, the engine's warnings and a table of the drifted
// resources with each changed key as `old → new` (secrets as [secret], values longer
// than 80 characters cut with "…").
func RenderDriftMarkdown(w io.Writer, r *DriftResult) error {
	var b strings.Builder
	b.WriteString(DriftMarker(r.Project, r.Stack) + "\n")
	fmt.Fprintf(&b, "### pachdeploy drift: stack `%s`\n\n", code(r.Stack))
	fmt.Fprintf(&b, "**%s.**\n\n", r.summary())
	if len(r.PendingOperations) > 0 {
		b.WriteString("**⚠️ Pending operations from an interrupted update** (run `pachdeploy refresh --clear-pending` after checking them):\n\n")
		for _, op := range r.PendingOperations {
			fmt.Fprintf(&b, "- %s `%s` `%s`\n", op.Op, code(op.Type), code(nameOf(op.URN)))
		}
		b.WriteString("\n")
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(&b, "> warning: %s\n\n", strings.ReplaceAll(warn, "\n", " "))
	}
	if len(r.Changes) > 0 {
		b.WriteString("| Drift | Type | Name | Changed keys (last deploy → cloud) |\n| --- | --- | --- | --- |\n")
		for _, c := range r.Changes {
			keys := make([]string, 0, len(c.Keys))
			for _, k := range c.Keys {
				key := "`" + code(k) + "`"
				if d, ok := keyDiff(c, k); ok {
					key += ": " + valueCode(d.Old) + " → " + valueCode(d.New)
				}
				keys = append(keys, cell(key))
			}
			fmt.Fprintf(&b, "| %s | `%s` | `%s` | %s |\n", driftVerb(c), cell(code(c.Type)), cell(code(c.Name)), strings.Join(keys, "<br>"))
		}
		b.WriteString("\n" + driftAdvice + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// RenderDriftJSON writes the drift report as indented JSON: the Report's fields,
// "project" and "drifted".
func RenderDriftJSON(w io.Writer, r *DriftResult) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
